package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/cuakhau/cuakhau"
)

// sessionPrefix marks session secrets, as secretPrefix marks tokens.
const sessionPrefix = "cks_"

// DefaultSessionTTL is how long a session lasts after login: a working day
// and some.
const DefaultSessionTTL = 12 * time.Hour

// accountConfig is the login policy and the sessions' lifetime
// (SetLoginPolicy, SetSessionTTL).
type accountConfig struct {
	policy atomic.Pointer[cuakhau.LoginPolicy]
	ttl    atomic.Int64
}

// SetLoginPolicy sets how failed logins are slowed and locked; an invalid
// policy is an error and changes nothing.
func (db *DB) SetLoginPolicy(p cuakhau.LoginPolicy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	db.accounts.policy.Store(&p)
	return nil
}

func (db *DB) loginPolicy() cuakhau.LoginPolicy {
	if p := db.accounts.policy.Load(); p != nil {
		return *p
	}
	return cuakhau.DefaultLoginPolicy()
}

// SetSessionTTL sets how long new sessions last (DefaultSessionTTL when not
// positive).
func (db *DB) SetSessionTTL(d time.Duration) { db.accounts.ttl.Store(int64(d)) }

func (db *DB) sessionTTL() time.Duration {
	if d := time.Duration(db.accounts.ttl.Load()); d > 0 {
		return d
	}
	return DefaultSessionTTL
}

// checkUserName returns name trimmed and lower-cased, or adds the rule it
// breaks: 1 to 64 of a-z, 0-9, '.', '_', '-' and '@', starting with a letter
// or digit. Names are typed at a login form; nothing else is allowed so that
// two names never look alike.
func checkUserName(bad cuakhau.FieldErrors, name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	ok := name != "" && len(name) <= 64
	for i, c := range name {
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || !strings.ContainsRune("._-@", c)) {
			ok = false
		}
	}
	if !ok {
		bad.Add("name", "1 to 64 of a-z, 0-9, '.', '_', '-', '@', starting with a letter or digit")
	}
	return name
}

// checkPasswordRule adds the rule password breaks, if any.
func checkPasswordRule(bad cuakhau.FieldErrors, password string) {
	switch n := utf8.RuneCountInString(password); {
	case password == "":
		bad.Add("password", "required")
	case !utf8.ValidString(password):
		bad.Add("password", "must be valid UTF-8 text")
	case n < cuakhau.MinPasswordLength:
		bad.Add("password", fmt.Sprintf("too short: at least %d characters, got %d", cuakhau.MinPasswordLength, n))
	case len(password) > cuakhau.MaxPasswordLength:
		bad.Add("password", fmt.Sprintf("too long: at most %d bytes", cuakhau.MaxPasswordLength))
	}
}

