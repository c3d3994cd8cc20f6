package disclosure

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/software"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/queue"
	"hallkiosk/kiosk/ui"
	"hallkiosk/kiosk/ui/uitest"
	"hallkiosk/kiosk/wall"
)

// wallSizes are the wall screens: a 55" at 1920x1080 and at 3840x2160.
var wallSizes = []fyne.Size{{Width: 1920, Height: 1080}, {Width: 3840, Height: 2160}}

var day = time.Date(2026, 11, 24, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

type harness struct {
	t       testing.TB
	size    fyne.Size
	win     fyne.Window
	clk     *clock.Fake
	w       *Wall
	items   []wall.Item
	trusted bool
	kept    []string
}

func newHarness(t testing.TB, size fyne.Size, items []wall.Item) *harness {
	t.Helper()
	// The app's theme is the one the wall is measured and painted in (its CJK font), as in main.
	test.NewTempApp(t).Settings().SetTheme(ui.NewTheme(96, false))
	h := &harness{t: t, size: size, clk: clock.NewFake(day), items: items, trusted: true}
	h.win = test.NewTempWindow(t, widget.NewLabel(""))
	h.win.SetPadded(false)
	h.win.Resize(size)
	h.w = New(Deps{Window: h.win, Strings: kiosktest.Strings(t), Clock: h.clk, Hall: "王上村便民服务站",
		Items: func() ([]wall.Item, error) { return h.items, nil }, Trusted: func(time.Time) bool { return h.trusted },
		Keep: func(ids []string) { h.kept = ids }, Schedule: wall.Schedule{OnFrom: 7 * time.Hour, OnUntil: 21 * time.Hour},
		Do: func(f func()) { f() }})
	return h
}

func (h *harness) texts() string {
	var out []string
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		if t, ok := o.(*canvas.Text); ok {
			out = append(out, t.Text)
		}
	}
	return strings.Join(out, "\n")
}

func (h *harness) shot(name string) {
	h.t.Helper()
	if raceOn && os.Getenv("HALLKIOSK_SHOTS") == "" {
		return
	}
	img := software.RenderCanvas(h.win.Canvas(), ui.NewTheme(96, false))
	full := fmt.Sprintf("wall-%dx%d-%s", int(h.size.Width), int(h.size.Height), name)
	if dir := os.Getenv("HALLKIOSK_SHOTS"); dir != "" {
		if out, err := os.Create(filepath.Join(dir, full+".png")); err == nil {
			_ = png.Encode(out, img)
			out.Close()
		}
	}
	uitest.Golden(h.t, full, img)
}

// sample is a village's wall: a notice, a finance table with its totals, a 低保 roster of 12, and
// the record of a major matter.
func sample() []wall.Item {
	from, until := day.AddDate(0, 0, -1), day.AddDate(0, 1, 0)
	pub := "王上村村民委员会"
	fin := wall.Item{ID: "cw-2026-10", Kind: wall.KindTable, Part: wall.PartFinance, Title: "2026年10月村级财务收支公开", Publisher: pub,
		Published: from, From: from, Until: until,
		Table: &wall.Table{Period: "2026年10月1日至31日", Columns: []wall.Column{{Title: "项目", Type: wall.ColText}, {Title: "收入", Type: wall.ColMoney}, {Title: "支出", Type: wall.ColMoney}},
			Rows: [][]string{{"上级转移支付", "120000", "0"}, {"村集体经营收入（果园承包）", "35600.50", "0"}, {"三组道路维修", "0", "48230"},
				{"村干部误工补贴", "0", "9600"}, {"办公用品及水电", "0", "1286.4"}, {"合作医疗代缴", "0", "4200"}},
			Totals: []string{"合计", "155600.50", "63316.40"}}}
	var rows [][]string
	for i, n := range []string{"李*喆", "王*", "张*芳", "赵*明", "刘*", "陈*华", "杨*", "黄*英", "周*", "吴*强", "郑*", "孙*兰"} {
		rows = append(rows, []string{n, fmt.Sprintf("6104**********%04d", 1000+i*37), fmt.Sprint(1 + i%4), fmt.Sprintf("%d.00", 480+i%4*260)})
	}
	dibao := wall.Item{ID: "db-2026-q4", Kind: wall.KindRoster, Part: wall.PartService, Title: "2026年第四季度城乡低保对象公示", Publisher: pub,
		Published: from, From: from, Until: day.AddDate(0, 0, 7),
		Table: &wall.Table{Period: "2026年第四季度", Columns: []wall.Column{{Title: "户主", Type: wall.ColName}, {Title: "身份证号", Type: wall.ColID},
			{Title: "保障人口", Type: wall.ColNumber}, {Title: "月保障金", Type: wall.ColMoney}}, Rows: rows}}
	road := wall.Item{ID: "yj-road", Kind: wall.KindApproval, Part: wall.PartVillage, Title: "三组道路硬化工程（四议两公开）", Publisher: pub,
		Published: from, From: from, Until: until, Body: "三组主路硬化800米，预算8万元，由村集体经营收入支出。",
		Steps: []wall.Step{{Stage: wall.StageProposal, Who: "村党支部", On: day.AddDate(0, 0, -30), Outcome: "提议硬化三组道路"},
			{Stage: wall.StageDiscussion, Who: "村两委联席会议", On: day.AddDate(0, 0, -25), Outcome: "同意，预算8万元"},
			{Stage: wall.StageReview, Who: "党员大会（到会32人）", On: day.AddDate(0, 0, -20), Outcome: "审议通过"},
			{Stage: wall.StageResolution, Who: "村民代表会议（应到45人，实到38人）", On: day.AddDate(0, 0, -15), Outcome: "同意36票，通过"},
			{Stage: wall.StagePublished, Who: "村务公开栏、公开屏", On: day.AddDate(0, 0, -14), Outcome: "公开7天，无异议"}}}
	fire := wall.Item{ID: "tz-fire", Kind: wall.KindNotice, Part: wall.PartVillage, Title: "关于做好冬季防火工作的通知", Publisher: pub,
		Published: from, From: from, Until: until, Priority: 1,
		Body: "入冬以来天气干燥，请各位村民注意用火用电安全：\n不在林地、田边焚烧秸秆和垃圾；\n家中不私拉乱接电线，人走断电；\n发现火情请立即拨打119，并报告村委会。"}
	return []wall.Item{fire, road, fin, dibao}
}

