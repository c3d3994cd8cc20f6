package ui

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	gotextfont "github.com/go-text/typesetting/font"
	"golang.org/x/text/encoding/simplifiedchinese"

	"hallkiosk/assets"
	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/drivers/serialport"
	"hallkiosk/drivers/sim"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/config"
	"hallkiosk/kiosk/text"
	"hallkiosk/kiosk/workday"
	"hallkiosk/localdb"
	"hallkiosk/township/api/mask"
)

// flow is a kiosk with a store, the printer simulator on a real pty, and the apply service.
type flow struct {
	*harness
	db   *localdb.DB
	svc  *apply.Service
	prn  *sim.Printer
	path string
}

func newFlow(t *testing.T, edit func(*config.Config)) *flow {
	t.Helper()
	dir := t.TempDir()
	sealer, err := localdb.LoadOrCreateKey(filepath.Join(dir, "device.key"))
	if err != nil {
		t.Fatal(err)
	}
	fc := clock.NewFake(time.Date(2026, 3, 2, 9, 30, 0, 0, time.Local))
	path := filepath.Join(dir, "kiosk.db")
	db, err := localdb.Open(path, localdb.Options{Sealer: sealer, Now: fc.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cat, _, _ := catalog.Parse(assets.CatalogName, assets.DefaultCatalog)
	cal, _ := workday.Parse("built-in", assets.Holidays)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	prn := sim.NewPrinter()
	prn.PrintTime = time.Millisecond
	pp, err := sim.ServePTY(ctx, prn.Serve)
	if err != nil {
		t.Fatal(err)
	}
	port, err := serialport.Open(pp, 19200)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { port.Close() })
	strs, _ := text.Load()
	svc := &apply.Service{DB: db, Catalog: cat, Calendar: cal, Clock: fc, Printer: printer.NewDevice(port, printer.Pacing{}), Text: strs,
		Cfg: apply.Config{Hall: "王上村便民服务站", KioskCode: "K007", GuideURL: "https://zw.example.cn/g", LookupURL: "https://zw.example.cn/q", Paper: printer.Paper58}}
	a := test.NewTempApp(t)
	cfg := config.Default()
	if edit != nil {
		edit(cfg)
	}
	s, _ := text.Load()
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1920, 1080))
	u := New(Deps{App: a, Window: w, Config: cfg, Catalog: cat, Strings: s, Clock: fc,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Apply: svc})
	face, err := gotextfont.ParseTTF(bytes.NewReader(u.Theme().Font(fyne.TextStyle{}).Content()))
	if err != nil {
		t.Fatal(err)
	}
	// Every screen the flow shows must fit the kiosk, have targets a finger can hit, and draw only
	// characters the bundled font has (an emoji would show as a box).
	u.OnScreen = func(name string) {
		for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
			if txt, ok := o.(*canvas.Text); ok {
				for _, r := range txt.Text {
					if _, ok := face.NominalGlyph(r); !ok && r > ' ' {
						t.Errorf("screen %s draws %q (U+%04X), which the font lacks, in %q", name, r, r, txt.Text)
					}
				}
			}
		}
		if m := w.Content().MinSize(); m.Width > 1920 || m.Height > 1080 {
			t.Errorf("elder=%v screen %s needs %.0fx%.0f", cfg.UI.ElderMode, name, m.Width, m.Height)
		}
		minPx := u.Theme().MinTarget()
		for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
			// A tile (button, border, text) must hold its text: overflowing text is drawn over the next tile.
			if c, ok := o.(*fyne.Container); ok && len(c.Objects) == 3 && c.Visible() {
				if b, ok := c.Objects[0].(*widget.Button); ok && b.Text == "" && c.Objects[2].MinSize().Height > c.Size().Height+1 {
					t.Errorf("elder=%v screen %s: a tile's text needs %.0f px of its %.0f", cfg.UI.ElderMode, name, c.Objects[2].MinSize().Height, c.Size().Height)
				}
			}
			if _, ok := o.(fyne.Tappable); !ok || !o.Visible() {
				continue
			}
			if sz := o.Size(); sz.Width < minPx || sz.Height < minPx {
				t.Errorf("elder=%v screen %s: %T %q %.0fx%.0f smaller than %.0f px", cfg.UI.ElderMode, name, o, label(o), sz.Width, sz.Height, minPx)
			}
		}
	}
	u.Start()
	return &flow{harness: &harness{t: t, ui: u, win: w, clock: fc, cat: cat}, db: db, svc: svc, prn: prn, path: path}
}

