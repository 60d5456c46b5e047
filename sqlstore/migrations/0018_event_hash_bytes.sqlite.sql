-- Each entry's chain hash as its 32 bytes rather than 64 hex digits, and no
-- longer the previous entry's hash beside it: that is the hash of the row
-- before it in the gate's log, which readers take from there. The chain is
-- as strong as before: an entry's hash still covers the one before it, so
-- an entry that was changed, even with its hash recomputed, no longer
-- matches the hash of the entry after it. A hash that is not hex stops the
-- migration (NOT NULL) rather than being lost. SQLite cannot change a
-- column's type in place: the table is rebuilt, with its indexes.
CREATE TABLE events_bytes (
	gate       TEXT NOT NULL,
	seq        BIGINT NOT NULL,
	trip_id    TEXT NOT NULL,
	type       TEXT NOT NULL,
	checkpoint TEXT NOT NULL DEFAULT '',
	outcome    TEXT NOT NULL DEFAULT '',
	channel    TEXT NOT NULL DEFAULT '',
	note       TEXT NOT NULL DEFAULT '',
	device     TEXT NOT NULL DEFAULT '',
	actor      TEXT NOT NULL,
	at         TEXT NOT NULL,
	status     TEXT NOT NULL,
	data       TEXT,
	hash       BLOB NOT NULL,
	PRIMARY KEY (gate, seq)
);
INSERT INTO events_bytes (gate, seq, trip_id, type, checkpoint, outcome, channel, note, device, actor, at, status, data, hash)
	SELECT gate, seq, trip_id, type, checkpoint, outcome, channel, note, device, actor, at, status, data, unhex(hash)
	FROM events ORDER BY gate, seq;
DROP TABLE events;
ALTER TABLE events_bytes RENAME TO events;
CREATE INDEX events_trip ON events (trip_id, seq);
CREATE INDEX events_crossed ON events (gate, at) WHERE status = 'crossed';
CREATE INDEX events_called ON events (gate, at) WHERE status = 'called';
