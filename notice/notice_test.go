package notice

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
)

var placeholder = regexp.MustCompile(`\{([^{}]*)\}`)

// Every key has a non-empty text in every language, and each text names
// exactly the arguments its key declares, each a known one.
func TestCatalogueHasEveryLanguage(t *testing.T) {
	for _, k := range Keys() {
		m := catalogue[k]
		for _, a := range m.args {
			if !slices.Contains(argNames, a) {
				t.Errorf("%s declares argument %q, which Args does not have", k, a)
			}
		}
		for _, lang := range Langs {
			text, ok := m.text[lang]
			if !ok || strings.TrimSpace(text) == "" {
				t.Errorf("%s has no %s text", k, lang)
				continue
			}
			var named []string
			for _, sub := range placeholder.FindAllStringSubmatch(text, -1) {
				if !slices.Contains(named, sub[1]) {
					named = append(named, sub[1])
				}
			}
			slices.Sort(named)
			want := slices.Sorted(slices.Values(m.args))
			if k == Called && lang == EN {
				want = []string{"plate"} // the call's English has named the truck by its plate alone since before the catalogue
			}
			if !slices.Equal(named, want) {
				t.Errorf("%s in %s names %v, want its arguments %v", k, lang, named, want)
			}
		}
		if len(m.text) != len(Langs) {
			t.Errorf("%s has %d texts, want one per language %v", k, len(m.text), Langs)
		}
	}
}

var zone = time.FixedZone("ICT", 7*3600)

func sampleArgs() Args {
	return Args{Plate: "12C-345.67", Code: "HN-0001", Gate: "huu-nghi", At: time.Date(2026, 12, 3, 15, 4, 0, 0, zone),
		Window: time.Date(2026, 12, 4, 9, 0, 0, 0, zone), Wait: 26*time.Hour + 10*time.Minute, ShelfLife: 48 * time.Hour, Count: 1234, Capacity: 2000,
		Advisory: &Texts{VI: "Cảnh báo: x.", EN: "Advisory: x.", ZH: "预警：x。"}}
}

// Every key renders in every language with nothing left unfilled and no
// formatting artefacts.
func TestRenderEveryKey(t *testing.T) {
	for _, k := range Keys() {
		for _, lang := range Langs {
			got := Render(lang, Notice{k, sampleArgs()})
			if strings.TrimSpace(got) == "" || strings.ContainsAny(got, "{}") || strings.Contains(got, "%!") ||
				strings.Contains(got, "<nil>") || strings.Contains(got, "0001-01-01") {
				t.Errorf("%s in %s renders %q", k, lang, got)
			}
		}
		if k := catalogue[k].kind; k != "" && !slices.Contains([]string{cuakhau.NotifyCalled, cuakhau.NotifyBookingMoved,
			cuakhau.NotifyBookingLost, cuakhau.NotifyAdvisory, cuakhau.NotifyBookingBooked}, k) {
			t.Errorf("%s is sent as kind %q, not a notification kind", k, k)
		}
	}
}

