package callforward_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau/callforward"
)

// fake is a CallForwarder whose gates have room for a few calls each.
type fake struct {
	mu      sync.Mutex
	room    map[string]int
	called  map[string]int
	failing string
	advised map[string]int
}

func (f *fake) GateCodes(context.Context) ([]string, error) { return []string{"a", "b", "c"}, nil }

func (f *fake) CallForward(_ context.Context, g string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if g == f.failing {
		return 0, errors.New("store down")
	}
	n := f.room[g]
	f.room[g] = 0
	f.called[g] += n
	return n, nil
}

func (f *fake) SweepNoShows(context.Context, string) (int, error) { return 0, nil }

func (f *fake) Advise(_ context.Context, g string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.advised == nil {
		f.advised = map[string]int{}
	}
	f.advised[g]++
	return false, nil
}

func TestRoundServesEveryGate(t *testing.T) {
	f := &fake{room: map[string]int{"a": 2, "b": 1, "c": 3}, called: map[string]int{}, failing: "b"}
	l := callforward.New(f, time.Hour, nil)
	called, _ := l.Round(context.Background())
	if called != 5 || f.called["a"] != 2 || f.called["c"] != 3 {
		t.Errorf("called %d (%v); want 5, the failing gate skipped and the others served", called, f.called)
	}
	// The advisory is evaluated at every gate, the failing one too.
	if f.advised["a"] != 1 || f.advised["b"] != 1 || f.advised["c"] != 1 {
		t.Errorf("advisory evaluated %v; want once at every gate", f.advised)
	}
}

func TestLoopCallsWhenRoomFrees(t *testing.T) {
	f := &fake{room: map[string]int{}, called: map[string]int{}}
	l := callforward.New(f, time.Hour, nil) // only a nudge wakes it
	l.Start(context.Background())
	defer l.Stop()
	f.mu.Lock()
	f.room["a"] = 1
	f.mu.Unlock()
	l.Nudge()
	deadline := time.Now().Add(5 * time.Second)
	for {
		f.mu.Lock()
		n := f.called["a"]
		f.mu.Unlock()
		if n == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the loop did not call after a nudge")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
