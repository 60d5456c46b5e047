// Package notice is the one home of every message the platform sends to a
// driver or an enterprise: a catalogue of stable keys, each with its text in
// Vietnamese, English and simplified Chinese and the typed arguments it
// takes, the notices an event causes, and their rendering in a language.
//
// A notice is a key and its arguments, not a text: the store writes the
// Vietnamese text (the gate's language, with the English after it for the
// messages that have always carried it) into the outbox together with the
// key and arguments, so that pages and devices can render it in any of the
// three languages later.
//
// Keys are stable. A message's wording is not changed in place: `cuakhau
// verify` rebuilds every outbox row from the log with this catalogue and
// compares the text byte for byte, so a new wording is a new key, and the
// old key keeps its texts for the rows written with it.
package notice

import (
	"strings"
	"time"
)

// Lang is a language a notice renders in.
type Lang string

// Languages.
const (
	VI Lang = "vi" // Vietnamese, the gate's language
	EN Lang = "en"
	ZH Lang = "zh" // simplified Chinese
)

// Langs lists every language of the catalogue; each key has a text in each.
var Langs = []Lang{VI, EN, ZH}

// Key names a message of the catalogue.
type Key string

// Notice is one message: its key and its arguments.
type Notice struct {
	Key  Key  `json:"key"`
	Args Args `json:"args"`
}

// Args are the arguments of a notice; a key uses the ones its texts name
// ({plate}, {code}, …) and leaves the others zero. Times are in the gate's
// zone, so their JSON carries the gate's offset.
type Args struct {
	Plate string `json:"plate,omitempty"` // {plate}: the truck's plate
	Code  string `json:"code,omitempty"`  // {code}: the trip's code
	Gate  string `json:"gate,omitempty"`  // {gate}: the gate's code
	Hours string `json:"hours,omitempty"` // {hours}: a gate's hours, "08:00–17:00"
	// At is {at}: a moment shown in the gate's local time.
	At time.Time `json:"at,omitzero"`
	// Window is {window}: the start of a booked window, in the gate's
	// local time.
	Window time.Time `json:"window,omitzero"`
	// Wait is {wait}: a wait or a time to clear, in nanoseconds.
	Wait time.Duration `json:"wait,omitempty"`
	// ShelfLife is {shelf_life}: how long a perishable load lasts, in
	// nanoseconds.
	ShelfLife time.Duration `json:"shelf_life,omitempty"`
	Count     int           `json:"count,omitempty"`    // {count}: trucks or bookings
	Capacity  int           `json:"capacity,omitempty"` // {capacity}: trucks a day
	// Advisory is {advisory}: the gate's advisory as its event recorded it,
	// in each language.
	Advisory *Texts `json:"advisory,omitempty"`
}

// Texts is a text in each language.
type Texts struct {
	VI string `json:"vi"`
	EN string `json:"en"`
	ZH string `json:"zh"`
}

// In returns the text in lang.
func (t Texts) In(lang Lang) string {
	switch lang {
	case EN:
		return t.EN
	case ZH:
		return t.ZH
	}
	return t.VI
}

// Kind is the outbox kind of n (cuakhau.Notify*); empty for a key that is
// not a message on its own (an advisory's clause).
func (n Notice) Kind() string { return catalogue[n.Key].kind }

// Render is n in lang; a key the catalogue does not hold renders as the key
// itself, and a language it has no text in as Vietnamese.
func Render(lang Lang, n Notice) string {
	m, ok := catalogue[n.Key]
	if !ok {
		return string(n.Key)
	}
	tmpl, ok := m.text[lang]
	if !ok {
		lang, tmpl = VI, m.text[VI]
	}
	return expand(tmpl, lang, n.Args)
}

// Outbox is the text the store writes for n: Vietnamese, the gate's
// language, followed by " / " and the English for the messages that have
// always carried it (a call, an advisory, a shelf-life hold).
func Outbox(n Notice) string {
	s := Render(VI, n)
	if catalogue[n.Key].withEN {
		s += " / " + Render(EN, n)
	}
	return s
}

// argNames are the placeholders a text may hold.
var argNames = []string{"plate", "code", "gate", "hours", "at", "window", "wait", "shelf_life", "count", "capacity", "advisory"}

// expand replaces each {name} of tmpl with the argument, formatted as lang
// writes it.
func expand(tmpl string, lang Lang, a Args) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		b.WriteString(arg(tmpl[i+1:i+j], lang, a))
		tmpl = tmpl[i+j+1:]
	}
}

func arg(name string, lang Lang, a Args) string {
	switch name {
	case "plate":
		return a.Plate
	case "code":
		return a.Code
	case "gate":
		return a.Gate
	case "hours":
		return a.Hours
	case "at":
		return Time(lang, a.At)
	case "window":
		return Time(lang, a.Window)
	case "wait":
		return Duration(lang, a.Wait)
	case "shelf_life":
		return Duration(lang, a.ShelfLife)
	case "count":
		return Number(lang, a.Count)
	case "capacity":
		return Number(lang, a.Capacity)
	case "advisory":
		if a.Advisory == nil {
			return ""
		}
		return a.Advisory.In(lang)
	}
	return "{" + name + "}"
}
