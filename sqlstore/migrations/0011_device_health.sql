-- A device's health: interval_s is how long (seconds) it may be silent
-- before an operator is alerted (0: not watched); silent_since is when the
-- alert of its current silence was raised, cleared by its next reading, so
-- that one silence raises one alert.
ALTER TABLE devices ADD COLUMN interval_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN silent_since TEXT;
