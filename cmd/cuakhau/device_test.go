package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/device"
)

// TestDeviceCommands: add prints the secret alone, list shows the device
// and no secret, rotate prints a new secret that signs where the old one no
// longer does, disable is listed and refused readings.
func TestDeviceCommands(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "t.db")
	cli(t, "migrate", "--db", dsn)
	secret := cli(t, "device", "add", "--id", "hn-yard-1", "--kind", "anpr", "--gate", "huu-nghi", "--position", "yard_in", "--db", dsn)
	if !strings.HasPrefix(secret, "ckd_") || strings.ContainsAny(secret, " \n") {
		t.Fatalf("device add printed %q, want the secret alone", secret)
	}
	for _, args := range [][]string{
		{"device", "add", "--id", "hn-yard-1", "--kind", "anpr", "--gate", "huu-nghi", "--position", "yard_in", "--db", dsn},
		{"device", "add", "--id", "x", "--kind", "anpr", "--gate", "nowhere", "--position", "yard_in", "--db", dsn},
		{"device", "add", "--id", "x", "--kind", "weighbridge", "--gate", "huu-nghi", "--position", "gate_out", "--db", dsn},
		{"device", "rotate", "--db", dsn, "nobody"},
	} {
		if out, err := exec.Command(binary(t), args...).CombinedOutput(); err == nil {
			t.Errorf("cuakhau %s succeeded with %q, want a refusal", strings.Join(args, " "), out)
		}
	}
	list := cli(t, "device", "list", "--db", dsn)
	if strings.Contains(list, secret) || !strings.Contains(list, "hn-yard-1") || !strings.Contains(list, "true") {
		t.Fatalf("device list:\n%s", list)
	}
	rotated := cli(t, "device", "rotate", "--db", dsn, "hn-yard-1")
	if !strings.HasPrefix(rotated, "ckd_") || rotated == secret {
		t.Fatalf("device rotate printed %q", rotated)
	}
	db, err := openDB(context.Background(), dsn, cuakhau.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	body := []byte(`{"plate":"12C45678","confidence":0.9,"at":"2026-12-01T01:00:00Z"}`)
	sign := func(s string) device.Signed {
		ts := cuakhau.SystemClock{}.Now().Unix()
		return device.Signed{Timestamp: strconv.FormatInt(ts, 10), Signature: device.Sign(s, ts, body), Body: body}
	}
	if _, err := db.Ingest(context.Background(), "hn-yard-1", sign(secret)); cuakhau.ErrorCode(err) != cuakhau.EUNAUTHORIZED {
		t.Errorf("the old secret: %v", err)
	}
	if out := cli(t, "device", "disable", "--db", dsn, "hn-yard-1"); !strings.Contains(out, "disabled device hn-yard-1") {
		t.Errorf("device disable printed %q", out)
	}
	if list := cli(t, "device", "list", "--gate", "huu-nghi", "--db", dsn); !strings.Contains(list, "false") {
		t.Errorf("the disabled device is listed as enabled:\n%s", list)
	}
}

// TestDeviceSim: device sim sends its camera's signed readings to a
// running server, over HTTP and over the server's embedded MQTT broker; a
// wrong secret's readings are refused and counted as failed.
func TestDeviceSim(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "t.db")
	cli(t, "migrate", "--db", dsn)
	secret := cli(t, "device", "add", "--id", "hn-yard-1", "--kind", "anpr", "--gate", "huu-nghi", "--position", "yard_in", "--db", dsn)
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	mqttAddr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	srv := exec.Command(binary(t), "serve", "--db", dsn, "--addr", addr, "--mqtt-listen", mqttAddr, "--log-level", "warn")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Process.Kill()
	if err := waitReady(t.Context(), "http://"+addr); err != nil {
		t.Fatal(err)
	}
	good, bad := filepath.Join(dir, "good.txt"), filepath.Join(dir, "bad.txt")
	os.WriteFile(good, []byte("hn-yard-1 yard_in "+secret+"\n"), 0o600)
	os.WriteFile(bad, []byte("hn-yard-1 yard_in ckd_guess\n"), 0o600)
	for _, c := range []struct {
		to     []string
		file   string
		failed bool
	}{
		{[]string{"--server", "http://" + addr}, good, false},
		{[]string{"--mqtt", "tcp://" + mqttAddr}, good, false},
		{[]string{"--server", "http://" + addr}, bad, true},
	} {
		args := append([]string{"device", "sim", "--gate", "huu-nghi", "--devices", c.file, "--trucks", "5", "--every", "0", "--duplicate", "0"}, c.to...)
		out := cli(t, args...)
		if !strings.Contains(out, "sent ") || strings.HasSuffix(out, " 0 failed") == c.failed {
			t.Errorf("cuakhau %s: %s", strings.Join(args, " "), out)
		}
	}
}
