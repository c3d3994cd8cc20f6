package window

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"io/fs"
	"strings"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/kiosk/figures"
	"hallkiosk/kiosk/staff"
	"hallkiosk/kiosk/ui"
)

// Figures counts a period for 统计 (*figures.Source is one).
type Figures interface {
	Report(p figures.Period) (figures.Report, error)
}

// figuresPage is 统计 for the station head: today, yesterday, this month or last month, as
// tables (概况, 好差评, 按状态, 按事项, 取号叫号), exported to CSV or XLSX in the export folder.
type figuresPage struct {
	a      *App
	period figures.Period
	which  string // the period button on show
	r      *figures.Report
	note   string
	bad    bool // note is a problem
}

func newFiguresPage(a *App) *figuresPage {
	p := &figuresPage{a: a}
	p.choose(a.sh.S.Figures.Today)
	return p
}

// periods are the choices in the order the buttons show them.
func (p *figuresPage) periods() []struct {
	label string
	of    figures.Period
} {
	w, now := p.a.sh.S.Figures, p.a.sh.Clock.Now()
	return []struct {
		label string
		of    figures.Period
	}{
		{w.Today, figures.Day(now)}, {w.Yesterday, figures.Day(now.AddDate(0, 0, -1))},
		{w.ThisMonth, figures.Month(now)}, {w.LastMonth, figures.Month(figures.Month(now).From.AddDate(0, 0, -1))},
	}
}

func (p *figuresPage) choose(label string) {
	for _, c := range p.periods() {
		if c.label == label {
			p.which, p.period = label, c.of
		}
	}
	p.r, p.note = nil, ""
	a := p.a
	var r figures.Report
	a.run(func(context.Context) error {
		var err error
		r, err = a.d.Figures.Report(p.period)
		return err
	}, func(err error) {
		if err != nil {
			a.sh.Log.Error("figures", "period", p.period.Name, "err", err)
			p.note, p.bad = a.sh.S.Desk.Failed, true
		} else {
			p.r = &r
		}
		a.refreshIf(ScreenFigures)
	})
}

func (p *figuresPage) Screen() ui.Screen {
	a, sh, w := p.a, p.a.sh, p.a.sh.S.Figures
	var pick []fyne.CanvasObject
	for _, c := range p.periods() {
		b := widget.NewButton(c.label, func() { p.choose(c.label); sh.Refresh() })
		if c.label == p.which {
			b.Importance = widget.HighImportance
		}
		pick = append(pick, b)
	}
	csv := widget.NewButton(w.ExportCSV, func() { p.export(figures.CSV) })
	xlsx := widget.NewButton(w.ExportXLSX, func() { p.export(figures.XLSX) })
	if p.r == nil || a.d.ExportDir == nil {
		csv.Disable()
		xlsx.Disable()
	}
	top := container.NewBorder(nil, nil, container.NewHBox(pick...), container.NewHBox(csv, xlsx))
	var rows []fyne.CanvasObject
	if p.note != "" {
		if p.bad {
			rows = append(rows, ui.Warn(p.note))
		} else {
			rows = append(rows, ui.Info(p.note))
		}
	}
	if r := p.r; r != nil {
		tables := figures.Tables(*r, sh.S)
		if r.Cases == 0 && r.Rated == 0 && r.AllTickets.Taken == 0 {
			rows = append(rows, ui.Para(w.Empty))
		}
		// 概况, 好差评 and 按状态 side by side; 按事项 and 取号叫号 across the page.
		rows = append(rows, container.NewHBox(p.table(tables[0]), p.table(tables[3]), p.table(tables[2])))
		rows = append(rows, p.table(tables[1]))
		if len(tables) > 4 {
			rows = append(rows, p.table(tables[4]))
		} else {
			rows = append(rows, ui.Para(w.NoTickets))
		}
	}
	return ui.Screen{Name: ScreenFigures, Title: w.Title + " " + p.period.Name, Bare: true, Right: a.titleRight(ScreenFigures),
		Body: container.NewBorder(top, nil, nil, nil, container.NewVScroll(container.NewVBox(rows...)))}
}

