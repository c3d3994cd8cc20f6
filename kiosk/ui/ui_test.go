package ui

import (
	"errors"
	"image/png"
	"io"
	"log/slog"
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

	"hallkiosk/assets"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/config"
	"hallkiosk/kiosk/text"
)

type harness struct {
	prefix string // screenshot names get it (elder-)
	t      *testing.T
	ui     *UI
	win    fyne.Window
	clock  *clock.Fake
	cat    *catalog.Catalog
}

func newHarness(t *testing.T, edit func(*config.Config)) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	cfg := config.Default()
	if edit != nil {
		edit(cfg)
	}
	cat, probs, err := catalog.Parse(assets.CatalogName, assets.DefaultCatalog)
	if err != nil || len(probs) > 0 {
		t.Fatalf("catalog: %v %v", err, probs)
	}
	s, err := text.Load()
	if err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1920, 1080))
	fc := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.Local))
	u := New(Deps{App: a, Window: w, Config: cfg, Catalog: cat, Strings: s, Clock: fc,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	u.Start()
	return &harness{t: t, ui: u, win: w, clock: fc, cat: cat}
}

// texts lists every string drawn on the window.
func (h *harness) texts() []string {
	var out []string
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		if t, ok := o.(*canvas.Text); ok && t.Visible() && t.Text != "" {
			out = append(out, t.Text)
		}
	}
	return out
}

func (h *harness) shows(s string) bool {
	for _, t := range h.texts() {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// tapText taps the screen where a text is drawn, as a finger would.
func (h *harness) tapText(s string) {
	h.t.Helper()
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		if b, ok := o.(*widget.Button); ok && b.Visible() && b.Text == s {
			if b.Disabled() {
				h.t.Fatalf("button %q is disabled", s)
			}
			test.Tap(b)
			return
		}
	}
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		if t, ok := o.(*canvas.Text); ok && t.Visible() && t.Text == s {
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(t)
			test.TapCanvas(h.win.Canvas(), pos.Add(fyne.NewPos(2, t.Size().Height/2)))
			return
		}
	}
	h.t.Fatalf("no %q on screen %s; texts: %q", s, h.ui.Screen(), h.texts())
}

// shot writes what the screen shows to $HALLKIOSK_SHOTS/name.png when set, for people to look at.
func (h *harness) shot(name string) {
	dir := os.Getenv("HALLKIOSK_SHOTS")
	if dir == "" {
		return
	}
	img := software.RenderCanvas(h.win.Canvas(), h.ui.Theme())
	f, err := os.Create(filepath.Join(dir, h.prefix+name+".png"))
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		h.t.Fatal(err)
	}
}

func TestHomeTilesComeFromTheCatalog(t *testing.T) {
	h := newHarness(t, nil)
	if h.ui.Screen() != ScreenHome {
		t.Fatalf("starts on %s", h.ui.Screen())
	}
	for _, w := range h.cat.Windows {
		if !h.shows(w.Name) {
			t.Errorf("home has no tile for window %s", w.Name)
		}
	}
	if !h.shows("查找事项") || !h.shows("长辈版") {
		t.Error("home lacks search or the elder-mode switch")
	}
	h.shot("home")
}

func TestTapTileThenItemShowsWholeGuide(t *testing.T) {
	h := newHarness(t, nil)
	h.tapText("社会救助")
	if h.ui.Screen() != ScreenWindow || !h.shows("最低生活保障申请") {
		t.Fatalf("after tapping 社会救助: screen %s, texts %q", h.ui.Screen(), h.texts())
	}
	h.shot("window")
	h.tapText("最低生活保障申请")
	if h.ui.Screen() != ScreenGuide {
		t.Fatalf("screen %s, want guide", h.ui.Screen())
	}
	it, _ := h.cat.Item("61040300MZ-JF-0001")
	want := []string{it.Code, it.Body, it.Department, it.Phone, it.ComplaintPhone, it.Hours, it.Place,
		it.Basis[0], it.Conditions[0], it.Materials[0].Name, it.Materials[2].Source, it.Steps[0][:9], it.Scope,
		it.FAQ[0].Q, "20 个工作日", "30 个工作日", "返回首页"}
	all := strings.Join(h.texts(), "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("guide does not show %q", w)
		}
	}
	h.shot("guide")
	h.tapText("返回上一步")
	if h.ui.Screen() != ScreenWindow {
		t.Errorf("back from guide went to %s", h.ui.Screen())
	}
	h.tapText("返回首页")
	if h.ui.Screen() != ScreenHome {
		t.Errorf("返回首页 went to %s", h.ui.Screen())
	}
}

