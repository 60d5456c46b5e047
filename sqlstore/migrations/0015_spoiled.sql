-- Whether a crossed truck's perishable cargo had outlived its declared
-- shelf life when it crossed (1) or not (0); NULL for trucks counted
-- before this was kept, until the store fills it in at its next start.
ALTER TABLE crossing_times ADD COLUMN spoiled SMALLINT;
-- A period counts its spoiled loads from them alone.
CREATE INDEX crossing_times_spoiled ON crossing_times (day, gate, direction) WHERE spoiled = 1;
