-- The infrastructure fee. tariffs holds each version of the fee's table as
-- the JSON of fee.Tariff, in force from from_day to to_day (gate-local
-- dates, inclusive; an open-ended tariff ends 9999-12-31).
CREATE TABLE tariffs (
	version  TEXT PRIMARY KEY,
	from_day TEXT NOT NULL,
	to_day   TEXT NOT NULL,
	body     TEXT NOT NULL,
	added_at TEXT NOT NULL
);
CREATE INDEX tariffs_from ON tariffs (from_day);

-- One row per crossed trip, written in the crossing's transaction. A trip
-- billed under a tariff has a number (LS-YYYY-NNNNNN, seq counting the
-- gate-local year's receipts from 1 without gaps), the tariff's version,
-- the amount and the bill's lines as JSON; one that was not billed has no
-- number and says why in no_receipt. paid_vnd and paid_at sum its payments.
CREATE TABLE receipts (
	trip_id        TEXT PRIMARY KEY,
	gate           TEXT NOT NULL,
	direction      TEXT NOT NULL,
	crossed_at     TEXT NOT NULL,
	crossed_day    TEXT NOT NULL,
	year           INTEGER NOT NULL,
	seq            BIGINT,
	number         TEXT UNIQUE,
	tariff_version TEXT NOT NULL DEFAULT '',
	amount_vnd     BIGINT NOT NULL DEFAULT 0,
	bill           TEXT NOT NULL DEFAULT '',
	no_receipt     TEXT NOT NULL DEFAULT '',
	paid_vnd       BIGINT NOT NULL DEFAULT 0,
	paid_at        TEXT
);
CREATE UNIQUE INDEX receipts_year_seq ON receipts (year, seq);
CREATE INDEX receipts_day ON receipts (crossed_day, gate, direction);

-- The last receipt number given in each year.
CREATE TABLE receipt_counters (
	year INTEGER PRIMARY KEY,
	last BIGINT NOT NULL
);

-- Payments of receipts: recorded by an operator or reported by a bank
-- (source), each bank reference once.
CREATE TABLE payments (
	id          TEXT PRIMARY KEY,
	trip_id     TEXT NOT NULL REFERENCES receipts (trip_id),
	amount_vnd  BIGINT NOT NULL,
	reference   TEXT NOT NULL,
	source      TEXT NOT NULL,
	recorded_by TEXT NOT NULL,
	recorded_at TEXT NOT NULL
);
CREATE INDEX payments_trip ON payments (trip_id);
CREATE UNIQUE INDEX payments_reference ON payments (source, reference);
