package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cliIn runs cuakhau with input on standard input and returns its output
// and error.
func cliIn(t *testing.T, input string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestUserAddReadsPasswordFromStdin(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "u.db")
	cli(t, "migrate", "--db", dsn)

	out, err := cliIn(t, "mật khẩu đủ dài\n", "user", "add", "--name", "hq.huunghi", "--role", "customs", "--gate", "huu-nghi", "--db", dsn)
	if err != nil || !strings.Contains(out, "added user hq.huunghi (customs, gate huu-nghi)") {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	if strings.Contains(out, "mật khẩu") {
		t.Error("the password is echoed")
	}
	for _, c := range []struct {
		input string
		args  []string
		want  string
	}{
		{"", []string{"--name", "a", "--role", "admin"}, "no password on standard input"},
		{"\n", []string{"--name", "a", "--role", "admin"}, "no password on standard input"},
		{"short\n", []string{"--name", "a", "--role", "admin"}, "password: too short: at least 10 characters, got 5"},
		{"long enough password\n", []string{"--name", "b", "--role", "enterprise"}, "tax_code: required for an enterprise user"},
		{"long enough password\n", []string{"--name", "hq.huunghi", "--role", "admin"}, "exists"},
	} {
		out, err := cliIn(t, c.input, append([]string{"user", "add", "--db", dsn}, c.args...)...)
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("user add %v with %q on stdin: err %v, output %q; want a refusal saying %q", c.args, c.input, err, out, c.want)
		}
	}

	list := cli(t, "user", "list", "--db", dsn)
	lines := strings.Split(list, "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "hq.huunghi") || !strings.Contains(lines[1], "customs") {
		t.Errorf("user list:\n%s\nwant the header and hq.huunghi alone (refused users are not written)", list)
	}

	if out, err := cliIn(t, "a new long password\r\n", "user", "passwd", "--db", dsn, "hq.huunghi"); err != nil || !strings.Contains(out, "changed the password") {
		t.Errorf("user passwd: %v\n%s", err, out)
	}
	if out, err := cliIn(t, "", "user", "passwd", "--db", dsn, "hq.huunghi"); err == nil || !strings.Contains(out, "no password") {
		t.Errorf("user passwd without a password: %v\n%s", err, out)
	}
	if out := cli(t, "user", "unlock", "--db", dsn, "hq.huunghi"); !strings.Contains(out, "unlocked hq.huunghi") {
		t.Errorf("user unlock: %s", out)
	}
	if out := cli(t, "user", "disable", "--db", dsn, "hq.huunghi"); !strings.Contains(out, "disabled user hq.huunghi") {
		t.Errorf("user disable: %s", out)
	}
	if f := strings.Fields(strings.Split(cli(t, "user", "list", "--db", dsn), "\n")[1]); len(f) != 7 || f[5] == "-" {
		t.Errorf("a disabled user listed as %q", f)
	}
	if out, err := cliIn(t, "", "user", "disable", "--db", dsn, "nobody"); err == nil || !strings.Contains(out, `no user named "nobody"`) {
		t.Errorf("user disable nobody: %v\n%s", err, out)
	}
}
