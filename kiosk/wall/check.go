package wall

import (
	"fmt"
	"slices"
	"strings"

	"hallkiosk/township/api"
	"hallkiosk/township/api/mask"
)

// Codes of a refusal at publishing, for the window to word in Chinese.
const (
	CodeKind        = "kind"         // not a notice, table, roster or approval record
	CodePart        = "part"         // not one of the five parts
	CodeTitle       = "title"        // no title
	CodePublisher   = "publisher"    // no publisher
	CodePeriod      = "period"       // the display period ends before it starts (or has no end)
	CodeBody        = "body"         // a notice without text
	CodeColumns     = "columns"      // a table without columns, or a column of no known type
	CodeCells       = "cells"        // a row with more or fewer cells than columns
	CodeNumber      = "number"       // a money or number cell that is not one
	CodeTotal       = "total"        // a column whose rows do not add up to its total
	CodeNameWhole   = "name_whole"   // a name not masked by the masking rule
	CodeIDWhole     = "id_whole"     // an ID number not masked
	CodeRosterNames = "roster_names" // a roster with no name column
	CodeSteps       = "steps"        // a major matter without its approval steps, or out of order
)

// Refusal is why an item may not be published, naming where: Row is the data row counted from 1
// (0: none; TotalsRow: the 合计 row), Column a column's title, Stage an approval stage.
type Refusal struct {
	Code   string
	Row    int
	Column string
	Stage  string
	Detail string // English, for the log
}

// TotalsRow is the Row of a refusal about the totals row.
const TotalsRow = -1

func (r *Refusal) Error() string {
	where := ""
	switch {
	case r.Row == TotalsRow:
		where = " in the totals row"
	case r.Row > 0:
		where = fmt.Sprintf(" in row %d", r.Row)
	}
	if r.Column != "" {
		where += fmt.Sprintf(", column %q", r.Column)
	}
	if r.Stage != "" {
		where += ", stage " + r.Stage
	}
	return fmt.Sprintf("disclosure refused (%s)%s: %s", r.Code, where, r.Detail)
}

// Check refuses what may not stand on the wall; nil means the item may be published. The checks
// are the rules a village's content must keep: true sums, masked people, a major matter's steps,
// a period that makes sense.
func Check(it Item) *Refusal {
	refuse := func(code, detail string) *Refusal { return &Refusal{Code: code, Detail: detail} }
	switch {
	case !slices.Contains([]string{KindNotice, KindTable, KindRoster, KindApproval}, it.Kind):
		return refuse(CodeKind, fmt.Sprintf("kind %q", it.Kind))
	case !slices.Contains(Parts, it.Part):
		return refuse(CodePart, fmt.Sprintf("part %q (use %s)", it.Part, strings.Join(Parts, ", ")))
	case strings.TrimSpace(it.Title) == "":
		return refuse(CodeTitle, "a title is required")
	case strings.TrimSpace(it.Publisher) == "":
		return refuse(CodePublisher, "the publisher is required")
	case it.From.IsZero() || it.Until.IsZero() || !it.Until.After(it.From):
		return refuse(CodePeriod, fmt.Sprintf("display period %s to %s", it.From.Format("2006-01-02"), it.Until.Format("2006-01-02")))
	}
	if r := checkText("body", it.Body); r != nil {
		return r
	}
	switch it.Kind {
	case KindNotice:
		if strings.TrimSpace(it.Body) == "" {
			return refuse(CodeBody, "a notice needs its text")
		}
	case KindTable, KindRoster:
		if it.Table == nil {
			return refuse(CodeColumns, "no table")
		}
		if r := checkTable(*it.Table); r != nil {
			return r
		}
		if it.Kind == KindRoster && !slices.ContainsFunc(it.Table.Columns, func(c Column) bool { return c.Type == ColName }) {
			return refuse(CodeRosterNames, "a roster lists people: one column must be their names")
		}
	case KindApproval:
		return checkSteps(it.Steps)
	}
	return nil
}

// checkText refuses a whole ID number in free text (a notice that pastes one in).
func checkText(where, s string) *Refusal {
	if api.HasIDNumber(s) {
		return &Refusal{Code: CodeIDWhole, Detail: "a whole ID number in the " + where}
	}
	return nil
}

