package wall

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

var day = time.Date(2026, 11, 24, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

func finance() Item {
	return Item{ID: "cw-2026-10", Kind: KindTable, Part: PartFinance, Title: "2026年10月村级财务收支公开", Publisher: "王上村村民委员会",
		Published: day, From: day, Until: day.AddDate(0, 1, 0),
		Table: &Table{Period: "2026年10月", Columns: []Column{{"项目", ColText}, {"收入（元）", ColMoney}, {"支出（元）", ColMoney}},
			Rows:   [][]string{{"上级转移支付", "120000.00", "0"}, {"村集体经营收入", "35600.5", "0"}, {"道路维修", "0", "48230.00"}},
			Totals: []string{"合计", "155,600.50", "48230"}}}
}

func roster() Item {
	return Item{ID: "db-2026-q4", Kind: KindRoster, Part: PartService, Title: "2026年第四季度低保名单公示", Publisher: "王上村村民委员会",
		Published: day, From: day, Until: day.AddDate(0, 0, 7),
		Table: &Table{Columns: []Column{{"户主", ColName}, {"身份证号", ColID}, {"人口", ColNumber}, {"月保障金（元）", ColMoney}},
			Rows: [][]string{{"李*喆", "6104**********1230", "3", "1260.00"}, {"王*", "6104**********0012", "1", "480"}}}}
}

func approval() Item {
	steps := []Step{{StageProposal, "村党支部", day.AddDate(0, 0, -30), "提议硬化三组道路"},
		{StageDiscussion, "村两委联席会议", day.AddDate(0, 0, -25), "同意，预算8万元"},
		{StageReview, "党员大会（到会32人）", day.AddDate(0, 0, -20), "审议通过"},
		{StageResolution, "村民代表会议（应到45人，实到38人）", day.AddDate(0, 0, -15), "同意36票，通过"},
		{StagePublished, "村务公开栏", day.AddDate(0, 0, -14), "公开7天无异议"}}
	return Item{ID: "yj-road", Kind: KindApproval, Part: PartVillage, Title: "三组道路硬化工程（四议两公开）", Publisher: "王上村村民委员会",
		Published: day, From: day, Until: day.AddDate(0, 1, 0), Body: "三组主路硬化800米", Steps: steps}
}

func notice(id string) Item {
	return Item{ID: id, Kind: KindNotice, Part: PartVillage, Title: "关于冬季防火的通知", Publisher: "王上村村民委员会",
		Published: day, From: day, Until: day.AddDate(0, 0, 10), Body: "请村民注意用火安全。"}
}

func TestMoney(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "12345.6": 1234560, "1,234.05": 123405, "-300": -30000, " 7.5 ": 750} {
		if got, err := ParseYuan(in); err != nil || got != want {
			t.Errorf("ParseYuan(%q) = %d %v, want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "1.234", "12a", "1.", "元", "--1"} {
		if _, err := ParseYuan(bad); !errors.Is(err, ErrMoney) {
			t.Errorf("ParseYuan(%q): %v", bad, err)
		}
	}
	for fen, want := range map[int64]string{0: "0.00", 5: "0.05", 123456780: "1,234,567.80", -100000: "-1,000.00", 99999: "999.99"} {
		if got := FormatYuan(fen); got != want {
			t.Errorf("FormatYuan(%d) = %q, want %q", fen, got, want)
		}
	}
}

func TestGoodContentPasses(t *testing.T) {
	for _, it := range []Item{finance(), roster(), approval(), notice("n1")} {
		if r := Check(it); r != nil {
			t.Errorf("%s refused: %v", it.ID, r)
		}
	}
}

// Each refusal names what is wrong and where: the row, the column, the stage.
func TestPublishingRefusals(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Item)
		from   func() Item
		code   string
		row    int
		column string
		stage  string
	}{
		{"rows do not add up", func(it *Item) { it.Table.Rows[1][1] = "35600.00" }, finance, CodeTotal, TotalsRow, "收入（元）", ""},
		{"a cell that is no amount", func(it *Item) { it.Table.Rows[2][2] = "四万八" }, finance, CodeNumber, 3, "支出（元）", ""},
		{"a row too short", func(it *Item) { it.Table.Rows[0] = it.Table.Rows[0][:2] }, finance, CodeCells, 1, "", ""},
		{"a whole ID number", func(it *Item) { it.Table.Rows[1][1] = "610403195403051238" }, roster, CodeIDWhole, 2, "身份证号", ""},
		{"a whole name", func(it *Item) { it.Table.Rows[0][0] = "李淼喆" }, roster, CodeNameWhole, 1, "户主", ""},
		{"a roster of nobody", func(it *Item) { it.Table.Columns[0].Type = ColText }, roster, CodeRosterNames, 0, "", ""},
		{"an ID number in a notice", func(it *Item) { it.Body = "请610403195403051238本人来" }, func() Item { return notice("n") }, CodeIDWhole, 0, "", ""},
		{"a major matter without its steps", func(it *Item) { it.Steps = it.Steps[:3] }, approval, CodeSteps, 0, "", StageResolution},
		{"steps out of order", func(it *Item) { it.Steps[1], it.Steps[2] = it.Steps[2], it.Steps[1] }, approval, CodeSteps, 0, "", StageDiscussion},
		{"a step without its outcome", func(it *Item) { it.Steps[3].Outcome = "" }, approval, CodeSteps, 0, "", StageResolution},
		{"a period that ends before it starts", func(it *Item) { it.Until = it.From.AddDate(0, 0, -1) }, func() Item { return notice("n") }, CodePeriod, 0, "", ""},
		{"no part", func(it *Item) { it.Part = "政务" }, func() Item { return notice("n") }, CodePart, 0, "", ""},
	}
	for _, c := range cases {
		it := c.from()
		c.change(&it)
		r := Check(it)
		if r == nil {
			t.Errorf("%s: published", c.name)
			continue
		}
		if r.Code != c.code || r.Row != c.row || r.Column != c.column || r.Stage != c.stage {
			t.Errorf("%s: %+v, want code %s row %d column %q stage %q", c.name, r, c.code, c.row, c.column, c.stage)
		}
		if !strings.Contains(r.Error(), c.code) {
			t.Errorf("%s: %v", c.name, r)
		}
	}
}

