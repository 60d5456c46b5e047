// Package pgcluster starts a private PostgreSQL cluster with the server's own
// initdb and pg_ctl, for the tests (through internal/pgtest) and for
// `cuakhau bench`, which compares the API with the raw engine on the same
// machine and needs a server nobody else is using.
//
// The binaries come from /usr/lib/postgresql/*/bin (the newest) or PATH. The
// cluster lives in a directory under os.TempDir() and listens on 127.0.0.1
// at a free port; when the process runs as root the server runs as the
// postgres OS user, since PostgreSQL refuses to run as root. Clusters left by
// killed processes are removed by the next Start.
package pgcluster

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// dirPrefix names the cluster directories under os.TempDir(), so that those
// left by killed runs can be found and removed.
const dirPrefix = "cuakhau-pg-"

// Cluster is a running private cluster, or an external server.
type Cluster struct {
	url   string  // of the maintenance database, as the superuser
	admin *sql.DB // connected to it, to create databases
	dir   string  // the private cluster's directory; "" for an external server
	bin   string  // its binaries
	opts  string  // the server's options, for Start after Halt
	cred  *syscall.Credential
}

// CreateDB creates an empty database called name (letters, digits and _)
// and returns its URL.
func (c *Cluster) CreateDB(ctx context.Context, name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	if _, err := c.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(c.url)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// Start makes and starts a private cluster; Stop it when done.
func Start() (*Cluster, error) { return startCluster() }

// Connect uses an existing server at rawURL, whose user may create
// databases. Its Stop only closes the connection.
func Connect(rawURL string) (*Cluster, error) {
	if !strings.HasPrefix(rawURL, "postgres://") && !strings.HasPrefix(rawURL, "postgresql://") {
		return nil, fmt.Errorf("%q is not a postgres:// URL", rawURL)
	}
	admin, err := connect(rawURL)
	if err != nil {
		return nil, err
	}
	return &Cluster{url: rawURL, admin: admin}, nil
}

// Private reports whether the cluster is one that Start made (and Stop
// removes with all its databases).
func (c *Cluster) Private() bool { return c.dir != "" }

// DropDB drops the database called name, closing its connections.
func (c *Cluster) DropDB(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if _, err := c.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

func connect(u string) (*sql.DB, error) {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func checkName(name string) error {
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return fmt.Errorf("database name %q: use a-z, 0-9 and _", name)
		}
	}
	return nil
}

// startCluster makes and starts a private cluster.
func startCluster() (*Cluster, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	cred, owner, err := serverUser()
	if err != nil {
		return nil, err
	}
	removeStale()

	// Unix socket paths must stay under ~107 bytes, and the postgres user
	// must be able to reach the directory: fall back to /tmp when TMPDIR is
	// deep or private.
	base := os.TempDir()
	if len(base) > 60 || (cred != nil && !traversable(base)) {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, dirPrefix)
	if err != nil {
		return nil, err
	}
	s := &Cluster{dir: dir, bin: bin, cred: cred}
	fail := func(err error) (*Cluster, error) {
		s.Stop()
		return nil, err
	}
	// Which process owns the cluster: a later run removes it once this process is gone.
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return fail(err)
	}
	if owner != nil {
		if err := os.Chown(dir, owner.uid, owner.gid); err != nil {
			return fail(fmt.Errorf("chown %s to postgres: %w", dir, err))
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := s.run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		return fail(fmt.Errorf("initdb: %v\n%s", err, out))
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return fail(err)
		}
		s.opts = fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=on -c max_connections=200", port, dir)
		out, err := s.pgctl("start")
		if err != nil {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			lastErr = fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, tail(log, 2000))
			continue // most likely the port was taken meanwhile
		}
		s.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
		s.admin, err = connect(s.url)
		if err != nil {
			return fail(fmt.Errorf("connect to the cluster: %w", err))
		}
		return s, nil
	}
	return fail(lastErr)
}

// pgctl runs pg_ctl on the private cluster, waiting for it to finish.
func (c *Cluster) pgctl(action string, args ...string) ([]byte, error) {
	args = append([]string{"-w", "-t", "60", "-D", filepath.Join(c.dir, "data"), "-l", filepath.Join(c.dir, "log"), "-o", c.opts}, args...)
	return c.run("pg_ctl", append(args, action)...)
}

// ErrExternal is the error of Halt, Resume and Restart on an external
// server, which is not ours to stop.
var ErrExternal = errors.New("pgcluster: an external server is not stopped or started by the tests")

