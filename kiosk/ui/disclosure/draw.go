package disclosure

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"hallkiosk/kiosk/queue"
	"hallkiosk/kiosk/text"
	"hallkiosk/kiosk/ui"
	"hallkiosk/kiosk/wall"
)

// Colours of the wall: the government blue of the kiosks, white paper, a red for urgent notices,
// a dark band for the now-serving line. Every pair is above 4.5:1.
var (
	colPaper   = color.NRGBA{0xFA, 0xFA, 0xF7, 0xFF}
	colUrgent  = color.NRGBA{0xB0, 0x1E, 0x1E, 0xFF}
	colBand    = color.NRGBA{0x1F, 0x2A, 0x37, 0xFF}
	colRule    = color.NRGBA{0xC8, 0xCE, 0xD6, 0xFF}
	colStripe  = color.NRGBA{0xEC, 0xF0, 0xF5, 0xFF}
	colDim     = color.NRGBA{0x5A, 0x63, 0x6E, 0xFF}
	colNight   = color.NRGBA{0x00, 0x00, 0x00, 0xFF}
	colNightTx = color.NRGBA{0x60, 0x60, 0x60, 0xFF}
)

// Sizes derive from the body text's height in pixels (wall.BodyPixels): content at full size, the
// bands' secondary words (publisher, period, page) at 3/4, the technician's clock mark small.
const (
	lineGap   = 1.35 // line height over text size
	minorText = 0.75
	markText  = 0.35
)

// Frame is what one drawing of the wall needs: the page, the calls now being served, the time
// and the hall.
type Frame struct {
	Page    wall.Page
	Serving []queue.Call
	Now     string // the date and time as the top band shows it
	Hall    string
}

// canvasWall draws frames at a fixed size; everything is placed by hand so a frame is the same
// picture every time (the golden images rely on it) and nothing reflows as pages turn.
type canvasWall struct {
	s    *text.Strings
	size fyne.Size
	body float32
	objs []fyne.CanvasObject
}

func (w *canvasWall) rect(c color.Color, x, y, wd, ht float32) {
	r := canvas.NewRectangle(c)
	r.Move(fyne.NewPos(x, y))
	r.Resize(fyne.NewSize(wd, ht))
	w.objs = append(w.objs, r)
}

// text places s with its top-left at x, y (right-aligned to x when right is set) and returns its width.
func (w *canvasWall) text(s string, size float32, c color.Color, x, y float32, bold, right bool) float32 {
	t := canvas.NewText(s, c)
	t.TextSize = size
	t.TextStyle.Bold = bold
	m := fyne.MeasureText(s, size, t.TextStyle)
	if right {
		x -= m.Width
	}
	t.Move(fyne.NewPos(x, y+(size*lineGap-m.Height)/2))
	t.Resize(m)
	w.objs = append(w.objs, t)
	return m.Width
}

// fit cuts s to what fits width at size, ending in … when cut.
func fit(s string, size, width float32) string {
	if fyne.MeasureText(s, size, fyne.TextStyle{}).Width <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && fyne.MeasureText(string(r)+"…", size, fyne.TextStyle{}).Width > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// wrap breaks s into lines that fit width at size (Chinese breaks anywhere; a paragraph break
// starts a new line).
func wrap(s string, size, width float32) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := []rune{}
		for _, c := range para {
			try := append(line, c)
			if len(line) > 0 && fyne.MeasureText(string(try), size, fyne.TextStyle{}).Width > width {
				out = append(out, string(line))
				line = []rune{c}
				continue
			}
			line = try
		}
		out = append(out, string(line))
	}
	return out
}

// partName words a part as the top band shows it.
func partName(s *text.Strings, part string) string {
	w := s.Wall
	switch part {
	case wall.PartParty:
		return w.PartParty
	case wall.PartFinance:
		return w.PartFinance
	case wall.PartService:
		return w.PartService
	case wall.PartAffairs:
		return w.PartAffairs
	}
	return w.PartVillage
}

