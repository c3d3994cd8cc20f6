package selfservice

import (
	"bytes"
	"context"
	"image"
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
	gotextfont "github.com/go-text/typesetting/font"
	"golang.org/x/text/encoding/simplifiedchinese"

	"hallkiosk/drivers/printer"
	"hallkiosk/drivers/sim"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/cards"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/text"
	"hallkiosk/kiosk/ui"
	"hallkiosk/localdb"
)

// opts say what kiosk a test needs.
type opts struct {
	elder    bool
	noApply  bool // guides only: no store, no printer (apply at the window)
	noReader bool
	idle     time.Duration
	cards    cards.Source // default: a fake reader
	voice    Prompter
}

// harness is a self-service kiosk in a Fyne test window at 1920x1080, with a store, the printer
// simulator on a real pty and the apply service, unless opts say otherwise. UI changes from other
// goroutines (printing, card reads, the idle timer) are queued by Do and run by the test with
// await or settle, so they happen on the test goroutine in a known order.
type harness struct {
	t      *testing.T
	prefix string // screenshot names get it (elder-)
	walk   bool   // this test walks the whole apply flow and takes the shared steps' pictures
	o      opts
	sh     *ui.Shell
	app    *App
	win    fyne.Window
	clock  *clock.Fake
	cat    *catalog.Catalog
	s      *text.Strings
	fake   *cards.Fake
	queue  chan func()
	// With the apply service:
	db   *localdb.DB
	path string
	svc  *apply.Service
	prn  *sim.Printer
}

func newHarness(t *testing.T, o opts) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	h := &harness{t: t, o: o, clock: kiosktest.Clock(), cat: kiosktest.Catalog(t), s: kiosktest.Strings(t), queue: make(chan func(), 256)}
	if o.elder {
		h.prefix = "elder-"
	}
	h.win = test.NewTempWindow(t, widget.NewLabel(""))
	h.win.SetPadded(false) // as the app's window
	h.win.Resize(fyne.NewSize(1920, 1080))
	idle := o.idle
	if idle == 0 {
		idle = 90 * time.Second
	}
	h.sh = ui.New(ui.Deps{App: a, Window: h.win, Strings: h.s, Clock: h.clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Hall: "王上村便民服务站", DPI: 102, Elder: o.elder, IdleTimeout: idle, Do: func(f func()) { h.queue <- f }})
	d := Deps{Catalog: h.cat, Retention: 90 * 24 * time.Hour, Township: "五泉镇民生服务中心", Voice: o.voice}
	if !o.noApply {
		st := kiosktest.NewStore(t, h.clock)
		prn := kiosktest.NewPrinter(t)
		h.db, h.path, h.prn = st.DB, st.Path, prn.Sim
		h.svc = &apply.Service{DB: st.DB, Catalog: h.cat, Calendar: kiosktest.Calendar(t), Clock: h.clock, Printer: prn.Device, Text: h.s,
			Cfg: apply.Config{Hall: "王上村便民服务站", KioskCode: "K007", VoteKey: []byte("village vote key for tests 32 b."), GuideURL: "https://zw.example.cn/g", LookupURL: "https://zw.example.cn/q", Paper: printer.Paper58}}
		d.Service = h.svc
	}
	switch {
	case o.cards != nil:
		d.Cards = o.cards
	case !o.noReader:
		h.fake = cards.NewFake()
		d.Cards = h.fake
	}
	h.app = New(h.sh, d)
	h.sh.OnScreen = h.check
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h.app.Start(ctx)
	return h
}

var faceCache *gotextfont.Face

// check runs on every screen change: the screen fits 1920x1080, every tappable thing is big
// enough for a finger, tiles hold their text, and every character drawn is in the bundled font
// (an emoji or a symbol the font lacks would show as a box on the kiosk).
func (h *harness) check(name string) {
	t := h.t
	if faceCache == nil {
		face, err := gotextfont.ParseTTF(bytes.NewReader(h.sh.Theme().Font(fyne.TextStyle{}).Content()))
		if err != nil {
			t.Fatal(err)
		}
		faceCache = face
	}
	objs := test.LaidOutObjects(h.win.Canvas().Content())
	for _, o := range objs {
		if txt, ok := o.(*canvas.Text); ok {
			for _, r := range txt.Text {
				if _, ok := faceCache.NominalGlyph(r); !ok && r > ' ' {
					t.Errorf("screen %s draws %q (U+%04X), which the font lacks, in %q", name, r, r, txt.Text)
				}
			}
		}
	}
	if m := h.win.Content().MinSize(); m.Width > 1920 || m.Height > 1080 {
		t.Errorf("elder=%v screen %s needs %.0fx%.0f", h.o.elder, name, m.Width, m.Height)
	}
	minPx := h.sh.Theme().MinTarget()
	for _, o := range objs {
		// A tile (button, border, text) must hold its text: overflowing text is drawn over the next tile.
		if c, ok := o.(*fyne.Container); ok && len(c.Objects) == 3 && c.Visible() {
			if b, ok := c.Objects[0].(*widget.Button); ok && b.Text == "" && c.Objects[2].MinSize().Height > c.Size().Height+1 {
				t.Errorf("elder=%v screen %s: a tile's text needs %.0f px of its %.0f", h.o.elder, name, c.Objects[2].MinSize().Height, c.Size().Height)
			}
		}
		if _, ok := o.(fyne.Tappable); !ok || !o.Visible() {
			continue
		}
		if sz := o.Size(); sz.Width < minPx || sz.Height < minPx {
			t.Errorf("elder=%v screen %s: %T %q %.0fx%.0f smaller than %.0f px", h.o.elder, name, o, label(o), sz.Width, sz.Height, minPx)
		}
	}
}

