package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// asset is one embedded static file, ready to serve.
type asset struct {
	url   string // /static/HASH/NAME
	ctype string
	body  []byte
	gz    []byte // nil when not worth compressing
}

// assets serves the embedded static files under content-hashed URLs, so
// that a browser may keep each for a year: a changed file has a new URL.
type assets struct {
	byName map[string]*asset // by path under static/
	byURL  map[string]*asset
}

// hashLen is how many hex digits of a file's SHA-256 its URL carries.
const hashLen = 12

func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{byName: map[string]*asset{}, byURL: map[string]*asset{}}
	err := fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		x := &asset{url: "/static/" + hex.EncodeToString(sum[:])[:hashLen] + "/" + name, body: body,
			ctype: contentType(name)}
		if compressible(x.ctype) {
			var b bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
			zw.Write(body)
			zw.Close()
			if b.Len() < len(body) {
				x.gz = b.Bytes()
			}
		}
		a.byName[name], a.byURL[x.url] = x, x
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	return a, nil
}

// inlineCSS is the style sheet name as the text of a <style> element, for
// a page whose first load must not wait for a second request (the board
// on a slow line), and the CSP source that allows exactly that text.
func (a *assets) inlineCSS(name string) (template.CSS, string) {
	x := a.byName[name]
	if x == nil {
		return "", ""
	}
	sum := sha256.Sum256(x.body)
	return template.CSS(x.body), "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

func contentType(name string) string {
	switch ext := path.Ext(name); ext {
	case "":
		return "text/plain; charset=utf-8" // LICENSE, NOTICE, VERSIONS
	default:
		if t := mime.TypeByExtension(ext); t != "" {
			return t
		}
	}
	return "application/octet-stream"
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "svg")
}

// url is the hashed URL of the static file name (a path under static/).
// A name with no file is a template bug: New fails on it (parsePages
// executes no template, so the check is here, at the first render, and in
// TestAssets).
func (a *assets) url(name string) (string, error) {
	x, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return x.url, nil
}

// ServeHTTP serves a static file by its hashed URL; an old hash is a 404,
// as a page always names the files of the binary that rendered it.
func (a *assets) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	x, ok := a.byURL[r.URL.Path]
	if !ok {
		http.Error(rw, "not found", http.StatusNotFound)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", x.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	body := x.body
	if x.gz != nil {
		h.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body = x.gz
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rw.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		rw.Write(body)
	}
}

// acceptsGzip reports whether the client takes gzip (and has not refused
// it with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