// table draws one table with its columns as wide as their widest cell, numbers to the right.
func (p *figuresPage) table(t figures.Table) fyne.CanvasObject {
	sh := p.a.sh
	size := theme.TextSize()
	pad := theme.Padding() * 4
	widths := make([]float32, len(t.Header))
	for c, h := range t.Header {
		widths[c] = fyne.MeasureText(h, size, fyne.TextStyle{}).Width + pad
		for _, row := range t.Rows {
			widths[c] = max(widths[c], fyne.MeasureText(figures.Cell(row[c]), size, fyne.TextStyle{}).Width+pad)
		}
	}
	line := func(cells []string, head bool, numeric []bool) fyne.CanvasObject {
		var objs []fyne.CanvasObject
		for c, s := range cells {
			col := color.Color(ui.ColText)
			if head { // headers differ by colour: the bundled face has one weight
				col = ui.ColPrimary
			}
			txt := sh.Text(s, 1, col)
			if numeric != nil && numeric[c] {
				txt.Alignment = fyne.TextAlignTrailing
			}
			objs = append(objs, ui.FixedWidth(widths[c], container.NewPadded(txt)))
		}
		return container.NewHBox(objs...)
	}
	// A column of numbers has its header at the right too (the first row tells which they are).
	var numHead []bool
	if len(t.Rows) > 0 {
		for _, v := range t.Rows[0] {
			_, isStr := v.(string)
			numHead = append(numHead, !isStr)
		}
	}
	box := []fyne.CanvasObject{sh.Text(t.Name, 1.2, ui.ColPrimary), line(t.Header, true, numHead)}
	for i, row := range t.Rows {
		cells := make([]string, len(row))
		numeric := make([]bool, len(row))
		for c, v := range row {
			cells[c] = figures.Cell(v)
			switch v.(type) {
			case int, float64:
				numeric[c] = true
			}
		}
		l := line(cells, false, numeric)
		if i%2 == 0 { // every other row shaded, so a long row is followed by eye
			bg := canvas.NewRectangle(theme.Color(theme.ColorNameHover))
			l = container.NewStack(bg, l)
		}
		box = append(box, l)
	}
	// In an HBox the table keeps its own width: the shading stops at its last column.
	return container.NewPadded(container.NewHBox(container.NewVBox(box...)))
}

// export writes the report to the export folder (a USB stick when one is in) and says where.
func (p *figuresPage) export(format string) {
	a, w := p.a, p.a.sh.S.Figures
	if p.r == nil || a.d.ExportDir == nil {
		return
	}
	r := *p.r
	tables := figures.Tables(r, a.sh.S)
	var paths []string
	a.run(func(context.Context) error {
		dir, err := a.d.ExportDir()
		if err != nil {
			return err
		}
		paths, err = figures.Export(dir, format, r, tables, w.Title)
		return err
	}, func(err error) {
		if err != nil {
			a.sh.Log.Error("figures export", "period", r.Period.Name, "format", format, "err", err)
			p.note, p.bad = fmt.Sprintf(w.ExportFailed, p.exportReason(err)), true
		} else {
			a.audit("figures.export."+format, r.Period.Name)
			p.note, p.bad = fmt.Sprintf(w.Exported, strings.Join(paths, "、")), false
		}
		a.refreshIf(ScreenFigures)
	})
}

// exportReason words why an export failed, as the station head can act on it.
func (p *figuresPage) exportReason(err error) string {
	w := p.a.sh.S.Figures
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return w.ExportNoDir
	case errors.Is(err, syscall.ENOSPC):
		return w.ExportFull
	case errors.Is(err, syscall.EROFS), errors.Is(err, fs.ErrPermission):
		return w.ExportReadOnly
	}
	return w.ExportOther
}

// mayCount says who sees 统计: the station head.
func mayCount(s staff.Session) bool { return s.Role == staff.RoleHead }
