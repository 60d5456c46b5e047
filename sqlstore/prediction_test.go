package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/gatestate"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// feedLine is the feed's line of gate and direction d.
func feedLine(t *testing.T, db *sqlstore.DB, gate string, d cuakhau.Direction) cuakhau.PublicWait {
	t.Helper()
	w, err := db.PublicWaits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range w.Waits {
		if pw.Gate == gate && pw.Direction == d {
			return pw
		}
	}
	t.Fatalf("no line of %s %s in the feed", gate, d)
	return cuakhau.PublicWait{}
}

// medianMinutes is the median of |errs| in minutes, to a tenth.
func medianMinutes(errs []time.Duration) float64 {
	abs := make([]float64, len(errs))
	for i, e := range errs {
		abs[i] = math.Abs(e.Minutes())
	}
	slices.Sort(abs)
	n := len(abs)
	m := abs[n/2]
	if n%2 == 0 {
		m = (abs[n/2-1] + abs[n/2]) / 2
	}
	return math.Round(m*10) / 10
}

// TestFeedPublishesPredictionError checks trucks in, each told a call time
// that its arrived event logs, calls them early and late, and sees the feed
// publish the median error and the number of calls per direction, the
// same from a state rebuilt from the tables or replayed from the log, and
// nothing once the calls are more than a day old.
func TestFeedPublishesPredictionError(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		const gate = "huu-nghi"
		// One place in the zone: the first truck is told a call at once,
		// the others one after the trucks ahead are served.
		if _, err := db.SetControls(ctx, admin, gate, cuakhau.ControlsUpdate{Room: ptr(1), Policy: ptr("fifo")}); err != nil {
			t.Fatal(err)
		}
		if pw := feedLine(t, db, gate, cuakhau.Export); pw.PredictionErrorP50Minutes != nil || pw.PredictionCalls24h != 0 {
			t.Fatalf("feed before any call: error %v over %d calls; want none", orNone(pw.PredictionErrorP50Minutes), pw.PredictionCalls24h)
		}
		var ids []string
		told := map[string]time.Time{}
		for i, d := range []cuakhau.Direction{cuakhau.Export, cuakhau.Export, cuakhau.Export, cuakhau.Export, cuakhau.Transit} {
			decl := durian()
			decl.Direction, decl.Vehicle.Plate = d, fmt.Sprintf("12c%05d", i)
			tr := declare(t, db, company, decl)
			clock.Add(time.Minute)
			res, err := db.Arrive(ctx, operator, tr.ID)
			if err != nil {
				t.Fatal(err)
			}
			var a cuakhau.ArrivalData
			if err := json.Unmarshal(res.Event.Data, &a); err != nil {
				t.Fatal(err)
			}
			if a.ExpectedCall == nil || res.Entry.ExpectedCall == nil || !a.ExpectedCall.Equal(*res.Entry.ExpectedCall) {
				t.Fatalf("check-in %d: logged call %v, answered %v; want the same time in both", i, a.ExpectedCall, res.Entry.ExpectedCall)
			}
			ids = append(ids, tr.ID)
			told[tr.ID] = *a.ExpectedCall
		}
		// Early: the fourth truck is called a minute after the last
		// check-in, before its time; then the first three late, each a
		// little more.
		var errs []time.Duration
		var at []time.Time
		call := func(id string, when time.Time) {
			t.Helper()
			clock.Set(when)
			if _, err := db.Call(ctx, operator, gate, cuakhau.CallRequest{TripID: id, Reason: "thử"}); err != nil {
				t.Fatal(err)
			}
			errs = append(errs, when.Sub(told[id]))
			at = append(at, when)
		}
		call(ids[3], clock.Now().Add(time.Minute))
		late := clock.Now()
		for i, id := range ids[:3] {
			late = maxTime(late, told[id]).Add(time.Duration(10*(i+1)) * time.Minute)
			call(id, late)
		}
		if errs[0] >= 0 || errs[1] <= 0 {
			t.Fatalf("errors %v: want the first call early and the others late", errs)
		}
		call(ids[4], clock.Now().Add(time.Minute))

		type figure struct {
			p50 *float64
			n   int
		}
		want := map[cuakhau.Direction]figure{
			cuakhau.Export:  {ptr(medianMinutes(errs[:4])), 4},
			cuakhau.Transit: {ptr(medianMinutes(errs[4:])), 1},
		}
		clock.Add(time.Hour)
		for d, w := range want {
			pw := feedLine(t, db, gate, d)
			if pw.PredictionErrorP50Minutes == nil || *pw.PredictionErrorP50Minutes != *w.p50 || pw.PredictionCalls24h != w.n {
				t.Errorf("%s: error %v over %d calls; want %v over %d", d, orNone(pw.PredictionErrorP50Minutes), pw.PredictionCalls24h, *w.p50, w.n)
			}
		}
		if pw := feedLine(t, db, "tan-thanh", cuakhau.Export); pw.PredictionErrorP50Minutes != nil || pw.PredictionCalls24h != 0 {
			t.Errorf("another gate: error %v over %d calls; want none", orNone(pw.PredictionErrorP50Minutes), pw.PredictionCalls24h)
		}

		// A restart builds the state from the tables: the same calls, so
		// the same figures; and so does a replay of the whole log.
		live, err := db.GateState(ctx, gate)
		if err != nil {
			t.Fatal(err)
		}
		if len(live.Calls) != 5 {
			t.Fatalf("live state keeps %d calls, want 5", len(live.Calls))
		}
		rebuilt := rebuiltIsLive(t, db, gate, live)
		st := gatestate.FromProjection(gate, rebuilt)
		for d, w := range want {
			p50, n := st.PredictionError(d, clock.Now())
			if got := math.Round(p50.Minutes()*10) / 10; got != *w.p50 || n != w.n {
				t.Errorf("rebuilt %s: error %v over %d calls; want %v over %d", d, got, n, *w.p50, w.n)
			}
		}

		// A day after the early call, only the later ones count, though
		// the state has seen no call since to drop it.
		clock.Set(at[0].Add(gatestate.ErrorWindow + time.Second))
		if pw := feedLine(t, db, gate, cuakhau.Export); pw.PredictionErrorP50Minutes == nil ||
			*pw.PredictionErrorP50Minutes != medianMinutes(errs[1:4]) || pw.PredictionCalls24h != 3 {
			t.Errorf("a day after the early call: error %v over %d calls; want %v over 3", orNone(pw.PredictionErrorP50Minutes), pw.PredictionCalls24h, medianMinutes(errs[1:4]))
		}

		// A day after the last call, none of them counts.
		clock.Set(late.Add(gatestate.ErrorWindow + 2*time.Minute))
		for d := range want {
			if pw := feedLine(t, db, gate, d); pw.PredictionErrorP50Minutes != nil || pw.PredictionCalls24h != 0 {
				t.Errorf("%s a day later: error %v over %d calls; want none", d, orNone(pw.PredictionErrorP50Minutes), pw.PredictionCalls24h)
			}
		}
	})
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// orNone shows a published figure: "none" when it is null.
func orNone(p *float64) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprint(*p)
}
