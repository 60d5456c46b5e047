package main

import (
	"bytes"
	"context"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/cuakhau/cuakhau/httpapi"
)

// TestLimitFlags: the throttling flags default to httpapi's defaults, take
// their defaults from the environment, and refuse nonsense by name.
func TestLimitFlags(t *testing.T) {
	parse := func(args ...string) (httpapi.Limits, error) {
		fs := newFlags("serve", "serve", &bytes.Buffer{})
		lf := limitFlags(fs)
		if err := fs.Parse(args); err != nil {
			return httpapi.Limits{}, err
		}
		var cfg serverConfig
		err := lf.apply(&cfg)
		return cfg.Limits, err
	}
	cmpRate := cmp.Comparer(func(a, b rate.Limit) bool { d := a - b; return d < 1e-9 && d > -1e-9 })
	cmpPrefix := cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })

	got, err := parse()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(httpapi.DefaultLimits(), got, cmpRate, cmpPrefix, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Now" }, cmp.Ignore())); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}

	t.Setenv("CUAKHAU_OPEN_RATE", "2.5")
	t.Setenv("CUAKHAU_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7")
	got, err = parse("--auth-fail-rate", "30", "--auth-fail-burst", "4", "--open-burst", "5")
	if err != nil {
		t.Fatal(err)
	}
	want := httpapi.Limits{OpenRate: 2.5, OpenBurst: 5, AuthFailRate: 0.5, AuthFailBurst: 4,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}}
	if diff := cmp.Diff(want, got, cmpRate, cmpPrefix, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Now" }, cmp.Ignore())); diff != "" {
		t.Errorf("from flags and environment (-want +got):\n%s", diff)
	}
	got, err = parse("--open-rate", "0", "--auth-fail-rate", "0")
	if err != nil || got.OpenRate != 0 || got.AuthFailRate != 0 {
		t.Errorf("0 should turn the limits off: %+v, %v", got, err)
	}

	for _, tt := range []struct {
		env  string
		args []string
		want string
	}{
		{"", []string{"--open-burst", "0"}, "--open-burst: must be at least 1"},
		{"", []string{"--auth-fail-rate", "-1"}, "--auth-fail-rate: must not be negative"},
		{"", []string{"--trusted-proxies", "10.0.0.0/8,proxy.local"}, `--trusted-proxies: "proxy.local" is not an IP address or CIDR prefix`},
		{"ten", nil, `CUAKHAU_OPEN_RATE: "ten" is not a number`},
	} {
		t.Setenv("CUAKHAU_OPEN_RATE", tt.env)
		if _, err := parse(tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v (env %q): error %v, want one saying %q", tt.args, tt.env, err, tt.want)
		}
	}
}

// TestServeThrottlesFailedAuth: the server that serve starts throttles as
// its flags say.
func TestServeThrottlesFailedAuth(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "t.db")
	cli(t, "migrate", "--db", dsn)
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	srv := exec.Command(binary(t), "serve", "--db", dsn, "--addr", addr, "--log-level", "error",
		"--auth-fail-burst", "2", "--auth-fail-rate", "1")
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Process.Kill()
		srv.Wait()
	})
	if err := waitReady(context.Background(), "http://"+addr); err != nil {
		t.Fatal(err)
	}
	client := newClient()
	status := func() (int, string) {
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/trips", nil)
		req.Header.Set("Authorization", "Bearer ck_not-a-token")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	for i := range 2 {
		if st, _ := status(); st != http.StatusUnauthorized {
			t.Fatalf("bad token %d: %d, want 401", i+1, st)
		}
	}
	st, retry := status()
	if st != http.StatusTooManyRequests || retry == "" {
		t.Errorf("third bad token: %d Retry-After %q, want 429 with Retry-After", st, retry)
	}
}
