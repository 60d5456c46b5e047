-- The statistics, kept up to date as trucks cross: one row per gate-local
-- day, gate, direction and HS chapter (of the truck's most valuable cargo
-- line), written in the crossing's transaction (source 'live'), or imported
-- for the years before the platform by gate and direction only (source
-- 'history', hs_chapter ''). Values are in US cents.
CREATE TABLE daily_stats (
	day             TEXT NOT NULL,
	gate            TEXT NOT NULL,
	direction       TEXT NOT NULL,
	hs_chapter      TEXT NOT NULL,
	source          TEXT NOT NULL,
	trucks          BIGINT NOT NULL,
	value_usd_cents BIGINT NOT NULL,
	gross_kg        BIGINT NOT NULL,
	PRIMARY KEY (day, gate, direction, hs_chapter, source)
);

-- Each crossed truck's clearance times, in seconds: from its declaration,
-- and from its arrival at the gate (NULL when it never checked in), for
-- the p50 and p90 of a period.
CREATE TABLE crossing_times (
	trip_id    TEXT PRIMARY KEY,
	day        TEXT NOT NULL,
	gate       TEXT NOT NULL,
	direction  TEXT NOT NULL,
	declared_s BIGINT NOT NULL,
	arrived_s  BIGINT
);
CREATE INDEX crossing_times_day ON crossing_times (day, gate, direction);
