-- The Merkle hashes as their 32 bytes rather than 64 hex digits. A hash
-- that is not hex stops the migration rather than being lost.
ALTER TABLE log_hashes ALTER COLUMN hash TYPE bytea USING decode(hash, 'hex');
