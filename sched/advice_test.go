package sched

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLevelFor(t *testing.T) {
	for _, tt := range []struct {
		waiting int
		th      Thresholds
		want    Level
	}{
		{0, DefaultThresholds(), Green},
		{499, DefaultThresholds(), Green},
		{500, DefaultThresholds(), Yellow},
		{999, DefaultThresholds(), Yellow},
		{1000, DefaultThresholds(), Orange},
		{5000, DefaultThresholds(), Orange},
		{5001, DefaultThresholds(), Red},
		{5001, Thresholds{}, Red}, // zero: national defaults
		{100, DefaultThresholds().Scaled(0.2), Yellow},
		{1001, DefaultThresholds().Scaled(0.2), Red},
	} {
		if got := LevelFor(tt.waiting, tt.th); got != tt.want {
			t.Errorf("LevelFor(%d, %+v) = %s, want %s", tt.waiting, tt.th, got, tt.want)
		}
	}
}

func TestScaled(t *testing.T) {
	for _, tt := range []struct {
		factor float64
		want   Thresholds
	}{
		{1, Thresholds{500, 1000, 5000}},
		{0.2, Thresholds{100, 200, 1000}},
		{0.55, Thresholds{275, 550, 2750}},
		{0.001, Thresholds{1, 1, 5}},
		{0, Thresholds{500, 1000, 5000}},
		{-2, Thresholds{500, 1000, 5000}},
	} {
		if got := DefaultThresholds().Scaled(tt.factor); got != tt.want {
			t.Errorf("Scaled(%v) = %+v, want %+v", tt.factor, got, tt.want)
		}
	}
}