// CreateUser stores a new user with password, of which only an argon2id
// hash is kept. Its bounds obey the rules of a token's (checkBounds); the
// name must be new.
func (db *DB) CreateUser(ctx context.Context, u cuakhau.User, password string) (_ *cuakhau.User, err error) {
	defer markFault(&err)
	bad := cuakhau.FieldErrors{}
	u.Name = checkUserName(bad, u.Name)
	if u.TaxCode, err = db.checkBounds(ctx, bad, "user", u.Role, u.TaxCode, u.Gate); err != nil {
		return nil, err
	}
	checkPasswordRule(bad, password)
	if err := bad.Err(); err != nil {
		return nil, err
	}
	hash := hashPassword(password)
	u.CreatedAt, u.DisabledAt, u.LockedUntil = db.now(), nil, nil
	err = db.update(ctx, func(ctx context.Context, tx *wtx) error {
		var one int
		err := tx.queryRow(ctx, `SELECT 1 FROM users WHERE name = ?`, u.Name).Scan(&one)
		if err == nil {
			return cuakhau.Errorf(cuakhau.ECONFLICT, "a user named %q exists", u.Name)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO users (name, role, tax_code, gate, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			u.Name, string(u.Role), u.TaxCode, u.Gate, hash, formatTime(u.CreatedAt))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	return &u, nil
}

const userColumns = `name, role, tax_code, gate, created_at, disabled_at`

func scanUser(sc scanner, extra ...any) (*cuakhau.User, error) {
	var u cuakhau.User
	var role, created string
	var disabled sql.NullString
	if err := sc.Scan(append([]any{&u.Name, &role, &u.TaxCode, &u.Gate, &created, &disabled}, extra...)...); err != nil {
		return nil, err
	}
	u.Role = cuakhau.Role(role)
	var err error
	if u.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if disabled.Valid {
		at, err := parseTime(disabled.String)
		if err != nil {
			return nil, err
		}
		u.DisabledAt = &at
	}
	return &u, nil
}

// Users lists every user, disabled ones too, by name, with the end of a
// lock where one holds.
func (db *DB) Users(ctx context.Context) (_ []*cuakhau.User, err error) {
	defer markFault(&err)
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+`, f.failures, f.last_at FROM users LEFT JOIN login_failures f ON f.key = 'name:' || users.name ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []*cuakhau.User
	policy, now := db.loginPolicy(), db.now()
	for rows.Next() {
		var failures sql.NullInt64
		var last sql.NullString
		u, err := scanUser(rows, &failures, &last)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		if failures.Valid && int(failures.Int64) >= policy.LockAfter {
			if at, err := parseTime(last.String); err == nil {
				if until := policy.NextAttempt(int(failures.Int64), at, now); until.After(now) {
					u.LockedUntil = &until
				}
			}
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// DisableUser stops the user from signing in and ends their sessions at
// once. Disabling again changes nothing.
func (db *DB) DisableUser(ctx context.Context, name string) (*cuakhau.User, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	now := formatTime(db.now())
	var u *cuakhau.User
	err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
		var err error
		u, err = scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE name = ?`, name))
		if errors.Is(err, sql.ErrNoRows) {
			return cuakhau.Errorf(cuakhau.ENOTFOUND, "no user named %q", name)
		} else if err != nil {
			return err
		}
		if u.DisabledAt == nil {
			if _, err := tx.exec(ctx, `UPDATE users SET disabled_at = ? WHERE name = ?`, now, name); err != nil {
				return err
			}
			at, _ := parseTime(now)
			u.DisabledAt = &at
		}
		_, err = tx.exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE user_name = ? AND revoked_at IS NULL`, now, name)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("disable user: %w", err)
	}
	return u, nil
}

// SetPassword replaces the user's password and ends their sessions, so that
// whoever knew the old one is signed out.
func (db *DB) SetPassword(ctx context.Context, name, password string) error {
	name = strings.ToLower(strings.TrimSpace(name))
	bad := cuakhau.FieldErrors{}
	checkPasswordRule(bad, password)
	if err := bad.Err(); err != nil {
		return err
	}
	hash := hashPassword(password)
	now := formatTime(db.now())
	err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.exec(ctx, `UPDATE users SET password_hash = ? WHERE name = ?`, hash, name)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return cuakhau.Errorf(cuakhau.ENOTFOUND, "no user named %q", name)
		}
		_, err = tx.exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE user_name = ? AND revoked_at IS NULL`, now, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// UnlockUser forgets the failed logins of the name, ending a lock or delay.
func (db *DB) UnlockUser(ctx context.Context, name string) error {
	name = strings.ToLower(strings.TrimSpace(name))
	err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
		var one int
		if err := tx.queryRow(ctx, `SELECT 1 FROM users WHERE name = ?`, name).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return cuakhau.Errorf(cuakhau.ENOTFOUND, "no user named %q", name)
		} else if err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM login_failures WHERE key = ?`, "name:"+name)
		return err
	})
	if err != nil {
		return fmt.Errorf("unlock user: %w", err)
	}
	return nil
}

var errBadLogin = cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "wrong user name or password")

// Login checks name and password and starts a session (see
// cuakhau.SessionService).
func (db *DB) Login(ctx context.Context, name, password, client string) (_ string, _ *cuakhau.Session, err error) {
	defer markFault(&err)
	name = strings.ToLower(strings.TrimSpace(name))
	if len(name) > 64 || len(password) > cuakhau.MaxPasswordLength || len(client) > 200 {
		return "", nil, errBadLogin
	}
	policy, now := db.loginPolicy(), db.now()
	keys := []string{"name:" + name, "client:" + client}
	var next time.Time
	for _, k := range keys {
		var failures int
		var last string
		err := db.read.QueryRowContext(ctx, db.q(`SELECT failures, last_at FROM login_failures WHERE key = ?`), k).Scan(&failures, &last)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return "", nil, fmt.Errorf("login: %w", err)
		}
		at, err := parseTime(last)
		if err != nil {
			return "", nil, fmt.Errorf("login: %w", err)
		}
		if t := policy.NextAttempt(failures, at, now); t.After(next) {
			next = t
		}
	}
	if next.After(now) {
		secs := int((next.Sub(now) + time.Second - 1) / time.Second)
		return "", nil, cuakhau.Errorf(cuakhau.ERATELIMITED, "too many failed logins: try again in %d s", secs)
	}

	var hash string
	u, err := scanUser(db.read.QueryRowContext(ctx, db.q(`SELECT `+userColumns+`, password_hash FROM users WHERE name = ?`), name), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		u, hash = nil, dummyHash()
	} else if err != nil {
		return "", nil, fmt.Errorf("login: %w", err)
	}
	if !checkPassword(hash, password) || u == nil {
		err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
			for _, k := range keys {
				if _, err := tx.exec(ctx, `INSERT INTO login_failures (key, failures, last_at) VALUES (?, 1, ?)
					ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN login_failures.last_at < ? THEN 1 ELSE login_failures.failures + 1 END, last_at = excluded.last_at`,
					k, formatTime(now), formatTime(now.Add(-policy.Window))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return "", nil, fmt.Errorf("login: %w", err)
		}
		return "", nil, errBadLogin
	}
	if u.DisabledAt != nil {
		return "", nil, cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "this user is disabled")
	}

	var raw [32]byte
	rand.Read(raw[:])
	secret := sessionPrefix + secretEncoding.EncodeToString(raw[:])
	s := &cuakhau.Session{User: *u, CreatedAt: now, ExpiresAt: now.Add(db.sessionTTL())}
	err = db.update(ctx, func(ctx context.Context, tx *wtx) error {
		if _, err := tx.exec(ctx, `DELETE FROM login_failures WHERE key = ?`, keys[0]); err != nil {
			return err
		}
		// The user's long-expired sessions go; recent ones stay a while
		// for the record.
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_name = ? AND expires_at < ?`, name, formatTime(now.Add(-7*24*time.Hour))); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO sessions (secret_hash, user_name, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			hashSecret(secret), name, formatTime(s.CreatedAt), formatTime(s.ExpiresAt))
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("login: %w", err)
	}
	return secret, s, nil
}

