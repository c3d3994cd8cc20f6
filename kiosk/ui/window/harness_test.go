package window

import (
	"context"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"fyne.io/fyne/v2/driver/software"

	"hallkiosk/assets"
	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/cards"
	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/figures"
	"hallkiosk/kiosk/followup"
	"hallkiosk/kiosk/health"
	"hallkiosk/kiosk/intake"
	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/pinyin"
	"hallkiosk/kiosk/queue"
	"hallkiosk/kiosk/queue/hall"
	"hallkiosk/kiosk/staff"
	"hallkiosk/kiosk/text"
	"hallkiosk/kiosk/ui"
	"hallkiosk/kiosk/ui/facing"
	"hallkiosk/kiosk/ui/uitest"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

var dictOnce = sync.OnceValues(func() (*pinyin.Dict, error) { return pinyin.Load(assets.PinyinWords) })

// sizes are the window PCs' common screens.
var sizes = []fyne.Size{{Width: 1366, Height: 768}, {Width: 1920, Height: 1080}}

// harness is a window PC in a Fyne test window: a real staff desk over a real store, the hall's
// queue service (hosted here, as on the window PC that hosts it) on 127.0.0.1 reached through the
// real client, a fake card reader. UI changes from other goroutines are queued by Do and run by
// the test (until), so they happen on the test goroutine.
type harness struct {
	t      *testing.T
	size   fyne.Size
	sh     *ui.Shell
	win    fyne.Window
	app    *App
	s      *text.Strings
	clk    *clock.Fake
	db     *localdb.DB
	sealer *localdb.Sealer
	desk   *staff.Desk
	q      *queue.Queue
	srv    *httptest.Server
	cards  *cards.Fake
	queue  chan func()
	prn    *kiosktest.Printer
	intake *intake.Service
	// export is where 统计 writes; a test may point it somewhere that fails.
	export string
	// facing is the resident's screen beside the window (邀请评价).
	facing    *facing.Facing
	facingWin fyne.Window
}

func newHarness(t *testing.T, size fyne.Size) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	h := &harness{t: t, size: size, s: kiosktest.Strings(t), clk: kiosktest.Clock(), cards: cards.NewFake(), queue: make(chan func(), 256)}
	h.export = t.TempDir()
	h.win = test.NewTempWindow(t, widget.NewLabel(""))
	h.win.SetPadded(false)
	h.win.Resize(size)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h.sh = ui.New(ui.Deps{App: a, Window: h.win, Strings: h.s, Clock: h.clk, Log: log, Hall: "王上村便民服务站",
		DPI: 96, Desk: true, IdleTimeout: time.Hour, Do: func(f func()) { h.queue <- f }})
	st := kiosktest.NewStore(t, h.clk)
	h.db, h.sealer = st.DB, st.Sealer
	h.desk = staff.NewDesk(st.DB, h.clk, st.Sealer.IDIndex, staff.Config{}, log)
	var err error
	if h.q, err = queue.New(queue.BoltStore{DB: st.DB}, h.s.Lists.Businesses, h.clk.Now); err != nil {
		t.Fatal(err)
	}
	key := api.HallKey([]byte("vote key of 王上村 from the township"))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.srv = httptest.NewUnstartedServer(hall.NewServer(hall.Config{Queue: h.q, Key: key, Now: h.clk.Now, Log: log}))
	h.srv.Listener = l
	h.srv.Start()
	t.Cleanup(h.stopQueue)
	client := hall.NewClient(hall.ClientConfig{URL: "http://" + l.Addr().String(), Device: "W001", Key: key,
		Businesses: h.s.Lists.Businesses, DB: st.DB, Clock: h.clk, Log: log, Timeout: 2 * time.Second})
	h.prn = kiosktest.NewPrinter(t)
	h.intake = &intake.Service{Apply: &apply.Service{DB: st.DB, Catalog: kiosktest.Catalog(t), Calendar: kiosktest.Calendar(t),
		Clock: h.clk, Printer: h.prn.Device, Text: h.s, Log: log,
		Cfg: apply.Config{Hall: "王上村便民服务站", KioskCode: "K007", Paper: printer.Paper58}}}
	h.app = New(h.sh, Deps{Desk: h.desk, Queue: client, Window: "1", Windows: []string{"1", "2", "3"},
		Cards: h.cards, Pinyin: dictOnce, Audit: st.DB.Audit, Intake: h.intake,
		Health: &health.Source{DB: st.DB, Printer: h.prn.Device, PrinterConfigured: true,
			Reader: func() idcard.ReaderState { return idcard.ReaderAbsent }},
		Figures:   &figures.Source{DB: st.DB, Tickets: queue.BoltStore{DB: st.DB}.LoadDay, Businesses: h.s.Lists.Businesses, Now: h.clk.Now},
		ExportDir: func() (string, error) { return h.export, nil },
		FollowUp:  &followup.Service{DB: st.DB, Calendar: kiosktest.Calendar(t), Clock: h.clk},
		Invite:    func(c string) { h.facing.Invite(c) },
		Rated:     func(c string) bool { _, ok, _ := st.DB.Rating(c); return ok }})
	h.facingWin = test.NewTempWindow(t, widget.NewLabel(""))
	h.facingWin.Resize(fyne.NewSize(1280, 800))
	h.facing = facing.New(facing.Deps{Window: h.facingWin, Strings: h.s, Clock: h.clk, Log: log, Hall: "王上村便民服务站", Desk: "1",
		Rate: h.intake.Apply.Rate, Do: func(f func()) { h.queue <- f }}, 96)
	h.desk.OnSignOut = func(staff.Session, string) { h.app.SignedOut() }
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h.app.Start(ctx)
	return h
}

