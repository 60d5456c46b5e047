-- The first schema: gates, the per-gate hash-chained event log, the trips
-- projection, API tokens and idempotency keys. Shared by SQLite and
-- PostgreSQL: TEXT, BIGINT and INTEGER only. JSON is kept as TEXT so that the
-- bytes a hash covers are stored exactly as hashed; instants are TEXT in
-- cuakhau.TimeFormat (UTC, fixed width), whose text order is time order.

-- The gate catalogue; body is the cuakhau.Gate as JSON. position keeps the
-- catalogue's order (Hữu Nghị first).
CREATE TABLE gates (
	code     TEXT PRIMARY KEY,
	position INTEGER NOT NULL DEFAULT 0,
	body     TEXT NOT NULL
);

-- Each gate's log: entries numbered from 1, each hash covering the previous
-- one. Append-only; the columns are those the hash covers.
CREATE TABLE events (
	gate       TEXT NOT NULL,
	seq        BIGINT NOT NULL,
	trip_id    TEXT NOT NULL,
	type       TEXT NOT NULL,
	checkpoint TEXT NOT NULL DEFAULT '',
	outcome    TEXT NOT NULL DEFAULT '',
	channel    TEXT NOT NULL DEFAULT '',
	note       TEXT NOT NULL DEFAULT '',
	device     TEXT NOT NULL DEFAULT '',
	actor      TEXT NOT NULL,
	at         TEXT NOT NULL,
	status     TEXT NOT NULL,
	data       TEXT,
	prev_hash  TEXT NOT NULL,
	hash       TEXT NOT NULL,
	PRIMARY KEY (gate, seq)
);
CREATE INDEX events_trip ON events (trip_id, seq);

-- The last entry of each gate's log. Appends lock this row (FOR UPDATE on
-- PostgreSQL), which serialises appends to one gate across server nodes.
CREATE TABLE log_heads (
	gate TEXT PRIMARY KEY,
	seq  BIGINT NOT NULL,
	hash TEXT NOT NULL
);

-- The current state of each trip, a projection of its events. body is the
-- whole cuakhau.Trip as JSON; the other columns are there to filter on.
-- declared_day is the gate-local (Asia/Ho_Chi_Minh) date of declared_at.
CREATE TABLE trips (
	id           TEXT PRIMARY KEY,
	code         TEXT NOT NULL UNIQUE,
	gate         TEXT NOT NULL REFERENCES gates (code),
	direction    TEXT NOT NULL,
	status       TEXT NOT NULL,
	plate        TEXT NOT NULL,
	tax_code     TEXT NOT NULL,
	declared_at  TEXT NOT NULL,
	declared_day TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	version      INTEGER NOT NULL,
	body         TEXT NOT NULL
);
-- Lists are ordered by (declared_at, id); each index ends with both so that
-- a filtered page is read in order and stops at its limit.
CREATE INDEX trips_order ON trips (declared_at, id);
CREATE INDEX trips_gate_day ON trips (gate, declared_day, declared_at, id);
CREATE INDEX trips_gate_status ON trips (gate, status, declared_at, id);
CREATE INDEX trips_plate ON trips (plate, declared_at, id);
CREATE INDEX trips_tax_code ON trips (tax_code, declared_at, id);

-- API bearer tokens. Only the SHA-256 of a secret is stored.
CREATE TABLE tokens (
	id          TEXT PRIMARY KEY,
	secret_hash TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL,
	role        TEXT NOT NULL,
	tax_code    TEXT NOT NULL DEFAULT '',
	gate        TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL
);

-- The first answer to each idempotency key, per token, kept so that a retried
-- request returns it instead of acting twice.
CREATE TABLE idempotency (
	token_id     TEXT NOT NULL,
	key          TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	response     TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	PRIMARY KEY (token_id, key)
);
CREATE INDEX idempotency_created ON idempotency (created_at);
