package pgcluster

import (
	"errors"
	"testing"
)

// TestMissingServer checks that a machine without PostgreSQL fails with the
// error that callers recognise to say what to install.
func TestMissingServer(t *testing.T) {
	saved := serverDirs
	t.Cleanup(func() { serverDirs = saved })
	serverDirs = t.TempDir() + "/*/bin"
	t.Setenv("PATH", t.TempDir())
	if _, err := findBinaries(); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("findBinaries without a server: %v; want ErrNotInstalled", err)
	}
	if _, err := Start(); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("Start without a server: %v; want ErrNotInstalled", err)
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