func label(o fyne.CanvasObject) string {
	if b, ok := o.(*widget.Button); ok {
		return b.Text
	}
	return ""
}

func gbBytes(s string) []byte {
	b, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	return b
}

func (f *flow) want(screen string) {
	f.t.Helper()
	if f.ui.Screen() != screen {
		f.t.Fatalf("on screen %q, want %q; texts %q", f.ui.Screen(), screen, f.texts())
	}
}

// toGuide goes home -> 社会救助 -> 最低生活保障申请 -> guide -> 我要办理.
func (f *flow) toCard() {
	f.t.Helper()
	f.tapText("社会救助")
	f.tapText("最低生活保障申请")
	f.want(ScreenGuide)
	f.tapText(f.ui.s.Apply.Start)
	f.want(ScreenCard)
}

// answerDibao answers the five questions of 低保 on the keypad and the choice buttons.
func (f *flow) answerDibao() {
	f.t.Helper()
	a := f.ui.s.Apply
	f.want(ScreenForm)
	f.tapText("3")
	f.tapText(a.Next)
	for _, d := range "800" {
		f.tapText(string(d))
	}
	f.tapText(a.Next)
	f.shot("flow-02b-form-multi")
	f.tapText("疾病")
	f.shot("flow-02c-form-multi-picked")
	f.tapText(a.Next)
	f.shot("flow-02d-form-yesno")
	f.tapText(a.No)
	f.tapText(a.Next)
	for _, d := range "13912345678" {
		f.tapText(string(d))
	}
	f.tapText(a.Next)
	f.want(ScreenMaterials)
}

// tickAll ticks every material "带了", page by page.
func (f *flow) tickAll() {
	f.t.Helper()
	for i := 0; i < 20 && f.buttonThere(f.ui.s.Apply.HaveNot); i++ {
		f.tapText(f.ui.s.Apply.HaveNot)
		if !f.buttonThere(f.ui.s.Apply.HaveNot) && f.buttonEnabled(f.ui.s.App.PageDown) {
			f.tapText(f.ui.s.App.PageDown)
		}
	}
}

func (f *flow) buttonThere(label string) bool {
	for _, o := range test.LaidOutObjects(f.win.Canvas().Content()) {
		if b, ok := o.(*widget.Button); ok && b.Visible() && b.Text == label {
			return true
		}
	}
	return false
}

func (f *flow) buttonEnabled(label string) bool {
	for _, o := range test.LaidOutObjects(f.win.Canvas().Content()) {
		if b, ok := o.(*widget.Button); ok && b.Visible() && b.Text == label {
			return !b.Disabled()
		}
	}
	return false
}

func TestApplyFlowStoresPrintsAndRates(t *testing.T) {
	for _, elder := range []bool{false, true} {
		t.Run(map[bool]string{false: "standard", true: "elder"}[elder], func(t *testing.T) {
			applyFlow(t, elder)
		})
	}
}

