package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cuakhau/cuakhau/device"
)

// sightings is what a reading leaves behind besides its effect: its
// signature, kept to refuse a replay, and its device's last sighting.
// Neither is written per reading. The signatures accepted within the replay
// window are held in memory (device.Replays), loaded from device_signatures
// on the first reading after the store opens; a reading whose effect is a
// write (a check-in, a decision, an alert) stores its signature in that
// write, so that a replay to another node finds it; the others' (a
// duplicate, a truck seen again) are written in one batch a second, with the
// devices' last sightings. Close writes what is pending, so a restart opens
// no replay hole and loses no sighting; a process killed loses at most the
// last second of both: sightings a second late, and the signatures of
// readings that changed nothing, which a replay within their five minutes
// would find changing nothing still, or raising an alert.
type sightings struct {
	replays *device.Replays
	loaded  atomic.Bool
	loadMu  sync.Mutex

	mu   sync.Mutex
	sigs []pendingSig         // accepted, not yet stored
	last map[string]time.Time // device → last sighting not yet stored

	// pruned is when signatures past the replay window were last deleted.
	pruned time.Time

	start sync.Once
	kick  chan struct{} // buffered: sigsPerWrite are pending
	quit  chan struct{}
	done  chan struct{}
	stop  sync.Once
}

type pendingSig struct {
	device, signature string
	at                time.Time
}

// sightingsEvery is how often pending signatures and sightings are written,
// and sigsPerWrite how many signatures pending have them written sooner: a
// second's worth at thousands of readings a second, in one write, holds the
// writer for tens of milliseconds, which every check-in behind it waits for.
const (
	sightingsEvery = time.Second
	sigsPerWrite   = 256
)

func (s *sightings) init() {
	s.replays = device.NewReplays()
	s.last = map[string]time.Time{}
	s.kick = make(chan struct{}, 1)
	s.quit = make(chan struct{})
	s.done = make(chan struct{})
}

