package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// TestQueueReplayCatchesTampering logs calls under the adaptive policy, then
// replays them (no difference, also from a T1 after the arrivals), then
// changes the trip of a logged call, its chosen trip, its waiting digest and
// an arrival's data behind the store's back and expects replay to name each
// and exit 1.
func TestQueueReplayCatchesTampering(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "q.db")
	dsn := "sqlite:" + path
	clock := cuakhau.NewFixedClock(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	db := openSeeded(t, dsn, clock)
	admin := cuakhau.Principal{Role: cuakhau.RoleAdmin, TokenID: "t"}
	room := 3 // the three calls below, each within the room
	if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Room: &room}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 4 {
		life := 0
		if i%2 == 1 {
			life = 12
		}
		d := cuakhau.Declaration{Gate: "huu-nghi", Direction: cuakhau.Export,
			Vehicle:    cuakhau.Vehicle{Plate: "12C-123.45"},
			Driver:     cuakhau.Driver{Name: "Nguyễn Văn A", IDNumber: "020123456789"},
			Enterprise: cuakhau.Enterprise{TaxCode: "0100109106", Name: "Công ty A"},
			Containers: []string{"CSQU3054383"},
			Cargo: []cuakhau.CargoLine{{HSCode: "0810.60", Description: "Sầu riêng", Packages: 1, GrossKg: 1000, ValueUSDCents: 100,
				Perishable: i%2 == 1, ShelfLifeHours: life}},
			CustomsDeclarations: []string{"304001234520"}}
		tr, err := db.DeclareTrip(ctx, admin, d)
		if err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
		if _, err := db.Arrive(ctx, admin, tr.ID); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tr.ID)
	}
	for range 3 {
		clock.Add(time.Minute)
		if _, err := db.Call(ctx, admin, "huu-nghi", cuakhau.CallRequest{Count: 1}); err != nil {
			t.Fatal(err)
		}
	}
	q, err := db.Queue(ctx, admin, "huu-nghi", cuakhau.QueueFilter{})
	if err != nil || len(q.Entries) != 1 {
		t.Fatalf("queue after 3 calls: %+v, %v", q, err)
	}
	if _, err := db.Call(ctx, admin, "huu-nghi", cuakhau.CallRequest{TripID: q.Entries[0].TripID, Reason: "cứu trợ"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	var out, errb bytes.Buffer
	if err := run(ctx, []string{"queue", "replay", "--gate", "huu-nghi", "--db", dsn}, &out, &errb); err != nil {
		t.Fatalf("replay of an untouched log: %v\n%s%s", err, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "4 call(s), 1 override(s), 0 difference(s)") || strings.Count(out.String(), " ok\n") != 3 {
		t.Errorf("replay output:\n%s", out.String())
	}

	// Only the calls from T1 are reported, but the waiting area they saw is
	// rebuilt from the arrivals and the call before T1.
	out.Reset()
	if err := run(ctx, []string{"queue", "replay", "--gate", "huu-nghi", "--from", "2026-12-01T02:05:30Z", "--db", dsn}, &out, &errb); err != nil {
		t.Fatalf("replay from T1: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "3 call(s), 1 override(s), 0 difference(s)") {
		t.Errorf("replay from T1:\n%s", out.String())
	}

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var seq int64
	var tripKey []byte           // as stored: the trip id's 16 bytes
	var data, arrivalData []byte // as stored: packed
	if err := raw.QueryRow(`SELECT seq, trip_id, data FROM events WHERE type = 'called' AND note = '' ORDER BY seq LIMIT 1 OFFSET 1`).Scan(&seq, &tripKey, &data); err != nil {
		t.Fatal(err)
	}
	trip, err := sqlstore.TripIDOf(tripKey)
	if err != nil {
		t.Fatal(err)
	}
	key := func(id string) []byte {
		k, err := sqlstore.TripKey(id)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	var arrival int64
	if err := raw.QueryRow(`SELECT seq, data FROM events WHERE type = 'arrived' AND trip_id = ?`, key(ids[0])).Scan(&arrival, &arrivalData); err != nil {
		t.Fatal(err)
	}
	other := ids[0]
	if other == trip {
		other = ids[1]
	}
	// edit rewrites one field of a stored event's JSON data, and stores it
	// as JSON text, as a store did before packing.
	edit := func(data []byte, field string, value any) string {
		doc, err := sqlstore.Unpack(data)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(doc, &m); err != nil {
			t.Fatal(err)
		}
		if in, ok := m["input"].(map[string]any); ok && field == "waiting_digest" {
			in[field] = value
		} else {
			m[field] = value
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// Each tampering is made behind the store's back, replayed over a
	// limited range, and undone. (It breaks the hash chain too, which
	// `cuakhau verify` reports; here the finding is replay's own.)
	for _, tc := range []struct {
		name       string
		do, undo   string
		args, back []any
		want       string
	}{
		{"the trip of a call", `UPDATE events SET trip_id = ? WHERE gate = 'huu-nghi' AND seq = ?`, `UPDATE events SET trip_id = ? WHERE gate = 'huu-nghi' AND seq = ?`,
			[]any{key(other), seq}, []any{tripKey, seq}, "DIFFERENT"},
		{"the chosen trip", `UPDATE events SET data = ? WHERE gate = 'huu-nghi' AND seq = ?`, `UPDATE events SET data = ? WHERE gate = 'huu-nghi' AND seq = ?`,
			[]any{edit(data, "chosen", other), seq}, []any{data, seq}, "DIFFERENT: the call record names"},
		{"the digest of a call", `UPDATE events SET data = ? WHERE gate = 'huu-nghi' AND seq = ?`, `UPDATE events SET data = ? WHERE gate = 'huu-nghi' AND seq = ?`,
			[]any{edit(data, "waiting_digest", strings.Repeat("0", 64)), seq}, []any{data, seq}, "but the call saw"},
		{"an arrival's data", `UPDATE events SET data = ? WHERE gate = 'huu-nghi' AND seq = ?`, `UPDATE events SET data = ? WHERE gate = 'huu-nghi' AND seq = ?`,
			[]any{edit(arrivalData, "fifo_turn", "2026-12-01T02:00:00Z"), arrival}, []any{arrivalData, arrival}, "DIFFERENT: the log rebuilds"},
	} {
		if _, err := raw.Exec(tc.do, tc.args...); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		err = run(ctx, []string{"queue", "replay", "--gate", "huu-nghi", "--from", "2026-12-01", "--to", "2026-12-02", "--db", dsn}, &out, &errb)
		var ex exitError
		if !errors.As(err, &ex) || ex != 1 {
			t.Errorf("%s: replay of a tampered log: %v, want exit 1\n%s", tc.name, err, out.String())
		}
		if !strings.Contains(out.String(), tc.want) || strings.Contains(out.String(), " 0 difference(s)") {
			t.Errorf("%s: replay output does not name the tampered call (want %q):\n%s", tc.name, tc.want, out.String())
		}
		if _, err := raw.Exec(tc.undo, tc.back...); err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"queue", "replay", "--gate", "huu-nghi", "--db", dsn}, &out, &errb); err != nil {
		t.Fatalf("replay once every tampering is undone: %v\n%s", err, out.String())
	}
}

func TestQueueReplayUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"queue", "replay"}, &out, &errb); err == nil {
		t.Error("replay without --gate succeeded")
	}
	if err := run(context.Background(), []string{"queue"}, &out, &errb); err == nil {
		t.Error("queue without a subcommand succeeded")
	}
}

// TestWebhookSecretFromEnvironment checks that the webhook's secret comes
// from the environment variable named by --webhook-secret-env, that a URL
// without one is refused, and that the secret is in no message.
func TestWebhookSecretFromEnvironment(t *testing.T) {
	parse := func(args ...string) (serverConfig, error) {
		fs := newFlags("serve", "serve", &bytes.Buffer{})
		qf := queueFlags(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		var cfg serverConfig
		return cfg, qf.apply(&cfg)
	}
	t.Setenv("HOOK_SECRET", "")
	if _, err := parse("--webhook-url", "http://127.0.0.1:1/hook", "--webhook-secret-env", "HOOK_SECRET"); err == nil {
		t.Error("a webhook without a secret was accepted")
	}
	t.Setenv("HOOK_SECRET", "very-secret-value")
	cfg, err := parse("--webhook-url", "http://127.0.0.1:1/hook", "--webhook-secret-env", "HOOK_SECRET", "--policy", "fifo")
	if err != nil {
		t.Fatal(err)
	}
	if string(cfg.WebhookSecret) != "very-secret-value" || cfg.WebhookURL == "" || cfg.Queue.Policy != "fifo" {
		t.Errorf("config %+v", cfg)
	}
	var help bytes.Buffer
	fs := newFlags("serve", "serve", &help)
	queueFlags(fs)
	fs.Usage()
	if strings.Contains(help.String(), "very-secret-value") {
		t.Error("--help shows the secret")
	}
}

// TestQueueAccuracy checks three trucks in, calls each late by 10, 20 and
// 40 minutes after the call time its check-in told it, and expects the
// report to give those errors' median, p90 and bias, for the calls in the
// range asked only.
func TestQueueAccuracy(t *testing.T) {
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "q.db")
	clock := cuakhau.NewFixedClock(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	db := openSeeded(t, dsn, clock)
	admin := cuakhau.Principal{Role: cuakhau.RoleAdmin, TokenID: "t"}
	var ids []string
	told := map[string]time.Time{}
	for range 3 {
		d := cuakhau.Declaration{Gate: "huu-nghi", Direction: cuakhau.Export,
			Vehicle:             cuakhau.Vehicle{Plate: "12C-123.45"},
			Driver:              cuakhau.Driver{Name: "Nguyễn Văn A", IDNumber: "020123456789"},
			Enterprise:          cuakhau.Enterprise{TaxCode: "0100109106", Name: "Công ty A"},
			Containers:          []string{"CSQU3054383"},
			Cargo:               []cuakhau.CargoLine{{HSCode: "0810.60", Description: "Sầu riêng", Packages: 1, GrossKg: 1000, ValueUSDCents: 100}},
			CustomsDeclarations: []string{"304001234520"}}
		tr, err := db.DeclareTrip(ctx, admin, d)
		if err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
		res, err := db.Arrive(ctx, admin, tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		var a cuakhau.ArrivalData
		if err := json.Unmarshal(res.Event.Data, &a); err != nil || a.ExpectedCall == nil {
			t.Fatalf("arrival logs no call time: %s, %v", res.Event.Data, err)
		}
		ids = append(ids, tr.ID)
		told[tr.ID] = *a.ExpectedCall
	}
	var calledAt []time.Time
	for i, id := range ids {
		clock.Set(told[id].Add([]time.Duration{10, 20, 40}[i] * time.Minute))
		calledAt = append(calledAt, clock.Now())
		if _, err := db.Call(ctx, admin, "huu-nghi", cuakhau.CallRequest{TripID: id, Reason: "thử"}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"all", nil, "export     3      20.0     36.0     +23.3"},
		{"from the second call", []string{"--from", calledAt[1].Format(time.RFC3339Nano)}, "export     2      30.0     38.0     +30.0"},
	} {
		var out, errb bytes.Buffer
		args := append([]string{"queue", "accuracy", "--gate", "huu-nghi", "--db", dsn}, tc.args...)
		if err := run(ctx, args, &out, &errb); err != nil {
			t.Fatalf("%s: %v\n%s", tc.name, err, errb.String())
		}
		if !strings.Contains(out.String(), tc.want) || !strings.Contains(out.String(), "0 call(s) of trucks told no call time") {
			t.Errorf("%s: report\n%s\nwant a line %q", tc.name, out.String(), tc.want)
		}
	}
}
