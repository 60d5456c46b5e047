package sqlstore_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/notice"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// outboxNotices returns the outbox's messages with the notice each carries
// in its data, by id.
func outboxNotices(t *testing.T, db *sqlstore.DB) map[string]struct {
	msg *cuakhau.Notification
	n   notice.Notice
} {
	t.Helper()
	due, err := db.DueNotifications(context.Background(), 10000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]struct {
		msg *cuakhau.Notification
		n   notice.Notice
	}{}
	for _, m := range due {
		var d struct {
			Notice notice.Notice `json:"notice"`
		}
		if err := json.Unmarshal(m.Data, &d); err != nil {
			t.Fatalf("%s: data %s: %v", m.ID, m.Data, err)
		}
		out[m.ID] = struct {
			msg *cuakhau.Notification
			n   notice.Notice
		}{m, d.Notice}
	}
	return out
}

// Every message carries its notice's key and arguments, from which its
// text renders in each language; the stored text is the Vietnamese.
func TestOutboxCarriesNotice(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		realisticRun(t, db, clock)
		keys := map[notice.Key]bool{}
		for id, m := range outboxNotices(t, db) {
			keys[m.n.Key] = true
			if m.n.Kind() != m.msg.Kind {
				t.Errorf("%s: kind %s, its notice %s is a %s", id, m.msg.Kind, m.n.Key, m.n.Kind())
			}
			if got := notice.Outbox(m.n); got != m.msg.Text {
				t.Errorf("%s: text %q, its notice renders %q", id, m.msg.Text, got)
			}
			if !strings.HasPrefix(m.msg.Text, notice.Render(notice.VI, m.n)) {
				t.Errorf("%s: text %q does not start with the Vietnamese", id, m.msg.Text)
			}
			if zh := notice.Render(notice.ZH, m.n); zh == "" || zh == notice.Render(notice.VI, m.n) {
				t.Errorf("%s: no Chinese rendering from the data: %q", id, zh)
			}
		}
		for _, k := range []notice.Key{notice.Called, notice.BookingMoved, notice.BookingLostLate, notice.BookingLostNoShow, notice.Advisory} {
			if !keys[k] {
				t.Errorf("the run sends no %s notice: its check proves nothing", k)
			}
		}
	})
}

// Rows written before messages carried their notice have data without it;
// verify rebuilds them all the same, text included.
func TestVerifyOutboxWrittenBeforeNotices(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		trips := realisticRun(t, db, clock)
		for id, m := range outboxNotices(t, db) {
			var d map[string]any
			if err := json.Unmarshal(m.msg.Data, &d); err != nil {
				t.Fatal(err)
			}
			delete(d, "notice")
			old, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.ExecRaw(ctx, `UPDATE outbox SET data = ? WHERE id = ?`, string(old), id); err != nil {
				t.Fatal(err)
			}
		}
		for _, d := range verifyRows(t, db) {
			t.Errorf("rows of before notices: %s", d)
		}
		// Their text is still checked.
		if err := db.ExecRaw(ctx, `UPDATE outbox SET text = 'Xe được ưu tiên, đi ngay' WHERE trip_id = ? AND kind = 'called'`, trips["crossed"].ID); err != nil {
			t.Fatal(err)
		}
		if diffs := verifyRows(t, db); len(diffs) != 1 || diffs[0].Field != "text" {
			t.Errorf("an old row's text changed: %v; want the one text difference", diffs)
		}
	})
}

// A shelf-life hold's notice quotes the predicted wait, which its event now
// keeps: verify rebuilds its text and its arguments.
func TestVerifyShelfLifeHoldNotice(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Room: ptr(1), Policy: ptr("fifo"),
			Lanes: map[string]int{"entry": 1}}); err != nil {
			t.Fatal(err)
		}
		for range 30 {
			d := durian()
			d.Cargo[0].Perishable, d.Cargo[0].ShelfLifeHours = false, 0
			if _, err := db.Arrive(ctx, operator, declare(t, db, company, d).ID); err != nil {
				t.Fatal(err)
			}
		}
		short := durian()
		short.Cargo[0].ShelfLifeHours = 2
		trip := declare(t, db, company, short)
		if wrote, err := db.Advise(ctx, "huu-nghi"); err != nil || !wrote {
			t.Fatalf("Advise: %v, %v", wrote, err)
		}
		var hold *cuakhau.Notification
		var n notice.Notice
		for _, m := range outboxNotices(t, db) {
			if m.msg.TripID == trip.ID {
				hold, n = m.msg, m.n
			}
		}
		if hold == nil || n.Key != notice.ShelfLifeHold || n.Args.Wait <= 0 || n.Args.At.IsZero() {
			t.Fatalf("hold notice %+v, %+v; want a shelf-life hold with its wait and the load's end", hold, n)
		}
		// The load's end is told in the gate's time: 2 h after declaring.
		if want := trip.DeclaredAt.Add(2 * time.Hour).In(n.Args.At.Location()); !n.Args.At.Equal(want) || n.Args.At.Format("-07:00") != "+07:00" {
			t.Errorf("hold until %v, want %v in the gate's zone", n.Args.At, want)
		}
		for _, d := range verifyRows(t, db) {
			t.Errorf("untouched: %s", d)
		}
		if err := db.ExecRaw(ctx, `UPDATE outbox SET text = replace(text, 'xin chờ', 'xin đi ngay') WHERE id = ?`, hold.ID); err != nil {
			t.Fatal(err)
		}
		if diffs := verifyRows(t, db); len(diffs) != 1 || diffs[0].Field != "text" || diffs[0].Key != hold.ID {
			t.Errorf("a hold's text changed: %v; want its text named", diffs)
		}
	})
}
