package intake

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/lifecycle"
	"hallkiosk/kiosk/upload"
	"hallkiosk/township/api"
)

// A resident applies at the kiosk without 本人银行卡 and with a wrong household size; at the
// window the case is found at the township by number and by card, the card handed in and the
// answer corrected, and 受理 takes it on: the township ends with one case, amended and
// forwarded. Another village's window never sees it, and a case taken on is not found again.
func TestKioskCaseContinuedAtTheWindow(t *testing.T) {
	f := newFixture(t)
	tw := kiosktest.NewTownship(t)
	kioskClient, _ := tw.Enrol(t, "王上村")
	windowClient, _ := tw.Enrol(t, "王上村")
	otherClient, _ := tw.Enrol(t, "李家村")
	f.svc.Apply.Cfg.KioskCode = windowClient.Cred.KioskCode
	f.svc.Township = windowClient
	ctx := context.Background()

	// The kiosk: its own store, catalog and numbering.
	kst := kiosktest.NewStore(t, f.clk)
	kiosk := &apply.Service{DB: kst.DB, Catalog: f.cat, Calendar: kiosktest.Calendar(t), Clock: f.clk, Text: f.svc.Apply.Text,
		Log: slog.New(slog.DiscardHandler), Cfg: apply.Config{Hall: "王上村便民服务站", KioskCode: kioskClient.Cred.KioskCode, Paper: printer.Paper58}}
	card := idcard.SampleCards()[0]
	sess := apply.NewSession(dibao)
	sess.SetCard(card)
	sess.Answers = map[string]string{"household": "5", "income": "800", "reasons": "疾病", "disabled_member": "否", "phone": "13912345678"}
	it := f.item(dibao)
	for i, m := range it.Materials {
		sess.Have[i] = m.Name != "本人银行卡或一卡通存折"
	}
	sess.Consented = true
	kc, err := kiosk.Submit(sess)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.FindKiosk(ctx, kc.Number); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.svc.FindKiosk(ctx, kc.Number); len(got) != 0 {
		t.Fatalf("found before the kiosk uploaded it: %+v", got)
	}
	kloop := &upload.Loop{DB: kst.DB, Client: kioskClient, Clock: f.clk, BackoffBase: time.Millisecond, BackoffCap: 10 * time.Millisecond,
		Log: slog.New(slog.DiscardHandler)}
	kloop.Round(ctx)

	byNumber, err := f.svc.FindKiosk(ctx, kc.Number)
	if err != nil || len(byNumber) != 1 || byNumber[0].Applicant.IDNumber != card.IDNumber {
		t.Fatalf("by number: %+v %v", byNumber, err)
	}
	byCard, err := f.svc.FindKiosk(ctx, card.IDNumber)
	if err != nil || len(byCard) != 1 || byCard[0].Number != kc.Number {
		t.Fatalf("by card: %+v %v", byCard, err)
	}
	other := &Service{Apply: f.svc.Apply, Township: otherClient}
	if got, err := other.FindKiosk(ctx, kc.Number); err != nil || len(got) != 0 {
		t.Fatalf("another village's window finds %+v %v", got, err)
	}
	if _, err := f.svc.FindKiosk(ctx, "张三"); !errors.Is(err, ErrQuery) {
		t.Fatalf("nonsense: %v", err)
	}

	d, err := f.svc.Continue(byNumber[0])
	if err != nil {
		t.Fatal(err)
	}
	if d.Answers["household"] != "5" || d.Resident.Name == "" || len(d.Missing()) != 1 {
		t.Fatalf("draft: answers %v, missing %v", d.Answers, d.Missing())
	}
	d.Answers["household"] = "3"
	for i, m := range it.Materials {
		if m.Name == "本人银行卡或一卡通存折" {
			d.Received[i] = true // 容缺补齐
		}
	}
	c, err := f.svc.Accept(d, worker)
	if err != nil {
		t.Fatal(err)
	}
	if c.Number != kc.Number || c.Life != string(lifecycle.Forwarded) || len(c.Missing) != 0 || !c.Continued {
		t.Fatalf("taken on: %+v", c)
	}
	l, _ := f.svc.Worklists(2)
	if len(l.Open) != 1 || l.Open[0].Number != kc.Number {
		t.Fatalf("the window's worklist: %+v", l.Open)
	}
	wloop := &upload.Loop{DB: f.db, Client: windowClient, Clock: f.clk, BackoffBase: time.Millisecond, BackoffCap: 10 * time.Millisecond,
		Log: slog.New(slog.DiscardHandler)}
	wloop.Round(ctx)
	if st, _ := f.db.Stats(); st.Depth != 0 || st.Quarantined != 0 {
		t.Fatalf("window uploads left: %+v", st)
	}
	got, err := tw.Store.Case(kc.Number)
	if err != nil || got.Life != "forwarded" || len(got.Missing) != 0 || got.Form["共同生活的家庭人口"] != "3" || got.Amended.IsZero() {
		t.Fatalf("at the township: %+v form %v %v", got, got.Form, err)
	}
	if n, _ := tw.Store.ItemCount(api.KindCase); n != 1 {
		t.Fatalf("township holds %d cases, want 1", n)
	}
	if again, _ := f.svc.FindKiosk(ctx, card.IDNumber); len(again) != 0 {
		t.Fatalf("a case taken on is found again: %+v", again)
	}
	if !slices.Contains(c.Received, "本人银行卡或一卡通存折") {
		t.Fatalf("received: %v", c.Received)
	}
}

func TestFindKioskWithoutTownship(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.FindKiosk(context.Background(), "260302-K001-001"); !errors.Is(err, ErrNoTownship) {
		t.Fatalf("no township: %v", err)
	}
}
