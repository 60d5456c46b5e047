package notice

import (
	"slices"

	"github.com/cuakhau/cuakhau"
)

// The messages the platform sends to drivers and enterprises.
const (
	// Called tells a truck waiting in the yard to enter the control zone.
	Called Key = "called"
	// BookingMoved confirms a booking's new window ({at}, its start).
	BookingMoved Key = "booking_moved"
	// BookingLostLate tells a booked truck that came later than the
	// tolerance that it lost its window and joined the live queue.
	BookingLostLate Key = "booking_lost_late"
	// BookingLostNoShow tells a booked truck that did not come by its
	// window's end and the tolerance that its booking is cancelled.
	BookingLostNoShow Key = "booking_lost_no_show"
	// Advisory passes the gate's inflow advisory to a trip on its way.
	Advisory Key = "advisory"
	// ShelfLifeHold tells a perishable trip on its way to hold at origin:
	// its load lasts until {at}, less than the wait and crossing ({wait}).
	ShelfLifeHold Key = "shelf_life_hold"
	// ShelfLifeHoldReleased is ShelfLifeHold to a booked trip, which gives
	// up its booking of the window starting {window} with the hold.
	ShelfLifeHoldReleased Key = "shelf_life_hold_released"
	// BookingReleasedHours tells a booked trip that the gate's new hours
	// ({hours}) no longer cover its window ({window}): the booking is
	// released, to book again.
	BookingReleasedHours Key = "booking_released_hours"
)

// The clauses of an advisory's text (AdviceText), as sched.Advise decides
// them; they are not messages on their own.
const (
	AdvisoryHeading Key = "advisory.heading"
	// AdvisoryPerishableWait: a perishable arriving now would wait {wait},
	// longer than its remaining {shelf_life}.
	AdvisoryPerishableWait Key = "advisory.perishable_wait"
	// AdvisoryBacklogBeyondShelfLife: the trucks waiting and booked for
	// the next day take {wait} to clear, longer than {shelf_life}.
	AdvisoryBacklogBeyondShelfLife Key = "advisory.backlog_beyond_shelf_life"
	// AdvisoryOtherSideShort: the other side takes {count} trucks a day,
	// below our {capacity}.
	AdvisoryOtherSideShort Key = "advisory.other_side_short"
	// AdvisoryHeldAtOrigin: {count} trucks told to hold have not come back.
	AdvisoryHeldAtOrigin Key = "advisory.held_at_origin"
	// AdvisoryBookingsStopped: no new bookings.
	AdvisoryBookingsStopped Key = "advisory.bookings_stopped"
	// AdvisoryBookingsCapped: at most {count} bookings a day.
	AdvisoryBookingsCapped Key = "advisory.bookings_capped"
)

// message is a catalogue entry: the outbox kind it is sent as (empty for a
// clause), whether the outbox text carries the English after the
// Vietnamese, the arguments its texts take, and a text per language.
type message struct {
	kind   string
	withEN bool
	args   []string
	text   map[Lang]string
}

