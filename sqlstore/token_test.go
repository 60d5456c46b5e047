package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/google/go-cmp/cmp"
)

func TestTokens(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		secret, tok, err := db.CreateToken(ctx, cuakhau.Token{Name: " Xứ Lạng Logistics ", Role: cuakhau.RoleEnterprise, TaxCode: "0100109106 001"})
		if err != nil {
			t.Fatalf("CreateToken: %v", err)
		}
		if !strings.HasPrefix(secret, "ck_") || len(secret) < 40 {
			t.Errorf("secret %q: want ck_ and at least 32 random bytes", secret)
		}
		want := &cuakhau.Token{ID: tok.ID, Name: "Xứ Lạng Logistics", Role: cuakhau.RoleEnterprise, TaxCode: "0100109106-001", CreatedAt: start}
		if diff := cmp.Diff(want, tok); diff != "" {
			t.Errorf("token (-want +got):\n%s", diff)
		}
		// Only the hash is stored.
		if n := count(t, db, `SELECT count(*) FROM tokens WHERE secret_hash = ?`, secret); n != 0 {
			t.Error("the secret is stored in clear")
		}

		for range 2 { // the second answer comes from the cache
			p, err := db.Authenticate(ctx, secret)
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			wantP := cuakhau.Principal{TokenID: tok.ID, Name: "Xứ Lạng Logistics", Role: cuakhau.RoleEnterprise, TaxCode: "0100109106-001"}
			if diff := cmp.Diff(wantP, p); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		}

		secret2, officer, err := db.CreateToken(ctx, cuakhau.Token{Name: "Hải quan Hữu Nghị", Role: cuakhau.RoleCustoms, Gate: "huu-nghi"})
		if err != nil {
			t.Fatal(err)
		}
		if secret2 == secret || officer.ID == tok.ID {
			t.Error("two tokens share a secret or an id")
		}
		p, err := db.Authenticate(ctx, secret2)
		if err != nil || p.Gate != "huu-nghi" || p.Role != cuakhau.RoleCustoms {
			t.Errorf("officer principal %+v, %v", p, err)
		}

		for _, s := range []string{"", "ck_", secret + "x", "Bearer " + secret, strings.ToUpper(secret), "ck_" + strings.Repeat("a", 52)} {
			_, err := db.Authenticate(ctx, s)
			wantCode(t, err, cuakhau.EUNAUTHORIZED)
		}

		for _, c := range []struct {
			name  string
			tok   cuakhau.Token
			field string
		}{
			{"no name", cuakhau.Token{Role: cuakhau.RoleAdmin}, "name"},
			{"unknown role", cuakhau.Token{Name: "x", Role: "root"}, "role"},
			{"enterprise without tax code", cuakhau.Token{Name: "x", Role: cuakhau.RoleEnterprise}, "tax_code"},
			{"bad tax code", cuakhau.Token{Name: "x", Role: cuakhau.RoleEnterprise, TaxCode: "0100109107"}, "tax_code"},
			{"tax code on an officer", cuakhau.Token{Name: "x", Role: cuakhau.RoleCustoms, TaxCode: "0100109106"}, "tax_code"},
			{"unknown gate", cuakhau.Token{Name: "x", Role: cuakhau.RoleCustoms, Gate: "mong-cai"}, "gate"},
			{"gate on an enterprise", cuakhau.Token{Name: "x", Role: cuakhau.RoleEnterprise, TaxCode: "0100109106", Gate: "huu-nghi"}, "gate"},
		} {
			_, _, err := db.CreateToken(ctx, c.tok)
			if cuakhau.ErrorCode(err) != cuakhau.EINVALID {
				t.Errorf("%s: %v, want invalid", c.name, err)
				continue
			}
			if _, ok := cuakhau.ErrorFields(err)[c.field]; !ok {
				t.Errorf("%s: fields %v, want %s", c.name, cuakhau.ErrorFields(err), c.field)
			}
		}
		if n := count(t, db, `SELECT count(*) FROM tokens`); n != 2 {
			t.Errorf("%d tokens stored, want 2", n)
		}
	})
}

// TestRevokeToken: a revoked token stops authenticating at once in the
// process that revoked it (its cached principal is forgotten), in another
// store on the same database once the cache entry expires (here: never
// cached), stays listed with its revocation time, and revoking it again or
// an unknown id behaves.
func TestRevokeToken(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		secret, tok, err := db.CreateToken(ctx, cuakhau.Token{Name: "Hải quan", Role: cuakhau.RoleCustoms})
		if err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute) // listed by creation time
		keep, kept, err := db.CreateToken(ctx, cuakhau.Token{Name: "Biên phòng", Role: cuakhau.RoleBorderGuard})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Authenticate(ctx, secret); err != nil { // now cached
			t.Fatal(err)
		}
		clock.Add(time.Hour)
		revoked, err := db.RevokeToken(ctx, tok.ID)
		if err != nil {
			t.Fatalf("RevokeToken: %v", err)
		}
		if at := start.Add(time.Hour + time.Minute); revoked.RevokedAt == nil || !revoked.RevokedAt.Equal(at) {
			t.Errorf("revoked at %v, want %v", revoked.RevokedAt, at)
		}
		_, err = db.Authenticate(ctx, secret)
		wantCode(t, err, cuakhau.EUNAUTHORIZED)
		if _, err := db.Authenticate(ctx, keep); err != nil {
			t.Errorf("the other token: %v", err)
		}

		clock.Add(time.Hour)
		again, err := db.RevokeToken(ctx, tok.ID)
		if err != nil || !again.RevokedAt.Equal(*revoked.RevokedAt) {
			t.Errorf("revoking again: %v, %v; want the first revocation kept", again, err)
		}
		_, err = db.RevokeToken(ctx, "nope")
		wantCode(t, err, cuakhau.ENOTFOUND)

		list, err := db.Tokens(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []*cuakhau.Token{revoked, kept}
		if diff := cmp.Diff(want, list); diff != "" {
			t.Errorf("Tokens (-want +got):\n%s", diff)
		}
	})
}
