-- A receipt's bill may be stored packed (sqlstore/pack.go, marker 0x05),
-- which TEXT cannot hold: the column becomes bytea, the bills already
-- stored their UTF-8 bytes, which read as they did.
ALTER TABLE receipts ALTER COLUMN bill DROP DEFAULT;
ALTER TABLE receipts ALTER COLUMN bill TYPE bytea USING convert_to(bill, 'UTF8');
ALTER TABLE receipts ALTER COLUMN bill SET DEFAULT ''::bytea;