// Every kind of page at both sizes: what it says, and how it looks (golden images). The type is
// as tall as 5 m of reading needs: 71 px at 1080 lines, 142 at 2160.
func TestWallPages(t *testing.T) {
	for _, size := range wallSizes {
		t.Run(fmt.Sprint(size.Width), func(t *testing.T) {
			h := newHarness(t, size, sample())
			if b := h.w.Body(); b < 70*size.Height/1080 || b > 72*size.Height/1080 {
				t.Fatalf("body text %.1f px on %v", b, size)
			}
			h.w.hear(queue.Event{State: &queue.State{Windows: []queue.WindowFigures{
				{Window: "1", Current: &queue.Ticket{Number: "A012", Business: "社会救助"}},
				{Window: "2", Current: &queue.Ticket{Number: "B003", Business: "社保医保"}}}}})
			h.w.Start(t.Context())
			want := []struct{ id, name, text string }{
				{"tz-fire", "notice", "发现火情请立即拨打119"},
				{"yj-road", "approval", "两委商议"},
				{"cw-2026-10", "table", "155,600.50"},
				{"db-2026-q4", "roster", "6104**********1000"},
			}
			for _, w := range want {
				for range 5 { // a table's further pages come before the next item
					if p := h.w.Page(); p.Item != nil && p.Item.ID == w.id {
						break
					}
					h.clk.Advance(h.w.Page().Until.Sub(h.clk.Now()))
				}
				p := h.w.Page()
				if p.Item == nil || p.Item.ID != w.id {
					t.Fatalf("page: %+v, want %s", p.Item, w.id)
				}
				if !strings.Contains(h.texts(), w.text) || !strings.Contains(h.texts(), "A012 → 1号窗口") {
					t.Fatalf("%s page lacks %q or the serving line:\n%s", w.name, w.text, h.texts())
				}
				h.shot(w.name)
			}
			if p := h.w.Page(); p.Pages < 2 || !strings.Contains(h.texts(), fmt.Sprintf("第 1 / %d 页", p.Pages)) {
				t.Fatalf("the roster does not page: %+v", p)
			}
			for _, whole := range []string{"李淼喆", "610403"} {
				if strings.Contains(h.texts(), whole) {
					t.Fatalf("the wall shows %q", whole)
				}
			}
			// An urgent notice interrupts with its banner.
			urgent := wall.Item{ID: "jj-wind", Kind: wall.KindNotice, Part: wall.PartVillage, Title: "大风蓝色预警：今晚停止一切室外用火",
				Publisher: "王上村村民委员会", Published: day, From: day, Until: day.AddDate(0, 0, 2), Urgent: true,
				Body: "今晚到明天有6到7级大风。请关好门窗，固定好屋顶彩钢瓦和广告牌，停止一切室外用火。"}
			h.items = append(h.items, urgent)
			h.w.Turn()
			if p := h.w.Page(); !p.Urgent || !strings.Contains(h.texts(), "紧急通知") {
				t.Fatalf("urgent: %+v", p)
			}
			h.shot("urgent")
			// The clock cannot be trusted: the wall holds what it knew and shows the technician a mark.
			h.trusted = false
			h.w.Turn()
			if p := h.w.Page(); !p.Stale || !strings.Contains(h.texts(), "时钟未校准") {
				t.Fatalf("untrusted: %+v", p)
			}
			h.shot("untrusted")
			// Night: outside the screen-on hours the wall is dark but for the time.
			h.trusted = true
			h.clk.Advance(time.Date(2026, 11, 24, 22, 0, 0, 0, day.Location()).Sub(h.clk.Now()))
			if p := h.w.Page(); !p.Off {
				t.Fatalf("at 22:00: %+v", p)
			}
			h.shot("off")
			if len(h.kept) == 0 {
				t.Fatal("what was known current was not kept")
			}
		})
	}
}