func stageName(s *text.Strings, stage string) string {
	w := s.Wall
	return map[string]string{wall.StageProposal: w.StageProposal, wall.StageDiscussion: w.StageDiscussion, wall.StageReview: w.StageReview,
		wall.StageResolution: w.StageResolution, wall.StagePublished: w.StagePublished, wall.StageResult: w.StageResult}[stage]
}

// Layout is the wall's fixed geometry for a screen: the body size and how many table rows a page
// holds between the bands (what wall.Schedule.RowsPerPage takes).
type Layout struct {
	Body        float32
	RowsPerPage int
}

// LayoutFor is the geometry of a screen of size (pixels) with body text of body pixels: the top
// band, the publisher line, a table's header and totals, the page line and the serving band take
// their share; what is left holds rows.
func LayoutFor(size fyne.Size, body float32) Layout {
	line := body * lineGap
	fixed := line + line*minorText + line + line + line*minorText + line
	rows := int((size.Height - fixed) / line)
	return Layout{Body: body, RowsPerPage: max(rows, 1)}
}

// draw lays out one frame.
func (w *canvasWall) draw(f Frame) fyne.CanvasObject {
	w.objs = nil
	W, H, b := w.size.Width, w.size.Height, w.body
	line, pad := b*lineGap, b*0.5
	p := f.Page
	if p.Off {
		w.rect(colNight, 0, 0, W, H)
		w.text(f.Now, b, colNightTx, W/2-fyne.MeasureText(f.Now, b, fyne.TextStyle{}).Width/2, H/2-line/2, false, false)
		return w.done()
	}
	w.rect(colPaper, 0, 0, W, H)
	// Top band: the part (or 紧急通知), the title, the time.
	band := ui.ColPrimary
	label := f.Hall
	if p.Item != nil {
		label = partName(w.s, p.Item.Part)
	}
	if p.Urgent {
		band, label = colUrgent, w.s.Wall.Urgent
	}
	w.rect(band, 0, 0, W, line)
	x := pad + w.text(label, b, ui.ColOnPrimary, pad, 0, true, false) + pad
	timeW := fyne.MeasureText(f.Now, b*minorText, fyne.TextStyle{}).Width
	w.text(f.Now, b*minorText, ui.ColOnPrimary, W-pad, (line-line*minorText)/2, false, true)
	servingH := float32(0)
	if len(f.Serving) > 0 {
		servingH = line
	}
	bottom := H - servingH
	if p.Item == nil {
		w.text(w.s.Wall.Nothing, b, colDim, pad, line*2, false, false)
	} else {
		it := p.Item
		if w.titleFits(*it) {
			w.text(it.Title, b, ui.ColOnPrimary, x, 0, false, false)
		} else { // given whole above the text; the band says only the beginning
			w.text(fit(it.Title, b, W-x-timeW-2*pad), b, ui.ColOnPrimary, x, 0, false, false)
		}
		// The publisher line: who, the display period, what a table covers.
		meta := []string{fmt.Sprintf(w.s.Wall.Publisher, it.Publisher),
			fmt.Sprintf(w.s.Wall.Period, it.From.Format("2006.01.02"), it.Until.AddDate(0, 0, -1).Format("2006.01.02"))}
		if it.Table != nil && it.Table.Period != "" {
			meta = append(meta, fmt.Sprintf(w.s.Wall.Covers, it.Table.Period))
		}
		w.text(fit(strings.Join(meta, "    "), b*minorText, W-2*pad), b*minorText, colDim, pad, line, false, false)
		top := line + line*minorText
		switch {
		case it.Table != nil:
			w.table(it, p, top, bottom-line*minorText)
			pageLine := fmt.Sprintf(w.s.Wall.PageOf, p.Page, p.Pages)
			if hasMoney(it.Table) {
				pageLine = w.s.Wall.Yuan + "    " + pageLine
			}
			w.text(pageLine, b*minorText, colDim, W-pad, bottom-line*minorText, false, true)
		case it.Kind == wall.KindApproval:
			w.steps(it, p, top+pad/2, bottom-line*minorText)
			if p.Pages > 1 {
				w.text(fmt.Sprintf(w.s.Wall.PageOf, p.Page, p.Pages), b*minorText, colDim, W-pad, bottom-line*minorText, false, true)
			}
		default:
			y := top + pad/2
			lines := w.noticeLines(*it)
			per := w.noticePerPage()
			lo := min((p.Page-1)*per, len(lines))
			for _, l := range lines[lo:min(lo+per, len(lines))] {
				col := ui.ColText
				if l.title {
					col = ui.ColPrimary
				}
				w.text(l.text, b, col, pad, y, l.title, false)
				y += line
			}
			if p.Pages > 1 {
				w.text(fmt.Sprintf(w.s.Wall.PageOf, p.Page, p.Pages), b*minorText, colDim, W-pad, bottom-line*minorText, false, true)
			}
		}
	}
	if servingH > 0 {
		w.serving(f.Serving, bottom)
	}
	if p.Stale { // for the technician: the clock could not be trusted, so nothing new enters
		w.text(w.s.Wall.ClockMark, b*markText, colDim, W-pad/2, H-b*markText*lineGap-servingH, false, true)
	}
	return w.done()
}

