-- A token can be revoked: it is kept, for the record of who acted with it,
-- but no longer authenticates.
ALTER TABLE tokens ADD COLUMN revoked_at TEXT;
