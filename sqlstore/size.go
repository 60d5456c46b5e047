package sqlstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/cuakhau/cuakhau"
)

// TableSize is the space one table takes on disk with its indexes (and,
// on PostgreSQL, its TOAST), in bytes.
type TableSize struct {
	Table string
	Bytes int64
}

// Storage is what the store holds and the space it takes.
type Storage struct {
	// Trips are every trip stored, Crossed those that crossed.
	Trips, Crossed int64
	Tables         []TableSize
}

// Bytes is the space of every table.
func (s Storage) Bytes() int64 {
	var n int64
	for _, t := range s.Tables {
		n += t.Bytes
	}
	return n
}

// Of is the space of the named table (0 when there is none).
func (s Storage) Of(table string) int64 {
	for _, t := range s.Tables {
		if t.Table == table {
			return t.Bytes
		}
	}
	return 0
}

// Storage counts the trips and measures the tables (TableSizes).
func (db *DB) Storage(ctx context.Context) (Storage, error) {
	var s Storage
	if err := db.read.QueryRowContext(ctx, db.q(`SELECT count(*), count(*) FILTER (WHERE status = ?) FROM trips`), string(cuakhau.StatusCrossed)).Scan(&s.Trips, &s.Crossed); err != nil {
		return s, fmt.Errorf("storage: %w", err)
	}
	var err error
	s.Tables, err = db.TableSizes(ctx)
	return s, err
}

// TableSizes is the space each of the store's tables takes, largest first:
// on SQLite the pages of the table and its indexes (the dbstat table, free
// space inside the pages included); on PostgreSQL pg_total_relation_size.
// What the database file holds beyond them is free pages and, on
// PostgreSQL, the catalogue.
func (db *DB) TableSizes(ctx context.Context) ([]TableSize, error) {
	query := `SELECT m.tbl_name, sum(s.pgsize) FROM dbstat s JOIN sqlite_master m ON m.name = s.name
		GROUP BY m.tbl_name`
	if db.dialect == dialectPostgres {
		query = `SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relkind = 'r' AND n.nspname = current_schema()`
	}
	rows, err := db.read.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("table sizes: %w", err)
	}
	defer rows.Close()
	var sizes []TableSize
	for rows.Next() {
		var s TableSize
		if err := rows.Scan(&s.Table, &s.Bytes); err != nil {
			return nil, fmt.Errorf("table sizes: %w", err)
		}
		sizes = append(sizes, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("table sizes: %w", err)
	}
	slices.SortFunc(sizes, func(a, b TableSize) int {
		if a.Bytes != b.Bytes {
			return int(b.Bytes - a.Bytes)
		}
		return 0
	})
	return sizes, nil
}