func (w *canvasWall) done() fyne.CanvasObject {
	c := &fyne.Container{Objects: w.objs} // no layout: every object stays where it was put
	c.Resize(w.size)
	return c
}

func hasMoney(t *wall.Table) bool {
	for _, c := range t.Columns {
		if c.Type == wall.ColMoney {
			return true
		}
	}
	return false
}

// noticeLine is one line of a notice's page: its text, and whether it is the title given whole.
type noticeLine struct {
	text  string
	title bool
}

// timeSample is the widest the top band's time gets (the last minute of the year), so whether a
// title fits the band does not change from minute to minute.
func (w *canvasWall) timeSample() string {
	return time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC).Format(w.s.Wall.TimeFormat)
}

// titleFits says whether an item's title fits the top band beside its part and the time.
func (w *canvasWall) titleFits(it wall.Item) bool {
	b, pad := w.body, w.body*0.5
	label := partName(w.s, it.Part)
	if it.Urgent {
		label = w.s.Wall.Urgent
	}
	room := w.size.Width - 2*pad - fyne.MeasureText(label, b, fyne.TextStyle{Bold: true}).Width - pad -
		fyne.MeasureText(w.timeSample(), b*minorText, fyne.TextStyle{}).Width - 2*pad
	return fyne.MeasureText(it.Title, b, fyne.TextStyle{}).Width <= room
}

// noticeLines are a notice's lines as the wall shows them: a title too long for the band first,
// whole (a notice's title is often its message: 大风蓝色预警：今晚停止一切室外用火), then the text.
func (w *canvasWall) noticeLines(it wall.Item) []noticeLine {
	width := w.size.Width - w.body
	var out []noticeLine
	if !w.titleFits(it) {
		for _, l := range wrap(it.Title, w.body, width) {
			out = append(out, noticeLine{l, true})
		}
	}
	for _, l := range wrap(it.Body, w.body, width) {
		out = append(out, noticeLine{l, false})
	}
	return out
}

// noticePerPage is how many lines of a notice a page holds, between the publisher line and the
// page line, with room for the now-serving band whether or not it is there.
func (w *canvasWall) noticePerPage() int {
	line := w.body * lineGap
	room := w.size.Height - line - line*minorText - w.body*0.25 - line*minorText - line
	return max(int(room/line), 1)
}

// NoticePages is how many pages a notice takes on a screen of size with body text of body pixels
// (what wall.Schedule.NoticePages asks).
func NoticePages(s *text.Strings, size fyne.Size, body float32, it wall.Item) int {
	w := &canvasWall{s: s, size: size, body: body}
	per := w.noticePerPage()
	return max((len(w.noticeLines(it))+per-1)/per, 1)
}

