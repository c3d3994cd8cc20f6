package figures

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/lifecycle"
	"hallkiosk/kiosk/queue"
	"hallkiosk/localdb"
)

var loc = time.FixedZone("CST", 8*3600)

func at(day, hour, min int) time.Time { return time.Date(2026, 11, day, hour, min, 0, 0, loc) }

// A hall's November: three cases on the 24th (one overdue, one from the kiosk that the township
// finished), one on the 2nd, one in October; ratings and tickets on both sides of the day's edges.
func sample() Input {
	c := func(n, code, name, life, status, ch string, created, promised time.Time) localdb.Case {
		return localdb.Case{Number: n, ItemCode: code, ItemName: name, Life: life, Status: status, Channel: ch,
			CreatedAt: created, PromisedBy: promised}
	}
	return Input{
		Cases: []localdb.Case{
			c("261124-K007-001", "SJ-001", "城乡低保申请", string(lifecycle.Forwarded), "", "window", at(24, 9, 0), at(20, 17, 0).AddDate(0, 0, 0)),
			c("261124-K007-002", "SJ-001", "城乡低保申请", string(lifecycle.Closed), "", "window", at(24, 10, 0), at(30, 17, 0)),
			c("261124-K001-003", "SB-002", "城乡居民养老保险参保登记", "", localdb.StatusDone, "", at(24, 23, 59), at(28, 17, 0)),
			c("261102-K001-001", "SB-002", "城乡居民养老保险参保登记", "", localdb.StatusSubmitted, "", at(2, 0, 0), at(30, 17, 0)),
			c("261031-K001-009", "SJ-001", "城乡低保申请", "", localdb.StatusSubmitted, "", time.Date(2026, 10, 31, 23, 59, 0, 0, loc), at(3, 17, 0)),
		},
		Ratings: []localdb.Rating{
			{CaseNumber: "a", Grade: 5, CreatedAt: at(24, 11, 0)},
			{CaseNumber: "b", Grade: 2, CreatedAt: at(24, 12, 0)},
			{CaseNumber: "c", Grade: 1, CreatedAt: at(3, 12, 0)},
			{CaseNumber: "d", Grade: 4, CreatedAt: at(25, 0, 0)},
		},
		Tickets: []queue.Ticket{
			{Number: "A001", Business: "社会救助", Status: queue.Done, TakenAt: at(24, 9, 0), CalledAt: at(24, 9, 10), DoneAt: at(24, 9, 30)},
			{Number: "A002", Business: "社会救助", Status: queue.Done, TakenAt: at(24, 9, 5), CalledAt: at(24, 9, 35), DoneAt: at(24, 9, 45)},
			{Number: "A003", Business: "社会救助", Status: queue.Missed, TakenAt: at(24, 9, 6), CalledAt: at(24, 9, 46)},
			{Number: "B001", Business: "社保医保", Status: queue.Waiting, TakenAt: at(24, 10, 0)},
			{Number: "B001", Business: "社保医保", Status: queue.Done, TakenAt: at(23, 10, 0), CalledAt: at(23, 10, 1), DoneAt: at(23, 10, 2)},
		},
		HasTickets: true,
		Businesses: []string{"社会救助", "社保医保", "户籍证明"},
		Now:        at(24, 18, 0),
	}
}

func TestDayFigures(t *testing.T) {
	r := Build(sample(), Day(at(24, 15, 0)))
	if r.Period.Name != "2026-11-24" || r.Cases != 3 || r.ByChannel["window"] != 2 || r.ByChannel["kiosk"] != 1 {
		t.Fatalf("cases: %+v", r)
	}
	if r.Overdue != 1 || r.ByItem[0].Code != "SJ-001" || r.ByItem[0].Total != 2 || r.ByItem[0].Overdue != 1 || r.ByItem[0].Closed != 1 {
		t.Fatalf("by item: %+v", r.ByItem)
	}
	want := []StatusRow{{lifecycle.Forwarded, 1}, {lifecycle.ResultBack, 1}, {lifecycle.Closed, 1}}
	if len(r.ByStatus) != 3 || r.ByStatus[0] != want[0] || r.ByStatus[1] != want[1] || r.ByStatus[2] != want[2] {
		t.Fatalf("by status: %+v", r.ByStatus)
	}
	if r.Rated != 2 || r.Bad != 1 || r.Grades[5] != 1 || r.Grades[2] != 1 {
		t.Fatalf("ratings: %+v %d %d", r.Grades, r.Rated, r.Bad)
	}
	sj := r.Tickets[0]
	if sj.Business != "社会救助" || sj.Taken != 3 || sj.Served != 2 || sj.Missed != 1 ||
		sj.AvgWait != 26*time.Minute+40*time.Second || sj.MaxWait != 40*time.Minute || sj.AvgService != 15*time.Minute {
		t.Fatalf("社会救助 tickets: %+v", sj)
	}
	if r.Tickets[1].Waiting != 1 || r.Tickets[1].Served != 0 || r.Tickets[2].Taken != 0 || r.AllTickets.Taken != 4 {
		t.Fatalf("other businesses and the sum: %+v %+v", r.Tickets, r.AllTickets)
	}
}