// A wall that starts before its clock is checked shows nothing and looks again within seconds,
// not a page's dwell later; once the clock is trusted the content comes up.
func TestEmptyWallLooksAgainSoon(t *testing.T) {
	h := newHarness(t, wallSizes[0], sample())
	h.trusted = false
	h.w.Start(t.Context())
	if p := h.w.Page(); p.Item != nil || !strings.Contains(h.texts(), "暂无公开内容") {
		t.Fatalf("untrusted and knowing nothing: %+v", p)
	}
	h.trusted = true
	h.clk.Advance(emptyRecheck)
	if p := h.w.Page(); p.Item == nil {
		t.Fatalf("%s after the clock was checked: still empty", emptyRecheck)
	}
}

// The wall keeps its proof of display as the pages turn: a withdrawn item's span closes and is
// handed to be uploaded; the open spans are handed over to keep.
func TestWallKeepsProofOfDisplay(t *testing.T) {
	h := newHarness(t, wallSizes[0], sample())
	var closed []wall.Span
	var open []byte
	h.w.d.Proof = wall.NewProof(nil)
	h.w.d.Record = func(c []wall.Span, o []byte) { closed, open = append(closed, c...), o }
	h.w.Start(t.Context())
	for range 10 {
		h.clk.Advance(h.w.Page().Until.Sub(h.clk.Now()))
	}
	if len(closed) != 0 || !strings.Contains(string(open), "tz-fire") {
		t.Fatalf("while all stand: closed %v, open %s", closed, open)
	}
	h.items = h.items[1:] // the fire notice is withdrawn
	h.clk.Advance(h.w.Page().Until.Sub(h.clk.Now()))
	if len(closed) != 1 || closed[0].Item != "tz-fire" || !closed[0].From.Equal(day) || strings.Contains(string(open), "tz-fire") {
		t.Fatalf("after the withdrawal: closed %+v, open %s", closed, open)
	}
}

// A notice longer than a screen pages by itself, and every line of it stands on some page.
func TestLongNoticePages(t *testing.T) {
	var paras []string
	for i := 1; i <= 12; i++ {
		paras = append(paras, fmt.Sprintf("第%d条：村民应当遵守村规民约，爱护公共设施，维护村容村貌整洁。", i))
	}
	long := wall.Item{ID: "cgmy", Kind: wall.KindNotice, Part: wall.PartVillage, Title: "王上村村规民约（2026年修订）", Publisher: "王上村村民委员会",
		Published: day, From: day, Until: day.AddDate(1, 0, 0), Body: strings.Join(paras, "\n")}
	h := newHarness(t, wallSizes[0], []wall.Item{long})
	h.w.Start(t.Context())
	p := h.w.Page()
	if p.Pages < 2 {
		t.Fatalf("12 articles on one page: %+v", p)
	}
	seen := map[string]bool{}
	for k := 1; k <= p.Pages; k++ {
		if h.w.Page().Page != k || !strings.Contains(h.texts(), fmt.Sprintf("第 %d / %d 页", k, p.Pages)) {
			t.Fatalf("page %d: %+v", k, h.w.Page())
		}
		for i := 1; i <= 12; i++ {
			if strings.Contains(h.texts(), fmt.Sprintf("第%d条：", i)) {
				seen[fmt.Sprint(i)] = true
			}
		}
		if k == 2 {
			h.shot("notice-page-2")
		}
		h.clk.Advance(h.w.Page().Until.Sub(h.clk.Now()))
	}
	if len(seen) != 12 {
		t.Fatalf("articles shown: %d of 12", len(seen))
	}
}
