-- A trip's body and an entry's data may be stored packed: a marker byte and
-- the JSON compressed with a preset dictionary (sqlstore/pack.go), which
-- TEXT cannot hold. The columns become bytea; the JSON text already stored
-- becomes its UTF-8 bytes, which read as they did. The type's change
-- rewrites both tables.
ALTER TABLE trips ALTER COLUMN body TYPE bytea USING convert_to(body, 'UTF8');
ALTER TABLE events ALTER COLUMN data TYPE bytea USING convert_to(data, 'UTF8');