// TestGuideWrapsWithinTheScreen checks no text line is wider than the window.
func TestGuideWrapsWithinTheScreen(t *testing.T) {
	for _, elder := range []bool{false, true} {
		h := newHarness(t, func(c *config.Config) { c.UI.ElderMode = elder })
		for _, it := range h.cat.Items {
			h.ui.ShowGuide(it.Code)
			for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
				if txt, ok := o.(*canvas.Text); ok && txt.Visible() {
					pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(txt)
					if right := pos.X + txt.MinSize().Width; right > 1920+1 {
						t.Fatalf("elder=%v %s: %q runs to x=%.0f, past the screen", elder, it.Code, txt.Text, right)
					}
				}
			}
		}
	}
}

func TestWindowPagesThroughManyItems(t *testing.T) {
	h := newHarness(t, nil)
	h.tapText("社会救助")
	items := h.cat.ItemsIn("shjz")
	last := items[len(items)-1].Name
	if h.shows(last) {
		t.Fatalf("%d items all on one page", len(items))
	}
	h.tapText("下一页")
	if !h.shows(last) {
		t.Errorf("page 2 does not show %s", last)
	}
}

func TestSearchByInitialsAndWords(t *testing.T) {
	h := newHarness(t, nil)
	h.tapText("查找事项")
	for _, k := range []string{"D", "B", "S", "Q"} {
		h.tapText(k)
	}
	if h.ui.Query() != "dbsq" || !h.shows("最低生活保障申请") {
		t.Fatalf("typed dbsq: query %q, texts %q", h.ui.Query(), h.texts())
	}
	h.shot("search")
	h.tapText("最低生活保障申请")
	if h.ui.Screen() != ScreenGuide {
		t.Fatalf("result tap went to %s", h.ui.Screen())
	}
	h.tapText("返回上一步")
	h.tapText("清空")
	h.tapText("宅基地")
	if !h.shows("农村村民宅基地建房申请") {
		t.Error("keyword 宅基地 did not find the item")
	}
}