func (h *harness) stopQueue() {
	h.srv.CloseClientConnections()
	h.srv.Close()
}

// until runs queued UI changes until cond holds, failing after 15 s without it.
func (h *harness) until(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(15 * time.Second)
	for !cond() {
		select {
		case f := <-h.queue:
			f()
		case <-deadline:
			h.t.Fatalf("%s: not so after 15 s; screen %s shows %q", what, h.screen(), h.texts())
		}
	}
}

func (h *harness) screen() string { return h.sh.Current().Name }

func (h *harness) texts() []string { return uitest.Texts(h.win) }

func (h *harness) shows(s string) bool {
	return strings.Contains(strings.Join(h.texts(), "\n"), s)
}

func (h *harness) button(label string) *widget.Button {
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		if b, ok := o.(*widget.Button); ok && b.Text == label && b.Visible() {
			return b
		}
	}
	return nil
}

func (h *harness) tap(label string) {
	h.t.Helper()
	b := h.button(label)
	if b == nil {
		h.t.Fatalf("no button %q on %s: %q", label, h.screen(), h.texts())
	}
	if b.Disabled() {
		h.t.Fatalf("button %q is disabled on %s", label, h.screen())
	}
	test.Tap(b)
}

// entries are the screen's text fields in order.
func (h *harness) entries() []*widget.Entry {
	var out []*widget.Entry
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		switch e := o.(type) {
		case *widget.Entry:
			out = append(out, e)
		case *PinyinField:
			out = append(out, &e.Entry)
		}
	}
	return out
}

func (h *harness) field(i int) *widget.Entry {
	h.t.Helper()
	es := h.entries()
	if i >= len(es) {
		h.t.Fatalf("screen %s has %d fields, not %d", h.screen(), len(es), i+1)
	}
	return es[i]
}

// pinyinField is the screen's Chinese field.
func (h *harness) pinyinField() *PinyinField {
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		if f, ok := o.(*PinyinField); ok {
			return f
		}
	}
	h.t.Fatalf("no pinyin field on %s", h.screen())
	return nil
}

// shot checks the screen fits and keeps its picture (golden image; $HALLKIOSK_SHOTS for people).
func (h *harness) shot(name string) {
	h.t.Helper()
	name = fmt.Sprintf("%dx%d-%s", int(h.size.Width), int(h.size.Height), name)
	if m := h.win.Content().MinSize(); m.Width > h.size.Width || m.Height > h.size.Height {
		h.t.Errorf("screen %s needs %.0fx%.0f", name, m.Width, m.Height)
	}
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		if txt, ok := o.(*canvas.Text); ok && strings.ContainsRune(txt.Text, '\uFFFD') {
			h.t.Errorf("screen %s draws a broken character in %q", name, txt.Text)
		}
	}
	if raceOn && os.Getenv("HALLKIOSK_SHOTS") == "" {
		return
	}
	img := software.RenderCanvas(h.win.Canvas(), h.sh.Theme())
	if dir := os.Getenv("HALLKIOSK_SHOTS"); dir != "" {
		f, err := os.Create(filepath.Join(dir, "window-"+name+".png"))
		if err != nil {
			h.t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, img); err != nil {
			h.t.Fatal(err)
		}
	}
	uitest.Golden(h.t, name, img)
}

// setUp makes the hall's first station head directly (for tests about what comes after).
func (h *harness) setUp() {
	h.t.Helper()
	code, err := h.desk.SetupCode()
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.desk.SetupHead(code, staff.Account{ID: "S01", Name: "李秀英", PIN: "258036", IDNumber: staffCard.IDNumber}); err != nil {
		h.t.Fatal(err)
	}
	h.desk.SignOut()
	h.sh.GoHome()
}

func (h *harness) signIn() {
	h.t.Helper()
	test.Type(h.field(0), "S01")
	test.Type(h.field(1), "258036")
	h.tap(h.s.Desk.SignIn)
	h.until("signed in", func() bool { return h.screen() == ScreenQueue })
}

// selects are the screen's drop-down lists in order.
func (h *harness) selects() []*widget.Select {
	var out []*widget.Select
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		if s, ok := o.(*widget.Select); ok {
			out = append(out, s)
		}
	}
	return out
}

// candidate is the candidate button of the pinyin field that offers text ("4 李").
func (h *harness) candidate(text string) *widget.Button {
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		if b, ok := o.(*widget.Button); ok && len(b.Text) > 2 && b.Text[0] >= '1' && b.Text[0] <= '9' && b.Text[2:] == text {
			return b
		}
	}
	return nil
}

// problem is the calling panel's refusal on show ("" when none).
func (h *harness) problem() string {
	if p, ok := h.sh.Top().(*queuePage); ok {
		return p.problem
	}
	return ""
}

// synced says the panel shows the queue's latest state (pictures are taken then, not mid-update).
func (h *harness) synced() bool {
	st, on := h.q.State(), h.app.st
	return reflect.DeepEqual(on.Businesses, st.Businesses) && reflect.DeepEqual(on.Windows, st.Windows) &&
		reflect.DeepEqual(on.Recent, st.Recent) && len(h.queue) == 0
}
