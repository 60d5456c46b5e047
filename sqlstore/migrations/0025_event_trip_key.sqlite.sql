-- An entry names its trip by the trip's UUID as 16 bytes, not 36
-- characters (sqlstore/tripkey.go); an entry of the gate's own, with no
-- trip, by no bytes. An id that is not a UUID makes unhex NULL, which the
-- column refuses: the migration fails rather than lose the link.
UPDATE events SET trip_id = CASE WHEN trip_id = '' THEN x'' ELSE unhex(replace(trip_id, '-', '')) END
	WHERE typeof(trip_id) = 'text';