// table draws the header, this page's rows (striped), and the totals, money right-aligned in 元.
func (w *canvasWall) table(it *wall.Item, p wall.Page, top, bottom float32) {
	t := it.Table
	W, b := w.size.Width, w.body
	line, pad := b*lineGap, b*0.5
	cell := func(c wall.Column, v string) string {
		if c.Type == wall.ColMoney {
			if fen, err := wall.ParseYuan(v); err == nil {
				return wall.FormatYuan(fen)
			}
		}
		return v
	}
	// Column widths by their widest cell on this page (header and totals included).
	widths := make([]float32, len(t.Columns))
	measure := func(j int, s string, bold bool) {
		if m := fyne.MeasureText(s, b, fyne.TextStyle{Bold: bold}).Width; m > widths[j] {
			widths[j] = m
		}
	}
	for j, c := range t.Columns {
		measure(j, c.Title, true)
		for _, r := range p.Rows {
			measure(j, cell(c, r[j]), false)
		}
		if len(t.Totals) == len(t.Columns) {
			measure(j, cell(c, t.Totals[j]), true)
		}
	}
	var sum float32
	for _, wd := range widths {
		sum += wd
	}
	gap := (W - 2*pad - sum) / float32(max(len(widths), 1))
	if gap < pad {
		gap = pad
	}
	row := func(y float32, cells []string, bold bool, col color.Color) {
		x := pad
		for j, c := range t.Columns {
			v := cell(c, cells[j])
			right := c.Type == wall.ColMoney || c.Type == wall.ColNumber
			if right {
				w.text(v, b, col, x+widths[j]+gap/2, y, bold, true)
			} else {
				w.text(v, b, col, x+gap/2, y, bold, false)
			}
			x += widths[j] + gap
		}
	}
	y := top
	w.rect(colRule, 0, y+line-2, W, 2)
	row(y, headers(t), true, ui.ColPrimary)
	y += line
	for i, r := range p.Rows {
		if y+line > bottom-line {
			break
		}
		if i%2 == 1 {
			w.rect(colStripe, 0, y, W, line)
		}
		row(y, r, false, ui.ColText)
		y += line
	}
	if len(t.Totals) == len(t.Columns) {
		w.rect(colRule, 0, y, W, 2)
		tot := append([]string(nil), t.Totals...)
		if strings.TrimSpace(tot[0]) == "" {
			tot[0] = w.s.Wall.Total
		}
		row(y, tot, true, ui.ColText)
	}
}

func headers(t *wall.Table) []string {
	out := make([]string, len(t.Columns))
	for j, c := range t.Columns {
		out[j] = c.Title
	}
	return out
}

// steps draws this page of a major matter's record: each stage of 四议两公开 on two lines, its
// name and date, then who took it and the outcome; a stage still to come says so.
func (w *canvasWall) steps(it *wall.Item, p wall.Page, top, bottom float32) {
	W, b := w.size.Width, w.body
	line, pad := b*lineGap, b*0.5
	y := top
	if it.Body != "" && p.Page == 1 {
		w.text(fit(it.Body, b, W-2*pad), b, ui.ColText, pad, y, false, false)
		y += line
	}
	for i, r := range p.Rows {
		if y+2*line > bottom {
			break
		}
		if i%2 == 0 {
			w.rect(colStripe, 0, y, W, 2*line)
		}
		x := pad + w.text(stageName(w.s, r[0]), b, ui.ColPrimary, pad, y, true, false) + pad
		if r[1] == "" {
			w.text(w.s.Wall.StagePending, b, colDim, x, y, false, false)
		} else {
			w.text(r[1], b, ui.ColText, x, y, false, false)
			w.text(fit(r[2]+"："+r[3], b, W-3*pad), b, ui.ColText, 2*pad, y+line, false, false)
		}
		y += 2 * line
	}
}

// serving draws the now-serving line: each window's current number.
func (w *canvasWall) serving(calls []queue.Call, y float32) {
	W, b := w.size.Width, w.body
	line, pad := b*lineGap, b*0.5
	w.rect(colBand, 0, y, W, line)
	x := pad + w.text(w.s.Wall.Serving, b, ui.ColOnPrimary, pad, y, true, false) + 2*pad
	for _, c := range calls {
		s := c.Number + " → " + fmt.Sprintf(w.s.Wall.WindowN, c.Window)
		if x+fyne.MeasureText(s, b, fyne.TextStyle{}).Width > W-pad {
			break
		}
		x += w.text(s, b, ui.ColOnPrimary, x, y, false, false) + 2*pad
	}
}
