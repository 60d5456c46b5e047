-- A receipt's bill may be stored packed (sqlstore/pack.go, marker 0x05).
-- SQLite needs no change: a column of TEXT affinity keeps a BLOB as it is,
-- beside the bills stored before as JSON text.
SELECT 1;