func TestBodyPixelsForFiveMetres(t *testing.T) {
	if px := BodyPixels(55, 1920, 1080, 5); math.Abs(float64(px)-71) > 1 {
		t.Errorf("55\" 1080 lines at 5 m: %.1f px, want about 70", px)
	}
	if a, b := BodyPixels(55, 1920, 1080, 5), BodyPixels(55, 3840, 2160, 5); math.Abs(float64(b/a)-2) > 0.01 {
		t.Errorf("4K should double the pixels: %.1f and %.1f", a, b)
	}
	if a, b := BodyPixels(55, 1920, 1080, 5), BodyPixels(43, 1920, 1080, 5); b <= a {
		t.Errorf("a smaller screen of the same lines has smaller pixels, so the same millimetres take more: %.1f, %.1f", a, b)
	}
}

func TestTrust(t *testing.T) {
	now := day
	tr := Trust{}
	checks := []struct {
		name  string
		trust Trust
		last  ClockCheck
		want  bool
	}{
		{"never checked, no RTC", tr, ClockCheck{}, false},
		{"checked an hour ago", tr, ClockCheck{At: now.Add(-time.Hour), Skew: time.Second}, true},
		{"checked two days ago", tr, ClockCheck{At: now.Add(-48 * time.Hour)}, false},
		{"checked, 10 minutes off", tr, ClockCheck{At: now.Add(-time.Hour), Skew: 10 * time.Minute}, false},
		{"the clock went back past its check", tr, ClockCheck{At: now.Add(time.Hour)}, false},
		{"a good RTC, never checked", Trust{RTC: true}, ClockCheck{}, true},
		{"an RTC the township finds wrong", Trust{RTC: true}, ClockCheck{At: now.Add(-time.Hour), Skew: -time.Hour}, false},
	}
	for _, c := range checks {
		if got := c.trust.Trusted(now, c.last); got != c.want {
			t.Errorf("%s: trusted %v, want %v", c.name, got, c.want)
		}
	}
}

