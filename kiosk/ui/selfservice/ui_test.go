package selfservice

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hallkiosk/kiosk/ui/uitest"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestHomeTilesComeFromTheCatalog(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		h.want(ScreenHome)
		for _, w := range h.cat.Windows {
			if !h.shows(w.Name) {
				t.Errorf("home has no tile for window %s", w.Name)
			}
		}
		for _, task := range []string{h.s.Tasks.Lookup, h.s.Tasks.Ticket, h.s.Tasks.Message, h.s.Tasks.Poll, "查找事项"} {
			if !h.shows(task) {
				t.Errorf("home lacks %s", task)
			}
		}
		if !h.shows(h.s.App.ElderOn) && !h.shows(h.s.App.ElderOff) {
			t.Error("home lacks the elder-mode switch")
		}
		h.shot("home")
	})
}

// Every home tile carries a pictogram, so a resident who reads little finds 社会救助 or 取号 by the
// picture.
func TestHomeTilesHavePictograms(t *testing.T) {
	h := newHarness(t, opts{})
	names := []string{"lookup", "ticket", "message", "poll", "search"}
	for _, w := range h.cat.Windows {
		names = append(names, w.ID)
	}
	for _, n := range names {
		if icon(n) == nil {
			t.Errorf("no pictogram for %s", n)
		}
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n+".svg"] = true
	}
	images := 0
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		if img, ok := o.(*canvas.Image); ok && img.Visible() && img.Resource != nil && want[img.Resource.Name()] {
			images++
		}
	}
	if images != len(names) {
		t.Errorf("home draws %d pictograms, want %d", images, len(names))
	}
}

func TestGuidesOnlyKioskSaysApplyAtTheWindow(t *testing.T) {
	h := newHarness(t, opts{noApply: true})
	if h.shows(h.s.Tasks.Lookup) {
		t.Error("a kiosk without the apply service offers the tasks")
	}
	h.shot("home-guides-only")
	h.tapText("社会救助")
	h.tapText("最低生活保障申请")
	if !h.shows("综合窗口") || h.buttonThere(h.s.Apply.Start) {
		t.Errorf("guide without apply: %q", h.texts())
	}
}

func TestTapTileThenItemShowsWholeGuide(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		h.tapText("社会救助")
		if h.screen() != ScreenWindow || !h.shows("最低生活保障申请") {
			t.Fatalf("after tapping 社会救助: screen %s, texts %q", h.screen(), h.texts())
		}
		h.shot("window")
		h.tapText("最低生活保障申请")
		h.want(ScreenGuide)
		it, _ := h.cat.Item("61040300MZ-JF-0001")
		want := []string{it.Code, it.Body, it.Department, it.Phone, it.ComplaintPhone, it.Hours, it.Place,
			it.Basis[0], it.Conditions[0], it.Materials[0].Name, it.Materials[2].Source, it.Steps[0][:9], it.Scope,
			it.FAQ[0].Q, "20 个工作日", "30 个工作日", "返回首页", h.s.Apply.QrHint}
		all := strings.Join(h.texts(), "\n")
		for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
			if l, ok := o.(*widget.Label); ok {
				all += "\n" + l.Text
			}
		}
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("guide does not show %q", w)
			}
		}
		// The phone QR is at least as large in 长辈版 as in the standard size.
		qr := float32(0)
		for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
			if img, ok := o.(*canvas.Image); ok && img.Image != nil {
				qr = max(qr, img.Size().Width)
			}
		}
		if qr < 240 {
			t.Errorf("guide QR is %.0f px, want at least 240", qr)
		}
		h.shot("guide")
		h.tapText("返回上一步")
		h.want(ScreenWindow)
		h.tapText("返回首页")
		h.want(ScreenHome)
	})
}

// TestGuideWrapsWithinTheScreen checks no text line is wider than the window.
func TestGuideWrapsWithinTheScreen(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		for _, it := range h.cat.Items {
			h.sh.GoHome()
			h.app.OpenGuide(it.Code)
			for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
				if txt, ok := o.(*canvas.Text); ok && txt.Visible() {
					pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(txt)
					if right := pos.X + txt.MinSize().Width; right > 1920+1 {
						t.Fatalf("%s: %q runs to x=%.0f, past the screen", it.Code, txt.Text, right)
					}
				}
			}
		}
	})
}

// A window's items come a page at a time; 长辈版 shows five names a page, so 社会救助's ten items
// take two pages in either size.
func TestWindowPagesThroughManyItems(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		h.tapText("社会救助")
		items := h.cat.ItemsIn("shjz")
		last := items[len(items)-1].Name
		if h.shows(last) {
			t.Fatalf("%d items all on one page", len(items))
		}
		if !h.shows("第 1 / 2 页") {
			t.Errorf("社会救助 does not fit two pages: %q", h.texts())
		}
		h.tapText("下一页")
		if !h.shows(last) {
			t.Errorf("page 2 does not show %s", last)
		}
		h.shot("window-page-2")
	})
}

