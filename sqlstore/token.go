package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/ident"
)

// secretPrefix marks cuakhau secrets, so that they are recognised in logs and
// by secret scanners.
const secretPrefix = "ck_"

// secretEncoding writes 32 random bytes as 52 lower-case letters and digits:
// no padding, nothing a shell or a URL would mangle.
var secretEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// tokenCache remembers the principals of secrets recently checked: every API
// request authenticates, and a token's record does not change but for its
// revocation. Entries expire, so that a token revoked by another process
// (the CLI, another node) stops working within tokenCacheTTL; one revoked
// through this store stops at once.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedToken // by secret hash
	// revocations counts RevokeToken calls: a principal read before one
	// is not cached after it.
	revocations uint64
}

type cachedToken struct {
	p       cuakhau.Principal
	expires time.Time
}

const (
	tokenCacheTTL = time.Minute
	tokenCacheMax = 10000 // a bound on memory; the cache is emptied when full
)

// CreateToken stores a new token and returns its secret, which is not kept:
// only its SHA-256 is. Role must be known; an enterprise token needs a valid
// tax code and no other role may have one; only officers are bound to a gate.
func (db *DB) CreateToken(ctx context.Context, t cuakhau.Token) (string, *cuakhau.Token, error) {
	bad := cuakhau.FieldErrors{}
	t.Name = strings.TrimSpace(t.Name)
	switch {
	case t.Name == "":
		bad.Add("name", "required")
	case !utf8.ValidString(t.Name) || utf8.RuneCountInString(t.Name) > 200:
		bad.Add("name", "must be valid text of at most 200 characters")
	}
	var err error
	if t.TaxCode, err = db.checkBounds(ctx, bad, "token", t.Role, t.TaxCode, t.Gate); err != nil {
		return "", nil, err
	}
	if err := bad.Err(); err != nil {
		return "", nil, err
	}

	var raw [32]byte
	rand.Read(raw[:]) // never fails (crypto/rand panics rather than return weak bytes)
	secret := secretPrefix + secretEncoding.EncodeToString(raw[:])
	var id [6]byte
	rand.Read(id[:])
	t.ID = hex.EncodeToString(id[:])
	t.CreatedAt = db.now()

	err = db.update(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.exec(ctx, `INSERT INTO tokens (id, secret_hash, name, role, tax_code, gate, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.ID, hashSecret(secret), t.Name, string(t.Role), t.TaxCode, t.Gate, formatTime(t.CreatedAt))
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("create token: %w", err)
	}
	return secret, &t, nil
}

// checkBounds adds to bad what is wrong with the bounds of a token or a
// user (what says which): the role must be known; an enterprise needs a
// valid tax code and no other role may have one; only officers are bound to
// a gate, and it must be a known one. It returns the tax code in its
// canonical form.
func (db *DB) checkBounds(ctx context.Context, bad cuakhau.FieldErrors, what string, role cuakhau.Role, taxCode, gate string) (string, error) {
	if !role.Valid() {
		bad.Add("role", fmt.Sprintf("unknown role %q", role))
	}
	switch {
	case role == cuakhau.RoleEnterprise && taxCode == "":
		bad.Add("tax_code", "required for an enterprise "+what)
	case role == cuakhau.RoleEnterprise:
		tc, err := ident.ParseTaxCode(taxCode)
		if err != nil {
			bad.Add("tax_code", err.Error())
		}
		taxCode = tc
	case taxCode != "":
		bad.Add("tax_code", "only enterprise "+what+"s have a tax code")
	}
	if gate != "" {
		if !role.Officer() {
			bad.Add("gate", "only officer "+what+"s are bound to a gate")
		} else if _, ok, err := db.cachedGate(ctx, gate); err != nil {
			return "", err
		} else if !ok {
			bad.Add("gate", fmt.Sprintf("unknown gate %q", gate))
		}
	}
	return taxCode, nil
}

func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Authenticate returns the principal of a secret, or EUNAUTHORIZED.
func (db *DB) Authenticate(ctx context.Context, secret string) (_ cuakhau.Principal, err error) {
	defer markFault(&err)
	unauthorized := cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "invalid token")
	if !strings.HasPrefix(secret, secretPrefix) || len(secret) > 200 {
		return cuakhau.Principal{}, unauthorized
	}
	h := hashSecret(secret)
	now := time.Now() // cache expiry is about wall time, not the domain clock
	db.tokens.mu.Lock()
	c, ok := db.tokens.m[h]
	revocations := db.tokens.revocations
	db.tokens.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.p, nil
	}

	var p cuakhau.Principal
	var role string
	err = db.read.QueryRowContext(ctx, db.q(`SELECT id, name, role, tax_code, gate FROM tokens WHERE secret_hash = ? AND revoked_at IS NULL`), h).
		Scan(&p.TokenID, &p.Name, &role, &p.TaxCode, &p.Gate)
	if errors.Is(err, sql.ErrNoRows) {
		return cuakhau.Principal{}, unauthorized
	} else if err != nil {
		return cuakhau.Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	p.Role = cuakhau.Role(role)

	db.tokens.mu.Lock()
	if db.tokens.m == nil || len(db.tokens.m) >= tokenCacheMax {
		db.tokens.m = map[string]cachedToken{}
	}
	if db.tokens.revocations == revocations {
		db.tokens.m[h] = cachedToken{p: p, expires: now.Add(tokenCacheTTL)}
	}
	db.tokens.mu.Unlock()
	return p, nil
}

const tokenColumns = `id, name, role, tax_code, gate, created_at, revoked_at`

func scanToken(sc scanner) (*cuakhau.Token, error) {
	var t cuakhau.Token
	var role, created string
	var revoked sql.NullString
	if err := sc.Scan(&t.ID, &t.Name, &role, &t.TaxCode, &t.Gate, &created, &revoked); err != nil {
		return nil, err
	}
	t.Role = cuakhau.Role(role)
	var err error
	if t.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if revoked.Valid {
		at, err := parseTime(revoked.String)
		if err != nil {
			return nil, err
		}
		t.RevokedAt = &at
	}
	return &t, nil
}

// Tokens lists every token, revoked ones included, oldest first. Secrets
// are not kept, so none is shown.
func (db *DB) Tokens(ctx context.Context) (_ []*cuakhau.Token, err error) {
	defer markFault(&err)
	rows, err := db.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []*cuakhau.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken stops the token with id from authenticating, at once in this
// process and within tokenCacheTTL in others. The token's record stays: the
// log names it as the actor of what it did. Revoking it again changes
// nothing.
func (db *DB) RevokeToken(ctx context.Context, id string) (*cuakhau.Token, error) {
	var t *cuakhau.Token
	now := db.now()
	err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
		if _, err := tx.exec(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, formatTime(now), id); err != nil {
			return err
		}
		var err error
		t, err = scanToken(tx.queryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return cuakhau.Errorf(cuakhau.ENOTFOUND, "no token with id %q", id)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("revoke token: %w", err)
	}
	// Forget every cached principal of this token, and do not cache those
	// read meanwhile.
	db.tokens.mu.Lock()
	db.tokens.revocations++
	for h, c := range db.tokens.m {
		if c.p.TokenID == id {
			delete(db.tokens.m, h)
		}
	}
	db.tokens.mu.Unlock()
	return t, nil
}