// The outbox texts of the messages written before the catalogue are what
// the store wrote then, so `cuakhau verify` rebuilds those rows unchanged.
func TestOutboxTextsKept(t *testing.T) {
	a := sampleArgs()
	for _, tt := range []struct {
		key  Key
		want string
	}{
		{Called, "Xe 12C-345.67 (HN-0001): mời vào khu kiểm soát cửa khẩu huu-nghi ngay. / Truck 12C-345.67: proceed to the control zone now."},
		{BookingMoved, "Xe 12C-345.67 (HN-0001): lịch qua cửa khẩu huu-nghi đã chuyển sang 03/12 15:04."},
		{BookingLostLate, "Xe 12C-345.67 (HN-0001) đến muộn quá thời gian cho phép: mất lịch đặt, xếp vào hàng chờ thường."},
		{BookingLostNoShow, "Xe 12C-345.67 (HN-0001) không đến trong khung giờ đã đặt: lịch đặt bị hủy."},
		{Advisory, "Cảnh báo: x. / Advisory: x."},
	} {
		if got := Outbox(Notice{tt.key, a}); got != tt.want {
			t.Errorf("Outbox(%s) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestOf(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		loc = zone
	}
	trip := &cuakhau.Trip{ID: "t1", Code: "HN-0001"}
	trip.Gate = "huu-nghi"
	trip.Vehicle.Plate = "12C-345.67"
	moved := *trip
	moved.Booking = cuakhau.BookedWindow{Start: time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)}
	late, _ := json.Marshal(cuakhau.ArrivalData{Late: true})
	onTime, _ := json.Marshal(cuakhau.ArrivalData{})
	for _, tt := range []struct {
		name string
		ev   cuakhau.Event
		trip *cuakhau.Trip
		want []Key
	}{
		{"called", cuakhau.Event{Type: cuakhau.EventCalled}, trip, []Key{Called}},
		{"moved", cuakhau.Event{Type: cuakhau.EventBookingMoved}, &moved, []Key{BookingMoved}},
		{"late", cuakhau.Event{Type: cuakhau.EventArrived, Data: late}, trip, []Key{BookingLostLate}},
		{"on time", cuakhau.Event{Type: cuakhau.EventArrived, Data: onTime}, trip, nil},
		{"swept no-show", cuakhau.Event{Type: cuakhau.EventNoShow, Data: json.RawMessage(`{}`)}, trip, []Key{BookingLostNoShow}},
		{"operator's no-show", cuakhau.Event{Type: cuakhau.EventNoShow}, trip, nil},
		{"declared", cuakhau.Event{Type: cuakhau.EventDeclared}, trip, nil},
	} {
		var got []Key
		for _, n := range Of(&tt.ev, tt.trip, loc) {
			got = append(got, n.Key)
			if n.Kind() == "" {
				t.Errorf("%s: %s has no outbox kind", tt.name, n.Key)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: notices %v, want %v", tt.name, got, tt.want)
		}
	}
	// The new window is told in the gate's local time (UTC+7).
	n := Of(&cuakhau.Event{Type: cuakhau.EventBookingMoved}, &moved, loc)[0]
	for lang, want := range map[Lang]string{VI: "03/12 08:00", EN: "3 Dec 08:00", ZH: "12月3日 08:00"} {
		if got := Render(lang, n); !strings.Contains(got, want) {
			t.Errorf("moved booking in %s: %q, want the window's start %s", lang, got, want)
		}
	}
}

func TestAdviceText(t *testing.T) {
	clauses := []Notice{{AdvisoryHeldAtOrigin, Args{Count: 900}}, {Key: AdvisoryBookingsStopped}}
	for lang, want := range map[Lang]string{
		VI: "Cảnh báo: Còn 900 xe đang chờ tại nơi xuất phát theo cảnh báo trước; xe chưa đặt chỗ đi sau các xe này. Tạm dừng nhận đặt chỗ mới; xe chưa lên đường xin hoãn khởi hành.",
		EN: "Advisory: 900 trucks told to hold at origin have not come back yet; trucks without a booking come after them. New bookings are suspended; trucks not yet on the road should hold.",
		ZH: "预警：仍有900辆车按此前预警在出发地等待；未预约的车辆排在其后。暂停接受新的预约；尚未出发的车辆请暂缓出发。",
	} {
		if got := AdviceText(lang, clauses); got != want {
			t.Errorf("AdviceText(%s) = %q, want %q", lang, got, want)
		}
	}
}

func TestDurationAndNumber(t *testing.T) {
	for _, tt := range []struct {
		d          time.Duration
		vi, en, zh string
	}{
		{0, "0 phút", "0 minutes", "0分钟"},
		{time.Minute, "1 phút", "1 minute", "1分钟"},
		{61 * time.Minute, "1 giờ 1 phút", "1 hour 1 minute", "1小时1分钟"},
		{24 * time.Hour, "1 ngày", "1 day", "1天"},
		{49*time.Hour + 40*time.Minute, "2 ngày 2 giờ", "2 days 2 hours", "2天2小时"},
		{400 * 24 * time.Hour, "hơn một năm", "more than a year", "一年以上"},
	} {
		for lang, want := range map[Lang]string{VI: tt.vi, EN: tt.en, ZH: tt.zh} {
			if got := Duration(lang, tt.d); got != want {
				t.Errorf("Duration(%s, %v) = %q, want %q", lang, tt.d, got, want)
			}
		}
	}
	for lang, want := range map[Lang]string{VI: "1.234.567", EN: "1,234,567", ZH: "1234567"} {
		if got := Number(lang, 1234567); got != want {
			t.Errorf("Number(%s) = %q, want %q", lang, got, want)
		}
	}
	if got := Number(EN, -1234); got != "-1,234" {
		t.Errorf("Number(en, -1234) = %q", got)
	}
}
