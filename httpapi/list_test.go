package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cuakhau/cuakhau"
)

// TestListScoping: an enterprise lists only its own trips, whatever it asks
// for; the admin and the viewer list all.
func TestListScoping(t *testing.T) {
	e := newEnv(t)
	a1 := e.declare(t, "enterprise", example(t))
	a2 := e.declare(t, "enterprise", example(t, "vehicle.plate", "12C-543.21"))
	b1 := e.declare(t, "enterprise-b", example(t, "enterprise.tax_code", taxB, "enterprise.name", "Công ty B"))

	tests := []struct {
		token string
		query string
		want  []string
	}{
		{"enterprise", "", []string{a1.ID, a2.ID}},
		{"enterprise", "?gate=huu-nghi", []string{a1.ID, a2.ID}},
		{"enterprise", "?tax_code=" + taxA, []string{a1.ID, a2.ID}},
		{"enterprise-b", "", []string{b1.ID}},
		{"admin", "", []string{a1.ID, a2.ID, b1.ID}},
		{"viewer", "", []string{a1.ID, a2.ID, b1.ID}},
		{"admin", "?tax_code=" + taxB, []string{b1.ID}},
		{"customs", "", []string{a1.ID, a2.ID, b1.ID}},
		{"customs-tan-thanh", "", []string{}},
		{"admin", "?plate=12C54321", []string{a2.ID}},
		{"admin", "?status=crossed", []string{}},
		{"admin", "?date=2026-11-30", []string{a1.ID, a2.ID, b1.ID}},
		{"admin", "?date=2026-11-29", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.token+tt.query, func(t *testing.T) {
			list := decode[tripList](t, e.do(t, "GET", "/api/v1/trips"+tt.query, tt.token, nil), http.StatusOK)
			got := []string{}
			for _, tr := range list.Trips {
				got = append(got, tr.ID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("trips (-want +got):\n%s", diff)
			}
		})
	}

	// Asking for another enterprise's trips is refused, not quietly emptied.
	r := e.do(t, "GET", "/api/v1/trips?tax_code="+taxB, "enterprise", nil)
	wantError(t, r, http.StatusForbidden, cuakhau.EFORBIDDEN)
}

// TestListQuery checks the query's rules and paging.
func TestListQuery(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for _, plate := range []string{"12C-123.45", "12C-123.46", "12C-123.47"} {
		ids = append(ids, e.declare(t, "enterprise", example(t, "vehicle.plate", plate)).ID)
	}

	bad := []struct {
		query string
		field string
	}{
		{"?status=waiting", "status"},
		{"?limit=0", "limit"},
		{"?limit=1001", "limit"},
		{"?limit=ten", "limit"},
		{"?date=2026-13-01", "date"},
		{"?date=30/11/2026", "date"},
		{"?gate=mong-cai", "gate"},
		{"?plate=ABC", "plate"},
	}
	for _, tt := range bad {
		t.Run(tt.query, func(t *testing.T) {
			wantError(t, e.do(t, "GET", "/api/v1/trips"+tt.query, "admin", nil), http.StatusBadRequest, cuakhau.EINVALID, tt.field)
		})
	}

	// Pages of two: the first is full and points to the next; the second
	// holds the rest and ends the list.
	p1 := decode[tripList](t, e.do(t, "GET", "/api/v1/trips?limit=2", "admin", nil), http.StatusOK)
	p2 := decode[tripList](t, e.do(t, "GET", "/api/v1/trips?limit=2&after="+p1.Next, "admin", nil), http.StatusOK)
	type page struct {
		IDs  []string
		Next string
	}
	pageOf := func(l tripList) page {
		p := page{Next: l.Next}
		for _, tr := range l.Trips {
			p.IDs = append(p.IDs, tr.ID)
		}
		return p
	}
	got := []page{pageOf(p1), pageOf(p2)}
	want := []page{{IDs: ids[:2], Next: ids[1]}, {IDs: ids[2:], Next: ""}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
}
