-- A trip's body and an entry's data may be stored packed: a marker byte and
-- the JSON compressed with a preset dictionary (sqlstore/pack.go). SQLite
-- needs no change: a column of TEXT affinity keeps a BLOB as it is, beside
-- the JSON text of the rows stored before.
SELECT 1;