// replaysReady loads the signatures stored within the replay window, once,
// and starts the loop that writes new ones.
func (db *DB) replaysReady(ctx context.Context) error {
	s := &db.devState().seen
	if s.loaded.Load() {
		return nil
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if s.loaded.Load() {
		return nil
	}
	now := db.now()
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT signature, seen_at FROM device_signatures WHERE seen_at >= ?`),
		formatTime(now.Add(-device.ReplayWindow)))
	if err != nil {
		return unavailable(fmt.Errorf("load device signatures: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var sig, at string
		if err := rows.Scan(&sig, &at); err != nil {
			return unavailable(fmt.Errorf("load device signatures: %w", err))
		}
		seen, err := parseTime(at)
		if err != nil {
			return err
		}
		// Its timestamp is at most MaxSkew after its receipt: stale by
		// ReplayWindow after it.
		s.replays.Add(sig, seen.Add(device.ReplayWindow), now)
	}
	if err := rows.Err(); err != nil {
		return unavailable(fmt.Errorf("load device signatures: %w", err))
	}
	s.loaded.Store(true)
	s.start.Do(func() { go db.writeSightingsLoop() })
	return nil
}

// accepted notes a reading of dev taken at now without a write of its own:
// its signature is to be stored, and its sighting.
func (s *sightings) accepted(dev string, sig device.Signed, now time.Time) {
	s.mu.Lock()
	s.sigs = append(s.sigs, pendingSig{dev, device.ReplayKey(sig), now})
	s.sighted(dev, now)
	full := len(s.sigs) >= sigsPerWrite
	s.mu.Unlock()
	if full {
		select {
		case s.kick <- struct{}{}:
		default: // already signalled
		}
	}
}

// seenAt notes dev's sighting at now.
func (s *sightings) seenAt(dev string, now time.Time) {
	s.mu.Lock()
	s.sighted(dev, now)
	s.mu.Unlock()
}

func (s *sightings) sighted(dev string, now time.Time) {
	if at, ok := s.last[dev]; !ok || now.After(at) {
		s.last[dev] = now
	}
}

// lastSeen returns dev's sighting not yet stored, if any.
func (s *sightings) lastSeen(dev string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.last[dev]
	return at, ok
}

// withSightings sets the last sighting of each of ds that is newer in
// memory than stored.
func (db *DB) withSightings(ds ...*device.Device) {
	s := &db.devState().seen
	for _, d := range ds {
		if at, ok := s.lastSeen(d.ID); ok && (d.LastSeen == nil || at.After(*d.LastSeen)) {
			d.LastSeen = &at
		}
	}
}

func (db *DB) writeSightingsLoop() {
	s := &db.devs.seen
	defer close(s.done)
	t := time.NewTicker(sightingsEvery)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
		case <-s.kick:
		}
		// A failure leaves them pending for the next round: a store
		// that is down refuses the readings meanwhile anyway.
		db.writeSightings(context.Background())
	}
}

// stopSightings stops the loop and writes what is pending; Close calls it
// before stopping the writer.
func (db *DB) stopSightings() error {
	s := &db.devs.seen
	if s.quit == nil { // no device state was ever made
		return nil
	}
	s.stop.Do(func() { close(s.quit) })
	started := true
	s.start.Do(func() { started = false })
	if started {
		<-s.done
	}
	return db.writeSightings(context.Background())
}

// sigChunks are the sizes of the multi-row inserts of signatures: a few
// fixed ones, so that the writer prepares each once.
var sigChunks = []int{256, 64, 16, 4, 1}

// writeSightings stores the pending signatures and last sightings in one
// write, and every minute deletes the signatures past the replay window.
func (db *DB) writeSightings(ctx context.Context) error {
	s := &db.devState().seen
	now := db.now()
	s.mu.Lock()
	sigs, last := s.sigs, s.last
	prune := now.Sub(s.pruned) >= time.Minute
	if len(sigs) == 0 && len(last) == 0 && !prune {
		s.mu.Unlock()
		return nil
	}
	s.sigs, s.last = nil, map[string]time.Time{}
	s.mu.Unlock()
	err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
		rest := sigs
		for _, n := range sigChunks {
			for len(rest) >= n {
				if err := insertSignatures(ctx, tx, rest[:n]); err != nil {
					return err
				}
				rest = rest[n:]
			}
		}
		for dev, at := range last {
			if _, err := tx.exec(ctx, `UPDATE devices SET last_seen = ?, silent_since = NULL WHERE id = ? AND (last_seen IS NULL OR last_seen < ?)`,
				formatTime(at), dev, formatTime(at)); err != nil {
				return fmt.Errorf("store last sighting of device %s: %w", dev, err)
			}
		}
		if prune {
			if _, err := tx.exec(ctx, `DELETE FROM device_signatures WHERE seen_at < ?`, formatTime(now.Add(-device.ReplayWindow))); err != nil {
				return fmt.Errorf("prune device signatures: %w", err)
			}
		}
		return nil
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.sigs = append(sigs, s.sigs...)
		for dev, at := range last {
			s.sighted(dev, at)
		}
		return fmt.Errorf("store device sightings: %w", err)
	}
	if prune {
		s.pruned = now
	}
	return nil
}

// sigInserts are the inserts of sigChunks' sizes, by size.
var sigInserts = func() map[int]string {
	m := map[int]string{}
	for _, n := range sigChunks {
		m[n] = `INSERT INTO device_signatures (device, signature, seen_at) VALUES ` +
			strings.Repeat("(?, ?, ?), ", n-1) + `(?, ?, ?) ON CONFLICT (device, signature) DO NOTHING`
	}
	return m
}()

func insertSignatures(ctx context.Context, tx *wtx, sigs []pendingSig) error {
	args := make([]any, 0, 3*len(sigs))
	for _, p := range sigs {
		args = append(args, p.device, p.signature, formatTime(p.at))
	}
	if _, err := tx.exec(ctx, sigInserts[len(sigs)], args...); err != nil {
		return fmt.Errorf("store device signatures: %w", err)
	}
	return nil
}
