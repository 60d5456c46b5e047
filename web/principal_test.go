package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cuakhau/cuakhau"
)

// TestSignedIn: a page for some roles sends the anonymous reader to the
// login page with the way back, refuses another role and serves its own.
func TestSignedIn(t *testing.T) {
	page := signedIn(cuakhau.RoleOperator, cuakhau.RoleAdmin)(func(rw http.ResponseWriter, r *http.Request) error {
		rw.WriteHeader(http.StatusNoContent)
		return nil
	})
	for _, tc := range []struct {
		name   string
		p      *cuakhau.Principal
		status int
		err    string
	}{
		{"anonymous", nil, http.StatusSeeOther, ""},
		{"other role", &cuakhau.Principal{Role: cuakhau.RoleCustoms, Gate: "huu-nghi"}, 0, cuakhau.EFORBIDDEN},
		{"own role", &cuakhau.Principal{Role: cuakhau.RoleOperator, Gate: "huu-nghi"}, http.StatusNoContent, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/operator?gate=huu-nghi", nil)
			if tc.p != nil {
				r = r.WithContext(withPrincipal(r.Context(), *tc.p))
			}
			rw := httptest.NewRecorder()
			err := page(rw, r)
			if got := cuakhau.ErrorCode(err); got != tc.err && !(tc.err == "" && err == nil) {
				t.Fatalf("error %v, want code %q", err, tc.err)
			}
			if tc.status != 0 && rw.Code != tc.status {
				t.Fatalf("status %d, want %d", rw.Code, tc.status)
			}
			if tc.p == nil {
				if loc := rw.Header().Get("Location"); loc != "/login?next=%2Foperator%3Fgate%3Dhuu-nghi" {
					t.Fatalf("Location %q", loc)
				}
			}
		})
	}
}
