-- The store fills in crossing_times.spoiled at each start for the trucks
-- counted before it was kept; this index holds just those (none, once
-- filled), so that a start does not read every crossing to find them.
CREATE INDEX crossing_times_unfilled ON crossing_times (trip_id) WHERE spoiled IS NULL;
