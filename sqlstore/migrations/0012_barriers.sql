-- Orders to the gate's barriers: automatic openings, given in the write of
-- the reading that let a truck pass, and operators' openings and closings by
-- hand, with who and why; then the barrier's answer. state is sent, done,
-- failed or unacked (no answer within the acknowledgement timeout, which
-- raises an operator alert); manual is 1 or 0.
CREATE TABLE barrier_commands (
	id         TEXT PRIMARY KEY,
	device     TEXT NOT NULL,
	gate       TEXT NOT NULL,
	position   TEXT NOT NULL,
	action     TEXT NOT NULL,
	trip_id    TEXT NOT NULL DEFAULT '',
	plate      TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL,
	actor      TEXT NOT NULL,
	manual     INTEGER NOT NULL,
	issued_at  TEXT NOT NULL,
	state      TEXT NOT NULL,
	acked_at   TEXT,
	note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX barrier_commands_device ON barrier_commands (device, issued_at, id);
CREATE INDEX barrier_commands_gate ON barrier_commands (gate, issued_at, id);
CREATE INDEX barrier_commands_sent ON barrier_commands (state, issued_at);
