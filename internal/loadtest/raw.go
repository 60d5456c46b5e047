package loadtest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// RawRate inserts rows event-sized rows (~200 bytes) straight into a fresh
// table, batch rows per transaction, with one connection, and returns rows
// per second: the engine's own write rate, the yardstick for the API's.
// placeholder is "?" for SQLite and "$" for PostgreSQL.
func RawRate(ctx context.Context, db *sql.DB, placeholder string, rows, batch int) (float64, error) {
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS raw_bench`); err != nil {
		return 0, err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE raw_bench (gate TEXT NOT NULL, seq BIGINT NOT NULL,
		trip_id TEXT NOT NULL, payload TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (gate, seq))`); err != nil {
		return 0, err
	}
	q := `INSERT INTO raw_bench (gate, seq, trip_id, payload, hash) VALUES (?, ?, ?, ?, ?)`
	if placeholder == "$" {
		q = `INSERT INTO raw_bench (gate, seq, trip_id, payload, hash) VALUES ($1, $2, $3, $4, $5)`
	}
	payload := strings.Repeat("x", 60)
	hash := strings.Repeat("ab", 32)
	start := time.Now()
	for i := 0; i < rows; i += batch {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		for j := i; j < i+batch && j < rows; j++ {
			if _, err := tx.ExecContext(ctx, q, "huu-nghi", j+1, fmt.Sprintf("trip-%08d-0000-4000-8000-000000000000", j), payload, hash); err != nil {
				tx.Rollback()
				return 0, err
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	rate := float64(rows) / time.Since(start).Seconds()
	_, err := db.ExecContext(ctx, `DROP TABLE raw_bench`)
	return rate, err
}
