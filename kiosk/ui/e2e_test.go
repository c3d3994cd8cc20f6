package ui

import (
	"bytes"
	"context"
	"image/png"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"hallkiosk/assets"
	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/serialport"
	"hallkiosk/drivers/sim"
	"hallkiosk/kiosk/upload"
	"hallkiosk/township/api"
	"hallkiosk/township/server"
	"hallkiosk/township/store"
)

// e2e adds the card reader simulator (read through the real poller over a pty) and a township
// service on 127.0.0.1 with an enrolled upload loop.
type e2e struct {
	*flow
	reader *sim.CardReader
	events chan idcard.Event
	tw     *store.Store
	srv    *httptest.Server
	loop   *upload.Loop
}

func newE2E(t *testing.T) *e2e {
	t.Helper()
	f := newFlow(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	reader := sim.NewCardReader(idcard.SampleCards())
	path, err := sim.ServePTY(ctx, reader.Serve)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan idcard.Event, 4)
	p := &idcard.Poller{Open: func() (serialport.Port, error) { return serialport.Open(path, 115200) }, Interval: 20 * time.Millisecond, Log: slog.New(slog.DiscardHandler)}
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx, events) }()
	t.Cleanup(func() { cancel(); <-done })

	dir := t.TempDir()
	tw, err := store.Open(filepath.Join(dir, "township.db"), filepath.Join(dir, "township.key"), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{Store: tw, Township: "五泉镇民生服务中心"}))
	t.Cleanup(func() { srv.Close(); tw.Close() })
	code, _, _ := tw.NewCode("王上村", "", time.Hour)
	hc, _ := upload.HTTPClient("", 5*time.Second)
	cred, err := upload.Enrol(context.Background(), hc, srv.URL, code, "一号机")
	if err != nil {
		t.Fatal(err)
	}
	f.svc.Cfg.KioskCode = cred.KioskCode
	loop := &upload.Loop{DB: f.db, Client: &upload.Client{Cred: cred, HTTP: hc}, BackoffBase: time.Millisecond, BackoffCap: 10 * time.Millisecond}
	f.svc.Kick = loop.Kick
	return &e2e{flow: f, reader: reader, events: events, tw: tw, srv: srv, loop: loop}
}

// place lays card i on the simulated reader and hands the poller's event to the screen, as the
// kiosk's main does through fyne.Do.
func (e *e2e) place(i int) {
	e.t.Helper()
	if err := e.reader.Place(i); err != nil {
		e.t.Fatal(err)
	}
	select {
	case ev := <-e.events:
		e.ui.CardEvent(ev)
	case <-time.After(5 * time.Second):
		e.t.Fatal("the poller read no card")
	}
}

func (e *e2e) applyDibao(card int) string {
	e.t.Helper()
	e.toCard()
	e.place(card)
	e.answerDibao()
	e.tickAll()
	e.tapText(e.ui.s.Apply.NextStep)
	e.tapText(e.ui.s.Apply.Agree)
	e.tapText(e.ui.s.Apply.Submit)
	e.want(ScreenDone)
	return e.ui.lastCase.Number
}

func decodeQRPNG(t *testing.T, job []byte, save string) string {
	t.Helper()
	r, err := sim.NewRenderer(assets.FontCJK, 384)
	if err != nil {
		t.Fatal(err)
	}
	img, err := r.Render(job)
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("HALLKIOSK_SHOTS"); dir != "" {
		f, _ := os.Create(filepath.Join(dir, save))
		_ = png.Encode(f, img)
		f.Close()
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("no QR on the printed receipt: %v", err)
	}
	return res.GetText()
}

