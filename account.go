package cuakhau

import (
	"context"
	"fmt"
	"time"
)

// User is a person who signs in to the pages with a name and a password.
// Role, TaxCode and Gate bound the user as they bound a token: an enterprise
// user needs a tax code, only officers are bound to a gate.
type User struct {
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	TaxCode   string    `json:"tax_code,omitempty"`
	Gate      string    `json:"gate,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// DisabledAt is when the user stopped being able to sign in (their
	// sessions end then too); nil while they can.
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
	// LockedUntil is the end of a lock after too many failed logins; nil
	// when the user is not locked.
	LockedUntil *time.Time `json:"locked_until,omitempty"`
}

// Principal is who the user acts as. Their actions are recorded as the role
// and "user/NAME".
func (u User) Principal() Principal {
	return Principal{TokenID: "user/" + u.Name, Name: u.Name, Role: u.Role, TaxCode: u.TaxCode, Gate: u.Gate}
}

// MinPasswordLength is the shortest password a user may have, in
// characters. Length is what makes a password hard to guess; no other rule
// is imposed.
const MinPasswordLength = 10

// MaxPasswordLength bounds a password (in bytes), so that hashing one costs
// what hashing any other does.
const MaxPasswordLength = 1024

// LoginPolicy is how repeated failed logins are slowed and then stopped.
// Failures are counted per user name and per client; each counter obeys
// the policy on its own, and a success clears the user name's.
type LoginPolicy struct {
	// SlowAfter failures in a row, each further attempt must wait Delay,
	// doubling with each failure, before it is even checked.
	SlowAfter int
	Delay     time.Duration
	// LockAfter failures in a row lock the name (or client) for LockFor,
	// or until an administrator unlocks it.
	LockAfter int
	LockFor   time.Duration
	// Window is how long a failure counts: a counter whose last failure is
	// older starts again from zero.
	Window time.Duration
}

// DefaultLoginPolicy: slowed after 3 failures (1 s, 2 s, 4 s, ...), locked
// for 15 minutes after 10; failures are forgotten after an hour.
func DefaultLoginPolicy() LoginPolicy {
	return LoginPolicy{SlowAfter: 3, Delay: time.Second, LockAfter: 10, LockFor: 15 * time.Minute, Window: time.Hour}
}

// Validate reports a policy that would never slow or never lock.
func (p LoginPolicy) Validate() error {
	if p.SlowAfter < 1 || p.LockAfter < p.SlowAfter || p.Delay <= 0 || p.LockFor <= 0 || p.Window <= 0 {
		return fmt.Errorf("login policy: need 1 <= slow-after <= lock-after and positive delay, lock and window, got %+v", p)
	}
	return nil
}

// NextAttempt is the earliest time at which another login may be checked,
// after failures in a row of which the last was at last. A time not after
// now means "now"; the zero time means no failure counts.
func (p LoginPolicy) NextAttempt(failures int, last, now time.Time) time.Time {
	if failures <= 0 || now.Sub(last) >= p.Window {
		return time.Time{}
	}
	if failures >= p.LockAfter {
		return last.Add(p.LockFor)
	}
	if failures < p.SlowAfter {
		return time.Time{}
	}
	d := p.Delay << min(failures-p.SlowAfter, 20)
	return last.Add(min(d, p.LockFor))
}

// Session is a signed-in user's session: its secret is the cookie's value,
// stored only as a hash.
type Session struct {
	User      User
	CreatedAt time.Time
	ExpiresAt time.Time
}

// AdminService is who may use the platform, as administrators manage it:
// users (the pages' accounts) and API tokens. Every method checks the
// principal (CanAdminister); the rules of a user's or a token's fields
// are the store's, named by field.
type AdminService interface {
	Users(ctx context.Context, p Principal) ([]*User, error)
	// CreateUser adds an account with its password.
	CreateUser(ctx context.Context, p Principal, u User, password string) (*User, error)
	// DisableUser ends an account's sign-ins and sessions; an
	// administrator cannot disable their own (ECONFLICT).
	DisableUser(ctx context.Context, p Principal, name string) (*User, error)
	Tokens(ctx context.Context, p Principal) ([]*Token, error)
	// CreateToken returns the new token's secret, shown this once.
	CreateToken(ctx context.Context, p Principal, t Token) (secret string, _ *Token, _ error)
	RevokeToken(ctx context.Context, p Principal, id string) (*Token, error)
}

// SessionService signs users in and out and finds the user of a session.
type SessionService interface {
	// Login checks name and password and starts a session, returning its
	// secret. client names where the attempt comes from (an IP address):
	// failures are counted per name and per client, and an attempt during
	// a delay or a lock is ERATELIMITED without being checked. A wrong name
	// and a wrong password are the same EUNAUTHORIZED.
	Login(ctx context.Context, name, password, client string) (secret string, _ *Session, _ error)
	// Session returns the live session of a secret, or EUNAUTHORIZED when
	// it is unknown, expired, ended or its user disabled.
	Session(ctx context.Context, secret string) (*Session, error)
	// Logout ends the session of secret; ending an unknown or ended one
	// is no error.
	Logout(ctx context.Context, secret string) error
}
