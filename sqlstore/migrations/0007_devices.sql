-- The gate's own devices: plate cameras, weighbridges, barriers, QR readers.
-- A device signs its readings with HMAC-SHA256 under its secret, so the
-- server needs the secret itself, not a hash of it: it is kept here and
-- shown only when made or rotated. enabled is 1 or 0.
CREATE TABLE devices (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	gate       TEXT NOT NULL,
	position   TEXT NOT NULL,
	enabled    INTEGER NOT NULL,
	secret     TEXT NOT NULL,
	created_at TEXT NOT NULL,
	rotated_at TEXT,
	last_seen  TEXT
);

-- The signatures of the readings accepted in the last minutes, to refuse a
-- replay: a signature covers its timestamp, which is refused once more than
-- device.MaxSkew old, so rows older than device.ReplayWindow are deleted.
CREATE TABLE device_signatures (
	device    TEXT NOT NULL,
	signature TEXT NOT NULL,
	seen_at   TEXT NOT NULL,
	PRIMARY KEY (device, signature)
);
CREATE INDEX device_signatures_seen ON device_signatures (seen_at);

-- What an operator must look at: an unknown plate, a truck at the control
-- zone's entry that was not called, a truck at the zero line with a
-- checkpoint pending, a silent device. reading is the reading's body as
-- the device sent it.
CREATE TABLE device_alerts (
	id         TEXT PRIMARY KEY,
	gate       TEXT NOT NULL,
	device     TEXT NOT NULL,
	kind       TEXT NOT NULL,
	plate      TEXT NOT NULL DEFAULT '',
	trip_id    TEXT NOT NULL DEFAULT '',
	message    TEXT NOT NULL,
	reading    TEXT NOT NULL DEFAULT '',
	at         TEXT NOT NULL
);
CREATE INDEX device_alerts_gate ON device_alerts (gate, at, id);