func checkTable(t Table) *Refusal {
	if len(t.Columns) == 0 {
		return &Refusal{Code: CodeColumns, Detail: "a table needs columns"}
	}
	for _, c := range t.Columns {
		if !slices.Contains([]string{ColText, ColNumber, ColMoney, ColName, ColID}, c.Type) {
			return &Refusal{Code: CodeColumns, Column: c.Title, Detail: fmt.Sprintf("column type %q", c.Type)}
		}
	}
	sums := make([]int64, len(t.Columns))
	for i, row := range t.Rows {
		if len(row) != len(t.Columns) {
			return &Refusal{Code: CodeCells, Row: i + 1, Detail: fmt.Sprintf("%d cells for %d columns", len(row), len(t.Columns))}
		}
		for j, cell := range row {
			if r := checkCell(t.Columns[j], cell); r != nil {
				r.Row = i + 1
				return r
			}
			if v, ok := amount(t.Columns[j], cell); ok {
				sums[j] += v
			}
		}
	}
	if len(t.Totals) == 0 {
		return nil
	}
	if len(t.Totals) != len(t.Columns) {
		return &Refusal{Code: CodeCells, Row: TotalsRow, Detail: fmt.Sprintf("%d cells for %d columns", len(t.Totals), len(t.Columns))}
	}
	for j, cell := range t.Totals {
		c := t.Columns[j]
		if strings.TrimSpace(cell) == "" || (c.Type != ColMoney && c.Type != ColNumber) {
			continue
		}
		want, ok := amount(c, cell)
		if !ok {
			return &Refusal{Code: CodeNumber, Row: TotalsRow, Column: c.Title, Detail: fmt.Sprintf("%q is not a number", cell)}
		}
		if want != sums[j] {
			got, total := FormatYuan(sums[j]), FormatYuan(want)
			if c.Type == ColNumber {
				got, total = fmt.Sprint(sums[j]/100), fmt.Sprint(want/100)
			}
			return &Refusal{Code: CodeTotal, Row: TotalsRow, Column: c.Title, Detail: fmt.Sprintf("the rows add up to %s, the total says %s", got, total)}
		}
	}
	return nil
}

// amount reads a money or number cell in hundredths (numbers are whole), so both sum exactly.
func amount(c Column, cell string) (int64, bool) {
	switch c.Type {
	case ColMoney:
		v, err := ParseYuan(cell)
		return v, err == nil
	case ColNumber:
		v, err := ParseYuan(cell)
		return v, err == nil && v%100 == 0
	}
	return 0, false
}

func checkCell(c Column, cell string) *Refusal {
	switch c.Type {
	case ColMoney, ColNumber:
		if _, ok := amount(c, cell); !ok {
			return &Refusal{Code: CodeNumber, Column: c.Title, Detail: fmt.Sprintf("%q is not a %s", cell, c.Type)}
		}
	case ColName:
		if v := strings.TrimSpace(cell); mask.Name(v) != v {
			return &Refusal{Code: CodeNameWhole, Column: c.Title, Detail: "a whole name; the wall shows names masked (张*三)"}
		}
	case ColID:
		if v := strings.TrimSpace(cell); mask.ID(v) != v {
			return &Refusal{Code: CodeIDWhole, Column: c.Title, Detail: "an ID number not masked (6101**********1234)"}
		}
	default:
		if api.HasIDNumber(cell) {
			return &Refusal{Code: CodeIDWhole, Column: c.Title, Detail: "a whole ID number in a text column"}
		}
	}
	return nil
}

// checkSteps wants the first five stages of 四议两公开 in order (the result of carrying it out
// comes later), each with who took it, when and the outcome, dated in order.
func checkSteps(steps []Step) *Refusal {
	for i, stage := range Stages[:5] {
		if i >= len(steps) || steps[i].Stage != stage {
			return &Refusal{Code: CodeSteps, Stage: stage, Detail: "a major matter needs 提议, 商议, 审议, 决议 and 决议公开, in that order"}
		}
	}
	if len(steps) > len(Stages) || (len(steps) == len(Stages) && steps[5].Stage != StageResult) {
		return &Refusal{Code: CodeSteps, Stage: StageResult, Detail: "after 决议公开 only the result (实施结果公开) follows"}
	}
	for i, s := range steps {
		switch {
		case strings.TrimSpace(s.Who) == "" || strings.TrimSpace(s.Outcome) == "" || s.On.IsZero():
			return &Refusal{Code: CodeSteps, Stage: s.Stage, Detail: "each step needs who, when and the outcome"}
		case i > 0 && s.On.Before(steps[i-1].On):
			return &Refusal{Code: CodeSteps, Stage: s.Stage, Detail: "a step is dated before the one it follows"}
		}
		if r := checkText("steps", s.Who+" "+s.Outcome); r != nil {
			r.Stage = s.Stage
			return r
		}
	}
	return nil
}
