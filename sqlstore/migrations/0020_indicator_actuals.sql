-- The values of the province's indicators that the platform cannot
-- measure (the digital economy's share of GRDP, GRDP growth…), entered or
-- imported by an administrator: one per indicator and year, the last one
-- entered kept, with who entered it and when.
CREATE TABLE indicator_actuals (
	code       TEXT NOT NULL,
	year       INTEGER NOT NULL,
	value      DOUBLE PRECISION NOT NULL,
	entered_by TEXT NOT NULL,
	entered_at TEXT NOT NULL,
	PRIMARY KEY (code, year)
);