// catalogue holds every key. The Vietnamese of the messages sent before
// the catalogue existed (called, booking_moved, the two booking_lost) is
// byte for byte what the store wrote then, so that `cuakhau verify`
// rebuilds those rows unchanged.
var catalogue = map[Key]message{
	Called: {kind: cuakhau.NotifyCalled, withEN: true, args: []string{"plate", "code", "gate"}, text: map[Lang]string{
		VI: "Xe {plate} ({code}): mời vào khu kiểm soát cửa khẩu {gate} ngay.",
		// The English has always named the truck by its plate alone.
		EN: "Truck {plate}: proceed to the control zone now.",
		ZH: "车辆{plate}（{code}）：请立即进入{gate}口岸控制区。",
	}},
	BookingMoved: {kind: cuakhau.NotifyBookingMoved, args: []string{"plate", "code", "gate", "at"}, text: map[Lang]string{
		VI: "Xe {plate} ({code}): lịch qua cửa khẩu {gate} đã chuyển sang {at}.",
		EN: "Truck {plate} ({code}): the crossing booked at {gate} has moved to {at}.",
		ZH: "车辆{plate}（{code}）：{gate}口岸的通关预约已改至{at}。",
	}},
	BookingLostLate: {kind: cuakhau.NotifyBookingLost, args: []string{"plate", "code"}, text: map[Lang]string{
		VI: "Xe {plate} ({code}) đến muộn quá thời gian cho phép: mất lịch đặt, xếp vào hàng chờ thường.",
		EN: "Truck {plate} ({code}) came later than its booking allows: the booking is lost and the truck joins the ordinary queue.",
		ZH: "车辆{plate}（{code}）晚于预约允许的时间到达：预约失效，转入普通排队。",
	}},
	BookingLostNoShow: {kind: cuakhau.NotifyBookingLost, args: []string{"plate", "code"}, text: map[Lang]string{
		VI: "Xe {plate} ({code}) không đến trong khung giờ đã đặt: lịch đặt bị hủy.",
		EN: "Truck {plate} ({code}) did not come in its booked window: the booking is cancelled.",
		ZH: "车辆{plate}（{code}）未在预约时段内到达：预约已取消。",
	}},
	Advisory: {kind: cuakhau.NotifyAdvisory, withEN: true, args: []string{"advisory"}, text: map[Lang]string{
		VI: "{advisory}", EN: "{advisory}", ZH: "{advisory}",
	}},
	ShelfLifeHold: {kind: cuakhau.NotifyAdvisory, withEN: true, args: []string{"plate", "code", "at", "wait"}, text: map[Lang]string{
		VI: "Xe {plate} ({code}): hàng tươi chỉ còn hạn đến {at}, không đủ cho thời gian chờ và thông quan dự kiến ({wait}); xin chờ tại nơi xuất phát.",
		EN: "Truck {plate} ({code}): the load lasts until {at}, less than the expected wait and crossing ({wait}); please hold at origin.",
		ZH: "车辆{plate}（{code}）：鲜货保鲜期至{at}，不足以覆盖预计的等待和通关时间（{wait}）；请在出发地等待。",
	}},

	ShelfLifeHoldReleased: {kind: cuakhau.NotifyAdvisory, withEN: true, args: []string{"plate", "code", "at", "wait", "window"}, text: map[Lang]string{
		VI: "Xe {plate} ({code}): hàng tươi chỉ còn hạn đến {at}, không đủ cho thời gian chờ và thông quan dự kiến ({wait}); xin chờ tại nơi xuất phát. Lịch đặt {window} đã được hủy (không tính là không đến); đặt lại khi có thể đi.",
		EN: "Truck {plate} ({code}): the load lasts until {at}, less than the expected wait and crossing ({wait}); please hold at origin. The booking of {window} is released (not counted as a no-show); book again when you can set off.",
		ZH: "车辆{plate}（{code}）：鲜货保鲜期至{at}，不足以覆盖预计的等待和通关时间（{wait}）；请在出发地等待。{window}的预约已取消（不计为未到）；可以出发时请重新预约。",
	}},

	BookingReleasedHours: {kind: cuakhau.NotifyBookingLost, args: []string{"plate", "code", "gate", "hours", "window"}, text: map[Lang]string{
		VI: "Xe {plate} ({code}): cửa khẩu {gate} đổi giờ làm việc thành {hours}, không còn gồm khung giờ đã đặt {window}; lịch đặt đã được hủy (không tính là không đến), xin đặt lại khung giờ khác.",
		EN: "Truck {plate} ({code}): gate {gate} now works {hours}, which no longer includes the booked window {window}; the booking is released (not counted as a no-show): please book another window.",
		ZH: "车辆{plate}（{code}）：{gate}口岸开放时间改为{hours}，不再包含已预约的时段{window}；预约已取消（不计为未到），请重新预约其他时段。",
	}},

	AdvisoryHeading: {text: map[Lang]string{VI: "Cảnh báo:", EN: "Advisory:", ZH: "预警："}},
	AdvisoryPerishableWait: {args: []string{"wait", "shelf_life"}, text: map[Lang]string{
		VI: "Xe chở hàng tươi nếu đến cửa khẩu lúc này dự kiến phải chờ {wait}, lâu hơn thời hạn bảo quản còn lại ({shelf_life}).",
		EN: "A truck of perishables arriving now is expected to wait {wait}, longer than its remaining shelf life ({shelf_life}).",
		ZH: "现在到达的鲜货车辆预计需等待{wait}，超过剩余保鲜期（{shelf_life}）。",
	}},
	AdvisoryBacklogBeyondShelfLife: {args: []string{"wait", "shelf_life"}, text: map[Lang]string{
		VI: "Các xe đang chờ và đã đặt chỗ trong 24 giờ tới cần {wait} để thông quan, lâu hơn thời hạn bảo quản của hàng tươi ({shelf_life}).",
		EN: "The trucks waiting and booked for the next 24 hours take {wait} to clear, longer than perishables last ({shelf_life}).",
		ZH: "正在等待和未来24小时已预约的车辆需要{wait}才能通关，超过鲜货的保鲜期（{shelf_life}）。",
	}},
	AdvisoryOtherSideShort: {args: []string{"count", "capacity"}, text: map[Lang]string{
		VI: "Phía bạn chỉ tiếp nhận {count} xe/ngày, thấp hơn năng lực thông quan phía ta ({capacity} xe/ngày).",
		EN: "The other side takes only {count} trucks a day, below our {capacity}.",
		ZH: "对方口岸每天仅接收{count}辆车，低于我方每天{capacity}辆的通关能力。",
	}},
	AdvisoryHeldAtOrigin: {args: []string{"count"}, text: map[Lang]string{
		VI: "Còn {count} xe đang chờ tại nơi xuất phát theo cảnh báo trước; xe chưa đặt chỗ đi sau các xe này.",
		EN: "{count} trucks told to hold at origin have not come back yet; trucks without a booking come after them.",
		ZH: "仍有{count}辆车按此前预警在出发地等待；未预约的车辆排在其后。",
	}},
	AdvisoryBookingsStopped: {text: map[Lang]string{
		VI: "Tạm dừng nhận đặt chỗ mới; xe chưa lên đường xin hoãn khởi hành.",
		EN: "New bookings are suspended; trucks not yet on the road should hold.",
		ZH: "暂停接受新的预约；尚未出发的车辆请暂缓出发。",
	}},
	AdvisoryBookingsCapped: {args: []string{"count"}, text: map[Lang]string{
		VI: "Mỗi ngày chỉ nhận tối đa {count} lượt đặt chỗ; xe chưa đặt chỗ xin cân nhắc hoãn khởi hành.",
		EN: "Bookings are limited to {count} a day; trucks without a booking should consider holding.",
		ZH: "每天最多接受{count}个预约；未预约的车辆请考虑暂缓出发。",
	}},
}

// Keys lists every key of the catalogue.
func Keys() []Key {
	keys := make([]Key, 0, len(catalogue))
	for k := range catalogue {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
