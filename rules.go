package cuakhau

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// A broken rule (FieldErrors.Add), and the queue's reason for a truck's
// place, is written where it is decided, in English: it is what the API
// answers and what the logs keep.
// The pages show it in the reader's language through this catalogue: each
// entry is a rule's English as its checker writes it, a format with %s, %d,
// %q, %c and %U for the parts that vary, and its Vietnamese and Chinese,
// where %s, or %[n]s for another order, stands for the same parts. A rule
// the catalogue does not hold stays in English. TestRulesInEveryLanguage
// feeds the checkers broken input and fails on a refusal with no entry, and
// sched's TestReasonsInEveryLanguage does the same for the queue's reasons,
// so that a changed English text cannot silently lose its translations.
var ruleCatalogue = []struct{ en, vi, zh string }{
	// cuakhau: text fields and numbers.
	{"required", "bắt buộc", "必填"},
	{"not valid UTF-8", "không phải văn bản hợp lệ (UTF-8)", "不是有效的 UTF-8 文本"},
	{"character %d is a control character (%U)", "ký tự thứ %s là ký tự điều khiển (%s)", "第 %s 个字符是控制字符（%s）"},
	{"character %d is a bidirectional formatting character (%U)", "ký tự thứ %s là ký tự định hướng văn bản (%s)", "第 %s 个字符是双向格式字符（%s）"},
	{"character %d is an invisible formatting character (%U)", "ký tự thứ %s là ký tự định dạng ẩn (%s)", "第 %s 个字符是不可见的格式字符（%s）"},
	{"character %d is a line or paragraph separator (%U)", "ký tự thứ %s là ký tự ngắt dòng hoặc đoạn (%s)", "第 %s 个字符是行或段落分隔符（%s）"},
	{"longer than %d characters", "dài quá %s ký tự", "超过 %s 个字符"},
	{"must be greater than 0", "phải lớn hơn 0", "必须大于 0"},
	{"must not be negative", "không được âm", "不能为负数"},
	{"a whole number", "phải là số nguyên", "必须是整数"},
	// ident: the identifiers.
	{"is required", "bắt buộc", "必填"},
	{"not a Vietnamese or Chinese plate", "không phải biển số Việt Nam hay Trung Quốc", "不是越南或中国车牌"},
	{"number must be 4 or 5 digits, as 1234 or 123.45", "phần số phải có 4 hoặc 5 chữ số, như 1234 hoặc 123.45", "号码须为 4 或 5 位数字，如 1234 或 123.45"},
	{"province code 00 does not exist", "không có mã tỉnh 00", "省份代码 00 不存在"},
	{"letter %c is not used on Vietnamese plates", "biển số Việt Nam không dùng chữ %s", "越南车牌不使用字母 %s"},
	{"series must be one or two letters", "sê-ri phải có một hoặc hai chữ cái", "系列须为一或两个字母"},
	{"%c is not a mainland Chinese province", "%s không phải tỉnh của Trung Quốc đại lục", "%s 不是中国大陆省份简称"},
	{"must have a letter after the province character", "sau chữ tỉnh phải có một chữ cái", "省份简称后须有一个字母"},
	{"letter %c is not used on Chinese plates", "biển số Trung Quốc không dùng chữ %s", "中国车牌不使用字母 %s"},
	{"must have 4 letters or digits before 挂", "trước 挂 phải có 4 chữ cái hoặc chữ số", "挂 前须有 4 位字母或数字"},
	{"must have 5 letters or digits after the prefecture letter, 6 on new-energy plates", "sau chữ cái địa phương phải có 5 chữ cái hoặc chữ số (6 với biển xe năng lượng mới)", "发牌机关代号后须有 5 位字母或数字，新能源车牌 6 位"},
	{"must be 4 letters, 6 digits and a check digit", "phải gồm 4 chữ cái, 6 chữ số và một chữ số kiểm tra", "须为 4 个字母、6 位数字和 1 位校验码"},
	{"category letter %c is not U, J or Z", "chữ loại %s không phải U, J hay Z", "类别字母 %s 不是 U、J 或 Z"},
	{"check digit is %d, want %d", "chữ số kiểm tra là %s, đúng ra phải là %s", "校验码为 %s，应为 %s"},
	{"check character is %c, want %c", "ký tự kiểm tra là %s, đúng ra phải là %s", "校验字符为 %s，应为 %s"},
	{"must have 12 digits", "phải có 12 chữ số", "须为 12 位数字"},
	{"document type %s is not 10 or 11 (import), 30 or 31 (export)", "loại hình %s không phải 10 hoặc 11 (nhập khẩu), 30 hoặc 31 (xuất khẩu)", "单证类型 %s 不是 10 或 11（进口）、30 或 31（出口）"},
	{"must be digits, with optional dots", "phải là chữ số, có thể có dấu chấm", "须为数字，可带点"},
	{"must have 4, 6 or 8 digits", "phải có 4, 6 hoặc 8 chữ số", "须为 4、6 或 8 位数字"},
	{"chapter 00 does not exist", "không có chương 00", "第 00 章不存在"},
	{"chapter 77 is reserved", "chương 77 được để dành", "第 77 章为保留章"},
	{"chapter %s is not in the Harmonized System", "chương %s không có trong Hệ thống hài hoà", "第 %s 章不在协调制度中"},
	{"must have 9 or 12 digits, or 18 characters for a Chinese ID", "phải có 9 hoặc 12 chữ số, hoặc 18 ký tự với CMND Trung Quốc", "须为 9 或 12 位数字，中国身份证为 18 位"},
	{"not an ID card or passport number", "không phải số CCCD hay hộ chiếu", "不是身份证或护照号码"},
	{"must have 10 digits, or 13 with a branch suffix", "phải có 10 chữ số, hoặc 13 với mã chi nhánh", "须为 10 位数字，带分支机构后缀为 13 位"},
	{"serial 0000000 is never issued", "không có số thứ tự 0000000", "序号 0000000 从不签发"},
	{"first 9 digits admit no check digit", "9 chữ số đầu không có chữ số kiểm tra hợp lệ", "前 9 位数字无有效校验码"},
	{"branch 000 does not exist", "không có chi nhánh 000", "分支机构 000 不存在"},
	// flow: the declaration.
	{"unknown gate %q", "không có cửa khẩu %s", "没有口岸 %s"},
	{"unknown direction %q; one of %s", "không có chiều %s; chọn một trong %s", "没有方向 %s；可选 %s"},
	{"%s is not served at gate %s", "cửa khẩu %[2]s không làm thủ tục chiều %[1]s", "口岸 %[2]s 不办理 %[1]s"},
	{"more than a day in the past", "đã qua hơn một ngày", "早于一天之前"},
	{"more than 30 days ahead", "xa hơn 30 ngày tới", "超过 30 天之后"},
	{"a trailer plate cannot be the vehicle's plate; put it in trailer_plate", "biển số rơ-moóc không dùng làm biển số xe; hãy điền vào ô biển số rơ-moóc", "挂车车牌不能作为车辆车牌；请填入挂车车牌"},
	{"one of VN, CN", "VN hoặc CN", "VN 或 CN"},
	{"the plate is registered in %s", "biển số này đăng ký tại %s", "该车牌登记于 %s"},
	{"at most %d containers", "nhiều nhất %s container", "最多 %s 个集装箱"},
	{"%s is listed twice", "%s bị ghi hai lần", "%s 重复填写"},
	{"an empty return carries no cargo", "xe rỗng quay về không chở hàng", "空车返回不载货"},
	{"at least one cargo line is required", "cần ít nhất một dòng hàng", "至少需要一行货物"},
	{"at most %d cargo lines", "nhiều nhất %s dòng hàng", "最多 %s 行货物"},
	{"only for perishable cargo", "chỉ dành cho hàng dễ hỏng", "仅适用于易腐货物"},
	{"at least one customs declaration is required", "cần ít nhất một tờ khai hải quan", "至少需要一份报关单"},
	{"at most %d declarations", "nhiều nhất %s tờ khai", "最多 %s 份报关单"},
	{"an %s declaration on an %s trip", "tờ khai %s cho chuyến %s", "%s 报关单用于 %s 车次"},
	// flow: decisions.
	{"a reason is required when an officer cancels a trip", "cán bộ huỷ chuyến phải ghi lý do", "官员取消行程须填写原因"},
	{"only a cancellation (outcome cancel) can mark a load as sold off", "chỉ khi huỷ chuyến mới đánh dấu được hàng đã bán tháo", "只有取消行程（outcome cancel）才能标记货物已就地抛售"},
	{"only a trip with perishable cargo can be marked as sold off", "chỉ chuyến chở hàng dễ hỏng mới đánh dấu được là đã bán tháo", "只有载有易腐货物的行程才能标记为已就地抛售"},
	// the pages' forms.
	{"an amount in US dollars, such as 54000 or 54000.50", "số tiền bằng USD, như 54000 hoặc 54000.50", "美元金额，如 54000 或 54000.50"},
	{"a day and time, 2026-12-01T08:30", "ngày và giờ, như 2026-12-01T08:30", "日期和时间，如 2026-12-01T08:30"},
	{"a whole number of trucks", "phải là số xe nguyên", "必须是整数车辆数"},
	{"a whole number of lanes", "phải là số làn nguyên", "必须是整数车道数"},
	{"a whole number of trucks a day", "phải là số xe/ngày nguyên", "必须是整数（车/日）"},
	{"not a waiting truck of this gate", "không phải xe đang chờ tại cửa khẩu này", "不是本口岸的等候车辆"},
	{"not a plate or a trip code", "không phải biển số hay mã chuyến", "不是车牌或车次码"},
	{"no trip of this gate still to cross has this plate or trip code", "cửa khẩu này không có chuyến nào chưa kết thúc mang biển số hay mã chuyến này", "本口岸没有使用此车牌或车次码且尚未结束的车次"},
	{"%d trips of this gate have this plate: type the trip code", "%s chuyến tại cửa khẩu này cùng biển số: hãy nhập mã chuyến", "本口岸有 %s 个车次使用此车牌：请输入车次码"},
	{"trip %s has ended; it can no longer be cancelled", "chuyến %s đã kết thúc, không huỷ được nữa", "车次 %s 已结束，不能再取消"},
	{"trip %s is in the control zone; a checkpoint rejects it there", "chuyến %s đã vào khu vực kiểm soát; tại đó chốt kiểm tra từ chối chuyến", "车次 %s 已进入监管区，须由检查点拒绝"},
	// queue, controls, accounts, statistics.
	{"is in the past: booking closes when the window starts", "đã qua: hết nhận đặt khi khung giờ bắt đầu", "已过去：时段开始即停止预约"},
	{"is beyond the booking horizon of %d days", "xa hơn thời hạn đặt trước %s ngày", "超出 %s 天的预约期限"},
	{"is outside opening hours %s–%s", "nằm ngoài giờ làm việc %s–%s", "不在开放时间 %s–%s 内"},
	{"is not the start of a window: windows are %s long from %s", "không phải giờ bắt đầu một khung: mỗi khung dài %s, tính từ %s", "不是时段的开始：每个时段 %s，自 %s 起"},
	{"is not the start of a window", "không phải giờ bắt đầu một khung", "不是时段的开始"},
	{"required, an RFC 3339 instant", "bắt buộc, một thời điểm dạng RFC 3339", "必填，RFC 3339 格式的时间"},
	{"must be a date, YYYY-MM-DD", "phải là ngày dạng YYYY-MM-DD", "须为 YYYY-MM-DD 格式的日期"},
	{"required, from 0 (none) to 9", "bắt buộc, từ 0 (không ưu tiên) đến 9", "必填，0（无）至 9"},
	{"must be valid UTF-8 text", "phải là văn bản hợp lệ (UTF-8)", "须为有效的 UTF-8 文本"},
	{"must be valid text of at most %d characters", "phải là văn bản hợp lệ, nhiều nhất %s ký tự", "须为有效文本，最多 %s 个字符"},
	{"unknown role %q", "không có vai trò %s", "没有角色 %s"},
	{"required for an enterprise user", "bắt buộc với tài khoản doanh nghiệp", "企业账户必填"},
	{"required for an enterprise token", "bắt buộc với mã truy cập của doanh nghiệp", "企业令牌必填"},
	{"only enterprise users have a tax code", "chỉ tài khoản doanh nghiệp có mã số thuế", "只有企业账户有税号"},
	{"only enterprise tokens have a tax code", "chỉ mã truy cập của doanh nghiệp có mã số thuế", "只有企业令牌有税号"},
	{"only officer users are bound to a gate", "chỉ tài khoản cán bộ gắn với một cửa khẩu", "只有官员账户绑定口岸"},
	{"only officer tokens are bound to a gate", "chỉ mã truy cập của cán bộ gắn với một cửa khẩu", "只有官员令牌绑定口岸"},
	{"gate %s has no checkpoint %q", "cửa khẩu %s không có chốt kiểm tra %s", "口岸 %s 没有检查点 %s"},
	{"one of %s", "chọn một trong %s", "可选 %s"},
	{"set at least one of lanes, room, policy, hours", "cần đặt ít nhất một trong: số làn, sức chứa, chính sách gọi xe, giờ làm việc", "至少设置车道、容量、叫车策略、开放时间之一"},
	{"must be a time of day, HH:MM from 00:00 to 23:59", "phải là giờ trong ngày, HH:MM từ 00:00 đến 23:59", "须为一天中的时间，HH:MM，00:00 至 23:59"},
	{"must be a time of day, HH:MM from 00:00 to 24:00", "phải là giờ trong ngày, HH:MM từ 00:00 đến 24:00", "须为一天中的时间，HH:MM，00:00 至 24:00"},
	{"a reason is required to call a truck out of turn", "gọi xe ngoài thứ tự phải có lý do", "插队叫车须填写原因"},
	{"an override calls one truck", "gọi ngoài thứ tự chỉ gọi một xe", "插队叫车只能叫一辆"},
	{"1 to 64 of a-z, 0-9, '.', '_', '-', '@', starting with a letter or digit", "1 đến 64 ký tự a-z, 0-9, '.', '_', '-', '@', bắt đầu bằng chữ cái hoặc chữ số", "1 至 64 个 a-z、0-9、'.'、'_'、'-'、'@' 字符，以字母或数字开头"},
	{"too short: at least %d characters, got %d", "quá ngắn: cần ít nhất %s ký tự, mới có %s", "太短：至少 %s 个字符，当前 %s 个"},
	{"required: the first day, 2025-05-08", "bắt buộc: ngày đầu, như 2025-05-08", "必填：开始日期，如 2025-05-08"},
	{"required: the last day, 2025-05-08", "bắt buộc: ngày cuối, như 2025-05-08", "必填：结束日期，如 2025-05-08"},
	{"not a date in the form 2025-05-08", "không phải ngày dạng 2025-05-08", "不是 2025-05-08 格式的日期"},
	{"%s is after to (%s)", "%s sau ngày cuối (%s)", "%s 晚于结束日期（%s）"},
	{"the range is longer than %d years: at most %s for from %s", "khoảng thời gian dài quá %s năm: từ %[3]s chỉ đến được %[2]s", "时间范围超过 %s 年：自 %[3]s 起最多到 %[2]s"},
	{"export or import", "xuất khẩu hoặc nhập khẩu", "出口或进口"},
	// sched: why a truck stands where it does in the call order (the
	// durations, as 2h30m or 9d22h, read the same in every language).
	{"fifo: arrival order", "theo thứ tự đến", "按到达顺序"},
	{"live queue: arrival order", "hàng không đặt lịch: theo thứ tự đến", "未预约队列：按到达顺序"},
	{"booked: window due, starts in %s", "đã đặt lịch: đến khung giờ, bắt đầu sau %s", "已预约：时段将至，%s 后开始"},
	{"booked: window due, started %s ago", "đã đặt lịch: đến khung giờ, đã bắt đầu %s trước", "已预约：时段已到，%s 前开始"},
	{"booked: window starts in %s, not yet due; after the live queue", "đã đặt lịch: khung giờ bắt đầu sau %s, chưa đến lượt; sau hàng không đặt lịch", "已预约：时段 %s 后开始，尚未到；排在未预约队列之后"},
	{"aging: %s past its FIFO turn (bound %s)", "chờ lâu: quá lượt theo thứ tự đến %s (giới hạn %s)", "等候过久：超过按序轮次 %s（上限 %s）"},
	{"statutory priority %d", "ưu tiên theo quy định %s", "法定优先 %s"},
	{"not perishable: arrival order", "hàng không dễ hỏng: theo thứ tự đến", "非易腐货物：按到达顺序"},
	{"perishable: slack %s", "hàng dễ hỏng: còn dư %s", "易腐货物：余量 %s"},
	{"perishable, cannot cross before it spoils (slack %s): arrival order", "hàng dễ hỏng, không kịp qua trước khi hỏng (dư %s): theo thứ tự đến", "易腐货物，变质前无法通关（余量 %s）：按到达顺序"},
	// The generic bounds last: a rule of its own above wins.
	{"at most %d packages", "nhiều nhất %s kiện", "最多 %s 件"},
	{"at most %d kg on one truck", "nhiều nhất %s kg trên một xe", "单车最多 %s 千克"},
	{"at most %d US cents", "nhiều nhất %s xu Mỹ", "最多 %s 美分"},
	{"at most %d hours (90 days)", "nhiều nhất %s giờ (90 ngày)", "最多 %s 小时（90 天）"},
	{"at most %d trucks", "nhiều nhất %s xe", "最多 %s 辆车"},
	{"must be at least %d %s", "ít nhất %s %s", "至少 %s %s"},
	{"must be at least %d", "ít nhất %s", "至少 %s"},
	{"at most %d %s", "nhiều nhất %s %s", "最多 %s %s"},
	{"at most %d", "nhiều nhất %s", "最多 %s"},
}

