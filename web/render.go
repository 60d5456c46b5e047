package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/stats"
)

// layoutFile holds the page frame; partials/ holds pieces more than one
// page (or a live stream) renders; every other file is one page.
const layoutFile = "templates/layout.html"

// parsePages parses the layout with the partials and then each page on a
// copy of it, so that every page defines its own "content".
func parsePages(fsys fs.FS, a *assets) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"asset": a.url,
		// inlineStyle is app.css for a <style> element (the CSP allows it
		// by its hash).
		"inlineStyle": func() template.CSS { css, _ := a.inlineCSS("app.css"); return css },
		// local shows an instant in the gate's time zone.
		"local":     func(t time.Time, zone string) string { return inZone(t, zone).Format("15:04 02/01/2006") },
		"hhmm":      func(t time.Time, zone string) string { return inZone(t, zone).Format("15:04") },
		"zone":      zoneLabel,
		"field":     field,
		"adminForm": adminForm,
		// rule is a broken rule's text in the reader's language
		// (cuakhau.RuleIn), or in English marked lang="en" when the
		// catalogue has none.
		"rule": ruleText,
		"list": func(xs ...string) []string { return xs },
		"inc":  func(i int) int { return i + 1 },
		// num writes a count the reader's way (1.550 in Vietnamese).
		"num": func(l Lang, x int64) string { return stats.Number(float64(x), 0, l.Code()) },
		// dec1 writes a number with at most one decimal, the reader's way.
		"dec1": func(l Lang, x float64) string { return stats.Number(x, 1, l.Code()) },
		// musd writes US cents as millions of dollars, two decimals.
		"musd": func(l Lang, cents int64) string { return stats.Number(float64(cents)/1e8, 2, l.Code()) },
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, layoutFile)
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	if partials, _ := fs.Glob(fsys, "templates/partials/*.html"); len(partials) > 0 {
		if base, err = base.ParseFS(fsys, partials...); err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
	}
	files, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		if f == layoutFile {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("web: template %s defines no \"content\"", f)
		}
		pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	for _, name := range pageNames {
		if pages[name] == nil {
			return nil, fmt.Errorf("web: no template for page %q (templates/%s.html)", name, name)
		}
	}
	return pages, nil
}

// ruleText is rule in l, escaped for HTML: marked lang="en" when it stays
// in English on a page in another language.
func ruleText(l Lang, rule string) template.HTML {
	text, ok := cuakhau.RuleIn(l.Code(), rule)
	if !ok && l != EN {
		return template.HTML(`<span lang="en">` + template.HTMLEscapeString(rule) + `</span>`)
	}
	return template.HTML(template.HTMLEscapeString(text))
}

// pageNames are the templates the handlers render.
var pageNames = []string{"board", "trip", "error", "login", "checkpoint", "decision", "enterprise", "enterprise_trip", "dashboard", "operator", "declare", "admin"}

// view is what the layout renders around a page's Data.
type view struct {
	L     Lang
	Title string
	// Langs are the links to this page in each language.
	Langs []langLink
	// User is the signed-in user, nil when nobody is.
	User *cuakhau.Principal
	// CSRF is the token every form that changes something carries (field
	// "csrf"; htmx requests send it as X-CSRF-Token from the body's
	// hx-headers), "" when the reader has none.
	CSRF string
	Data any
}

type langLink struct {
	Lang    Lang
	Name    string
	URL     string
	Current bool
}

// render writes the page name with data, gzipped when the client takes it.
func (w *Web) render(rw http.ResponseWriter, r *http.Request, l Lang, status int, name, title string, data any) {
	v := view{L: l, Title: title, Data: data, CSRF: authFrom(r.Context()).csrf}
	if p, ok := principalFrom(r.Context()); ok {
		v.User = &p
	}
	for i, x := range langs {
		q := r.URL.Query()
		q.Set("lang", x.code)
		v.Langs = append(v.Langs, langLink{Lang: Lang(i), Name: x.name, URL: r.URL.Path + "?" + q.Encode(), Current: Lang(i) == l})
	}
	var b bytes.Buffer
	if err := w.pages[name].ExecuteTemplate(&b, "layout.html", v); err != nil {
		w.logger.Error("render page", "page", name, "err", err)
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	pageHeaders(rw.Header())
	writeBody(rw, r, status, b.Bytes())
}

// renderFragment writes the template tmpl of page name alone, with data,
// for an htmx request that swaps in one part of the page.
func (w *Web) renderFragment(rw http.ResponseWriter, r *http.Request, name, tmpl string, data any) error {
	var b bytes.Buffer
	if err := w.pages[name].ExecuteTemplate(&b, tmpl, data); err != nil {
		return fmt.Errorf("web: render %s of %s: %w", tmpl, name, err)
	}
	pageHeaders(rw.Header())
	writeBody(rw, r, http.StatusOK, b.Bytes())
	return nil
}

// pageHeaders are the headers of every HTML answer: never cached, varying
// with what chooses the language, the user and the part asked for.
func pageHeaders(h http.Header) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Accept-Encoding, Accept-Language, Cookie, HX-Request")
}

// writeBody writes body, gzipped when the client takes it.
func writeBody(rw http.ResponseWriter, r *http.Request, status int, body []byte) {
	if acceptsGzip(r) && len(body) > 512 {
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.DefaultCompression)
		zw.Write(body)
		zw.Close()
		rw.Header().Set("Content-Encoding", "gzip")
		body = z.Bytes()
	}
	rw.Header().Set("Content-Length", strconv.Itoa(len(body)))
	rw.WriteHeader(status)
	if r.Method != http.MethodHead {
		rw.Write(body)
	}
}

// inZone is t in the IANA zone (a gate's time_zone), UTC if it is unknown.
func inZone(t time.Time, zone string) time.Time {
	if loc, err := loadZone(zone); err == nil {
		return t.In(loc)
	}
	return t.UTC()
}

// zoneLabel names a zone as people read it beside a time: its offset and
// its name, "GMT+7 Asia/Ho_Chi_Minh".
func zoneLabel(t time.Time, zone string) string {
	lt := inZone(t, zone)
	_, off := lt.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s := "GMT" + sign + strconv.Itoa(off/3600)
	if m := off % 3600 / 60; m != 0 {
		s += fmt.Sprintf(":%02d", m)
	}
	if zone != "" {
		s += " " + zone
	}
	return s
}
