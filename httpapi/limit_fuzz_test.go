package httpapi

import (
	"net/http"
	"testing"
)

// FuzzClient: whatever a connection's address and X-Forwarded-For hold, a
// client is named (never ""), the header is ignored unless it comes from a
// trusted proxy, and what ParsePrefixes accepts is valid prefixes.
func FuzzClient(f *testing.F) {
	f.Add("127.0.0.1:5000", "198.51.100.1")
	f.Add("127.0.0.1:5000", "203.0.113.9, 198.51.100.1, 10.1.2.3")
	f.Add("[::1]:5000", "2001:db8::1, [2001:db8::2]:443")
	f.Add("192.0.2.1:1", "not an address")
	f.Add("garbage", "")
	trusted, err := ParsePrefixes("127.0.0.0/8, ::1, 10.0.0.0/8")
	if err != nil {
		f.Fatal(err)
	}
	withProxies := newLimiter(Limits{TrustedProxies: trusted})
	direct := newLimiter(Limits{})
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := &http.Request{RemoteAddr: remote, Header: http.Header{}}
		plain := direct.client(r)
		r.Header.Set("X-Forwarded-For", xff)
		if got := direct.client(r); got != plain {
			t.Errorf("without trusted proxies X-Forwarded-For %q changed the client from %q to %q", xff, plain, got)
		}
		got := withProxies.client(r)
		if got == "" {
			t.Fatalf("no client for %q, %q", remote, xff)
		}
		if a := remoteAddr(remote); !a.IsValid() || !withProxies.isTrusted(a) {
			if got != plain {
				t.Errorf("from untrusted %q, X-Forwarded-For %q made the client %q, not %q", remote, xff, got, plain)
			}
		}
		if ps, err := ParsePrefixes(xff); err == nil {
			for _, p := range ps {
				if !p.IsValid() || p != p.Masked() {
					t.Errorf("ParsePrefixes(%q) gave %v", xff, p)
				}
			}
		}
	})
}
