package sqlstore

import "testing"

func TestRebind(t *testing.T) {
	tests := []struct{ in, sqlite, postgres string }{
		{"SELECT 1", "SELECT 1", "SELECT 1"},
		{"a = ? AND b = ?", "a = ? AND b = ?", "a = $1 AND b = $2"},
		{"note = 'why?' AND id = ?", "note = 'why?' AND id = ?", "note = 'why?' AND id = $1"},
		{`"odd?name" = ?`, `"odd?name" = ?`, `"odd?name" = $1`},
		{"x IN (?, ?, ?) LIMIT ?", "x IN (?, ?, ?) LIMIT ?", "x IN ($1, $2, $3) LIMIT $4"},
	}
	for _, tt := range tests {
		if got := dialectSQLite.rebind(tt.in); got != tt.sqlite {
			t.Errorf("sqlite rebind(%q) = %q, want %q", tt.in, got, tt.sqlite)
		}
		if got := dialectPostgres.rebind(tt.in); got != tt.postgres {
			t.Errorf("postgres rebind(%q) = %q, want %q", tt.in, got, tt.postgres)
		}
	}
}
