package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/cuakhau/cuakhau"
)

// principalKey carries the signed-in user of a request. The session layer
// puts it there; pages read it with principalFrom and never look at cookies
// themselves.
type principalKey struct{}

// withPrincipal returns ctx carrying p as the request's signed-in user.
func withPrincipal(ctx context.Context, p cuakhau.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// principalFrom is the request's signed-in user; false when nobody is
// signed in.
func principalFrom(ctx context.Context) (cuakhau.Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(cuakhau.Principal)
	return p, ok
}

// signedIn is the access rule of a page for signed-in users with one of
// roles: nobody signed in is sent to the login page (and back afterwards),
// a user of another role gets the 403 page. What a user may do on the page
// beyond seeing it is Principal's to decide (CanSeeQueue, CanDecide, ...).
func signedIn(roles ...cuakhau.Role) func(handlerFunc) handlerFunc {
	return func(h handlerFunc) handlerFunc {
		return func(rw http.ResponseWriter, r *http.Request) error {
			p, ok := principalFrom(r.Context())
			if !ok {
				http.Redirect(rw, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return nil
			}
			if !slices.Contains(roles, p.Role) {
				return cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not open %s", p.Role, r.URL.Path)
			}
			return h(rw, r)
		}
	}
}
