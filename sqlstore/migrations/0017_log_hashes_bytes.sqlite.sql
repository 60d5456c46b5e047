-- The Merkle hashes as their 32 bytes rather than 64 hex digits, in a
-- table keyed by (gate, idx) alone: WITHOUT ROWID keeps each row once, in
-- its primary key's b-tree, where the rowid table kept the key a second
-- time in the key's index. A hash that is not hex stops the migration
-- (NOT NULL) rather than being lost.
CREATE TABLE log_hashes_bytes (
	gate TEXT NOT NULL,
	idx  BIGINT NOT NULL,
	hash BLOB NOT NULL,
	PRIMARY KEY (gate, idx)
) WITHOUT ROWID;
INSERT INTO log_hashes_bytes (gate, idx, hash) SELECT gate, idx, unhex(hash) FROM log_hashes ORDER BY gate, idx;
DROP TABLE log_hashes;
ALTER TABLE log_hashes_bytes RENAME TO log_hashes;
