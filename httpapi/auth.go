package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/cuakhau/cuakhau"
)

type principalKey struct{}

// principalFrom returns the authenticated principal of a protected request.
func principalFrom(ctx context.Context) cuakhau.Principal {
	p, _ := ctx.Value(principalKey{}).(cuakhau.Principal)
	return p
}

// authenticate guards a protected route: the request must carry
// "Authorization: Bearer <token>" for a token the TokenService knows.
//
// Every answer of a protected route is marked Cache-Control: no-store, its
// errors included: trips, events and the queue carry drivers' names and id
// numbers, which no browser or proxy cache should keep. A client whose
// failed authentications are spent (Limits) is refused before its token is
// looked at; each 401 spends one.
//
// Role rights are the services' to enforce (they answer forbidden), since the
// same rules hold for the web pages and the CLI. A viewer is turned away from
// every POST here as well, before its body is read: a viewer changes nothing
// anywhere, so there is nothing for a service to weigh.
func (a *API) authenticate(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Cache-Control", "no-store")
		if err := a.limits.checkAuthBudget(r); err != nil {
			return err
		}
		secret, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			a.limits.failedAuth(r)
			return cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "A bearer token is required (Authorization: Bearer <token>).")
		}
		p, err := a.tokens.Authenticate(r.Context(), secret)
		if err != nil {
			if cuakhau.ErrorCode(err) == cuakhau.EUNAUTHORIZED {
				a.limits.failedAuth(r)
			}
			return err
		}
		if info := infoFrom(r.Context()); info != nil {
			info.actor = p.Actor()
		}
		if p.Role == cuakhau.RoleViewer && r.Method == http.MethodPost {
			return cuakhau.Errorf(cuakhau.EFORBIDDEN, "A viewer token cannot change anything.")
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// bearer returns the token of an RFC 6750 Authorization header; the scheme
// name is case-insensitive.
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
