package window

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/staff"
	"hallkiosk/township/api"
	"hallkiosk/township/api/mask"
)

// check is the check box on screen labelled text.
func (h *harness) check(text string) *widget.Check {
	h.t.Helper()
	for _, c := range objectsOf[*widget.Check](h) {
		if c.Text == text {
			return c
		}
	}
	h.t.Fatalf("no check %q on %s: %q", text, h.screen(), h.texts())
	return nil
}

// A 全程代办 case at the window: the resident's card, then 代办 and the son's own card; what the
// entrustment lacks is named until it is whole; the case and its slip name the proxy masked.
func TestProxyAtTheWindow(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprint(size.Width), func(t *testing.T) {
			h := newHarness(t, size)
			s := h.s.Intake
			h.setUp()
			h.signIn()
			h.tap(s.NavIntake)
			resident, son := idcard.SampleCards()[0], idcard.SampleCards()[1]
			go h.cards.Lay(resident)
			h.until("resident's card", func() bool { return h.shows(mask.Name(resident.Name)) })
			h.check(s.ProxyToggle).SetChecked(true)
			if !h.shows(s.ProxyCardOrType) {
				t.Fatalf("代办 asks for no proxy: %q", h.texts())
			}
			go h.cards.Lay(son)
			h.until("proxy's card", func() bool { return h.shows(mask.Name(son.Name)) })
			test.Type(objectsOf[*PinyinField](h)[0], "cxjmjbylbx")
			h.tap("城乡居民基本养老保险参保登记")
			sel := objectsOf[*widget.Select](h)
			sel[1].SetSelected(sel[1].Options[0]) // the item's own choice
			test.Type(h.entries()[0], "13912345678")
			h.tap(s.Accept)
			for _, want := range []string{s.NoRelation, s.NoConsent, s.NoWritten} {
				if !h.shows(want) {
					t.Errorf("an incomplete entrustment does not say %q", want)
				}
			}
			if cs, _ := h.db.Cases(); len(cs) != 0 {
				t.Fatal("stored without the entrustment")
			}
			rels := strings.Split(s.Relations, "、")
			sel[0].SetSelected(rels[1]) // 子女
			h.check(s.Consent).SetChecked(true)
			h.check(s.Written).SetChecked(true)
			h.shot("intake-proxy")
			h.tap(s.Accept)
			h.until("accepted", func() bool { return h.screen() == ScreenIntakeDone && h.shows(s.SlipPrinted) })
			cs, _ := h.db.Cases()
			if len(cs) != 1 || !cs[0].Proxy || cs[0].Entrust.Relation != "child" || cs[0].Person.ProxyIDNumber != son.IDNumber ||
				!slices.Contains(cs[0].Received, s.WrittenMaterial) {
				t.Fatalf("stored: %+v %+v", cs, cs[0].Entrust)
			}
			slip := h.printed()[0]
			if !strings.Contains(slip, mask.Name(son.Name)) || strings.Contains(slip, son.Name) {
				t.Fatalf("the slip does not name the proxy masked:\n%s", slip)
			}
			for _, x := range []string{son.Name, son.IDNumber, resident.Name} {
				if h.shows(x) {
					t.Fatalf("the screen shows %q whole", x)
				}
			}
			// The resident rates, not the proxy: no 邀请评价 on a proxy's case.
			h.tap(s.NavCases)
			h.until("worklist", func() bool { return h.shows(cs[0].Number) })
			test.Tap(h.buttonStarting(cs[0].Number))
			if !h.shows(h.s.FollowUp.ProxyRates) || h.shows(h.s.FollowUp.Invite) {
				t.Fatalf("a proxy's case offers 邀请评价: %q", h.texts())
			}
		})
	}
}

// 上门收件: a 网格员 signs in and enters two residents collected on yesterday's visits, one after
// the other; a date in the future is refused by name. The window's worker then sees both waiting
// to be forwarded, and past the date they are overdue.
func TestBatchFromHomeVisits(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprint(size.Width), func(t *testing.T) { batchFromHomeVisits(t, size) })
	}
}

