package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
)

// boardView is the public board: every gate with its lines, one per
// direction it serves, from the open feed (QueueService.PublicWaits, the
// same call as the API's GET /api/v1/public/waits).
type boardView struct {
	L     Lang
	At    time.Time
	Zone  string // the time zone of At as shown: the first gate's
	Gates []boardGate
}

type boardGate struct {
	Code, Name string
	Zone       string
	Advisory   string
	Lines      []boardLine
}

type boardLine struct {
	cuakhau.PublicWait
	DirName   string
	LevelName string
	Wait      string
	Error     string
}

// board assembles the board in l from the feed and the gates.
func (w *Web) board(ctx context.Context, l Lang) (*boardView, error) {
	feed, err := w.cfg.Queue.PublicWaits(ctx)
	if err != nil {
		return nil, err
	}
	gates, err := w.cfg.Gates.Gates(ctx)
	if err != nil {
		return nil, err
	}
	return boardOf(l, feed, gates), nil
}

func boardOf(l Lang, feed *cuakhau.PublicWaits, gates []*cuakhau.Gate) *boardView {
	v := &boardView{L: l, At: feed.At, Zone: "Asia/Ho_Chi_Minh"}
	byCode := map[string]int{}
	for _, g := range gates {
		byCode[g.Code] = len(v.Gates)
		v.Gates = append(v.Gates, boardGate{Code: g.Code, Name: gateName(l, g), Zone: g.TimeZone})
	}
	if len(gates) > 0 && gates[0].TimeZone != "" {
		v.Zone = gates[0].TimeZone
	}
	for _, pw := range feed.Waits {
		i, ok := byCode[pw.Gate]
		if !ok {
			byCode[pw.Gate] = len(v.Gates)
			i = len(v.Gates)
			v.Gates = append(v.Gates, boardGate{Code: pw.Gate, Name: pw.Gate, Zone: v.Zone})
		}
		g := &v.Gates[i]
		if adv := advisoryIn(l, pw); adv != "" {
			g.Advisory = adv
		}
		g.Lines = append(g.Lines, boardLine{PublicWait: pw, DirName: l.T("dir." + string(pw.Direction)),
			LevelName: l.T("level." + pw.Level), Wait: waitText(l, pw.ExpectedWaitMinutes), Error: errorText(l, pw)})
	}
	// A gate the feed has no line of (it serves no direction) is left out.
	kept := v.Gates[:0]
	for _, g := range v.Gates {
		if len(g.Lines) > 0 {
			kept = append(kept, g)
		}
	}
	v.Gates = kept
	return v
}

func gateName(l Lang, g *cuakhau.Gate) string {
	switch {
	case l == EN && g.NameEN != "":
		return g.NameEN
	case l == ZH && g.NameZH != "":
		return g.NameZH
	case l == ZH && g.NameEN != "":
		return g.NameEN
	}
	return g.Name
}

// advisoryIn is the feed's advisory text in l, the Vietnamese one when the
// feed has none in l.
func advisoryIn(l Lang, pw cuakhau.PublicWait) string {
	switch {
	case l == EN && pw.AdvisoryEN != "":
		return pw.AdvisoryEN
	case l == ZH && pw.AdvisoryZH != "":
		return pw.AdvisoryZH
	}
	return pw.Advisory
}

// waitText says an expected wait in minutes (−1: unknown).
func waitText(l Lang, m int) string {
	switch {
	case m < 0:
		return l.T("wait.unknown")
	case m < 60:
		return l.T("wait.minutes", m)
	}
	return l.T("wait.hours", m/60, m%60)
}

// errorText says the wait's measured error: the median error of the calls
// told in the last 24 hours, and how many.
func errorText(l Lang, pw cuakhau.PublicWait) string {
	if pw.PredictionErrorP50Minutes == nil || pw.PredictionCalls24h == 0 {
		return l.T("wait.noerror")
	}
	return l.T("wait.error", strconv.FormatFloat(*pw.PredictionErrorP50Minutes, 'f', 1, 64), pw.PredictionCalls24h)
}

func (w *Web) boardPage(rw http.ResponseWriter, r *http.Request) error {
	l := langOf(rw, r)
	v, err := w.board(r.Context(), l)
	if err != nil {
		return err
	}
	w.render(rw, r, l, http.StatusOK, "board", l.T("board.title"), v)
	return nil
}

// renderBoardFragments renders the board's live part in every language
// from one read of the feed.
func (w *Web) renderBoardFragments(ctx context.Context) ([nLangs][]byte, error) {
	var out [nLangs][]byte
	feed, err := w.cfg.Queue.PublicWaits(ctx)
	if err != nil {
		return out, err
	}
	gates, err := w.cfg.Gates.Gates(ctx)
	if err != nil {
		return out, err
	}
	for l := range nLangs {
		var b bytes.Buffer
		if err := w.pages["board"].ExecuteTemplate(&b, "board_fragment", boardOf(l, feed, gates)); err != nil {
			return out, err
		}
		out[l] = b.Bytes()
	}
	return out, nil
}

// boardEvents is the board's live stream: Server-Sent Events, one "board"
// event with the board's live part as HTML whenever it changes, in the
// reader's language.
func (w *Web) boardEvents(rw http.ResponseWriter, r *http.Request) error {
	l := langOf(rw, r)
	ch, cancel, ok := w.live.subscribe(l)
	if !ok {
		return cuakhau.Errorf(cuakhau.EUNAVAILABLE, "the server is shutting down")
	}
	defer cancel()
	// The server's write timeout is for answers, not for a stream.
	rc := http.NewResponseController(rw)
	rc.SetWriteDeadline(time.Time{})
	h := rw.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	rw.WriteHeader(http.StatusOK)
	fmt.Fprint(rw, "retry: 3000\n\n")
	if err := rc.Flush(); err != nil {
		return nil
	}
	keepAlive := time.NewTicker(25 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-keepAlive.C:
			fmt.Fprint(rw, ": keep-alive\n\n")
		case frag, ok := <-ch:
			if !ok {
				return nil
			}
			writeEvent(rw, "board", frag)
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}

// writeEvent writes one Server-Sent Event, a data line per line of body.
func writeEvent(rw http.ResponseWriter, event string, body []byte) {
	var b bytes.Buffer
	b.WriteString("event: " + event + "\n")
	for _, line := range strings.Split(strings.TrimRight(string(body), "\n"), "\n") {
		b.WriteString("data: " + strings.TrimRight(line, "\r") + "\n")
	}
	b.WriteString("\n")
	rw.Write(b.Bytes())
}
