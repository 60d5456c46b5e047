package httpapi

import (
	"container/list"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/cuakhau/cuakhau"
)

// Limits throttles each client (token buckets, golang.org/x/time/rate) where
// a request costs the server work before anyone is known: the open routes,
// and failed authentication on the protected ones. An authenticated client
// is not throttled here. The zero value throttles nothing.
type Limits struct {
	// OpenRate and OpenBurst bound a client's requests to the open routes
	// (and to paths and methods that match no route): OpenBurst at once,
	// then OpenRate a second. A zero rate leaves them unbounded.
	OpenRate  rate.Limit
	OpenBurst int
	// AuthFailRate and AuthFailBurst bound a client's failed
	// authentications (answers 401). Once they are spent, the client's
	// requests to protected routes are answered 429 before their token is
	// checked, so that guessing cannot go on at the server's pace. A zero
	// rate leaves them unbounded.
	AuthFailRate  rate.Limit
	AuthFailBurst int
	// TrustedProxies are the addresses whose X-Forwarded-For is believed:
	// a request from one of them is counted against the nearest address in
	// that header that is not itself trusted. Without any, a client is its
	// connection's address. Never list addresses that clients can reach
	// the server from directly: they could then be anyone.
	TrustedProxies []netip.Prefix
	// MaxClients bounds how many clients each limit tracks (DefaultMaxClients
	// when zero); past it, the client idle longest is forgotten.
	MaxClients int
	// Now is the wall clock the buckets refill by; nil means time.Now. It is
	// not the gates' clock: the demo's runs faster than the wall.
	Now func() time.Time
}

// DefaultMaxClients bounds each limit's table: some 200 bytes a client, so
// about 10 MB at most.
const DefaultMaxClients = 50_000

// DefaultLimits are what cmd/cuakhau serves with unless told otherwise:
// generous for a wait board polled by the browsers of one office behind one
// address, and for a device that retries a stale token, but not for a scan or
// a token guesser.
func DefaultLimits() Limits {
	return Limits{
		OpenRate: 10, OpenBurst: 50,
		AuthFailRate: rate.Every(6 * time.Second), AuthFailBurst: 10,
	}
}

// Validate refuses settings that make no sense, each named as a field in
// snake case (open_burst), which cmd/cuakhau's flags follow (--open-burst).
func (l Limits) Validate() error {
	fe := cuakhau.FieldErrors{}
	if l.OpenRate < 0 {
		fe.Add("open_rate", "must not be negative")
	} else if l.OpenRate > 0 && l.OpenBurst < 1 {
		fe.Add("open_burst", "must be at least 1 while the rate is above 0")
	}
	if l.AuthFailRate < 0 {
		fe.Add("auth_fail_rate", "must not be negative")
	} else if l.AuthFailRate > 0 && l.AuthFailBurst < 1 {
		fe.Add("auth_fail_burst", "must be at least 1 while the rate is above 0")
	}
	if l.MaxClients < 0 {
		fe.Add("max_clients", "must not be negative")
	}
	return fe.Err()
}

// ParsePrefixes reads a comma-separated list of addresses and CIDR prefixes
// (10.0.0.0/8, 192.0.2.7, 2001:db8::/32); an address alone is a prefix of
// its full length.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP address or CIDR prefix", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// throttled is a request refused for its client's spent budget; writeError
// sends Retry-After from it.
type throttled struct {
	wait time.Duration
	err  *cuakhau.Error
}

func (t *throttled) Error() string { return t.err.Error() }
func (t *throttled) Unwrap() error { return t.err }

// retryAfter is the Retry-After value of a wait: whole seconds, rounded up,
// at least 1.
func retryAfter(wait time.Duration) string {
	s := math.Ceil(wait.Seconds())
	s = max(1, min(s, math.MaxInt32))
	return strconv.FormatInt(int64(s), 10)
}

// buckets holds one token bucket per client, most recently spent first. A
// bucket is dropped once it has refilled: a new one is the same, so memory
// follows the clients that are spending, not all that ever came.
type buckets struct {
	limit rate.Limit
	burst int
	max   int
	// refill is how long an untouched bucket takes to fill from empty.
	refill time.Duration

	mu      sync.Mutex
	clients map[string]*list.Element // of *bucket
	order   list.List                // most recently spent at the front
}

type bucket struct {
	key   string
	lim   *rate.Limiter
	spent time.Time
}

// newBuckets returns nil (no limit) for a zero rate.
func newBuckets(limit rate.Limit, burst, max int) *buckets {
	if limit <= 0 {
		return nil
	}
	if max <= 0 {
		max = DefaultMaxClients
	}
	return &buckets{
		limit: limit, burst: burst, max: max,
		refill:  seconds(float64(burst) / float64(limit)),
		clients: map[string]*list.Element{},
	}
}

