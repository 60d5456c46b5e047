-- The electronic queue: bookings of slot windows, the waiting area, the
-- gates' controls and the notification outbox. Like 0001, TEXT/BIGINT/INTEGER
-- only; instants in cuakhau.TimeFormat.

-- A trip's booking. state is active (holds a place), used (the truck
-- checked in or entered in time) or no_show; a cancelled or moved booking's
-- row is deleted (its event stays in the log). The active rows of a window
-- are its booked count.
CREATE TABLE bookings (
	trip_id      TEXT PRIMARY KEY,
	gate         TEXT NOT NULL,
	direction    TEXT NOT NULL,
	window_start TEXT NOT NULL,
	window_end   TEXT NOT NULL,
	state        TEXT NOT NULL,
	booked_at    TEXT NOT NULL,
	ended_at     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX bookings_window ON bookings (gate, direction, window_start, state);
CREATE INDEX bookings_state ON bookings (state, window_end);

-- The waiting area: trucks checked in and not yet called. seq is the
-- arrival event's seq in the gate's log (unique per gate). Times as in the
-- arrival event; empty text for none.
CREATE TABLE waiting (
	trip_id      TEXT PRIMARY KEY,
	gate         TEXT NOT NULL,
	direction    TEXT NOT NULL,
	seq          BIGINT NOT NULL,
	arrived_at   TEXT NOT NULL,
	booked       INTEGER NOT NULL,
	window_start TEXT NOT NULL DEFAULT '',
	window_end   TEXT NOT NULL DEFAULT '',
	spoils_at    TEXT NOT NULL DEFAULT '',
	priority     INTEGER NOT NULL DEFAULT 0,
	fifo_turn    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX waiting_gate ON waiting (gate, seq);

-- Each gate's controls (cuakhau.GateControls as JSON); a change is also a
-- controls event in the gate's log.
CREATE TABLE gate_controls (
	gate TEXT PRIMARY KEY,
	body TEXT NOT NULL
);

-- The crossings feed the measured service rate.
CREATE INDEX events_gate_status ON events (gate, status, at);

-- Messages to drivers and companies, written in the same transaction as
-- their cause and delivered at least once by the dispatcher.
CREATE TABLE outbox (
	id           TEXT PRIMARY KEY,
	kind         TEXT NOT NULL,
	gate         TEXT NOT NULL,
	trip_id      TEXT NOT NULL DEFAULT '',
	phone        TEXT NOT NULL DEFAULT '',
	text         TEXT NOT NULL,
	data         TEXT,
	created_at   TEXT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_at      TEXT NOT NULL,
	delivered_at TEXT NOT NULL DEFAULT '',
	last_error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (delivered_at, next_at);
