package pgtest

import (
	"errors"
	"strings"
	"testing"

	"github.com/cuakhau/cuakhau/internal/pgcluster"
)

// TestMissingServer checks that a machine without PostgreSQL fails the tests
// with a message that says what to do.
func TestMissingServer(t *testing.T) {
	err := remedy(pgcluster.ErrNotInstalled)
	if !errors.Is(err, pgcluster.ErrNotInstalled) || !strings.Contains(err.Error(), "scripts/test.sh") || !strings.Contains(err.Error(), EnvVar) {
		t.Errorf("remedy(ErrNotInstalled) = %v; want it wrapped, naming scripts/test.sh and %s", err, EnvVar)
	}
}