func applyFlow(t *testing.T, elder bool) {
	f := newFlow(t, func(c *config.Config) { c.UI.ElderMode = elder })
	if elder {
		f.prefix = "elder-"
	}
	a := f.ui.s.Apply
	card := idcard.SampleCards()[0]
	f.toCard()
	f.shot("flow-01-card")
	f.ui.CardEvent(idcard.Event{Card: card})
	f.shot("flow-02-form-number")
	if f.shows(card.Name) || f.shows(card.IDNumber) {
		t.Fatal("the form shows the card's name or number whole")
	}
	if !f.shows(mask.Name(card.Name)) {
		t.Fatal("the form does not show whose application it is (masked)")
	}
	// A wrong answer is refused with what to fix, and the resident stays on the question.
	f.tapText(a.Next)
	if f.ui.Screen() != ScreenForm || !f.shows("请填写") {
		t.Fatalf("empty answer: %q", f.texts())
	}
	f.answerDibao()
	f.shot("flow-03-materials")
	f.tickAll()
	f.tapText(a.NextStep)
	f.want(ScreenConsent)
	f.shot("flow-04-consent")
	if st, _ := f.db.Stats(); st.Depth != 0 {
		t.Fatal("something was stored before consent")
	}
	f.tapText(a.Agree)
	f.want(ScreenConfirm)
	f.shot("flow-05-confirm")
	if !f.shows("139****5678") || f.shows("13912345678") {
		t.Fatal("the confirm screen must show the phone masked")
	}
	f.tapText(a.Submit)
	f.want(ScreenDone)
	f.shot("flow-06-done")
	const number = "260302-K007-001"
	if !f.shows(number) || !f.shows("2026年03月30日") || !f.shows(a.Printed[:9]) {
		t.Fatalf("done screen: %q", f.texts())
	}
	c, err := f.db.Case(number)
	if err != nil || c.Person.Form["household"] != "3" || c.Person.Form["reasons"] != "疾病" {
		t.Fatalf("stored %+v %v", c, err)
	}
	jobs := f.prn.Jobs()
	if len(jobs) != 1 || !bytes.Contains(jobs[0], gbBytes(number)) || bytes.Contains(jobs[0], gbBytes(card.Name)) {
		t.Fatal("receipt not printed, or it names the resident whole")
	}
	if !f.ui.Session().Empty() {
		t.Fatal("the card's data is still in the session after submitting")
	}
	f.tapText(a.Rate)
	f.want(ScreenRating)
	f.shot("flow-07-rating")
	f.tapText("★★☆☆☆  不满意")
	f.shot("flow-08-rating-bad")
	f.tapText(f.ui.s.Lists.BadReasons[0])
	f.tapText(a.RateSend)
	if r, ok, _ := f.db.Rating(number); !ok || r.Grade != 2 || r.Reasons[0] != f.ui.s.Lists.BadReasons[0] {
		t.Fatalf("rating %+v %v", r, ok)
	}
	f.shot("flow-09-thanks")
	f.tapText(a.Finish)
	f.want(ScreenHome)
	if st, _ := f.db.Stats(); st.Depth != 2 {
		t.Fatalf("outbox holds %d, want the case and its rating", st.Depth)
	}
}

func TestCardErrorsAndExpiredCard(t *testing.T) {
	f := newFlow(t, nil)
	f.toCard()
	f.ui.CardEvent(idcard.Event{Err: idcard.StatusFor(0x80)})
	if f.ui.Screen() != ScreenCard || !f.shows("请将身份证放在读卡区") {
		t.Fatalf("reader status 80: %q", f.texts())
	}
	var expired idcard.Card
	for _, c := range idcard.SampleCards() {
		if c.Expired(f.clock.Now()) {
			expired = c
		}
	}
	f.ui.CardEvent(idcard.Event{Card: expired})
	f.shot("flow-card-expired")
	if f.ui.Screen() != ScreenCard || !f.shows("已过期") || f.ui.Session().Card() != nil {
		t.Fatalf("expired card: %q", f.texts())
	}
	f.tapText(f.ui.s.App.Home)
	f.want(ScreenHome)
	if f.ui.Session() != nil {
		t.Fatal("session left after going home")
	}
}

func TestConsentRefusedKeepsNothing(t *testing.T) {
	f := newFlow(t, nil)
	f.toCard()
	f.ui.CardEvent(idcard.Event{Card: idcard.SampleCards()[1]})
	f.answerDibao()
	f.tickAll()
	f.tapText(f.ui.s.Apply.NextStep)
	if !f.shows("不同意") {
		t.Fatalf("the consent screen does not say how to refuse: %q", f.texts())
	}
	f.tapText(f.ui.s.App.Home)
	f.want(ScreenHome)
	if f.ui.Session() != nil {
		t.Fatal("a session is left after refusing")
	}
	if st, _ := f.db.Stats(); st.Depth != 0 {
		t.Fatal("refusing consent stored something")
	}
}

func TestPrinterOutOfPaperShowsNumberToCopy(t *testing.T) {
	f := newFlow(t, nil)
	f.prn.SetPaperOut(true)
	f.toCard()
	f.ui.CardEvent(idcard.Event{Card: idcard.SampleCards()[0]})
	f.answerDibao()
	f.tickAll()
	f.tapText(f.ui.s.Apply.NextStep)
	f.tapText(f.ui.s.Apply.Agree)
	f.tapText(f.ui.s.Apply.Submit)
	f.want(ScreenDone)
	f.shot("flow-06-done-paper-out")
	if !f.shows("260302-K007-001") || !f.shows("没有纸") || !f.shows("记下来") {
		t.Fatalf("paper out: %q", f.texts())
	}
	if _, err := f.db.Case("260302-K007-001"); err != nil {
		t.Fatal("the case was not stored")
	}
	// Staff put paper in; the receipt comes out from the same screen.
	f.prn.SetPaperOut(false)
	f.tapText(f.ui.s.Apply.Reprint)
	if jobs := f.prn.Jobs(); len(jobs) != 1 || !bytes.Contains(jobs[0], gbBytes("260302-K007-001")) {
		t.Fatal("reprint did not print the receipt")
	}
	if !f.shows(f.ui.s.Apply.Printed[:9]) {
		t.Fatalf("after reprint: %q", f.texts())
	}
}