// Halt stops the private cluster the way an operator does before
// maintenance (pg_ctl stop -m fast): sessions are ended (57P01
// admin_shutdown), and new connections refused until Resume.
func (c *Cluster) Halt() error {
	if c.dir == "" {
		return ErrExternal
	}
	if out, err := c.pgctl("stop", "-m", "fast"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

// Resume starts a halted private cluster again, on the same port and data.
func (c *Cluster) Resume() error {
	if c.dir == "" {
		return ErrExternal
	}
	if out, err := c.pgctl("start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, tail(log, 2000))
	}
	return nil
}

// Restart restarts the private cluster (pg_ctl restart -m fast), as a
// configuration change or a minor upgrade does, and waits until it accepts
// connections again.
func (c *Cluster) Restart() error {
	if c.dir == "" {
		return ErrExternal
	}
	if out, err := c.pgctl("restart", "-m", "fast"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("pg_ctl restart: %v\n%s\n%s", err, out, tail(log, 2000))
	}
	return nil
}

// Stop stops a private cluster and removes its directory, or closes the
// connection to an external server.
func (c *Cluster) Stop() error {
	var errs []error
	if c.admin != nil {
		errs = append(errs, c.admin.Close())
	}
	if c.dir == "" {
		return errors.Join(errs...)
	}
	data := filepath.Join(c.dir, "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
		if out, err := c.run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"); err != nil {
			errs = append(errs, fmt.Errorf("pg_ctl stop: %v\n%s", err, out))
		}
	}
	errs = append(errs, os.RemoveAll(c.dir))
	return errors.Join(errs...)
}

// run runs one of the server's programs as the server's user.
func (c *Cluster) run(prog string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(c.bin, prog), args...)
	cmd.Dir = c.dir
	cmd.Env = serverEnv()
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// serverEnv is the environment without the PG* variables, which would point
// pg_ctl and initdb elsewhere.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return append(env, "LC_ALL=C.UTF-8")
}

// serverDirs is where Debian and Ubuntu install the server, one folder per
// major version.
var serverDirs = "/usr/lib/postgresql/*/bin"

// findBinaries returns the directory of initdb and pg_ctl: the newest
// /usr/lib/postgresql/N/bin, else PATH.
func findBinaries() (string, error) {
	dirs, _ := filepath.Glob(serverDirs)
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		d := filepath.Dir(p)
		if isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	return "", ErrNotInstalled
}

// version reads N from /usr/lib/postgresql/N/bin.
func version(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// ErrNotInstalled is Start's error when the server's binaries are not found;
// callers add what their user can do about it.
var ErrNotInstalled = errors.New("the PostgreSQL server (initdb, pg_ctl) is not installed: looked in /usr/lib/postgresql/*/bin and PATH")

type ids struct{ uid, gid int }

// serverUser returns the credential to run the server with: the postgres
// user's when we are root (PostgreSQL refuses root), none otherwise.
func serverUser() (*syscall.Credential, *ids, error) {
	if os.Geteuid() != 0 {
		return nil, nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, nil, fmt.Errorf("running as root, the cluster must run as the postgres user: %w", err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, nil, fmt.Errorf("user postgres: uid %q gid %q", u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, &ids{uid, gid}, nil
}

// traversable reports whether every directory from / to dir lets others
// through, as the postgres user needs.
func traversable(dir string) bool {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// removeStale stops and removes the clusters of earlier runs whose
// process is gone (killed by a timeout, say) or that are older than a day.
func removeStale() {
	for _, base := range []string{os.TempDir(), "/tmp"} {
		dirs, _ := filepath.Glob(filepath.Join(base, dirPrefix+"*"))
		for _, dir := range dirs {
			fi, err := os.Stat(dir)
			if err != nil || !fi.IsDir() {
				continue
			}
			if time.Since(fi.ModTime()) < 24*time.Hour && ownerAlive(dir) {
				continue
			}
			bin, err := findBinaries()
			if err != nil {
				continue
			}
			cred, _, _ := serverUser()
			(&Cluster{dir: dir, bin: bin, cred: cred}).Stop()
		}
	}
}

// ownerAlive reports whether the process that made dir still runs. A
// directory without an owner file is being set up right now, or is not ours
// to judge: it counts as alive.
func ownerAlive(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "owner.pid"))
	if err != nil {
		return true
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return false
	}
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
