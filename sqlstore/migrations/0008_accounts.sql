-- People who sign in to the pages. password_hash is an argon2id hash in the
-- PHC string form ($argon2id$v=19$m=...,t=...,p=...$salt$hash); the
-- password itself is never kept. disabled_at is set when the user may no
-- longer sign in.
CREATE TABLE users (
	name          TEXT PRIMARY KEY,
	role          TEXT NOT NULL,
	tax_code      TEXT NOT NULL DEFAULT '',
	gate          TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,
	created_at    TEXT NOT NULL,
	disabled_at   TEXT
);

-- A signed-in user's sessions: only the SHA-256 of the cookie's secret is
-- kept. A session ends at expires_at, or earlier at revoked_at (logout, the
-- user disabled, the password changed).
CREATE TABLE sessions (
	secret_hash TEXT PRIMARY KEY,
	user_name   TEXT NOT NULL REFERENCES users (name),
	created_at  TEXT NOT NULL,
	expires_at  TEXT NOT NULL,
	revoked_at  TEXT
);
CREATE INDEX sessions_user ON sessions (user_name);

-- Failed logins in a row, per key: "name:" and the user name tried, or
-- "client:" and the address the attempt came from. A success deletes the
-- name's row; an administrator's unlock too.
CREATE TABLE login_failures (
	key      TEXT PRIMARY KEY,
	failures INTEGER NOT NULL,
	last_at  TEXT NOT NULL
);
