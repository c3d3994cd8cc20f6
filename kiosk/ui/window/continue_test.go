package window

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/intake"
	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/queue"
	"hallkiosk/kiosk/upload"
	"hallkiosk/township/api/mask"
)

// A resident applied at the kiosk without 本人银行卡; at the window their card finds the case at
// the township, 继续办理 opens it at 受理 with what the kiosk took, the card handed in is ticked and
// 受理 takes it on under the kiosk's number. With the township unreachable the search says so.
func TestContinueAKioskCase(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprint(size.Width), func(t *testing.T) { continueAKioskCase(t, size) })
	}
}

func continueAKioskCase(t *testing.T, size fyne.Size) {
	h := newHarness(t, size)
	s := h.s.Intake
	tw := kiosktest.NewTownship(t)
	kioskClient, _ := tw.Enrol(t, "王上村")
	windowClient, _ := tw.Enrol(t, "王上村")
	h.intake.Township = windowClient
	kst := kiosktest.NewStore(t, h.clk)
	kiosk := &apply.Service{DB: kst.DB, Catalog: h.intake.Apply.Catalog, Calendar: h.intake.Apply.Calendar, Clock: h.clk, Text: h.s,
		Log: slog.New(slog.DiscardHandler), Cfg: apply.Config{Hall: "王上村便民服务站", KioskCode: kioskClient.Cred.KioskCode, Paper: printer.Paper58}}
	card := idcard.SampleCards()[0]
	sess := apply.NewSession("61040300MZ-JF-0001")
	sess.SetCard(card)
	sess.Answers = map[string]string{"household": "3", "income": "800", "reasons": "疾病", "disabled_member": "否", "phone": "13912345678"}
	it, _ := kiosk.Catalog.Item("61040300MZ-JF-0001")
	for i, m := range it.Materials {
		sess.Have[i] = m.Name != "本人银行卡或一卡通存折"
	}
	sess.Consented = true
	kc, err := kiosk.Submit(sess)
	if err != nil {
		t.Fatal(err)
	}
	(&upload.Loop{DB: kst.DB, Client: kioskClient, Clock: h.clk, BackoffBase: time.Millisecond, BackoffCap: 10 * time.Millisecond,
		Log: slog.New(slog.DiscardHandler)}).Round(context.Background())

	h.setUp()
	h.signIn()
	h.tap(s.NavCases)
	go h.cards.Lay(card)
	h.until("found at the township", func() bool { return h.shows(kc.Number) && h.shows(s.Continue) })
	if h.shows(card.Name) || h.shows(card.IDNumber) {
		t.Fatal("the search shows the resident whole")
	}
	h.shot("cases-from-kiosk")
	h.tap(s.Continue)
	if h.screen() != ScreenIntake || !h.shows(fmt.Sprintf(s.Continuing, kc.Number)) || !h.shows(mask.Name(card.Name)) {
		t.Fatalf("continue: %s %q", h.screen(), h.texts())
	}
	if h.shows(s.ChangeResident) || h.shows(s.ProxyToggle) {
		t.Fatal("a kiosk's case offers to change its applicant")
	}
	h.check("本人银行卡或一卡通存折（复印件） · " + s.Required).SetChecked(true)
	h.shot("intake-continue")
	h.tap(s.Accept)
	h.until("taken on", func() bool { return h.screen() == ScreenIntakeDone && h.shows(s.SlipPrinted) })
	c, err := h.db.Case(kc.Number)
	if err != nil || c.Life != "forwarded" || len(c.Missing) != 0 || !c.Continued {
		t.Fatalf("the window's copy: %+v %v", c, err)
	}
	if a := audited(t, h); !containsAll(a, "S01 case.continue "+kc.Number, "S01 case.take_on "+kc.Number) {
		t.Errorf("audit: %s", a)
	}

	// The township gone: the search says it cannot ask, rather than that there is nothing.
	tw.Close()
	h.tap(s.Next)
	h.tap(s.NavCases)
	test.Type(h.field(0), "260302-K999-001")
	h.tap(s.FindGo)
	h.until("township down", func() bool { return h.shows(s.TownshipDown) })
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

// A resident who applied at a kiosk took a number to hand in what was missing: calling it shows
// their case's number, and one click searches 办件 for it.
func TestCalledTicketLeadsToTheKioskCase(t *testing.T) {
	h := newHarness(t, sizes[0])
	h.setUp()
	h.signIn()
	if _, err := h.q.TakeFor("社会救助", "K001", "260302-K001-004"); err != nil {
		t.Fatal(err)
	}
	h.until("waiting", func() bool { return h.synced() && h.shows(fmt.Sprintf(h.s.Desk.Waiting, 1)) })
	h.tap(h.s.Desk.CallNext)
	h.until("called", func() bool { return h.shows(fmt.Sprintf(h.s.Intake.TicketCase, "260302-K001-004")) })
	h.shot("queue-ticket-case")
	h.tap(h.s.Intake.OpenCase)
	h.until("searched", func() bool { return h.screen() == ScreenCases && h.shows(h.s.Intake.NoneFound) })
	if h.field(0).Text != "260302-K001-004" {
		t.Fatalf("search field holds %q", h.field(0).Text)
	}
}

// 邀请评价 through the kiosk beside the window: when the kiosk says the case was rated, the case
// on show at the window says so (never the grade).
func TestRatedAtTheKioskShowsAtTheWindow(t *testing.T) {
	h := newHarness(t, sizes[0])
	h.setUp()
	h.signIn()
	it, _ := h.intake.Apply.Catalog.Item("61040300RS-GG-0001")
	d := intake.NewDraft(it)
	r, err := intake.Typed("李淼喆", applicantID)
	if err != nil {
		t.Fatal(err)
	}
	d.Resident = &r
	for _, f := range it.Form {
		switch f.Type {
		case catalog.FieldChoice:
			d.Answers[f.ID] = f.Options[0]
		case catalog.FieldPhone:
			d.Answers[f.ID] = "13912345678"
		}
	}
	for i := range it.Materials {
		d.Received[i] = true
	}
	by, _ := h.desk.Current()
	c, err := h.intake.Accept(d, by)
	if err != nil {
		t.Fatal(err)
	}
	h.tap(h.s.Intake.NavCases)
	h.until("worklist", func() bool { return h.shows(c.Number) })
	test.Tap(h.buttonStarting(c.Number))
	if !h.shows(h.s.FollowUp.Invite) || h.shows(h.s.FollowUp.Rated) {
		t.Fatalf("before the rating: %q", h.texts())
	}
	h.q.Announce(queue.Event{Rated: &queue.Invite{Case: c.Number, Device: "K001"}})
	h.until("rated", func() bool { return h.shows(h.s.FollowUp.Rated) })
}
