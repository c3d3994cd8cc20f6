package figures

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/xuri/excelize/v2"

	"hallkiosk/kiosk/text"
)

// Table is one table of a report as a person reads it: a name (the sheet's, the file's), Chinese
// headers, and rows whose cells are strings or numbers (numbers stay numbers in XLSX, so the
// station head can add them up).
type Table struct {
	Name   string
	Header []string
	Rows   [][]any
}

// Tables lays a report out for the screen and the exports, in the words of assets/i18n.
func Tables(r Report, s *text.Strings) []Table {
	w := s.Figures
	sum := Table{Name: w.SheetSummary, Header: []string{w.ColWhat, w.ColCount}, Rows: [][]any{
		{w.RowPeriod, r.Period.Name},
		{w.RowCases, r.Cases},
		{w.RowKiosk, r.ByChannel["kiosk"]},
		{w.RowWindow, r.ByChannel["window"]},
		{w.RowOverdue, r.Overdue},
		{w.RowRated, r.Rated},
		{w.RowBad, r.Bad},
	}}
	if r.HasTickets {
		sum.Rows = append(sum.Rows, []any{w.RowTickets, r.AllTickets.Taken}, []any{w.RowServed, r.AllTickets.Served},
			[]any{w.RowAvgWait, minutes(r.AllTickets.AvgWait)})
	}
	sum.Rows = append(sum.Rows, []any{w.RowCounted, r.At.Format("2006-01-02 15:04")})

	items := Table{Name: w.SheetItems, Header: []string{w.ColItemCode, w.ColItem, w.ColTotal, w.ColOpen, w.ColClosed, w.ColOverdue}}
	for _, it := range r.ByItem {
		items.Rows = append(items.Rows, []any{it.Code, it.Name, it.Total, it.Open, it.Closed, it.Overdue})
	}
	status := Table{Name: w.SheetStatus, Header: []string{w.ColStatus, w.ColTotal}}
	for _, st := range r.ByStatus {
		status.Rows = append(status.Rows, []any{s.LifeStatus(string(st.Status)), st.Count})
	}
	ratings := Table{Name: w.SheetRatings, Header: []string{w.ColGrade, w.ColCount, w.ColShare}}
	for g := 5; g >= 1; g-- {
		share := 0.0
		if r.Rated > 0 {
			share = math.Round(float64(r.Grades[g])*1000/float64(r.Rated)) / 10
		}
		name := fmt.Sprint(g)
		if g-1 < len(s.Lists.Grades) {
			name = s.Lists.Grades[g-1]
		}
		ratings.Rows = append(ratings.Rows, []any{name, r.Grades[g], share})
	}
	out := []Table{sum, items, status, ratings}
	if r.HasTickets {
		tk := Table{Name: w.SheetTickets, Header: []string{w.ColBusiness, w.ColTaken, w.ColServed, w.ColMissed, w.ColWaiting,
			w.ColAvgWait, w.ColMaxWait, w.ColAvgService}}
		for _, row := range append(r.Tickets, r.AllTickets) {
			name := row.Business
			if name == "" {
				name = w.RowAll
			}
			tk.Rows = append(tk.Rows, []any{name, row.Taken, row.Served, row.Missed, row.Waiting,
				minutes(row.AvgWait), minutes(row.MaxWait), minutes(row.AvgService)})
		}
		out = append(out, tk)
	}
	return out
}

// minutes is a duration in minutes to one decimal, as the tables show waiting and serving times.
func minutes(d time.Duration) float64 { return math.Round(d.Minutes()*10) / 10 }

// Cell words one cell for CSV and the screen.
func Cell(v any) string {
	switch x := v.(type) {
	case float64:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprint(x)
	}
}

// WriteCSV writes one table as CSV in UTF-8 with a byte-order mark: without it, Excel on a
// Chinese Windows PC reads the file as GBK and shows the headers as mojibake.
func WriteCSV(w io.Writer, t Table) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // what Excel writes and expects
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	for _, row := range t.Rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = Cell(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes the tables as one workbook, a sheet each, headers bold and frozen, numbers as
// numbers.
func WriteXLSX(w io.Writer, tables []Table) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	for i, t := range tables {
		name := sheetName(t.Name)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return fmt.Errorf("xlsx sheet %s: %w", name, err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("xlsx sheet %s: %w", name, err)
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return fmt.Errorf("xlsx sheet %s: %w", name, err)
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		for c := range t.Header {
			if err := sw.SetColWidth(c+1, c+1, colWidth(t, c)); err != nil {
				return err
			}
		}
		head := make([]any, len(t.Header))
		for c, h := range t.Header {
			head[c] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return fmt.Errorf("xlsx sheet %s: %w", name, err)
		}
		for r, row := range t.Rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(cell, row); err != nil {
				return fmt.Errorf("xlsx sheet %s row %d: %w", name, r+2, err)
			}
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("xlsx sheet %s: %w", name, err)
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// sheetName keeps a sheet's name within Excel's 31 characters and without the characters it refuses.
func sheetName(s string) string {
	r := []rune(s)
	for i, c := range r {
		switch c {
		case ':', '\\', '/', '?', '*', '[', ']':
			r[i] = '_'
		}
	}
	if len(r) > 31 {
		r = r[:31]
	}
	return string(r)
}

// colWidth is a column wide enough for its longest cell, a Chinese character counting two.
func colWidth(t Table, c int) float64 {
	width := func(s string) float64 {
		w := 0.0
		for _, r := range s {
			if r > 0x2E80 {
				w += 2
			} else {
				w++
			}
		}
		return w
	}
	most := width(t.Header[c])
	for _, row := range t.Rows {
		if c < len(row) {
			most = max(most, width(Cell(row[c])))
		}
	}
	return min(most+2, 60)
}