func TestMonthFigures(t *testing.T) {
	p := Month(at(24, 15, 0))
	if p.Name != "2026-11" || len(p.Days()) != 30 || p.Days()[0] != "2026-11-01" {
		t.Fatalf("month: %+v", p)
	}
	r := Build(sample(), p)
	if r.Cases != 4 || r.Rated != 4 || r.Bad != 2 || r.AllTickets.Taken != 5 {
		t.Fatalf("month: cases %d rated %d bad %d tickets %d", r.Cases, r.Rated, r.Bad, r.AllTickets.Taken)
	}
	in := sample()
	in.HasTickets, in.Tickets = false, nil
	if r := Build(in, p); r.HasTickets || len(r.Tickets) != 0 {
		t.Fatal("a window that does not host the queue has ticket rows")
	}
}

// The CSV opens in Excel on a Chinese Windows PC: a byte-order mark, CRLF, Chinese headers, and
// numbers as digits.
func TestCSV(t *testing.T) {
	s := kiosktest.Strings(t)
	tables := Tables(Build(sample(), Day(at(24, 15, 0))), s)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, tables[4]); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	if !strings.HasPrefix(raw, "\uFEFF业务,取号,已办理,过号,等候中,平均等候（分钟）,最长等候（分钟）,平均办理（分钟）\r\n") {
		t.Fatalf("csv starts %q", raw[:min(len(raw), 120)])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[1], ",") != "社会救助,3,2,1,0,26.7,40.0,15.0" || recs[len(recs)-1][0] != s.Figures.RowAll {
		t.Fatalf("rows: %q", recs)
	}
}

// The workbook has a sheet per table with Chinese names and headers, and numbers stay numbers.
func TestXLSX(t *testing.T) {
	s := kiosktest.Strings(t)
	tables := Tables(Build(sample(), Month(at(24, 15, 0))), s)
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, tables); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if strings.Join(sheets, " ") != "概况 按事项 按状态 好差评 取号叫号" {
		t.Fatalf("sheets %q", sheets)
	}
	if v, _ := f.GetCellValue("按事项", "B1"); v != "事项名称" {
		t.Fatalf("按事项 B1 %q", v)
	}
	if v, _ := f.GetCellValue("按事项", "B2"); v != "城乡居民养老保险参保登记" { // 2 cases each: by item code
		t.Fatalf("按事项 B2 %q", v)
	}
	typ, _ := f.GetCellType("按事项", "C2")
	if v, _ := f.GetCellValue("按事项", "C2"); v != "2" || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Fatalf("按事项 C2 %q is type %v, want the number 2", v, typ)
	}
	if v, _ := f.GetCellValue("好差评", "A2"); v != "非常满意" {
		t.Fatalf("好差评 A2 %q", v)
	}
	if v, _ := f.GetCellValue("好差评", "C2"); v != "25" {
		t.Fatalf("好差评 share of 非常满意 %q, want 25", v)
	}
}

// A report carries no personal data: the cases' people are not read.
func TestNoPersonalData(t *testing.T) {
	in := sample()
	in.Cases[0].Person = &localdb.Person{Name: "张桂兰", IDNumber: "11010519491231002X"}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, Tables(Build(in, Month(at(24, 15, 0))), kiosktest.Strings(t))); err != nil {
		t.Fatal(err)
	}
	for _, tb := range Tables(Build(in, Month(at(24, 15, 0))), kiosktest.Strings(t)) {
		var b bytes.Buffer
		_ = WriteCSV(&b, tb)
		if strings.Contains(b.String(), "张桂兰") || strings.Contains(b.String(), "11010519491231002X") {
			t.Fatalf("table %s holds a person: %s", tb.Name, b.String())
		}
	}
}