// The whole apply flow on real devices over ptys and a township on 127.0.0.1: the case arrives
// exactly once, the printed receipt carries the number and a QR that opens the lookup for it.
func TestEndToEndApplyOnDevicesToTownship(t *testing.T) {
	e := newE2E(t)
	number := e.applyDibao(0)
	if number != "260302-K001-001" {
		t.Fatalf("case number %q", number)
	}
	jobs := e.prn.Jobs()
	if len(jobs) != 1 || !bytes.Contains(jobs[0], gbBytes(number)) {
		t.Fatal("no receipt with the case number")
	}
	if got := decodeQRPNG(t, jobs[0], "receipt.png"); got != e.svc.LookupLink(number) {
		t.Fatalf("receipt QR says %q, want %q", got, e.svc.LookupLink(number))
	}
	e.tapText(e.ui.s.Apply.Rate)
	e.tapText("★★★★★  非常满意")
	e.loop.Round(context.Background())
	e.loop.Round(context.Background()) // a second round sends nothing twice
	c, err := e.tw.Case(number)
	if err != nil || c.Applicant.Name != idcard.SampleCards()[0].Name || c.ItemName != "最低生活保障申请" {
		t.Fatalf("township case %+v %v", c, err)
	}
	if n, _ := e.tw.ItemCount(api.KindCase); n != 1 {
		t.Fatalf("township holds %d cases", n)
	}
	if n, _ := e.tw.ItemCount(api.KindRating); n != 1 {
		t.Fatalf("township holds %d ratings", n)
	}
	// The township's result comes back down and shows in 办件查询 when the card is laid.
	if err := e.tw.SetStatus(number, "done", "低保金每月20日发放到本人银行卡"); err != nil {
		t.Fatal(err)
	}
	e.loop.Round(context.Background())
	e.tapText(e.ui.s.Apply.Finish)
	e.tapText(e.ui.s.Tasks.Lookup)
	e.want(ScreenLookup)
	e.reader.Lift()
	time.Sleep(100 * time.Millisecond)
	e.place(0)
	if !e.shows(number) || !e.shows("已办结") || !e.shows("低保金每月20日发放到本人银行卡") {
		t.Fatalf("lookup by card: %q", e.texts())
	}
	e.shot("lookup-by-card")
}

// With the township unreachable the case waits in the queue, and arrives once when it is back.
func TestTownshipUnreachableCaseWaits(t *testing.T) {
	e := newE2E(t)
	url := e.loop.Client.Cred.URL
	e.loop.Client.Cred.URL = "http://127.0.0.1:1" // nothing listens there
	number := e.applyDibao(1)
	e.loop.Round(context.Background())
	if st := e.loop.Status(); st.State != upload.StateOffline {
		t.Fatalf("status %+v", st)
	}
	if st, _ := e.db.Stats(); st.Depth != 1 {
		t.Fatalf("queue depth %d", st.Depth)
	}
	e.loop.Client.Cred.URL = url
	time.Sleep(20 * time.Millisecond)
	e.loop.Round(context.Background())
	if _, err := e.tw.Case(number); err != nil {
		t.Fatal("the case did not arrive after the township came back")
	}
	if st, _ := e.db.Stats(); st.Depth != 0 {
		t.Fatalf("queue depth %d after delivery", st.Depth)
	}
}

// A garbled answer from the reader is retried by the driver: the resident just sees the card read.
// An expired card read through the real reader is refused politely, and nothing of it is kept.
func TestReaderGlitchAndExpiredCardOnTheDevice(t *testing.T) {
	e := newE2E(t)
	e.toCard()
	e.reader.SetFault(sim.FaultBadChecksum)
	e.place(0)
	e.want(ScreenForm)
	e.tapText(e.ui.s.App.Home)
	e.reader.Lift()
	time.Sleep(100 * time.Millisecond)
	e.toCard()
	expired := -1
	for i, c := range idcard.SampleCards() {
		if c.Expired(e.clock.Now()) {
			expired = i
		}
	}
	e.place(expired)
	if e.ui.Screen() != ScreenCard || e.ui.Session().Card() != nil || !e.shows("已过期") {
		t.Fatalf("expired card: %q", e.texts())
	}
}
