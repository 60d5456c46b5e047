package translog_test

import (
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/cuakhau/cuakhau/translog"
)

func TestParseCheckpoint(t *testing.T) {
	root := "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
	good := "cuakhau.example/huu-nghi\n12\n" + root + "\n"
	c, err := translog.ParseCheckpoint(good)
	if err != nil || c.Origin != "cuakhau.example/huu-nghi" || c.Size != 12 || c.Body() != good {
		t.Fatalf("ParseCheckpoint(%q) = %+v, %v", good, c, err)
	}
	if _, err := translog.ParseCheckpoint(good + "extension line\n"); err != nil {
		t.Errorf("an extension line is allowed: %v", err)
	}
	for _, tt := range []struct{ text, want string }{
		{"cuakhau.example/huu-nghi\n12\n" + root, "does not end with a newline"},
		{"cuakhau.example/huu-nghi\n12\n", "want origin, size and root hash"},
		{"\n12\n" + root + "\n", "origin line is empty"},
		{"o\n-1\n" + root + "\n", "size"},
		{"o\n012\n" + root + "\n", "size"},
		{"o\n+12\n" + root + "\n", "size"},
		{"o\n99999999999999999999\n" + root + "\n", "size"},
		{"o\n12\nnot base64\n", "root hash"},
		{"o\n12\nAAAA\n", "root hash"},
		{"o\n12\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n", "root hash"}, // not canonical base64
	} {
		if _, err := translog.ParseCheckpoint(tt.text); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseCheckpoint(%q) = %v, want an error about %q", tt.text, err, tt.want)
		}
	}
}

func TestKeys(t *testing.T) {
	skey, err := translog.GenerateKey("cuakhau.example")
	if err != nil {
		t.Fatal(err)
	}
	vkey, err := translog.VerifierKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	c := translog.Checkpoint{Origin: "cuakhau.example/chi-ma", Size: 3, Root: tlog.RecordHash([]byte("x"))}
	msg, err := note.Sign(&note.Note{Text: c.Body()}, s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := translog.OpenCheckpoint(msg, v)
	if err != nil || got != c {
		t.Errorf("OpenCheckpoint = %+v, %v; want %+v", got, err, c)
	}
	if _, err := translog.VerifierKey("PRIVATE+KEY+x+00000000+AAAA"); err == nil {
		t.Error("VerifierKey of a malformed key succeeded")
	}
}

// FuzzParseCheckpoint: whatever the text, ParseCheckpoint does not panic,
// and what it accepts formats back to a prefix of the text it was given.
func FuzzParseCheckpoint(f *testing.F) {
	f.Add("cuakhau.example/huu-nghi\n12\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
	f.Add("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next\n")
	f.Add("\n\n\n")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := translog.ParseCheckpoint(text)
		if err != nil {
			return
		}
		if !strings.HasPrefix(text, c.Body()) {
			t.Errorf("ParseCheckpoint(%q) = %+v, which formats as %q", text, c, c.Body())
		}
	})
}

// FuzzOpenCheckpoint: no note, however malformed, is accepted without the
// log's signature.
func FuzzOpenCheckpoint(f *testing.F) {
	skey, _ := translog.GenerateKey("cuakhau.example")
	vkey, _ := translog.VerifierKey(skey)
	v, _ := note.NewVerifier(vkey)
	other, _ := translog.GenerateKey("cuakhau.example")
	s, _ := note.NewSigner(other)
	forged, _ := note.Sign(&note.Note{Text: "cuakhau.example/huu-nghi\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"}, s)
	f.Add(forged)
	f.Add([]byte("cuakhau.example/huu-nghi\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		if c, err := translog.OpenCheckpoint(msg, v); err == nil {
			t.Errorf("OpenCheckpoint accepted %q as %+v without the log's key", msg, c)
		}
	})
}