// spend takes a token from key's bucket. When there is none it takes
// nothing and says how long until there is one.
func (b *buckets) spend(key string, now time.Time) (bool, time.Duration) {
	if b == nil {
		return true, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dropRefilled(now)
	var bk *bucket
	if el, ok := b.clients[key]; ok {
		bk = el.Value.(*bucket)
		b.order.MoveToFront(el)
	} else {
		if b.order.Len() >= b.max {
			// Forgetting the idlest client gives it a full bucket again:
			// the bound costs some leniency under a flood of addresses,
			// never memory.
			oldest := b.order.Back()
			b.order.Remove(oldest)
			delete(b.clients, oldest.Value.(*bucket).key)
		}
		bk = &bucket{key: key, lim: rate.NewLimiter(b.limit, b.burst)}
		b.clients[key] = b.order.PushFront(bk)
	}
	bk.spent = now
	if bk.lim.AllowN(now, 1) {
		return true, 0
	}
	return false, b.waitFor(bk.lim, now)
}

// wait says how long until key's bucket has a token (0: it has one now),
// spending nothing.
func (b *buckets) wait(key string, now time.Time) time.Duration {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	el, ok := b.clients[key]
	if !ok {
		return 0
	}
	return b.waitFor(el.Value.(*bucket).lim, now)
}

func (b *buckets) waitFor(lim *rate.Limiter, now time.Time) time.Duration {
	missing := 1 - lim.TokensAt(now)
	if missing <= 0 {
		return 0
	}
	return seconds(missing / float64(b.limit))
}

// seconds converts to a Duration, saturating where a tiny rate would make
// it overflow.
func seconds(s float64) time.Duration {
	if d := s * float64(time.Second); d < math.MaxInt64 {
		return time.Duration(d)
	}
	return math.MaxInt64
}

// dropRefilled forgets the buckets that have refilled since they were last
// spent, from the idlest on: the list is in the order of their last spending.
func (b *buckets) dropRefilled(now time.Time) {
	for el := b.order.Back(); el != nil; el = b.order.Back() {
		bk := el.Value.(*bucket)
		if now.Sub(bk.spent) < b.refill {
			return
		}
		b.order.Remove(el)
		delete(b.clients, bk.key)
	}
}

// tracked is how many clients the buckets hold.
func (b *buckets) tracked() int {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.clients)
}

// limiter is the API's throttling: its two limits and how it names a client.
type limiter struct {
	open, authFail *buckets
	trusted        []netip.Prefix
	now            func() time.Time
}

func newLimiter(l Limits) *limiter {
	lim := &limiter{
		open:     newBuckets(l.OpenRate, l.OpenBurst, l.MaxClients),
		authFail: newBuckets(l.AuthFailRate, l.AuthFailBurst, l.MaxClients),
		trusted:  l.TrustedProxies,
		now:      l.Now,
	}
	if lim.now == nil {
		lim.now = time.Now
	}
	return lim
}

// allowOpen spends one of the client's open requests.
func (l *limiter) allowOpen(r *http.Request) error {
	if l.open == nil {
		return nil
	}
	if ok, wait := l.open.spend(l.client(r), l.now()); !ok {
		return &throttled{wait, cuakhau.Errorf(cuakhau.ERATELIMITED,
			"Too many requests from this address to the open routes; retry in %s s.", retryAfter(wait))}
	}
	return nil
}

// checkAuthBudget refuses a client whose failed authentications are spent.
func (l *limiter) checkAuthBudget(r *http.Request) error {
	if l.authFail == nil {
		return nil
	}
	if wait := l.authFail.wait(l.client(r), l.now()); wait > 0 {
		return &throttled{wait, cuakhau.Errorf(cuakhau.ERATELIMITED,
			"Too many failed authentications from this address; retry in %s s.", retryAfter(wait))}
	}
	return nil
}

// failedAuth spends one of the client's failed authentications.
func (l *limiter) failedAuth(r *http.Request) {
	if l.authFail != nil {
		l.authFail.spend(l.client(r), l.now())
	}
}

// client names the client of r for its buckets: its address, or, from a
// trusted proxy, the nearest untrusted address of X-Forwarded-For. An IPv6
// client is its /64, the block one subscriber is given, so that it cannot
// take a fresh bucket with each of its addresses.
func (l *limiter) client(r *http.Request) string {
	addr := remoteAddr(r.RemoteAddr)
	if addr.IsValid() && l.isTrusted(addr) {
		addr = l.forwardedFor(r, addr)
	}
	if !addr.IsValid() {
		if r.RemoteAddr == "" {
			// No address at all (a handler called without a connection):
			// one client, never the empty name.
			return "unknown"
		}
		return r.RemoteAddr
	}
	if addr.Is6() {
		p, _ := addr.WithZone("").Prefix(64)
		return p.String()
	}
	return addr.String()
}

func (l *limiter) isTrusted(a netip.Addr) bool {
	for _, p := range l.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor walks X-Forwarded-For from the nearest hop back: the first
// address no trusted proxy could have written for itself is the client.
// Entries left of one that does not parse are not believed; the last
// address believed is the client then, as it is when every hop is trusted.
func (l *limiter) forwardedFor(r *http.Request, proxy netip.Addr) netip.Addr {
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := proxy
	for i := len(hops) - 1; i >= 0; i-- {
		a := parseHop(strings.TrimSpace(hops[i]))
		if !a.IsValid() {
			break
		}
		client = a
		if !l.isTrusted(a) {
			break
		}
	}
	return client
}

// remoteAddr is the address of a connection's "host:port".
func remoteAddr(s string) netip.Addr {
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = s
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a
// port (some proxies add one, IPv6 then in brackets).
func parseHop(s string) netip.Addr {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap()
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// throttleOpen spends one of the client's open requests before h runs.
func (a *API) throttleOpen(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := a.limits.allowOpen(r); err != nil {
			return err
		}
		return h(w, r)
	}
}

// ClientOf names r's client as the throttling does: its address, or from a
// trusted proxy the address X-Forwarded-For gives (an IPv6 client is its
// /64). The pages count failed logins per client by it.
func (a *API) ClientOf(r *http.Request) string { return a.limits.client(r) }

// AllowOpen spends one of r's client's open requests, as the open routes
// do, and reports whether there was one, with the wait when there was not.
// Another adapter serving open pages (the web pages) calls it, so that a
// client has one budget for the API and the pages, counted by one rule.
func (a *API) AllowOpen(r *http.Request) (bool, time.Duration) {
	var t *throttled
	if err := a.limits.allowOpen(r); errors.As(err, &t) {
		return false, t.wait
	}
	return true, 0
}
