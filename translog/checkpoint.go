package translog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is the body of a C2SP tlog-checkpoint: the log's origin, its
// size and the root hash of its tree at that size.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Body returns the checkpoint's note text: origin, size and base64 root
// hash, one a line.
func (c Checkpoint) Body() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// ParseCheckpoint parses a checkpoint's note text. Extension lines after
// the root hash are allowed by the format and ignored.
func ParseCheckpoint(text string) (Checkpoint, error) {
	var c Checkpoint
	if !strings.HasSuffix(text, "\n") {
		return c, errors.New("checkpoint: the text does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return c, fmt.Errorf("checkpoint: %d line(s), want origin, size and root hash", len(lines))
	}
	if lines[0] == "" {
		return c, errors.New("checkpoint: the origin line is empty")
	}
	c.Origin = lines[0]
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return c, fmt.Errorf("checkpoint: size %q is not a decimal number without sign or leading zeros", lines[1])
	}
	c.Size = n
	// Canonical base64 only: two texts must not carry the same root.
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize || base64.StdEncoding.EncodeToString(root) != lines[2] {
		return c, fmt.Errorf("checkpoint: root hash %q is not %d bytes in base64", lines[2], tlog.HashSize)
	}
	copy(c.Root[:], root)
	return c, nil
}

// OpenCheckpoint checks msg's signature by v and parses its checkpoint. A
// note signed by another key, or by none, is refused; so is a note that is
// not a checkpoint.
func OpenCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &unverified):
			return Checkpoint{}, fmt.Errorf("not signed by this log's key (%s): %w", v.Name(), err)
		case errors.As(err, &invalid):
			return Checkpoint{}, fmt.Errorf("the signature does not match the text (it was forged or the text changed): %w", err)
		case bytes.Count(msg, []byte("\n\n")) == 0:
			return Checkpoint{}, fmt.Errorf("not a signed note: it has no signature block (truncated?): %w", err)
		}
		return Checkpoint{}, fmt.Errorf("not a signed note: %w", err)
	}
	return ParseCheckpoint(n.Text)
}

// GenerateKey returns a new Ed25519 note signer key named name, the origin
// prefix of the log's checkpoints (a host name and path, such as
// cuakhau.example).
func GenerateKey(name string) (string, error) {
	skey, _, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", fmt.Errorf("log key: %w", err)
	}
	return skey, nil
}

// VerifierKey returns the public verifier key of the signer key skey.
func VerifierKey(skey string) (string, error) {
	// PRIVATE+KEY+<name>+<hash>+<base64(alg || seed)>, the note package's
	// encoding; it has no function of its own for this.
	const prefix = "PRIVATE+KEY+"
	rest, ok := strings.CutPrefix(skey, prefix)
	name, rest, ok2 := strings.Cut(rest, "+")
	_, key64, ok3 := strings.Cut(rest, "+") // the base64 may hold '+' too
	if !ok || !ok2 || !ok3 {
		return "", errors.New("log key: not a note signer key")
	}
	b, err := base64.StdEncoding.DecodeString(key64)
	if err != nil || len(b) != 1+ed25519.SeedSize || b[0] != 1 {
		return "", errors.New("log key: not an Ed25519 note signer key")
	}
	pub := ed25519.NewKeyFromSeed(b[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(name, pub)
}

// ReadKeyFile reads a signer key written by CreateKeyFile.
func ReadKeyFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read log key: %w", err)
	}
	skey := strings.TrimSpace(string(b))
	if _, err := note.NewSigner(skey); err != nil {
		return "", fmt.Errorf("log key %s: %w", path, err)
	}
	return skey, nil
}

// CreateKeyFile writes a new signer key named name to path, readable by
// its owner only, unless the file exists; it reports whether it made one.
// The key stays outside the database, so that whoever can change the
// database cannot sign for it.
func CreateKeyFile(path, name string) (bool, error) {
	if _, err := os.Stat(path); err == nil {
		_, err := ReadKeyFile(path)
		return false, err
	}
	skey, err := GenerateKey(name)
	if err != nil {
		return false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false, fmt.Errorf("create log key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return false, fmt.Errorf("write log key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return false, fmt.Errorf("write log key: %w", err)
	}
	return true, f.Close()
}
