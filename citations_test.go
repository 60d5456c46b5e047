package cuakhau_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// citation matches references to documents a reader of the repository does
// not have: the team's design notes and their numbered principles, issue
// numbers. What the code relies on from them is in docs/principles.md and
// docs/sources.md. The names are split so that this file does not match.
var citation = regexp.MustCompile(`(?i)` + `DESIGN` + `\.md|STYLE` + `\.md|shared/` + `reference|lang-son` + `\.md|toolchain` + `\.md|\bprinciple` + ` [0-9]|\bissue` + ` #?[0-9]`)

// TestNoOutsideCitations checks every text file of the repository for
// citations of documents outside it.
func TestNoOutsideCitations(t *testing.T) {
	skip := map[string]bool{".git": true, "out": true, "data": true, "bin": true, ".cache": true}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != "." && skip[d.Name()] {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.IndexByte(b, 0) >= 0 {
			return nil // a binary, such as a built cuakhau
		}
		for _, loc := range citation.FindAllIndex(b, -1) {
			line := bytes.Count(b[:loc[0]], []byte("\n")) + 1
			t.Errorf("%s:%d: cites %q, outside the repository: say it in docs/ instead", path, line, b[loc[0]:loc[1]])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
