package sqlstore

import (
	"context"

	"github.com/cuakhau/cuakhau"
)

// Admin is the store's users and tokens as an administrator manages them
// (cuakhau.AdminService): each call checks the principal first. The
// command line, which acts as the machine's owner, calls the DB's own
// methods.
type Admin struct{ db *DB }

var _ cuakhau.AdminService = Admin{}

// Admin is db's cuakhau.AdminService.
func (db *DB) Admin() Admin { return Admin{db} }

func mayAdminister(p cuakhau.Principal) error {
	if !p.CanAdminister() {
		return cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not manage users or tokens", p.Role)
	}
	return nil
}

// Users lists the accounts.
func (a Admin) Users(ctx context.Context, p cuakhau.Principal) ([]*cuakhau.User, error) {
	if err := mayAdminister(p); err != nil {
		return nil, err
	}
	return a.db.Users(ctx)
}

// CreateUser adds an account (DB.CreateUser's rules).
func (a Admin) CreateUser(ctx context.Context, p cuakhau.Principal, u cuakhau.User, password string) (*cuakhau.User, error) {
	if err := mayAdminister(p); err != nil {
		return nil, err
	}
	return a.db.CreateUser(ctx, u, password)
}

// DisableUser disables an account other than p's own.
func (a Admin) DisableUser(ctx context.Context, p cuakhau.Principal, name string) (*cuakhau.User, error) {
	if err := mayAdminister(p); err != nil {
		return nil, err
	}
	if self := (cuakhau.User{Name: name}).Principal(); p.TokenID == self.TokenID {
		return nil, cuakhau.Errorf(cuakhau.ECONFLICT, "you cannot disable your own account; another administrator can")
	}
	return a.db.DisableUser(ctx, name)
}

// Tokens lists the API tokens, revoked ones too.
func (a Admin) Tokens(ctx context.Context, p cuakhau.Principal) ([]*cuakhau.Token, error) {
	if err := mayAdminister(p); err != nil {
		return nil, err
	}
	return a.db.Tokens(ctx)
}

// CreateToken makes an API token (DB.CreateToken's rules).
func (a Admin) CreateToken(ctx context.Context, p cuakhau.Principal, t cuakhau.Token) (string, *cuakhau.Token, error) {
	if err := mayAdminister(p); err != nil {
		return "", nil, err
	}
	return a.db.CreateToken(ctx, t)
}

// RevokeToken revokes an API token.
func (a Admin) RevokeToken(ctx context.Context, p cuakhau.Principal, id string) (*cuakhau.Token, error) {
	if err := mayAdminister(p); err != nil {
		return nil, err
	}
	return a.db.RevokeToken(ctx, id)
}
