-- An entry names its trip by the trip's UUID as 16 bytes, not 36
-- characters (sqlstore/tripkey.go); an entry of the gate's own, with no
-- trip, by no bytes. An id that is not a UUID fails the decode, and the
-- migration with it, rather than lose the link. The type's change rewrites
-- the table and its indexes.
ALTER TABLE events ALTER COLUMN trip_id TYPE bytea USING decode(replace(trip_id, '-', ''), 'hex');
