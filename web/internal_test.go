package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cuakhau/cuakhau"
)

// TestMessages: every message exists in Vietnamese, English and Chinese,
// and every key the templates and handlers use is a message.
func TestMessages(t *testing.T) {
	for key, m := range messages {
		for l := range nLangs {
			if strings.TrimSpace(m[l]) == "" {
				t.Errorf("message %q has no %s text", key, l.Code())
			}
		}
		if m[VI] == m[ZH] {
			t.Errorf("message %q: the Chinese text is the Vietnamese one", key)
		}
	}
	used := map[string]bool{}
	lit := regexp.MustCompile(`\.T "([a-z0-9_.]*[a-z0-9_])"|\bT\("([a-z0-9_.]*[a-z0-9_])"`)
	for _, dir := range []string{"templates", "templates/partials", "."} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			if !strings.HasSuffix(f, ".html") && !(strings.HasSuffix(f, ".go") && !strings.HasSuffix(f, "_test.go")) {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
				used[m[1]+m[2]] = true
			}
		}
	}
	// The keys handlers build from a value, one per value.
	for _, s := range cuakhau.Statuses {
		used["status."+string(s)], used["next."+string(s)] = true, true
	}
	for _, d := range cuakhau.Directions {
		used["dir."+string(d)] = true
	}
	for _, x := range []string{"green", "yellow", "orange", "red"} {
		used["level."+x] = true
	}
	for _, x := range []cuakhau.Channel{cuakhau.ChannelGreen, cuakhau.ChannelYellow, cuakhau.ChannelRed} {
		used["channel."+string(x)] = true
	}
	for _, x := range []string{cuakhau.CheckpointPending, cuakhau.CheckpointPassed, cuakhau.CheckpointHeld, cuakhau.CheckpointRejected, cuakhau.CheckpointSkipped} {
		used["cpstate."+x] = true
	}
	for _, x := range []cuakhau.Outcome{cuakhau.OutcomePass, cuakhau.OutcomeHold, cuakhau.OutcomeRelease, cuakhau.OutcomeReject} {
		used["outcome."+string(x)] = true
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
	for key := range used {
		if _, ok := messages[key]; !ok {
			t.Errorf("key %q is used but has no message", key)
		}
	}
}

// TestBadTemplateFailsStart: a template that does not parse, or a page
// without its template, stops New.
func TestBadTemplateFailsStart(t *testing.T) {
	good, err := fs.Sub(templateFS, ".")
	if err != nil {
		t.Fatal(err)
	}
	withFile := func(name, body string) fstest.MapFS {
		m := fstest.MapFS{}
		fs.WalkDir(good, "templates", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := fs.ReadFile(good, p)
				m[p] = &fstest.MapFile{Data: b}
			}
			return err
		})
		if body == "" {
			delete(m, name)
		} else {
			m[name] = &fstest.MapFile{Data: []byte(body)}
		}
		return m
	}
	cfg := Config{Gates: nilGates{}, Queue: nilQueue{}}
	if _, err := newWeb(cfg, withFile("templates/x.html", `{{define "content"}}ok{{end}}`), staticFS); err != nil {
		t.Fatalf("the good templates fail: %v", err)
	}
	for name, fsys := range map[string]fs.FS{
		"unparsable page":   withFile("templates/board.html", `{{define "content"}}{{if}}{{end}}`),
		"unparsable layout": withFile("templates/layout.html", `<html>{{template "content" .}`),
		"missing page":      withFile("templates/trip.html", ""),
		"no content":        withFile("templates/trip.html", `<p>hello</p>`),
		"unknown function":  withFile("templates/error.html", `{{define "content"}}{{nosuch}}{{end}}`),
	} {
		if _, err := newWeb(cfg, fsys, staticFS); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

// TestAssets: every file a template names is embedded.
func TestAssets(t *testing.T) {
	a, err := loadAssets(staticFS)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`asset "([^"]+)"`)
	files, _ := filepath.Glob("templates/*.html")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if _, err := a.url(m[1]); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
	for _, name := range []string{"vendor/htmx/htmx.min.js", "vendor/htmx/LICENSE", "vendor/echarts/echarts.common.min.js", "vendor/echarts/NOTICE", "vendor/echarts/LICENSE"} {
		if _, err := a.url(name); err != nil {
			t.Errorf("vendored file missing: %v (run scripts/vendor-web.sh)", err)
		}
	}
}

type nilGates struct{ cuakhau.GateService }
type nilQueue struct{ cuakhau.QueueService }