// TestIdleTimeoutForgetsTheResident walks away mid-search: after the configured quiet period the
// kiosk is home, the query is gone and elder mode is back to the hall's default.
func TestIdleTimeoutForgetsTheResident(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.UI.IdleTimeout.Duration = 60 * time.Second })
	h.tapText("长辈版")
	if !h.ui.Theme().Elder {
		t.Fatal("elder switch did nothing")
	}
	h.tapText("查找事项")
	h.tapText("G")
	h.tapText("L")
	h.clock.Advance(59 * time.Second)
	if h.ui.Screen() != ScreenSearch {
		t.Fatal("left the screen before the timeout")
	}
	h.tapText("J") // the resident is still there: countdown restarts
	h.clock.Advance(59 * time.Second)
	if h.ui.Screen() != ScreenSearch || h.ui.Query() != "glj" {
		t.Fatalf("touch did not restart the countdown: %s %q", h.ui.Screen(), h.ui.Query())
	}
	h.clock.Advance(2 * time.Second)
	waitFor(t, func() bool { return h.ui.Screen() == ScreenHome })
	if h.ui.Query() != "" || h.ui.Theme().Elder || h.ui.Idle().Armed() {
		t.Errorf("after idle: query %q elder %v armed %v", h.ui.Query(), h.ui.Theme().Elder, h.ui.Idle().Armed())
	}
	if !h.shows("已回到首页") {
		t.Error("no notice that the kiosk went home")
	}
	for _, s := range h.texts() {
		if strings.Contains(s, "G L J") {
			t.Error("typed letters still on screen")
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTouchTargets measures every tappable thing on every screen: at least 60x60 dp in elder mode
// and 44x44 dp otherwise, on a 1920x1080 kiosk.
func TestTouchTargets(t *testing.T) {
	for _, elder := range []bool{false, true} {
		h := newHarness(t, func(c *config.Config) { c.UI.ElderMode = elder })
		minPx := h.ui.Theme().MinTarget()
		screens := map[string]func(){
			"home":   h.ui.ShowHome,
			"window": func() { h.ui.ShowWindow("shjz") },
			"guide":  func() { h.ui.ShowGuide("61040300MZ-JF-0001") },
			"search": func() { h.ui.query = "sb"; h.ui.ShowSearch() },
		}
		for name, show := range screens {
			show()
			n := 0
			for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
				if _, ok := o.(fyne.Tappable); !ok || !o.Visible() {
					continue
				}
				n++
				if s := o.Size(); s.Width < minPx || s.Height < minPx {
					t.Errorf("elder=%v %s: %T %.0fx%.0f smaller than %.0f px", elder, name, o, s.Width, s.Height, minPx)
				}
			}
			if n == 0 {
				t.Errorf("%s: nothing tappable found", name)
			}
			if elder {
				h.shot(name + "-elder")
			}
		}
	}
}

func TestOtherModesShowHonestPlaceholders(t *testing.T) {
	for mode, want := range map[string]string{config.ModeWindow: "综合窗口", config.ModeDisclosure: "村务公开"} {
		h := newHarness(t, func(c *config.Config) { c.Mode = mode })
		if h.ui.Screen() != ScreenPlaceholder || !h.shows(want) || !h.shows("后续版本") {
			t.Errorf("%s mode: screen %s, texts %q", mode, h.ui.Screen(), h.texts())
		}
		h.shot("mode-" + mode)
	}
}

func TestStoreErrorIsShownNotCrashed(t *testing.T) {
	a := test.NewTempApp(t)
	s, _ := text.Load()
	w := test.NewTempWindow(t, widget.NewLabel(""))
	err := errors.New("open store /var/lib/hallkiosk/hallkiosk.db: store file is damaged")
	u := New(Deps{App: a, Window: w, Config: config.Default(), Strings: s, StartupError: err,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	u.Start()
	h := &harness{t: t, ui: u, win: w}
	if u.Screen() != ScreenError || !h.shows("数据文件打不开") {
		t.Errorf("screen %s texts %q", u.Screen(), h.texts())
	}
}

// TestEveryScreenFitsTheKiosk checks no screen needs more than the 1920x1080 a hall kiosk has, in
// either mode: whatever does not fit would be cut off, since a full-screen window cannot grow.
func TestEveryScreenFitsTheKiosk(t *testing.T) {
	for _, elder := range []bool{false, true} {
		h := newHarness(t, func(c *config.Config) { c.UI.ElderMode = elder })
		check := func(name string) {
			if m := h.win.Content().MinSize(); m.Width > 1920 || m.Height > 1080 {
				t.Errorf("elder=%v %s needs %.0fx%.0f", elder, name, m.Width, m.Height)
			}
		}
		h.ui.ShowHome()
		check("home")
		for _, w := range h.cat.Windows {
			h.ui.ShowWindow(w.ID)
			check("window " + w.ID)
		}
		for _, it := range h.cat.Items {
			h.ui.ShowGuide(it.Code)
			check("guide " + it.Code)
		}
		for _, q := range []string{"", "s", "sb", "低保", "xyz"} {
			h.ui.query = q
			h.ui.ShowSearch()
			check("search " + q)
		}
	}
}
