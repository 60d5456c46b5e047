-- Each gate's log as a Merkle tree (RFC 6962 hashing), kept as the stored
-- hashes of golang.org/x/mod/sumdb/tlog: idx is tlog.StoredHashIndex, hash
-- its lowercase hex. Leaf n is entry seq n+1, whose data is the entry's
-- chain hash. Written in the transaction that appends the entry; the
-- hashes of a log that existed before this table are filled in by Migrate.
CREATE TABLE log_hashes (
	gate TEXT NOT NULL,
	idx  BIGINT NOT NULL,
	hash TEXT NOT NULL,
	PRIMARY KEY (gate, idx)
);