func TestAdvise(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   AdviceInput
		want Advice
	}{
		{
			name: "normal day",
			in:   AdviceInput{Waiting: 120, OurPerDay: 750, ShelfLife: 60 * time.Hour, PerishableWait: 2 * time.Hour, CrossingTime: 4 * time.Hour},
			// 120 waiting are fewer than the 125 that clear within the call
			// horizon: the working queue, not a backlog to shed.
			want: Advice{Level: Green, MaxBookingsPerDay: 750, ClearingPerDay: 750},
		},
		{
			// December 2021 at Tân Thanh: thousands waiting, 100 a day taken.
			name: "other side closes down",
			in: AdviceInput{
				Waiting: 2294, OurPerDay: 750, OtherPerDay: 100, OtherAnnounced: true,
				ShelfLife: 60 * time.Hour, PerishableWait: WaitUnknown, CrossingTime: 4 * time.Hour,
			},
			want: Advice{
				Level: Orange, Active: true, StopBookings: true, MaxBookingsPerDay: 0, ClearingPerDay: 100, ShedWithin: backlogWait(2278, 100), // 2,294 − 16.7 within 4 h, at 100 a day
				Text: "Cảnh báo: Xe chở hàng tươi nếu đến cửa khẩu lúc này dự kiến phải chờ 22 ngày 23 giờ, lâu hơn thời hạn bảo quản còn lại (2 ngày 12 giờ). " +
					"Phía bạn chỉ tiếp nhận 100 xe/ngày, thấp hơn năng lực thông quan phía ta (750 xe/ngày). " +
					"Tạm dừng nhận đặt chỗ mới; xe chưa lên đường xin hoãn khởi hành.",
				TextEN: "Advisory: A truck of perishables arriving now is expected to wait 22 days 23 hours, longer than its remaining shelf life (2 days 12 hours). " +
					"The other side takes only 100 trucks a day, below our 750. " +
					"New bookings are suspended; trucks not yet on the road should hold.",
				TextZH: "预警：现在到达的鲜货车辆预计需等待22天23小时，超过剩余保鲜期（2天12小时）。" +
					"对方口岸每天仅接收100辆车，低于我方每天750辆的通关能力。" +
					"暂停接受新的预约；尚未出发的车辆请暂缓出发。",
				Reason: "perishable wait 22d23h (+4h crossing) exceeds shelf life 2d12h; other side takes 100 trucks/day, below our 750; bookings stopped",
			},
		},
		{
			name: "other side below ours, fruit still fine",
			in: AdviceInput{
				Waiting: 200, OurPerDay: 1150, OtherPerDay: 600, OtherAnnounced: true,
				ShelfLife: 72 * time.Hour, PerishableWait: 3 * time.Hour, CrossingTime: 4 * time.Hour,
			},
			want: Advice{
				Level: Green, Active: true, MaxBookingsPerDay: 566, ClearingPerDay: 600, ShedWithin: 72 * time.Hour, // 600 − (200 − 100 within 4 h) / 3 days
				Text: "Cảnh báo: Phía bạn chỉ tiếp nhận 600 xe/ngày, thấp hơn năng lực thông quan phía ta (1.150 xe/ngày). " +
					"Mỗi ngày chỉ nhận tối đa 566 lượt đặt chỗ; xe chưa đặt chỗ xin cân nhắc hoãn khởi hành.",
				TextEN: "Advisory: The other side takes only 600 trucks a day, below our 1,150. " +
					"Bookings are limited to 566 a day; trucks without a booking should consider holding.",
				TextZH: "预警：对方口岸每天仅接收600辆车，低于我方每天1150辆的通关能力。每天最多接受566个预约；未预约的车辆请考虑暂缓出发。",
				Reason: "other side takes 600 trucks/day, below our 1150; bookings capped at 566/day",
			},
		},
		{
			// The wait alone, predicted by the policy, outlasts the fruit.
			name: "wait exceeds shelf life",
			in:   AdviceInput{Waiting: 300, OurPerDay: 750, ShelfLife: 5 * time.Hour, PerishableWait: 4*time.Hour + 30*time.Minute, CrossingTime: time.Hour},
			want: Advice{
				Level: Green, Active: true, StopBookings: true, ClearingPerDay: 750, ShedWithin: backlogWait(175, 750), // 300 − 125 within 4 h
				Text:   "Cảnh báo: Xe chở hàng tươi nếu đến cửa khẩu lúc này dự kiến phải chờ 4 giờ 30 phút, lâu hơn thời hạn bảo quản còn lại (5 giờ). Tạm dừng nhận đặt chỗ mới; xe chưa lên đường xin hoãn khởi hành.",
				TextEN: "Advisory: A truck of perishables arriving now is expected to wait 4 hours 30 minutes, longer than its remaining shelf life (5 hours). New bookings are suspended; trucks not yet on the road should hold.",
				TextZH: "预警：现在到达的鲜货车辆预计需等待4小时30分钟，超过剩余保鲜期（5小时）。暂停接受新的预约；尚未出发的车辆请暂缓出发。",
				Reason: "perishable wait 4h30m (+1h crossing) exceeds shelf life 5h; bookings stopped",
			},
		},
		{
			name: "no perishables expected, other side equal",
			in:   AdviceInput{Waiting: 5200, OurPerDay: 750, OtherPerDay: 750, OtherAnnounced: true, PerishableWait: WaitUnknown},
			want: Advice{Level: Red, MaxBookingsPerDay: 750, ClearingPerDay: 750},
		},
	} {
		got := Advise(tt.in)
		if got.Active != (len(got.Says) > 0) {
			t.Errorf("%s: in force %v with %d clauses", tt.name, got.Active, len(got.Says))
		}
		got.Says = nil // the texts are its rendering
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestAdviseStaysInForce checks the two conditions that keep an advisory in
// force once the waiting area has emptied: trucks told to hold that have
// not come back, and bookings for the next day that take what clears.
// Without them the advisory lifted in the simulated December 2021 as soon
// as the yard was empty, the walk-ins it had held came back at once onto
// days the held trucks had booked, and the yard filled again with fruit
// waiting two days.
func TestAdviseStaysInForce(t *testing.T) {
	quiet := AdviceInput{Waiting: 2, OurPerDay: 301, ShelfLife: 24 * time.Hour, PerishableWait: time.Hour, CrossingTime: time.Hour}
	if adv := Advise(quiet); adv.Active {
		t.Fatalf("a quiet gate: advisory in force (%s)", adv.Reason)
	}
	held := quiet
	held.Held = 900
	adv := Advise(held)
	if !adv.Active || adv.MaxBookingsPerDay != 301 || !strings.Contains(adv.Reason, "900 trucks told to hold have not come back") ||
		!strings.Contains(adv.TextEN, "900 trucks told to hold") {
		t.Errorf("900 held: active %v, max %d, reason %q, text %q; want in force, 301 a day", adv.Active, adv.MaxBookingsPerDay, adv.Reason, adv.TextEN)
	}
	// 100 waiting and 290 booked take 31 h at 301 a day, beyond a day's
	// shelf life, though the policy puts a perishable near the front.
	full := quiet
	full.Waiting, full.Booked = 100, 290
	adv = Advise(full)
	if !adv.Active || !strings.Contains(adv.Reason, "waiting and booked take 1d7h") {
		t.Errorf("100 waiting, 290 booked: active %v, reason %q; want in force", adv.Active, adv.Reason)
	}
	full.Booked = 100
	if adv := Advise(full); adv.Active {
		t.Errorf("100 waiting, 100 booked: in force (%s); want not", adv.Reason)
	}
}

// TestAdviseBacklog checks that the daily cap sheds only the backlog
// beyond the working queue, and counts trucks that show.
func TestAdviseBacklog(t *testing.T) {
	// Chi Ma in December 2021: 18 a day. Two trucks waiting are the queue
	// the next calls take; counting them as backlog cut bookings to 16 a day
	// and left the zero line idle.
	in := AdviceInput{Waiting: 2, OurPerDay: 71, OtherPerDay: 18, OtherAnnounced: true, ShelfLife: 24 * time.Hour, PerishableWait: time.Hour, CrossingTime: time.Hour}
	if got := Advise(in).MaxBookingsPerDay; got != 18 {
		t.Errorf("2 waiting at 18 a day: cap %d, want 18", got)
	}
	in.Waiting = 10 // 3 clear within the horizon, 7 to shed within a day
	if got := Advise(in).MaxBookingsPerDay; got != 11 {
		t.Errorf("10 waiting at 18 a day: cap %d, want 11", got)
	}
	for _, tt := range []struct{ max, want int }{{26, 27}, {18, 18}, {0, 0}} {
		if got := (Advice{MaxBookingsPerDay: tt.max}).Accepted(0.05); got != tt.want {
			t.Errorf("Accepted(0.05) of a cap of %d = %d, want %d", tt.max, got, tt.want)
		}
	}
}

// TestAdviseShedWithin checks that the cap binds only the days over which
// the backlog is shed: a day after it takes the whole clearing rate, so that
// a truck held at origin is not booked weeks out at a rate that only held
// while the backlog lasted (Tân Thanh after the 2021 crisis: 19 a day for
// every day ahead left its windows half empty a week later).
func TestAdviseShedWithin(t *testing.T) {
	in := AdviceInput{Waiting: 100, OurPerDay: 231, ShelfLife: 24 * time.Hour, PerishableWait: 30 * time.Hour, CrossingTime: time.Hour}
	adv := Advise(in) // 100 − 38.5 in the horizon = 61.5 shed within a day
	if !adv.Active || adv.MaxBookingsPerDay != 169 || adv.ShedWithin != 24*time.Hour {
		t.Fatalf("100 waiting at 231 a day: active %v, cap %d, shed within %v; want true, 169, 24h", adv.Active, adv.MaxBookingsPerDay, adv.ShedWithin)
	}
	for _, tt := range []struct {
		ahead time.Duration
		want  int
	}{{0, AcceptsOn(7, 169, 0.05)}, {23 * time.Hour, AcceptsOn(7, 169, 0.05)}, {24 * time.Hour, AcceptsOn(7, 231, 0.05)}, {10 * 24 * time.Hour, AcceptsOn(7, 231, 0.05)}} {
		if got := adv.AcceptedOn(7, tt.ahead, 0.05); got != tt.want {
			t.Errorf("AcceptedOn(%v) = %d, want %d", tt.ahead, got, tt.want)
		}
	}
	// A backlog beyond a day's clearing stops bookings until it has cleared.
	in.Waiting = 300 // 261.5 to shed: 27h10m at 231 a day
	adv = Advise(in)
	if adv.MaxBookingsPerDay != 0 || adv.ShedWithin != backlogWait(262, 231) {
		t.Fatalf("300 waiting: cap %d, shed within %v; want 0, %v", adv.MaxBookingsPerDay, adv.ShedWithin, backlogWait(262, 231))
	}
	if got := adv.AcceptedOn(7, 26*time.Hour, 0.05); got != 0 {
		t.Errorf("300 waiting, a day ahead: %d, want 0", got)
	}
	if got := adv.AcceptedOn(7, 28*time.Hour, 0.05); got != AcceptsOn(7, 231, 0.05) {
		t.Errorf("300 waiting, after it cleared: %d, want %d", got, AcceptsOn(7, 231, 0.05))
	}
	// No backlog to shed: every day takes the cap.
	in.Waiting = 10
	adv = Advise(in)
	if adv.ShedWithin != 0 || adv.AcceptedOn(7, 48*time.Hour, 0.05) != AcceptsOn(7, adv.MaxBookingsPerDay, 0.05) {
		t.Errorf("no backlog: shed within %v, AcceptedOn %d, cap %d", adv.ShedWithin, adv.AcceptedOn(7, 48*time.Hour, 0.05), adv.MaxBookingsPerDay)
	}
}

func TestBookingUtilization(t *testing.T) {
	for _, tt := range []struct {
		adv     Advice
		walkIns bool
		want    float64
	}{
		{Advice{}, true, 0.85},
		{Advice{Active: true}, true, 1},
		{Advice{}, false, 1},
		{Advice{Active: true}, false, 1},
	} {
		if got := BookingUtilization(0.85, tt.adv, tt.walkIns); got != tt.want {
			t.Errorf("BookingUtilization(0.85, active %v, walk-ins %v) = %v, want %v", tt.adv.Active, tt.walkIns, got, tt.want)
		}
	}
}

func TestHoldForShelfLife(t *testing.T) {
	// 40 trucks waiting, 2 an hour, the zone full: a truck arriving now is
	// called in about 20 h and needs 3 more to cross.
	in := Input{Now: t0, ServiceRate: 2, CrossingTime: 3 * time.Hour}
	for i := range 40 {
		in.Waiting = append(in.Waiting, Truck{ID: "w" + strconv.Itoa(i), Seq: int64(i + 1), ArrivedAt: t0.Add(-time.Hour)})
	}
	for _, tt := range []struct {
		name   string
		policy string
		truck  Truck
		want   bool
	}{
		{"not perishable", Adaptive, Truck{ID: "x"}, false},
		{"a week left", FIFO, Truck{ID: "x", SpoilsAt: t0.Add(7 * 24 * time.Hour)}, false},
		{"a day left, fifo", FIFO, Truck{ID: "x", SpoilsAt: t0.Add(22 * time.Hour)}, true},
		// Adaptive calls a perishable first when that saves it.
		{"a day left, adaptive", Adaptive, Truck{ID: "x", SpoilsAt: t0.Add(22 * time.Hour)}, false},
		{"two hours left, adaptive", Adaptive, Truck{ID: "x", SpoilsAt: t0.Add(2 * time.Hour)}, true},
	} {
		hold, need := HoldForShelfLife(mustNew(t, tt.policy, DefaultConfig()), in, tt.truck)
		if hold != tt.want {
			t.Errorf("%s: hold %v (need %v), want %v", tt.name, hold, need, tt.want)
		}
	}
	// Without a service rate the wait is unknown: no reason to hold.
	unknown := in
	unknown.ServiceRate = 0
	if hold, _ := HoldForShelfLife(mustNew(t, FIFO, DefaultConfig()), unknown, Truck{ID: "x", SpoilsAt: t0.Add(time.Hour)}); hold {
		t.Error("rate unknown: held, want not")
	}
}