type compiledRule struct {
	re     *regexp.Regexp
	vi, zh string
}

var (
	rulesOnce sync.Once
	compiled  []compiledRule
)

// ruleVerb is a verb of a rule's English format.
var ruleVerb = regexp.MustCompile(`%[dsqcU]`)

func compileRules() {
	for _, r := range ruleCatalogue {
		var b strings.Builder
		b.WriteString("^")
		last := 0
		for _, m := range ruleVerb.FindAllStringIndex(r.en, -1) {
			b.WriteString(regexp.QuoteMeta(r.en[last:m[0]]))
			switch r.en[m[0]+1] {
			case 'd':
				b.WriteString(`(-?\d+)`)
			case 'q':
				b.WriteString(`("(?:[^"\\]|\\.)*")`)
			case 'c':
				b.WriteString(`(.)`)
			case 'U':
				b.WriteString(`(U\+[0-9A-F]{4,6})`)
			default:
				b.WriteString(`(.+?)`)
			}
			last = m[1]
		}
		b.WriteString(regexp.QuoteMeta(r.en[last:]))
		b.WriteString("$")
		compiled = append(compiled, compiledRule{re: regexp.MustCompile(b.String()), vi: r.vi, zh: r.zh})
	}
}

// RuleIn is a broken rule's text (as FieldErrors hold it) in lang ("vi",
// "zh"; "en" and any other give it as it is), and whether the catalogue
// had it: false leaves the English.
func RuleIn(lang, rule string) (string, bool) {
	if lang != "vi" && lang != "zh" {
		return rule, true
	}
	rulesOnce.Do(compileRules)
	for _, c := range compiled {
		m := c.re.FindStringSubmatch(rule)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, a := range m[1:] {
			args[i] = a
		}
		f := c.vi
		if lang == "zh" {
			f = c.zh
		}
		return fmt.Sprintf(f, args...), true
	}
	return rule, false
}