func batchFromHomeVisits(t *testing.T, size fyne.Size) {
	h := newHarness(t, size)
	s := h.s.Intake
	h.setUp()
	if _, err := h.desk.SignIn("S01", "258036"); err != nil {
		t.Fatal(err)
	}
	if err := h.desk.AddStaff(staff.Account{ID: "S07", Name: "赵网格", Role: staff.RoleAgent, PIN: "370412"}); err != nil {
		t.Fatal(err)
	}
	h.desk.SignOut()
	h.sh.GoHome()
	test.Type(h.field(0), "S07")
	test.Type(h.field(1), "370412")
	h.tap(h.s.Desk.SignIn)
	h.until("signed in", func() bool { return h.screen() == ScreenQueue })
	if h.shows(s.NavIntake) {
		t.Fatal("a 网格员 is offered 受理")
	}
	h.tap(s.NavBatch)
	if h.screen() != ScreenBatch || !h.shows(fmt.Sprintf(s.ProxyStaff, "赵网格", h.s.Desk.RoleAgent)) {
		t.Fatalf("上门收件: %s %q", h.screen(), h.texts())
	}
	date := h.entries()[2] // the ID number, the name, then the visit's day
	date.SetText(h.clk.Now().AddDate(0, 0, 2).Format(time.DateOnly))
	people := []struct{ id, py, ch string }{{applicantID, "wang", "王"}, {withCheck("61040319540305123"), "zhao", "赵"}}
	for i, who := range people {
		test.Type(h.field(0), who.id)
		name := objectsOf[*PinyinField](h)[0]
		h.chinese(name, who.py, who.ch)
		h.chinese(name, "fang", "芳")
		h.tap(s.UseTyped)
		h.until("resident", func() bool { return h.shows(who.ch + "*") })
		h.chinese(objectsOf[*PinyinField](h)[0], "sanzu", "三组")
		test.Type(objectsOf[*PinyinField](h)[1], "cxjmjbylbx")
		h.tap("城乡居民基本养老保险参保登记")
		sel := objectsOf[*widget.Select](h)[0]
		sel.SetSelected(sel.Options[0])
		test.Type(h.entries()[2], "13912345678") // after the visit's day and place
		h.check(s.Consent).SetChecked(true)
		h.check(s.Written).SetChecked(true)
		if i == 0 {
			h.tap(s.Save)
			if !h.shows(s.BadVisitDate) {
				t.Fatalf("a visit the day after tomorrow is not refused: %q", h.texts())
			}
			h.entries()[0].SetText(h.clk.Now().AddDate(0, 0, -1).Format(time.DateOnly))
		}
		h.tap(s.Save)
		h.until("saved", func() bool { return h.shows(fmt.Sprintf(s.BatchCount, i+1)) })
		if i == 0 {
			h.shot("batch")
		}
	}
	cs, _ := h.db.Cases()
	if len(cs) != 2 {
		t.Fatalf("%d cases saved", len(cs))
	}
	for _, c := range cs {
		if c.Life != "received" || c.Entrust == nil || c.Entrust.Staff != "S07" || c.Entrust.VisitedOn != h.clk.Now().AddDate(0, 0, -1).Format(time.DateOnly) {
			t.Fatalf("saved: %+v %+v", c, c.Entrust)
		}
	}
	h.tap(s.NavCases)
	h.until("to forward", func() bool { return h.shows(fmt.Sprintf(s.ToForward, 2)) })
	// Days later (the 网格员 long signed out), the station head opens 办件.
	h.clk.Advance(cs[0].Entrust.ForwardBy.Sub(h.clk.Now()) + time.Minute)
	h.until("signed out when idle", func() bool { return h.screen() == ScreenSignIn })
	h.signIn()
	h.tap(s.NavCases)
	h.until("overdue", func() bool { return h.shows(fmt.Sprintf(s.Overdue, 2)) && h.shows(s.ForwardLate) })
	h.shot("cases-to-forward")
}

// withCheck completes 17 digits with their check digit.
func withCheck(first17 string) string {
	c, _ := api.IDCheckDigit(first17)
	return first17 + string(c)
}