func titles(ps []Page) string {
	var out []string
	for _, p := range ps {
		switch {
		case p.Off:
			out = append(out, "off")
		case p.Item == nil:
			out = append(out, "-")
		case p.Pages > 1:
			out = append(out, fmt.Sprintf("%s %d/%d", p.Item.ID, p.Page, p.Pages))
		default:
			out = append(out, p.Item.ID)
		}
	}
	return strings.Join(out, ", ")
}

// run turns n pages, moving the clock to each page's end, as the wall does.
func run(r *Rotation, items []Item, now time.Time, trusted bool, n int) ([]Page, time.Time) {
	var ps []Page
	for range n {
		p := r.Next(items, now, trusted)
		ps = append(ps, p)
		now = p.Until
	}
	return ps, now
}

// Periods start and end on the clock; parts go in order, tables page by themselves, and the
// rotation comes round again.
func TestRotationByPeriodAndPart(t *testing.T) {
	later := notice("later")
	later.From = day.Add(time.Hour)
	items := []Item{notice("n1"), finance(), roster(), approval(), later}
	items[1].Table.Rows = append(items[1].Table.Rows, items[1].Table.Rows...) // 6 rows: 2 pages of 4
	items[1].Table.Totals = nil
	r := NewRotation(Schedule{RowsPerPage: 4, Default: 10 * time.Second}, nil)
	ps, _ := run(r, items, day, true, 8)
	// The approval record pages too: two stages (four lines) a page.
	if got := titles(ps); got != "n1, yj-road 1/3, yj-road 2/3, yj-road 3/3, cw-2026-10 1/2, cw-2026-10 2/2, db-2026-q4, n1" {
		t.Fatalf("rotation: %s", got)
	}
	if ps[5].Rows[0][0] != "村集体经营收入" || len(ps[5].Rows) != 2 || ps[4].Until.Sub(day) != 50*time.Second {
		t.Fatalf("second page: %+v", ps[5])
	}
	if r := ps[3].Rows; len(r) != 2 || r[0][0] != StagePublished || r[1][0] != StageResult || r[1][1] != "" {
		t.Fatalf("the last stages (决议公开, then 实施结果公开 still to come): %q", r)
	}
	// An hour on, the later notice's period has begun; at its end it is gone again.
	ps, _ = run(r, items, day.Add(time.Hour), true, 9)
	if !strings.Contains(titles(ps), "later") {
		t.Fatalf("a notice whose period began is not shown: %s", titles(ps))
	}
	ps, _ = run(r, items, later.Until, true, 9)
	if strings.Contains(titles(ps), "later") || strings.Contains(titles(ps), "db-2026-q4") {
		t.Fatalf("ended items still shown: %s", titles(ps))
	}
}

// An urgent notice interrupts once with its banner, then takes its place in the rotation.
func TestUrgentInterruptsAndRejoins(t *testing.T) {
	items := []Item{notice("n1"), approval()}
	r := NewRotation(Schedule{BannerFor: time.Minute}, nil)
	_, now := run(r, items, day, true, 1)
	fire := notice("fire")
	fire.Urgent, fire.Priority, fire.Title = true, 10, "紧急通知：今晚大风，停止室外用火"
	items = append(items, fire)
	p := r.Next(items, now, true)
	if !p.Urgent || p.Item.ID != "fire" || p.Until.Sub(now) != time.Minute {
		t.Fatalf("urgent: %+v", p)
	}
	ps, _ := run(r, items, p.Until, true, 4)
	// It rejoins in its place: first of its part by priority.
	if got := titles(ps); got != "n1, yj-road 1/2, yj-road 2/2, fire" || ps[3].Urgent {
		t.Fatalf("after the banner: %s (urgent again: %v)", got, ps[1].Urgent)
	}
}

