package pgtest

import (
	"strings"
	"testing"
)

// TestMissingServer checks that a machine without PostgreSQL fails with a
// message that says what to do.
func TestMissingServer(t *testing.T) {
	saved := serverDirs
	t.Cleanup(func() { serverDirs = saved })
	serverDirs = t.TempDir() + "/*/bin"
	t.Setenv("PATH", t.TempDir())
	_, err := findBinaries()
	if err == nil || !strings.Contains(err.Error(), "scripts/test.sh") || !strings.Contains(err.Error(), EnvVar) {
		t.Errorf("findBinaries without a server: %v; want a message naming scripts/test.sh and %s", err, EnvVar)
	}
}

// TestNewestVersion checks that the newest major version is chosen, by
// number rather than by text (10 after 9).
func TestNewestVersion(t *testing.T) {
	got := []float64{version("/usr/lib/postgresql/9/bin"), version("/usr/lib/postgresql/15/bin")}
	if got[0] != 9 || got[1] != 15 {
		t.Errorf("versions %v, want [9 15]", got)
	}
}
