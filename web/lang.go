package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Lang is one of the page languages: Vietnamese (the default), English and
// Chinese (simplified).
type Lang int

const (
	VI Lang = iota
	EN
	ZH
	nLangs
)

// langs are the languages by their ?lang= and cookie value.
var langs = [nLangs]struct {
	code string // ?lang= and the cookie
	tag  string // <html lang>
	name string // in itself, for the language switch
}{
	VI: {"vi", "vi", "Tiếng Việt"},
	EN: {"en", "en", "English"},
	ZH: {"zh", "zh-Hans", "中文"},
}

// Code is the language's ?lang= value.
func (l Lang) Code() string { return langs[l].code }

// Tag is the language's BCP 47 tag, for <html lang>.
func (l Lang) Tag() string { return langs[l].tag }

// T returns the message key in l, formatted with args as fmt.Sprintf does.
// A key with no message is a bug that TestMessages catches; at run time it
// shows as the key itself rather than failing the page.
func (l Lang) T(key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return m[l]
	}
	return fmt.Sprintf(m[l], args...)
}

// matcher offers a language from Accept-Language.
var matcher = language.NewMatcher([]language.Tag{language.Vietnamese, language.English, language.SimplifiedChinese})

// langCookie remembers the language chosen with ?lang=.
const langCookie = "lang"

// parseLang reads a ?lang= or cookie value.
func parseLang(s string) (Lang, bool) {
	for i, x := range langs {
		if strings.EqualFold(s, x.code) {
			return Lang(i), true
		}
	}
	return VI, false
}

// langOf chooses the language of a request: ?lang= (remembered in a cookie
// for a year), the cookie, Accept-Language, Vietnamese.
func langOf(rw http.ResponseWriter, r *http.Request) Lang {
	if q := r.URL.Query().Get("lang"); q != "" {
		if l, ok := parseLang(q); ok {
			if c, err := r.Cookie(langCookie); err != nil || c.Value != l.Code() {
				http.SetCookie(rw, &http.Cookie{Name: langCookie, Value: l.Code(), Path: "/",
					MaxAge: int((365 * 24 * time.Hour).Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode})
			}
			return l
		}
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := parseLang(c.Value); ok {
			return l
		}
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		tags, _, err := language.ParseAcceptLanguage(al)
		if err == nil && len(tags) > 0 {
			_, i, conf := matcher.Match(tags...)
			if conf != language.No {
				return Lang(i)
			}
		}
	}
	return VI
}