// Outside the screen-on hours the wall goes dark until the next morning.
func TestScreenOnHours(t *testing.T) {
	r := NewRotation(Schedule{OnFrom: 7 * time.Hour, OnUntil: 21 * time.Hour}, nil)
	night := time.Date(2026, 11, 24, 22, 30, 0, 0, day.Location())
	p := r.Next([]Item{notice("n1")}, night, true)
	if !p.Off || !p.Until.Equal(time.Date(2026, 11, 25, 7, 0, 0, 0, day.Location())) {
		t.Fatalf("at night: %+v", p)
	}
	early := time.Date(2026, 11, 25, 6, 0, 0, 0, day.Location())
	if p := r.Next([]Item{notice("n1")}, early, true); !p.Off || p.Until.Hour() != 7 {
		t.Fatalf("early: %+v", p)
	}
	if p := r.Next([]Item{notice("n1")}, day, true); p.Off || p.Item == nil {
		t.Fatalf("by day: %+v", p)
	}
}

// With an untrusted clock the wall keeps what it last knew to be current, whatever the clock says,
// marks it stale, and still drops a withdrawn item; the known set survives a restart.
func TestUntrustedClockHoldsTheLastGoodState(t *testing.T) {
	items := []Item{notice("n1"), roster()}
	r := NewRotation(Schedule{}, nil)
	run(r, items, day, true, 2)
	known := r.Known()
	if strings.Join(known, ",") != "db-2026-q4,n1" {
		t.Fatalf("known: %v", known)
	}
	// Power cut, no RTC: the clock wakes up in 2000 (or in 2030). Nothing changes on the wall.
	for _, wrong := range []time.Time{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), day.AddDate(4, 0, 0)} {
		r2 := NewRotation(Schedule{OnFrom: 7 * time.Hour, OnUntil: 21 * time.Hour}, known)
		ps, _ := run(r2, items, wrong, false, 2)
		if got := titles(ps); got != "n1, db-2026-q4" || !ps[0].Stale {
			t.Fatalf("untrusted at %v: %s (stale %v)", wrong, got, ps[0].Stale)
		}
	}
	// The roster is withdrawn meanwhile: gone from the items, gone from the wall.
	r3 := NewRotation(Schedule{}, known)
	ps, _ := run(r3, items[:1], day.AddDate(1, 0, 0), false, 3)
	if got := titles(ps); got != "n1, n1, n1" {
		t.Fatalf("withdrawn while untrusted: %s", got)
	}
	// Never knew anything and cannot trust the clock: an empty wall, not a guess.
	if p := NewRotation(Schedule{}, nil).Next(items, day, false); p.Item != nil || !p.Stale {
		t.Fatalf("nothing known: %+v", p)
	}
}

// A 1,000-row table pages by itself: 100 pages of 10, each numbered, every row once.
func TestThousandRowTablePages(t *testing.T) {
	it := roster()
	it.Table.Rows = nil
	for i := range 1000 {
		it.Table.Rows = append(it.Table.Rows, []string{"王*", "6104**********0012", "1", fmt.Sprintf("%d.00", i)})
	}
	r := NewRotation(Schedule{}, nil)
	ps, _ := run(r, []Item{it}, day, true, 100)
	seen := 0
	for i, p := range ps {
		if p.Page != i+1 || p.Pages != 100 || len(p.Rows) != 10 {
			t.Fatalf("page %d: %d/%d with %d rows", i, p.Page, p.Pages, len(p.Rows))
		}
		seen += len(p.Rows)
	}
	if seen != 1000 || ps[99].Rows[9][3] != "999.00" {
		t.Fatalf("rows seen %d", seen)
	}
	if p := r.Next([]Item{it}, day, true); p.Page != 1 {
		t.Fatalf("after the last page: page %d", p.Page)
	}
}
