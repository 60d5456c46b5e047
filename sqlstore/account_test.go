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

const goodPassword = "đèo Hữu Nghị 2026"

func TestUsers(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		u, err := db.CreateUser(ctx, cuakhau.User{Name: " Lan.Nguyen ", Role: cuakhau.RoleEnterprise, TaxCode: "0100109106 001"}, goodPassword)
		if err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
		want := &cuakhau.User{Name: "lan.nguyen", Role: cuakhau.RoleEnterprise, TaxCode: "0100109106-001", CreatedAt: start}
		if diff := cmp.Diff(want, u); diff != "" {
			t.Errorf("user (-want +got):\n%s", diff)
		}
		if n := count(t, db, `SELECT count(*) FROM users WHERE password_hash LIKE '$argon2id$v=19$%' AND password_hash NOT LIKE ?`, "%"+goodPassword+"%"); n != 1 {
			t.Error("the password is not kept as an argon2id hash alone")
		}

		// The bounds are a token's; bad input names the field, and nothing is written.
		for _, c := range []struct {
			u        cuakhau.User
			password string
			field    string
		}{
			{cuakhau.User{Name: "", Role: cuakhau.RoleAdmin}, goodPassword, "name"},
			{cuakhau.User{Name: "a b", Role: cuakhau.RoleAdmin}, goodPassword, "name"},
			{cuakhau.User{Name: "-x", Role: cuakhau.RoleAdmin}, goodPassword, "name"},
			{cuakhau.User{Name: "x", Role: "pilot"}, goodPassword, "role"},
			{cuakhau.User{Name: "x", Role: cuakhau.RoleEnterprise}, goodPassword, "tax_code"},
			{cuakhau.User{Name: "x", Role: cuakhau.RoleEnterprise, TaxCode: "0100109107"}, goodPassword, "tax_code"},
			{cuakhau.User{Name: "x", Role: cuakhau.RoleViewer, TaxCode: "0100109106"}, goodPassword, "tax_code"},
			{cuakhau.User{Name: "x", Role: cuakhau.RoleAdmin, Gate: "huu-nghi"}, goodPassword, "gate"},
			{cuakhau.User{Name: "x", Role: cuakhau.RoleCustoms, Gate: "nowhere"}, goodPassword, "gate"},
			{cuakhau.User{Name: "x", Role: cuakhau.RoleAdmin}, "", "password"},
			{cuakhau.User{Name: "x", Role: cuakhau.RoleAdmin}, "short", "password"},
		} {
			_, err := db.CreateUser(ctx, c.u, c.password)
			wantCode(t, err, cuakhau.EINVALID)
			if _, ok := cuakhau.ErrorFields(err)[c.field]; !ok {
				t.Errorf("%+v %q: error %v does not name %s", c.u, c.password, err, c.field)
			}
		}
		_, err = db.CreateUser(ctx, cuakhau.User{Name: "LAN.NGUYEN", Role: cuakhau.RoleAdmin}, goodPassword)
		wantCode(t, err, cuakhau.ECONFLICT)
		if n := count(t, db, `SELECT count(*) FROM users`); n != 1 {
			t.Errorf("%d users after refused ones, want 1", n)
		}

		if _, err := db.CreateUser(ctx, cuakhau.User{Name: "hq.huunghi", Role: cuakhau.RoleCustoms, Gate: "huu-nghi"}, goodPassword); err != nil {
			t.Fatal(err)
		}
		users, err := db.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != 2 || users[0].Name != "hq.huunghi" || users[0].Gate != "huu-nghi" || users[1].Name != "lan.nguyen" {
			t.Errorf("Users = %+v", users)
		}
	})
}

