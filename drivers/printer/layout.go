package printer

import (
	"fmt"
	"strings"
	"time"

	"hallkiosk/township/api/mask"

	qrcode "github.com/skip2/go-qrcode"
)

// Paper describes a roll: 58 mm printers are 384 dots wide, 80 mm ones 576.
type Paper struct {
	Dots int
	// NativeQR: the printer draws QR codes itself (GS ( k); false prints a raster image instead.
	NativeQR bool
}

// Paper sizes.
var (
	Paper58 = Paper{Dots: 384, NativeQR: true}
	Paper80 = Paper{Dots: 576, NativeQR: true}
)

// Columns is how many half-width characters fit a line (12-dot font); a Chinese character takes two.
func (p Paper) Columns() int { return p.Dots / 12 }

// Receipt is the case receipt (回执) a resident takes home.
type Receipt struct {
	Hall, CaseNumber, Item string
	Submitted              time.Time
	Name, IDNumber         string // printed masked
	Promised               time.Time
	Collect                string // where and how to collect the result
	LookupURL              string // QR for progress lookup
	Missing                []string
}

// Ticket is the queue ticket (排队小票).
type Ticket struct {
	Hall, Number, Business string
	Waiting                int
	Issued                 time.Time
}

// Slip is the acceptance slip (受理单) the window gives a resident or a proxy.
type Slip struct {
	Hall, CaseNumber, Item, Name, IDNumber string
	Proxy                                  string // 代办员 name, printed masked; empty when the resident came
	Materials                              []SlipMaterial
	Staff                                  string
	Accepted, Promised                     time.Time
}

// SlipMaterial is one line of the slip's checklist.
type SlipMaterial struct {
	Name     string
	Received bool
}

const dateFmt = "2006年01月02日"

// ReceiptBytes lays out a receipt. Names and ID numbers are masked here, whatever the caller passes.
func ReceiptBytes(p Paper, r Receipt) ([]byte, error) {
	e := header(p, r.Hall, "办 件 回 执")
	e.Size(1, 2).Line("办件编号："+r.CaseNumber).Size(1, 1)
	wrap(p, e, "办理事项：", r.Item)
	e.Line("申请人：" + mask.Name(r.Name))
	e.Line("证件号码：" + mask.ID(r.IDNumber))
	e.Line("提交时间：" + r.Submitted.Format("2006年01月02日 15:04"))
	if !r.Promised.IsZero() {
		e.Line("承诺办结：" + r.Promised.Format(dateFmt) + "前")
	}
	if r.Collect != "" {
		wrap(p, e, "领取方式：", r.Collect)
	}
	if len(r.Missing) > 0 {
		e.Line(rule(p)).Line("还需补交的材料：")
		for i, m := range r.Missing {
			wrap(p, e, fmt.Sprintf("%d. ", i+1), m)
		}
	}
	e.Line(rule(p)).Align(Center).Line("扫码查询办理进度")
	qr(p, e, r.LookupURL)
	return footer(e)
}

// TicketBytes lays out a queue ticket: the number large, then how many are ahead.
func TicketBytes(p Paper, t Ticket) ([]byte, error) {
	e := header(p, t.Hall, "排 队 号")
	e.Align(Center).Size(3, 3).Line(t.Number).Size(1, 1)
	e.Line(t.Business)
	e.Line(fmt.Sprintf("您前面还有 %d 人", t.Waiting))
	e.Line(t.Issued.Format("2006年01月02日 15:04"))
	e.Line("请留意叫号，过号请重新取号")
	return footer(e)
}

// SlipBytes lays out an acceptance slip with the materials checklist.
func SlipBytes(p Paper, s Slip) ([]byte, error) {
	e := header(p, s.Hall, "受 理 单")
	e.Line("办件编号：" + s.CaseNumber)
	e.Line("办理事项：" + s.Item)
	e.Line("申请人：" + mask.Name(s.Name))
	e.Line("证件号码：" + mask.ID(s.IDNumber))
	if s.Proxy != "" {
		e.Line("代办人：" + mask.Name(s.Proxy) + "（全程代办）")
	}
	e.Line(rule(p)).Line("材料清单：")
	for _, m := range s.Materials {
		mark := "[ ] 未收"
		if m.Received {
			mark = "[√] 已收"
		}
		e.Line(mark + " " + m.Name)
	}
	e.Line(rule(p))
	e.Line("受理人：" + s.Staff)
	e.Line("受理时间：" + s.Accepted.Format("2006年01月02日 15:04"))
	if !s.Promised.IsZero() {
		e.Line("承诺办结：" + s.Promised.Format(dateFmt) + "前")
	}
	return footer(e)
}

