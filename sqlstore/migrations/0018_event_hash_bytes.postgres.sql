-- Each entry's chain hash as its 32 bytes rather than 64 hex digits, and no
-- longer the previous entry's hash beside it: that is the hash of the row
-- before it in the gate's log, which readers take from there. The chain is
-- as strong as before: an entry's hash still covers the one before it, so
-- an entry that was changed, even with its hash recomputed, no longer
-- matches the hash of the entry after it. A hash that is not hex stops the
-- migration rather than being lost. The type's change rewrites the table,
-- without the dropped column.
ALTER TABLE events DROP COLUMN prev_hash, ALTER COLUMN hash TYPE bytea USING decode(hash, 'hex');