func TestSearchByInitialsAndWords(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		h.tapText("查找事项")
		for _, k := range []string{"D", "B", "S", "Q"} {
			h.tapText(k)
		}
		if !h.shows("D B S Q") || !h.shows("最低生活保障申请") {
			t.Fatalf("typed dbsq: texts %q", h.texts())
		}
		h.shot("search")
		h.tapText("最低生活保障申请")
		h.want(ScreenGuide)
		h.tapText("返回上一步")
		h.want(ScreenSearch)
		if !h.shows("D B S Q") {
			t.Error("back from the guide lost the search")
		}
		h.tapText("清空")
		if h.shows("最低生活保障申请") {
			t.Fatal("清空 left the results")
		}
		h.tapText("低保")
		if !h.shows("最低生活保障申请") {
			t.Error("keyword 低保 did not find the item")
		}
	})
}

// TestIdleTimeoutForgetsTheResident walks away mid-search: after the configured quiet period the
// kiosk is home, the query is gone and elder mode is back to the hall's default.
func TestIdleTimeoutForgetsTheResident(t *testing.T) {
	h := newHarness(t, opts{idle: 60 * time.Second})
	h.tapText("长辈版")
	if !h.sh.Elder() {
		t.Fatal("elder switch did nothing")
	}
	h.tapText("查找事项")
	h.tapText("G")
	h.tapText("L")
	h.clock.Advance(59 * time.Second)
	h.settle()
	h.want(ScreenSearch)
	h.tapText("J") // the resident is still there: countdown restarts
	h.clock.Advance(59 * time.Second)
	h.settle()
	if h.screen() != ScreenSearch || !h.shows("G L J") {
		t.Fatalf("touch did not restart the countdown: %s", h.screen())
	}
	h.clock.Advance(2 * time.Second)
	h.await()
	h.want(ScreenHome)
	if h.sh.Elder() || h.sh.Idle.Armed() || h.sh.Depth() != 0 {
		t.Errorf("after idle: elder %v armed %v history %d", h.sh.Elder(), h.sh.Idle.Armed(), h.sh.Depth())
	}
	if !h.shows("已回到首页") {
		t.Error("no notice that the kiosk went home")
	}
	h.shot("home-after-idle")
	for _, s := range h.texts() {
		if strings.Contains(s, "G L J") {
			t.Error("typed letters still on screen")
		}
	}
}

func TestStoreErrorIsShownNotCrashed(t *testing.T) {
	sh, w := uitest.NewShell(t)
	err := errors.New("open store /var/lib/hallkiosk/hallkiosk.db: store file is damaged")
	New(sh, Deps{StartupError: err}).Start(context.Background())
	all := strings.Join(uitest.Texts(w), "\n")
	if sh.Current().Name != ScreenError || !strings.Contains(all, "数据文件打不开") || !strings.Contains(all, "store file is damaged") {
		t.Errorf("screen %s texts %q", sh.Current().Name, all)
	}
	if sh.Idle.Armed() {
		t.Error("the error screen arms the idle timer")
	}
}

// TestEveryScreenFitsTheKiosk visits every window list and every guide in both sizes; the
// harness checks each screen fits 1920x1080 and has finger-sized targets.
func TestEveryScreenFitsTheKiosk(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		for _, w := range h.cat.Windows {
			h.sh.GoHome()
			h.tapText(w.Name)
			h.want(ScreenWindow)
		}
		for _, it := range h.cat.Items {
			h.sh.GoHome()
			h.app.OpenGuide(it.Code)
			h.want(ScreenGuide)
		}
		h.sh.GoHome()
		h.tapText("查找事项")
		for _, k := range []string{"S", "B", "X", "Y", "Z"} {
			h.tapText(k)
		}
	})
}

// Switching to 长辈版 on the spot draws exactly what a kiosk started in 长辈版 draws, and switching
// back draws the standard screens again. (One Fyne test app at a time: widgets take their theme
// from the current app, so the kiosk started in 长辈版 is made last.)
func TestElderSwitchDrawsTheElderScreens(t *testing.T) {
	if raceOn {
		t.Skip("renders are compared in the race-free pass")
	}
	h := newHarness(t, opts{})
	plain := half(h.render())
	h.tapText(h.s.App.ElderOn)
	h.tapText("社会救助")
	switched := half(h.render())
	h.tapText(h.s.App.Home)
	h.tapText(h.s.App.ElderOff)
	if n, where := diff(half(h.render()), plain); n > goldenMaxPixels {
		t.Fatalf("switched back differs from the standard size in %d pixels (first at %s)", n, where)
	}
	started := newHarness(t, opts{elder: true})
	started.tapText("社会救助")
	if n, where := diff(switched, half(started.render())); n > goldenMaxPixels {
		t.Fatalf("switched to 长辈版 differs from started in it in %d pixels (first at %s)", n, where)
	}
}