// Checklist is the 预审 list: what a resident still has to bring for an item, and where.
type Checklist struct {
	Hall, Item string
	Missing    []string
	Place      string
	Hours      string
	Phone      string
	GuideURL   string // QR to the item's guide
	Printed    time.Time
	Incomplete bool // the case may be submitted first (容缺受理)
	CaseNumber string
}

// ChecklistBytes lays out the list of materials to bring.
func ChecklistBytes(p Paper, c Checklist) ([]byte, error) {
	e := header(p, c.Hall, "材 料 清 单")
	wrap(p, e, "办理事项：", c.Item)
	if c.CaseNumber != "" {
		e.Line("办件编号：" + c.CaseNumber)
	}
	e.Line(rule(p)).Line("请带齐以下材料：")
	for i, m := range c.Missing {
		wrap(p, e, fmt.Sprintf("%d. ", i+1), m)
	}
	e.Line(rule(p))
	if c.Place != "" {
		wrap(p, e, "办理地点：", c.Place)
	}
	if c.Hours != "" {
		wrap(p, e, "办理时间：", c.Hours)
	}
	if c.Phone != "" {
		e.Line("咨询电话：" + c.Phone)
	}
	e.Line("打印时间：" + c.Printed.Format("2006年01月02日 15:04"))
	if c.GuideURL != "" {
		e.Line(rule(p)).Align(Center).Line("扫码查看办事指南")
		qr(p, e, c.GuideURL)
	}
	return footer(e)
}

func header(p Paper, hall, title string) *Encoder {
	e := (&Encoder{}).Init().Align(Center)
	e.Line(hall).Size(2, 2).Line(title).Size(1, 1).Align(Left).Line(rule(p))
	return e
}

func footer(e *Encoder) ([]byte, error) {
	return e.Align(Center).Line("请妥善保管本凭证").Feed(3).Cut(true).Bytes()
}

func rule(p Paper) string { return strings.Repeat("-", p.Columns()) }

// wrap prints s in lines of the paper's width (a Chinese character takes two columns), breaking
// where the line is full and indenting the following lines under the text after label, so a long
// address or list stays readable instead of being cut by the printer.
func wrap(p Paper, e *Encoder, label, s string) {
	width := p.Columns()
	indent := cols(label)
	line, w := label, indent
	for _, r := range s {
		rw := 1
		if r >= 0x1100 {
			rw = 2
		}
		if w+rw > width {
			e.Line(line)
			line, w = strings.Repeat(" ", indent), indent
		}
		line += string(r)
		w += rw
	}
	e.Line(line)
}

func cols(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// qr prints data natively or, for printers without GS ( k, as a raster drawn with go-qrcode.
func qr(p Paper, e *Encoder, data string) {
	if data == "" {
		return
	}
	if p.NativeQR {
		e.QR(data, 6, ECMedium)
		return
	}
	code, err := qrcode.New(data, qrcode.Medium)
	if err != nil {
		e.fail(fmt.Errorf("QR for %q: %w", data, err))
		return
	}
	code.DisableBorder = true
	bits := code.Bitmap()
	scale := max(1, min(6, (p.Dots/2)/len(bits)))
	w := len(bits) * scale
	wb := (w + 7) / 8
	rows := make([]byte, 0, wb*w)
	for _, row := range bits {
		line := make([]byte, wb)
		for x, black := range row {
			if !black {
				continue
			}
			for s := 0; s < scale; s++ {
				px := x*scale + s
				line[px/8] |= 0x80 >> (px % 8)
			}
		}
		for s := 0; s < scale; s++ {
			rows = append(rows, line...)
		}
	}
	e.Raster(wb, rows)
}
