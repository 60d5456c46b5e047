-- The operator's console lists a gate's latest messages, newest first.
CREATE INDEX outbox_gate ON outbox (gate, created_at);