// Session returns the live session of secret (see cuakhau.SessionService).
func (db *DB) Session(ctx context.Context, secret string) (_ *cuakhau.Session, err error) {
	defer markFault(&err)
	unauthorized := cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "not signed in, or the session has ended")
	if !strings.HasPrefix(secret, sessionPrefix) || len(secret) > 200 {
		return nil, unauthorized
	}
	now := formatTime(db.now())
	var created, expires string
	u, err := scanUser(db.read.QueryRowContext(ctx, db.q(`SELECT u.name, u.role, u.tax_code, u.gate, u.created_at, u.disabled_at, s.created_at, s.expires_at
		FROM sessions s JOIN users u ON u.name = s.user_name
		WHERE s.secret_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.disabled_at IS NULL`), hashSecret(secret), now), &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, unauthorized
	} else if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	s := &cuakhau.Session{User: *u}
	if s.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if s.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, err
	}
	return s, nil
}

// Logout ends the session of secret (see cuakhau.SessionService).
func (db *DB) Logout(ctx context.Context, secret string) error {
	if !strings.HasPrefix(secret, sessionPrefix) || len(secret) > 200 {
		return nil
	}
	err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE secret_hash = ? AND revoked_at IS NULL`, formatTime(db.now()), hashSecret(secret))
		return err
	})
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

var _ cuakhau.SessionService = (*DB)(nil)
