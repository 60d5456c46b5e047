package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/translog"
)

// The transparency log's routes. The checkpoint and the consistency proof
// are open: they carry hashes only, and their use is that anyone can keep
// and compare them. A trip's proof reveals its events, so it asks what
// reading them asks.

func (a *API) log() (*translog.Log, error) {
	if a.tlog == nil {
		return nil, fmt.Errorf("httpapi: no transparency log configured")
	}
	return a.tlog, nil
}

// getCheckpoint serves the latest signed checkpoint of a gate's log, as the
// C2SP tlog-checkpoint signed note, in text.
func (a *API) getCheckpoint(w http.ResponseWriter, r *http.Request) error {
	l, err := a.log()
	if err != nil {
		return err
	}
	cp, err := l.Checkpoint(r.Context(), r.PathValue("gate"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(cp.Note)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(cp.Note)
	return nil
}

// consistencyProof is the answer of GET /api/v1/log/{gate}/consistency.
type consistencyProof struct {
	Gate  string         `json:"gate"`
	From  int64          `json:"from"`
	To    int64          `json:"to"`
	Proof tlog.TreeProof `json:"proof"` // base64 hashes, as tlog.CheckTree takes them
}

func (a *API) getConsistency(w http.ResponseWriter, r *http.Request) error {
	l, err := a.log()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	fe := cuakhau.FieldErrors{}
	size := func(name string) int64 {
		s := q.Get(name)
		if s == "" {
			fe.Add(name, "is required")
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fe.Add(name, "must be a whole number")
		}
		return n
	}
	from, to := size("from"), size("to")
	if err := fe.Err(); err != nil {
		return err
	}
	gate := r.PathValue("gate")
	p, err := l.ProveConsistency(r.Context(), gate, from, to)
	if err != nil {
		return err
	}
	if p == nil {
		p = tlog.TreeProof{}
	}
	return writeJSON(w, http.StatusOK, consistencyProof{Gate: gate, From: from, To: to, Proof: p})
}

// tripProof is the answer of GET /api/v1/trips/{id}/proof.
type tripProof struct {
	Checkpoint string       `json:"checkpoint"`
	TreeSize   int64        `json:"tree_size"`
	RootHash   tlog.Hash    `json:"root_hash"`
	Events     []eventProof `json:"events"`
}

// eventProof is one event with its inclusion proof. An event appended
// after the checkpoint was made is listed as pending, without a proof:
// the next checkpoint, at most translog.MinInterval later, covers it.
type eventProof struct {
	Event     *cuakhau.Event   `json:"event"`
	LeafIndex int64            `json:"leaf_index"`
	Proof     tlog.RecordProof `json:"proof,omitempty"`
	Pending   bool             `json:"pending,omitempty"`
}

func (a *API) getTripProof(w http.ResponseWriter, r *http.Request) error {
	l, err := a.log()
	if err != nil {
		return err
	}
	ctx := r.Context()
	events, err := a.trips.TripEvents(ctx, principalFrom(ctx), r.PathValue("id"))
	if err != nil {
		return err
	}
	if len(events) == 0 {
		return cuakhau.Errorf(cuakhau.ENOTFOUND, "trip %q has no events", r.PathValue("id"))
	}
	cp, err := l.Checkpoint(ctx, events[0].Gate)
	if err != nil {
		return err
	}
	out := tripProof{Checkpoint: string(cp.Note), TreeSize: cp.Size, RootHash: cp.Root, Events: make([]eventProof, len(events))}
	for i, ev := range events {
		e := eventProof{Event: ev, LeafIndex: ev.Seq - 1}
		if ev.Seq > cp.Size {
			e.Pending = true
		} else if e.Proof, err = l.ProveInclusion(ctx, ev.Gate, ev.Seq, cp.Size); err != nil {
			return err
		}
		out.Events[i] = e
	}
	return writeJSON(w, http.StatusOK, out)
}

// gateCheckpoint is one gate's checkpoint in the public feed.
type gateCheckpoint struct {
	Gate       string `json:"gate"`
	Checkpoint string `json:"checkpoint"`
}

// checkpoints returns every gate's latest checkpoint, for the public feed:
// the more copies of a checkpoint are about, the harder it is to show one
// reader a log that another has not seen. Nil without a log.
func (a *API) checkpoints(r *http.Request) ([]gateCheckpoint, error) {
	if a.tlog == nil {
		return nil, nil
	}
	gates, err := a.gates.Gates(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]gateCheckpoint, 0, len(gates))
	for _, g := range gates {
		cp, err := a.tlog.Checkpoint(r.Context(), g.Code)
		if err != nil {
			return nil, err
		}
		out = append(out, gateCheckpoint{Gate: g.Code, Checkpoint: string(cp.Note)})
	}
	return out, nil
}