func TestIdleTimeoutMidFormLeavesNothing(t *testing.T) {
	f := newFlow(t, nil)
	f.toCard()
	f.ui.CardEvent(idcard.Event{Card: idcard.SampleCards()[0]})
	f.tapText("3")
	f.tapText(f.ui.s.Apply.Next)
	sess := f.ui.Session()
	f.clock.Advance(f.ui.Idle().Timeout() + time.Second)
	deadline := time.Now().Add(2 * time.Second)
	for f.ui.Screen() != ScreenHome && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	f.want(ScreenHome)
	if f.ui.Session() != nil || !sess.Empty() || sess.Card() != nil {
		t.Fatalf("after the idle timeout the session still holds %+v", sess)
	}
	if st, _ := f.db.Stats(); st.Depth != 0 {
		t.Fatal("an abandoned form was stored")
	}
}

func TestMissingMaterialsChecklist(t *testing.T) {
	f := newFlow(t, nil)
	f.toCard()
	f.ui.CardEvent(idcard.Event{Card: idcard.SampleCards()[0]})
	f.answerDibao()
	if !f.shows("还缺") && !strings.Contains(strings.Join(f.texts(), ""), "还缺") {
		t.Fatalf("materials: %q", f.texts())
	}
	f.tapText(f.ui.s.Apply.PrintChecklist)
	jobs := f.prn.Jobs()
	if len(jobs) != 1 || !bytes.Contains(jobs[0], gbBytes("户口簿")) {
		t.Fatal("the checklist did not print the missing materials")
	}
	// Without paper the list cannot print: the screen says why, not that it printed.
	f.prn.SetPaperOut(true)
	f.tapText(f.ui.s.Apply.PrintChecklist)
	if !f.shows("没有纸") || f.shows(f.ui.s.Apply.ChecklistPrinted) {
		t.Fatalf("checklist without paper: %q", f.texts())
	}
	f.prn.SetPaperOut(false)
	// 容缺受理: the resident may still go on.
	f.tapText(f.ui.s.Apply.NextStep)
	f.want(ScreenConsent)
}

// A date is picked with plus and minus buttons, never typed.
func TestDateQuestion(t *testing.T) {
	eachMode(t, func(t *testing.T, f *flow) {
		f.ui.push()
		f.ui.ShowGuide("61040300WJ-GG-0001") // 生育登记: which child, due date, phone
		f.tapText(f.ui.s.Apply.Start)
		f.ui.CardEvent(idcard.Event{Card: idcard.SampleCards()[1]})
		f.shot("flow-02e-form-choice")
		f.tapText("二孩")
		f.tapText(f.ui.s.Apply.Next)
		f.tapText("＋ " + f.ui.s.Apply.DateMonth)
		f.tapText("＋ " + f.ui.s.Apply.DateMonth)
		f.tapText("＋ " + f.ui.s.Apply.DateDay)
		f.shot("flow-02f-form-date")
		if got := f.ui.Session().Answers["due"]; got != "2026-05-03" {
			t.Fatalf("due date %q, want 2026-05-03", got)
		}
		f.tapText(f.ui.s.Apply.Next)
		if !f.shows("联系电话") {
			t.Fatalf("after the date: %q", f.texts())
		}
	})
}

// A kiosk without a card reader says so where a card is needed, instead of waiting for one.
func TestNoCardReaderSaysWhereToGo(t *testing.T) {
	eachMode(t, func(t *testing.T, f *flow) {
		f.ui.d.NoCardReader = true
		f.toCard()
		f.shot("flow-card-no-reader")
		if !f.shows("读卡器没有连接") || f.shows(f.ui.s.Apply.CardTypes[:12]) {
			t.Fatalf("card screen without a reader: %q", f.texts())
		}
		f.tapText(f.ui.s.App.Home)
		f.want(ScreenHome)
	})
}
