package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cuakhau/cuakhau"
)

// maxKeyLen bounds what a client may make the store keep per request.
const maxKeyLen = 200

// writeIdempotent runs fn through the writer as one request. When ctx carries
// an idempotency key (cuakhau.WithIdempotency), the key is looked up inside
// the same write — so it is serialised with every other write, and two
// retries racing each other cannot both run:
//
//   - key seen with the same request hash: nothing fn changes is kept (it
//     runs first, then its changes are rolled back); the stored
//     response is decoded and returned, exactly the first answer;
//   - key seen with another request hash: ECONFLICT;
//   - key unseen: fn runs and, if it succeeds, its result is stored as JSON
//     in the same transaction, so the answer and the change commit together.
//     A failed fn stores nothing: the client may retry the same key.
//
// Keys belong to the principal's token: two clients cannot collide.
func writeIdempotent[T any](ctx context.Context, db *DB, p cuakhau.Principal, fn func(ctx context.Context, tx *wtx) (T, error)) (T, error) {
	v, _, err := writeIdempotentJSON(ctx, db, p, func(ctx context.Context, tx *wtx) (T, []byte, error) {
		v, err := fn(ctx, tx)
		return v, nil, err
	})
	return v, err
}

// writeIdempotentJSON is writeIdempotent for an fn that can return its
// result's JSON encoding (exactly json.Marshal of the result) built mostly
// from parts encoded before the write, so that the writer — the one
// goroutine every write waits for — does not encode it whole. A nil
// encoding means: marshal the result. It also returns the answer's
// encoding — fn's, or the stored one for a key seen before — when there is
// one (nil if fn gave none and no key was sent), so that the API can send
// it without encoding the result again.
func writeIdempotentJSON[T any](ctx context.Context, db *DB, p cuakhau.Principal, fn func(ctx context.Context, tx *wtx) (T, []byte, error)) (T, []byte, error) {
	key, keyed := cuakhau.IdempotencyFrom(ctx)
	if keyed && (len(key.Key) > maxKeyLen || !utf8.ValidString(key.Key) || strings.ContainsRune(key.Key, 0)) {
		var zero T
		return zero, nil, cuakhau.Invalid("idempotency_key", fmt.Sprintf("must be text of at most %d bytes", maxKeyLen))
	}
	owner := idempotencyOwner(p)
	var out T
	var outJSON []byte
	// lookup answers from the key's stored response; errKeyUnseen if none.
	lookup := func(ctx context.Context, tx *wtx) error {
		var hash, resp string
		err := tx.queryRow(ctx, `SELECT request_hash, response FROM idempotency WHERE token_id = ? AND key = ?`,
			owner, key.Key).Scan(&hash, &resp)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return errKeyUnseen
		case err != nil:
			return fmt.Errorf("look up idempotency key: %w", err)
		case hash != key.RequestHash:
			return cuakhau.Errorf(cuakhau.ECONFLICT, "idempotency key %q was used with a different request", key.Key)
		}
		var v T
		if err := json.Unmarshal([]byte(resp), &v); err != nil {
			return fmt.Errorf("decode stored response of idempotency key %q: %w", key.Key, err)
		}
		out, outJSON = v, []byte(resp)
		return nil
	}
	err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
		// A key is almost always new: rather than look it up first, fn
		// runs and its answer is inserted unless the key is taken. If it
		// is — or if fn fails, and the key may hold an answer — the
		// writer rolls fn's changes back and the stored answer is looked
		// up, which is what a lookup first would have answered.
		v, resp, err := fn(ctx, tx)
		if also, ok := ctx.Value(alsoKey{}).(writeFunc); ok && err == nil {
			err = also(ctx, tx)
		}
		if err != nil {
			if !keyed || db.dialect.retryable(err) {
				return err
			}
			fnErr := err
			return &redoError{then: func(ctx context.Context, tx *wtx) error {
				if err := lookup(ctx, tx); err != errKeyUnseen {
					return err
				}
				return fnErr // a failed fn stores nothing
			}}
		}
		if keyed {
			if resp == nil {
				if resp, err = json.Marshal(v); err != nil {
					return fmt.Errorf("encode response for idempotency key: %w", err)
				}
			}
			res, err := tx.exec(ctx, `INSERT INTO idempotency (token_id, key, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (token_id, key) DO NOTHING`,
				owner, key.Key, key.RequestHash, string(resp), formatTime(db.now()))
			if err != nil {
				return fmt.Errorf("store idempotency key: %w", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("store idempotency key: %w", err)
			}
			if n == 0 {
				return &redoError{then: func(ctx context.Context, tx *wtx) error {
					if err := lookup(ctx, tx); err != errKeyUnseen {
						return err
					}
					return fmt.Errorf("idempotency key %q is taken but has no row", key.Key)
				}}
			}
		}
		out, outJSON = v, resp
		return nil
	})
	if err != nil {
		var zero T
		return zero, nil, err
	}
	return out, outJSON, nil
}

// errKeyUnseen is lookup's answer for a key with no stored response.
var errKeyUnseen = errors.New("idempotency key unseen")

// idempotencyOwner scopes keys: by token, or by role for principals that
// carry no token (the CLI).
func idempotencyOwner(p cuakhau.Principal) string {
	if p.TokenID != "" {
		return p.TokenID
	}
	return "role:" + string(p.Role)
}

// PruneIdempotency deletes idempotency keys older than age and returns how
// many it deleted. Clients retry within minutes; keeping keys for a day or
// more costs little. The server runs it now and then.
func (db *DB) PruneIdempotency(ctx context.Context, age time.Duration) (int64, error) {
	var n int64
	err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.exec(ctx, `DELETE FROM idempotency WHERE created_at < ?`, formatTime(db.now().Add(-age)))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune idempotency keys: %w", err)
	}
	return n, nil
}

type alsoKey struct{}

// withAlso returns a context whose idempotent write (writeIdempotentJSON)
// also runs fn in its transaction, after its own work and under its
// savepoint: fn's failure rolls the write back. A device reading uses it to
// record its signature and its device's last sighting with the reading's
// effect, so that the effect and the replay protection commit together.
func withAlso(ctx context.Context, fn writeFunc) context.Context {
	return context.WithValue(ctx, alsoKey{}, fn)
}
