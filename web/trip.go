package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/cuakhau/cuakhau"
)

// tripView is the driver's lookup page: the form, and the trip when the
// code and plate name one.
type tripView struct {
	L           Lang
	Code, Plate string // as typed, kept in the form
	CodeErr     string
	PlateErr    string
	Asked       bool
	NotFound    bool
	Trip        *tripShown
	// Refresh is how often, in seconds, the page of a trip that has not
	// ended looks again (trip.js); 0 for an ended one.
	Refresh int
}

// tripShown is a found trip in plain words.
type tripShown struct {
	*cuakhau.TripLookup
	GateName     string
	Zone         string
	StatusText   string
	DirName      string
	Next         string
	ExpectedCall string
	Window       string
	Checkpoints  []stepText
	History      []stepText
	QR           template.URL // data: URL of the PNG, trusted: made here
	QRAlt        string
}

type stepText struct {
	At    string
	What  string
	State string
}

// tripPage is /trip: the form, and with ?code=&plate= the trip they name.
// A plate that is not the trip's shows "not found" and nothing else.
func (w *Web) tripPage(rw http.ResponseWriter, r *http.Request) error {
	l := langOf(rw, r)
	q := r.URL.Query()
	v := &tripView{L: l, Code: q.Get("code"), Plate: q.Get("plate")}
	status := http.StatusOK
	if q.Has("code") || q.Has("plate") {
		v.Asked = true
		if w.cfg.Lookup == nil {
			return errors.New("web: no lookup service configured")
		}
		res, err := w.cfg.Lookup.LookupTrip(r.Context(), v.Code, v.Plate)
		var ce *cuakhau.Error
		switch {
		case err == nil:
			if v.Trip, err = w.tripShown(r, l, res); err != nil {
				return err
			}
			if !res.Status.Final() {
				v.Refresh = int(w.cfg.TripRefresh / time.Second)
			}
		case cuakhau.ErrorCode(err) == cuakhau.ENOTFOUND:
			v.NotFound, status = true, http.StatusNotFound
		case errors.As(err, &ce) && ce.Code == cuakhau.EINVALID:
			v.CodeErr, v.PlateErr, status = ce.Fields["code"], ce.Fields["plate"], http.StatusBadRequest
		default:
			return err
		}
	}
	w.render(rw, r, l, status, "trip", l.T("trip.title"), v)
	return nil
}

func (w *Web) tripShown(r *http.Request, l Lang, t *cuakhau.TripLookup) (*tripShown, error) {
	g, err := w.cfg.Gates.Gate(r.Context(), t.Gate)
	if err != nil {
		return nil, err
	}
	zone := g.TimeZone
	at := func(x time.Time) string { return inZone(x, zone).Format("15:04 02/01/2006") }
	s := &tripShown{TripLookup: t, GateName: gateName(l, g), Zone: zoneLabel(t.At, zone),
		StatusText: l.T("status." + string(t.Status)), DirName: l.T("dir." + string(t.Direction)),
		Next: l.T("next." + string(t.Status))}
	if t.ExpectedCall != nil {
		s.ExpectedCall = at(*t.ExpectedCall)
	}
	if !t.Booking.IsZero() {
		s.Window = at(t.Booking.Start) + " – " + inZone(t.Booking.End, zone).Format("15:04")
	}
	names := map[string]string{}
	for _, cp := range g.Route(t.Direction) {
		names[cp.Code] = checkpointName(l, cp)
	}
	for _, cp := range t.Checkpoints {
		st := stepText{What: names[cp.Code], State: l.T("cpstate." + cp.State)}
		if st.What == "" {
			st.What = cp.Code
		}
		if cp.Channel != "" {
			st.State += " (" + l.T("channel."+string(cp.Channel)) + ")"
		}
		if cp.At != nil {
			st.At = at(*cp.At)
		}
		s.Checkpoints = append(s.Checkpoints, st)
	}
	for _, e := range t.History {
		s.History = append(s.History, stepText{At: at(e.At), What: stepWords(l, e, names)})
	}
	page := "/trip?" + url.Values{"code": {t.Code}, "plate": {t.Plate}}.Encode()
	png, err := qrcode.Encode(absURL(r, page), qrcode.Medium, 256)
	if err != nil {
		return nil, err
	}
	s.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	s.QRAlt = l.T("trip.qr.alt", t.Code)
	return s, nil
}

// stepWords says an event of the trip in plain words: what happened, and
// at which checkpoint with what outcome.
func stepWords(l Lang, e cuakhau.TripStep, names map[string]string) string {
	if e.Type != cuakhau.EventDecision {
		if _, ok := messages["ev."+string(e.Type)]; ok {
			return l.T("ev." + string(e.Type))
		}
		return string(e.Type)
	}
	s := names[e.Checkpoint]
	if s == "" {
		s = l.T("ev.decision")
	}
	if e.Outcome != "" {
		s += ": " + l.T("outcome."+string(e.Outcome))
	}
	if e.Channel != "" {
		s += " (" + l.T("channel."+string(e.Channel)) + ")"
	}
	return s
}

// checkpointName is the checkpoint's name in l: the catalogue's message
// for its code, else the gate's own name for it.
func checkpointName(l Lang, cp cuakhau.Checkpoint) string {
	if _, ok := messages["cp."+cp.Code]; ok {
		return l.T("cp." + cp.Code)
	}
	if l != VI && cp.NameEN != "" {
		return cp.NameEN
	}
	return cp.Name
}

// absURL is path on the host the request came to, for a QR code a phone
// opens.
func absURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}