func TestSessions(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		db.SetSessionTTL(time.Hour)
		if _, err := db.CreateUser(ctx, cuakhau.User{Name: "hq", Role: cuakhau.RoleCustoms, Gate: "huu-nghi"}, goodPassword); err != nil {
			t.Fatal(err)
		}
		secret, s, err := db.Login(ctx, "HQ", goodPassword, "198.51.100.7")
		if err != nil {
			t.Fatalf("Login: %v", err)
		}
		if !strings.HasPrefix(secret, "cks_") || len(secret) < 50 || !s.ExpiresAt.Equal(start.Add(time.Hour)) {
			t.Errorf("secret %q, session %+v", secret, s)
		}
		if n := count(t, db, `SELECT count(*) FROM sessions WHERE secret_hash = ?`, secret); n != 0 {
			t.Error("the session's secret is stored in clear")
		}
		got, err := db.Session(ctx, secret)
		if err != nil {
			t.Fatalf("Session: %v", err)
		}
		wantP := cuakhau.Principal{TokenID: "user/hq", Name: "hq", Role: cuakhau.RoleCustoms, Gate: "huu-nghi"}
		if diff := cmp.Diff(wantP, got.User.Principal()); diff != "" {
			t.Errorf("principal (-want +got):\n%s", diff)
		}
		for _, bad := range []string{"", "cks_", secret + "x", strings.ToUpper(secret)} {
			_, err := db.Session(ctx, bad)
			wantCode(t, err, cuakhau.EUNAUTHORIZED)
		}

		// Expiry.
		clock.Add(time.Hour)
		_, err = db.Session(ctx, secret)
		wantCode(t, err, cuakhau.EUNAUTHORIZED)

		// Logout.
		secret, _, err = db.Login(ctx, "hq", goodPassword, "198.51.100.7")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Logout(ctx, secret); err != nil {
			t.Fatal(err)
		}
		_, err = db.Session(ctx, secret)
		wantCode(t, err, cuakhau.EUNAUTHORIZED)

		// A new password ends the sessions; the old one stops working.
		secret, _, _ = db.Login(ctx, "hq", goodPassword, "198.51.100.7")
		if err := db.SetPassword(ctx, "hq", "another long one"); err != nil {
			t.Fatal(err)
		}
		_, err = db.Session(ctx, secret)
		wantCode(t, err, cuakhau.EUNAUTHORIZED)
		_, _, err = db.Login(ctx, "hq", goodPassword, "198.51.100.7")
		wantCode(t, err, cuakhau.EUNAUTHORIZED)
		wantCode(t, db.SetPassword(ctx, "hq", "short"), cuakhau.EINVALID)
		wantCode(t, db.SetPassword(ctx, "nobody", "another long one"), cuakhau.ENOTFOUND)

		// Disabling ends the sessions and refuses logins.
		secret, _, err = db.Login(ctx, "hq", "another long one", "198.51.100.7")
		if err != nil {
			t.Fatal(err)
		}
		u, err := db.DisableUser(ctx, "hq")
		if err != nil || u.DisabledAt == nil {
			t.Fatalf("DisableUser: %+v, %v", u, err)
		}
		_, err = db.Session(ctx, secret)
		wantCode(t, err, cuakhau.EUNAUTHORIZED)
		_, _, err = db.Login(ctx, "hq", "another long one", "198.51.100.7")
		wantCode(t, err, cuakhau.EUNAUTHORIZED)
		_, err = db.DisableUser(ctx, "nobody")
		wantCode(t, err, cuakhau.ENOTFOUND)
	})
}

func TestLoginThrottle(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		policy := cuakhau.LoginPolicy{SlowAfter: 2, Delay: 10 * time.Second, LockAfter: 4, LockFor: 10 * time.Minute, Window: time.Hour}
		if err := db.SetLoginPolicy(policy); err != nil {
			t.Fatal(err)
		}
		if err := db.SetLoginPolicy(cuakhau.LoginPolicy{}); err == nil {
			t.Error("a policy that never locks is accepted")
		}
		if _, err := db.CreateUser(ctx, cuakhau.User{Name: "op", Role: cuakhau.RoleOperator}, goodPassword); err != nil {
			t.Fatal(err)
		}
		fail := func(client string) {
			t.Helper()
			_, _, err := db.Login(ctx, "op", "wrong password!", client)
			wantCode(t, err, cuakhau.EUNAUTHORIZED)
		}
		// Two failures: no delay yet. From then on each attempt waits.
		fail("a")
		fail("b")
		_, _, err := db.Login(ctx, "op", goodPassword, "c")
		wantCode(t, err, cuakhau.ERATELIMITED) // the right password is not even checked
		clock.Add(10 * time.Second)
		fail("c")
		clock.Add(10 * time.Second)
		_, _, err = db.Login(ctx, "op", goodPassword, "d")
		wantCode(t, err, cuakhau.ERATELIMITED) // 20 s after the third failure
		clock.Add(10 * time.Second)
		fail("d") // the fourth: locked
		users, _ := db.Users(ctx)
		if len(users) != 1 || users[0].LockedUntil == nil || !users[0].LockedUntil.Equal(clock.Now().Add(10*time.Minute)) {
			t.Errorf("locked user listed as %+v", users)
		}
		clock.Add(9 * time.Minute)
		_, _, err = db.Login(ctx, "op", goodPassword, "e")
		wantCode(t, err, cuakhau.ERATELIMITED)
		// An administrator unlocks it.
		if err := db.UnlockUser(ctx, "op"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Login(ctx, "op", goodPassword, "e"); err != nil {
			t.Fatalf("login after unlock: %v", err)
		}
		wantCode(t, db.UnlockUser(ctx, "nobody"), cuakhau.ENOTFOUND)

		// Per client: one client trying many names is stopped too, while
		// the user can still sign in from elsewhere.
		for _, n := range []string{"x1", "x2", "x3", "x4"} {
			_, _, err := db.Login(ctx, n, "wrong password!", "203.0.113.9")
			wantCode(t, err, cuakhau.EUNAUTHORIZED)
			clock.Add(30 * time.Second) // past each delay
		}
		_, _, err = db.Login(ctx, "op", goodPassword, "203.0.113.9")
		wantCode(t, err, cuakhau.ERATELIMITED)
		if _, _, err := db.Login(ctx, "op", goodPassword, "198.51.100.1"); err != nil {
			t.Errorf("login from another client: %v", err)
		}
		// The lock ends by itself.
		clock.Add(10 * time.Minute)
		if _, _, err := db.Login(ctx, "op", goodPassword, "203.0.113.9"); err != nil {
			t.Errorf("login after the lock: %v", err)
		}
	})
}
