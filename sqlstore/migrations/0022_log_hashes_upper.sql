-- The Merkle tree keeps only its hashes at level 3 and above (storedLevel
-- in logtree.go); those below are computed from the entries' own hashes
-- when a proof needs them. SQL cannot easily tell an index's level, so the
-- stored hashes are all removed here, and Migrate's fill rebuilds each
-- gate's tree from its entries, under the new rule, right after this
-- migration: the same code that builds a tree at every append. The pages
-- freed go back to the database for its growth.
DELETE FROM log_hashes;
