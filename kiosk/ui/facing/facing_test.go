package facing

import (
	"fmt"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/software"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/ui"
	"hallkiosk/kiosk/ui/uitest"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

type harness struct {
	t     *testing.T
	f     *Facing
	win   fyne.Window
	clk   *clock.Fake
	db    *localdb.DB
	queue chan func()
	rated []string
	desk  *ui.Theme
}

// size is a common 10-inch touch screen facing the resident.
var size = fyne.NewSize(1280, 800)

func newHarness(t *testing.T) *harness {
	a := test.NewTempApp(t)
	// The staff window's desk theme is the app's; the facing screen overrides it with its own.
	desk := ui.NewTheme(96, false)
	desk.Desk = true
	a.Settings().SetTheme(desk)
	h := &harness{desk: desk, t: t, clk: kiosktest.Clock(), queue: make(chan func(), 16)}
	h.db = kiosktest.NewStore(t, h.clk).DB
	h.win = test.NewTempWindow(t, widget.NewLabel(""))
	h.win.SetPadded(false)
	h.win.Resize(size)
	svc := &apply.Service{DB: h.db, Clock: h.clk}
	h.f = New(Deps{Window: h.win, Strings: kiosktest.Strings(t), Clock: h.clk, Log: slog.New(slog.DiscardHandler),
		Hall: "王上村便民服务站", Desk: "1", Rate: svc.Rate, Rated: func(c string) { h.rated = append(h.rated, c) },
		Do: func(f func()) { h.queue <- f }}, 96)
	return h
}

// run runs what the timers queued for the UI goroutine.
func (h *harness) run() {
	for {
		select {
		case f := <-h.queue:
			f()
		default:
			return
		}
	}
}

func (h *harness) tap(prefix string) {
	h.t.Helper()
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if b, ok := o.(*widget.Button); ok && strings.HasPrefix(b.Text, prefix) {
			test.Tap(b)
			return
		}
	}
	h.t.Fatalf("no button %q on %s: %q", prefix, h.f.Current(), uitest.Texts(h.win))
}

func (h *harness) shot(name string) {
	h.t.Helper()
	if raceOn && os.Getenv("HALLKIOSK_SHOTS") == "" {
		return
	}
	img := software.RenderCanvas(h.win.Canvas(), h.desk)
	if dir := os.Getenv("HALLKIOSK_SHOTS"); dir != "" {
		out, err := os.Create(filepath.Join(dir, "facing-"+name+".png"))
		if err != nil {
			h.t.Fatal(err)
		}
		defer out.Close()
		_ = png.Encode(out, img)
	}
	uitest.Golden(h.t, fmt.Sprintf("facing-%dx%d-%s", int(size.Width), int(size.Height), name), img)
}

// 邀请评价 brings the five grades to the resident's screen; a good one is stored and uploaded at
// once, the staff window hears only that the case was rated, and the welcome comes back.
func TestGoodRating(t *testing.T) {
	h := newHarness(t)
	if h.f.Current() != ScreenWelcome {
		t.Fatalf("starts on %s", h.f.Current())
	}
	h.shot("welcome")
	h.f.Invite("260302-K007-001")
	h.shot("rating")
	h.tap("★★★★★")
	r, ok, err := h.db.Rating("260302-K007-001")
	if err != nil || !ok || r.Grade != 5 || h.f.Current() != ScreenThanks {
		t.Fatalf("stored %+v %v %v; screen %s", r, ok, err, h.f.Current())
	}
	if len(h.rated) != 1 || h.rated[0] != "260302-K007-001" {
		t.Fatalf("the window heard %q", h.rated)
	}
	if q, _ := h.db.Stats(); q.Depth != 1 {
		t.Fatalf("outbox %+v: the rating is not queued for the township", q)
	}
	h.clk.Advance(ThanksFor)
	h.run()
	if h.f.Current() != ScreenWelcome {
		t.Fatalf("after the thanks: %s", h.f.Current())
	}
}

// A bad grade asks what was wrong; 提交评价 waits for a reason; the reasons travel with it.
func TestBadRatingAsksWhy(t *testing.T) {
	h := newHarness(t)
	h.f.Invite("260302-K007-002")
	h.tap("★☆☆☆☆")
	if h.f.Current() != ScreenReasons {
		t.Fatalf("bad grade shows %s", h.f.Current())
	}
	h.tap("☐ 等候时间太长")
	h.shot("reasons")
	h.tap(h.f.d.Strings.Apply.RateSend)
	r, ok, _ := h.db.Rating("260302-K007-002")
	if !ok || r.Grade != 1 || len(r.Reasons) != 1 || r.Reasons[0] != "等候时间太长" {
		t.Fatalf("stored %+v", r)
	}
	items, _ := h.db.Due(h.clk.Now().Add(time.Hour), 10)
	if len(items) != 1 || items[0].Kind != api.KindRating {
		t.Fatalf("outbox: %+v", items)
	}
}

// An invitation nobody answers goes away after a while and stores nothing.
func TestUnansweredInvitation(t *testing.T) {
	h := newHarness(t)
	h.f.Invite("260302-K007-003")
	h.clk.Advance(InviteFor)
	h.run()
	if h.f.Current() != ScreenWelcome {
		t.Fatalf("after %s: %s", InviteFor, h.f.Current())
	}
	if _, ok, _ := h.db.Rating("260302-K007-003"); ok || len(h.rated) != 0 {
		t.Fatal("an unanswered invitation stored a rating")
	}
}
