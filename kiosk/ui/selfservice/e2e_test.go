package selfservice

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"hallkiosk/assets"
	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/sim"
	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/upload"
	"hallkiosk/township/api"
)

// e2e is the kiosk with the card reader simulator read through the real poller over a pty (as
// the card source main wires), the printer simulator on a pty, and a township service on
// 127.0.0.1 with an enrolled upload loop.
type e2e struct {
	*harness
	reader *kiosktest.Reader
	tw     *kiosktest.Township
	loop   *upload.Loop
}

func newE2E(t *testing.T) *e2e {
	t.Helper()
	reader := kiosktest.NewReader(t)
	h := newHarness(t, opts{cards: reader})
	tw := kiosktest.NewTownship(t)
	client, _ := tw.Enrol(t, "王上村")
	h.svc.Cfg.KioskCode = client.Cred.KioskCode
	loop := &upload.Loop{DB: h.db, Client: client, Clock: h.clock, BackoffBase: time.Millisecond, BackoffCap: 10 * time.Millisecond}
	h.svc.Kick = loop.Kick
	return &e2e{harness: h, reader: reader, tw: tw, loop: loop}
}

// place lays card i on the simulated reader; the poller reads it and the screen gets it.
func (e *e2e) place(i int) {
	e.t.Helper()
	if err := e.reader.Sim.Place(i); err != nil {
		e.t.Fatal(err)
	}
	e.await()
}

// lift takes the card off and waits until the poller has seen the reader empty.
func (e *e2e) lift() {
	e.t.Helper()
	select {
	case <-e.reader.Sim.LiftSeen():
	case <-time.After(10 * time.Second):
		e.t.Fatal("the poller never looked at the empty reader")
	}
}

func (e *e2e) applyDibao(card int) string {
	e.t.Helper()
	e.toCard()
	e.place(card)
	e.answerDibao()
	e.tickAll()
	e.submit()
	return e.flow().Case.Number
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
	e.tapText(e.s.Apply.Rate)
	e.tapText("★★★★★  非常满意")
	e.loop.Round(context.Background())
	e.loop.Round(context.Background()) // a second round sends nothing twice
	c, err := e.tw.Store.Case(number)
	if err != nil || c.Applicant.Name != idcard.SampleCards()[0].Name || c.ItemName != "最低生活保障申请" {
		t.Fatalf("township case %+v %v", c, err)
	}
	if n, _ := e.tw.Store.ItemCount(api.KindCase); n != 1 {
		t.Fatalf("township holds %d cases", n)
	}
	if n, _ := e.tw.Store.ItemCount(api.KindRating); n != 1 {
		t.Fatalf("township holds %d ratings", n)
	}
	// The township's result comes back down and shows in 办件查询 when the card is laid.
	if err := e.tw.Store.SetStatus(number, "done", "低保金每月20日发放到本人银行卡"); err != nil {
		t.Fatal(err)
	}
	e.loop.Round(context.Background())
	e.tapText(e.s.Apply.Finish)
	e.tapText(e.s.Tasks.Lookup)
	e.want(ScreenLookup)
	e.lift()
	e.place(0)
	if !e.shows(number) || !e.says("已办结") || !e.says("低保金每月20日发放到本人银行卡") {
		t.Fatalf("lookup by card: %q %q", e.texts(), e.labels())
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
	e.clock.Advance(time.Minute) // past the item's backoff
	e.loop.Round(context.Background())
	if _, err := e.tw.Store.Case(number); err != nil {
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
	e.reader.Sim.SetFault(sim.FaultBadChecksum)
	e.place(0)
	e.want(ScreenForm)
	e.tapText(e.s.App.Home)
	e.lift()
	e.toCard()
	expired := -1
	for i, c := range idcard.SampleCards() {
		if c.Expired(e.clock.Now()) {
			expired = i
		}
	}
	e.place(expired)
	if e.screen() != ScreenCard || e.flow().Session().Card() != nil || !e.says("已过期") {
		t.Fatalf("expired card: %q", e.labels())
	}
}