func label(o fyne.CanvasObject) string {
	if b, ok := o.(*widget.Button); ok {
		return b.Text
	}
	return ""
}

// await runs the next UI change queued by another goroutine (a print finished, a card read, the
// idle reset), failing the test if none comes.
func (h *harness) await() {
	h.t.Helper()
	select {
	case f := <-h.queue:
		f()
	case <-time.After(15 * time.Second):
		h.t.Fatalf("no UI change came (on screen %s)", h.screen())
	}
}

// settle runs the UI changes already queued.
func (h *harness) settle() {
	for {
		select {
		case f := <-h.queue:
			f()
		default:
			return
		}
	}
}

func (h *harness) screen() string { return h.sh.Current().Name }

// texts lists every string drawn on the window, labels included.
func (h *harness) texts() []string {
	var out []string
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		switch v := o.(type) {
		case *canvas.Text:
			if v.Visible() && v.Text != "" {
				out = append(out, v.Text)
			}
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

func (h *harness) want(screen string) {
	h.t.Helper()
	if h.screen() != screen {
		h.t.Fatalf("on screen %q, want %q; texts %q", h.screen(), screen, h.texts())
	}
}

// tapText taps the button labelled s, or the screen where s is drawn, as a finger would.
func (h *harness) tapText(s string) {
	h.t.Helper()
	objs := test.LaidOutObjects(h.win.Canvas().Content())
	for _, o := range objs {
		if b, ok := o.(*widget.Button); ok && b.Visible() && b.Text == s {
			if b.Disabled() {
				h.t.Fatalf("button %q is disabled", s)
			}
			test.Tap(b)
			return
		}
	}
	for _, o := range objs {
		if t, ok := o.(*canvas.Text); ok && t.Visible() && t.Text == s {
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(t)
			test.TapCanvas(h.win.Canvas(), pos.Add(fyne.NewPos(2, t.Size().Height/2)))
			return
		}
	}
	h.t.Fatalf("no %q on screen %s; texts: %q", s, h.screen(), h.texts())
}

// tapContaining taps the first drawn text containing s (a material's row, whose text wraps).
func (h *harness) tapContaining(s string) {
	h.t.Helper()
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		if t, ok := o.(*canvas.Text); ok && t.Visible() && strings.Contains(t.Text, s) {
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(t)
			test.TapCanvas(h.win.Canvas(), pos.Add(fyne.NewPos(2, t.Size().Height/2)))
			return
		}
	}
	h.t.Fatalf("no text containing %q on screen %s", s, h.screen())
}

func (h *harness) button(label string) *widget.Button {
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		if b, ok := o.(*widget.Button); ok && b.Visible() && b.Text == label {
			return b
		}
	}
	return nil
}

func (h *harness) buttonThere(label string) bool { return h.button(label) != nil }

func (h *harness) buttonEnabled(label string) bool {
	b := h.button(label)
	return b != nil && !b.Disabled()
}

// render is what the screen shows, drawn by Fyne's software painter.
func (h *harness) render() image.Image { return software.RenderCanvas(h.win.Canvas(), h.sh.Theme()) }

// shot writes the screen to $HALLKIOSK_SHOTS/name.png when set, for people to look at, and
// compares it with its golden image (golden_test.go).
func (h *harness) shot(name string) {
	h.t.Helper()
	if raceOn && os.Getenv("HALLKIOSK_SHOTS") == "" {
		return
	}
	img := h.render()
	if b := img.Bounds(); b.Dx() != 1920 || b.Dy() != 1080 {
		h.t.Errorf("screen %s grew the window to %dx%d: it does not fit the kiosk", name, b.Dx(), b.Dy())
	}
	if dir := os.Getenv("HALLKIOSK_SHOTS"); dir != "" {
		f, err := os.Create(filepath.Join(dir, h.prefix+name+".png"))
		if err != nil {
			h.t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, img); err != nil {
			h.t.Fatal(err)
		}
	}
	golden(h.t, h.prefix+name, img)
}

func gbBytes(s string) []byte {
	b, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	return b
}

// eachMode runs fn on a fresh kiosk in the standard and the elder size.
func eachMode(t *testing.T, o opts, fn func(t *testing.T, h *harness)) {
	for _, elder := range []bool{false, true} {
		t.Run(map[bool]string{false: "standard", true: "elder"}[elder], func(t *testing.T) {
			o := o
			o.elder = elder
			fn(t, newHarness(t, o))
		})
	}
}
