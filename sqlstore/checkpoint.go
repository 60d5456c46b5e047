package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// walBackstop is the WAL size, in pages, at which the writer checkpoints by
// itself: only when the checkpointer has fallen far behind (40 MiB at 4 KiB
// pages). SQLite's default is 1,000 pages, which would put a checkpoint —
// copying pages into the database file and an fsync of it — in the commit
// of one request in every few hundred.
const walBackstop = 10000

// checkpointInterval is the least time between two checkpoints: at a few
// hundred commits a second the WAL then holds a few thousand frames at
// most, and each checkpoint copies many commits' pages at once.
const checkpointInterval = 200 * time.Millisecond

// checkpointer copies committed pages from the WAL back into the database
// file from a connection of its own, after the writer nudges it, so that
// the writer — which every request waits for — does not (SQLite's
// documentation suggests this for applications that care about commit
// latency). A PASSIVE checkpoint never blocks the writer or the readers;
// once it has copied every frame, the writer's next transaction starts the
// WAL file over from its beginning.
type checkpointer struct {
	db       *sql.DB
	interval time.Duration
	nudged   chan struct{}
	quit     chan struct{}
	done     chan struct{}
	stop     sync.Once

	runs   atomic.Int64
	frames atomic.Int64 // frames copied into the database file
	behind atomic.Int64 // frames left in the WAL after the last checkpoint
}

func newCheckpointer(db *sql.DB, interval time.Duration) *checkpointer {
	c := &checkpointer{db: db, interval: interval, nudged: make(chan struct{}, 1),
		quit: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

// nudge tells the checkpointer that there is something to copy; it never
// blocks.
func (c *checkpointer) nudge() {
	select {
	case c.nudged <- struct{}{}:
	default:
	}
}

// Stop waits for a checkpoint in progress, then closes the connection.
func (c *checkpointer) Stop() error {
	c.stop.Do(func() { close(c.quit) })
	<-c.done
	return c.db.Close()
}

func (c *checkpointer) loop() {
	defer close(c.done)
	for {
		select {
		case <-c.nudged:
		case <-c.quit:
			return
		}
		c.checkpoint()
		select {
		case <-time.After(c.interval):
		case <-c.quit:
			return
		}
	}
}

// checkpoint runs one PASSIVE checkpoint. An error (the file is busy in
// another process) is not fatal: the next nudge tries again, and the
// writer's backstop bounds the WAL meanwhile.
func (c *checkpointer) checkpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var busy, log, copied int64
	if err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &copied); err != nil {
		return
	}
	c.runs.Add(1)
	if copied > 0 {
		c.frames.Add(copied)
	}
	c.behind.Store(max(log-copied, 0))
}
