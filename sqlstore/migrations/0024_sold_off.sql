-- Each load sold off at the border instead of crossing: a trip cancelled
-- with its load marked sold off, written in the cancellation's transaction,
-- on the gate-local day of the cancellation, with the declared value (US
-- cents) and gross weight of its cargo. No row before this needs filling
-- in: the mark did not exist, so no earlier cancellation carries it.
CREATE TABLE sold_off_loads (
	trip_id         TEXT PRIMARY KEY,
	day             TEXT NOT NULL,
	gate            TEXT NOT NULL,
	direction       TEXT NOT NULL,
	value_usd_cents BIGINT NOT NULL,
	gross_kg        BIGINT NOT NULL
);
-- A period reads its sold-off loads by day from the index alone.
CREATE INDEX sold_off_loads_day ON sold_off_loads (day, gate, direction, value_usd_cents, gross_kg);
