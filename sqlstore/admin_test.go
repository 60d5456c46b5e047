package sqlstore_test

import (
	"context"
	"testing"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// TestAdminChecksThePrincipal: only administrators manage users and
// tokens through the store's AdminService, whatever page or route asks.
func TestAdminChecksThePrincipal(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		a := db.Admin()
		for _, p := range []cuakhau.Principal{operator, viewer, company} {
			if _, err := a.Users(ctx, p); cuakhau.ErrorCode(err) != cuakhau.EFORBIDDEN {
				t.Errorf("%s lists users: %v", p.Role, err)
			}
			if _, _, err := a.CreateToken(ctx, p, cuakhau.Token{Name: "x", Role: cuakhau.RoleAdmin}); cuakhau.ErrorCode(err) != cuakhau.EFORBIDDEN {
				t.Errorf("%s makes a token: %v", p.Role, err)
			}
		}
		if _, err := a.CreateUser(ctx, admin, cuakhau.User{Name: "lan", Role: cuakhau.RoleViewer}, "mật khẩu đủ dài"); err != nil {
			t.Fatal(err)
		}
		self := cuakhau.User{Name: "lan", Role: cuakhau.RoleAdmin}.Principal()
		if _, err := a.DisableUser(ctx, self, "lan"); cuakhau.ErrorCode(err) != cuakhau.ECONFLICT {
			t.Errorf("disable one's own account: %v", err)
		}
		if u, err := a.DisableUser(ctx, admin, "lan"); err != nil || u.DisabledAt == nil {
			t.Errorf("disable: %+v %v", u, err)
		}
	})
}
