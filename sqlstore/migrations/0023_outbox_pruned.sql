-- Delivered messages are deleted once they are older than the server's
-- retention (the log keeps their causes, from which verify rebuilds each
-- text). Per gate, pruned_before is the instant before which delivered
-- messages may be gone and pruned how many went, so that verify can tell
-- the pruned rows from rows lost or deleted by hand.
CREATE TABLE outbox_pruned (
	gate          TEXT PRIMARY KEY,
	pruned_before TEXT NOT NULL,
	pruned        BIGINT NOT NULL
);
