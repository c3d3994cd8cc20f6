package window

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/encoding/simplifiedchinese"

	"hallkiosk/drivers/idcard"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
	"hallkiosk/township/api/mask"
)

// applicantID is a typed applicant's ID number with its right check digit.
var applicantID = func() string {
	c, _ := api.IDCheckDigit("61040319520304123")
	return "61040319520304123" + string(c)
}()

// objects of one kind on screen, in order.
func objectsOf[T fyne.CanvasObject](h *harness) []T {
	var out []T
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		if x, ok := o.(T); ok && o.Visible() {
			out = append(out, x)
		}
	}
	return out
}

// chinese types letters into a pinyin field and picks the candidate want, paging if need be.
func (h *harness) chinese(f *PinyinField, letters, want string) {
	h.t.Helper()
	test.Type(f, letters)
	for range 10 {
		on, _, _ := f.comp.Page()
		for i, c := range on {
			if c.Text == want {
				test.Type(f, fmt.Sprint(i+1))
				return
			}
		}
		test.Type(f, "=")
	}
	h.t.Fatalf("%s is not offered for %q", want, letters)
}

// buttonStarting is the first button whose label starts with prefix.
func (h *harness) buttonStarting(prefix string) *widget.Button {
	for _, b := range objectsOf[*widget.Button](h) {
		if strings.HasPrefix(b.Text, prefix) {
			return b
		}
	}
	h.t.Fatalf("no button starting %q on %s: %q", prefix, h.screen(), h.texts())
	return nil
}

func (h *harness) printed() []string {
	var out []string
	for _, j := range h.prn.Sim.Jobs() {
		s, _ := simplifiedchinese.GB18030.NewDecoder().String(string(j))
		out = append(out, s)
	}
	return out
}

// The whole of a 承诺件 at the window: the applicant typed (a wrong check digit refused by name),
// the item found by pinyin initials, the form and materials, what is missing named, 受理 with the
// slip printed; then in 办件 the township's result comes back and the case goes on through ready,
// hand-over, follow-up (refused without its result) and filing. Names and ID numbers only masked.
func TestIntakeAndTheCaseLife(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprint(size.Width), func(t *testing.T) {
			h := newHarness(t, size)
			s := h.s.Intake
			h.setUp()
			h.signIn()
			h.tap(s.NavIntake)
			if h.screen() != ScreenIntake {
				t.Fatalf("受理 shows %s", h.screen())
			}
			bad := applicantID[:17] + map[bool]string{true: "1", false: "X"}[applicantID[17] == 'X']
			test.Type(h.field(0), bad)
			fields := objectsOf[*PinyinField](h)
			h.chinese(fields[0], "li", "李")
			h.chinese(fields[0], "miao", "淼")
			h.chinese(fields[0], "zhe", "喆")
			h.tap(s.UseTyped)
			if !h.shows(s.BadID) {
				t.Fatalf("wrong check digit: %q", h.texts())
			}
			h.field(0).SetText(applicantID)
			h.tap(s.UseTyped)
			if !h.shows("李*喆") || !h.shows("6104**********") {
				t.Fatalf("typed applicant: %q", h.texts())
			}
			test.Type(objectsOf[*PinyinField](h)[0], "dbsq")
			h.tap("最低生活保障申请")
			es := h.entries()
			test.Type(es[0], "3")
			test.Type(es[1], "800")
			test.Type(es[2], "13912345678")
			h.tap(s.Accept)
			if !h.shows(h.s.Form.Choose[:6]) {
				t.Fatalf("a required choice left open is not named: %q", h.texts())
			}
			if cs, _ := h.db.Cases(); len(cs) != 0 {
				t.Fatal("a refused acceptance stored a case")
			}
			h.shot("intake-problems")
			for _, c := range objectsOf[*widget.Check](h) {
				if c.Text == "疾病" {
					c.SetChecked(true)
				}
			}
			objectsOf[*widget.RadioGroup](h)[1].SetSelected("否")
			checks := objectsOf[*widget.Check](h) // the reasons' options first, then the materials
			for _, c := range checks[len(checks)-7:][:3] {
				c.SetChecked(true)
			}
			h.tap(s.Accept)
			h.until("accepted and printed", func() bool { return h.screen() == ScreenIntakeDone && h.shows(s.SlipPrinted) })
			cs, _ := h.db.Cases()
			if len(cs) != 1 || cs[0].Life != "forwarded" || len(cs[0].Received) != 3 || cs[0].Person.Form["reasons"] != "疾病" {
				t.Fatalf("stored: %+v", cs)
			}
			number := cs[0].Number
			if slips := h.printed(); len(slips) != 1 || !strings.Contains(slips[0], number) || !strings.Contains(slips[0], "李*喆") {
				t.Fatalf("slip: %q", slips)
			}
			h.shot("intake-done")

			h.tap(s.NavCases)
			h.until("worklist", func() bool { return h.shows(number) })
			h.shot("cases")
			if err := h.db.SetCaseStatus(number, "done", "审批通过，12月起发放", h.clk.Now()); err != nil {
				t.Fatal(err)
			}
			h.tap(s.NavCases)
			h.until("result in", func() bool { return h.shows(s.StatusResultBack) })
			test.Tap(h.buttonStarting(number))
			if h.screen() != ScreenCase || !h.shows("审批通过，12月起发放") {
				t.Fatalf("case page: %s %q", h.screen(), h.texts())
			}
			h.tap(s.ToReady)
			h.until("ready", func() bool { return h.shows(fmt.Sprintf(s.StepDone, s.ToReady)) })
			h.tap(s.ToHandedOver)
			h.until("handed over", func() bool { return h.shows(fmt.Sprintf(s.StepDone, s.ToHandedOver)) })
			h.tap(s.ToFollowedUp)
			h.until("follow-up refused", func() bool { return h.shows(s.NeedResult) })
			h.chinese(objectsOf[*PinyinField](h)[0], "manyi", "满意")
			h.shot("case")
			h.tap(s.ToFollowedUp)
			h.until("followed up", func() bool { return h.shows(fmt.Sprintf(s.StepDone, s.ToFollowedUp)) })
			h.tap(s.ToClosed)
			h.until("closed", func() bool { return h.shows(s.StatusClosed) })
			c, _ := h.db.Case(number)
			var path []string
			for _, st := range c.Steps {
				path = append(path, st.To)
			}
			if got := strings.Join(path, ","); got != "accepted,forwarded,result_back,ready,handed_over,followed_up,closed" {
				t.Fatalf("steps: %s", got)
			}
			for _, x := range []string{"李淼喆", applicantID} {
				if h.shows(x) {
					t.Fatalf("the screen shows %q whole", x)
				}
			}
			if a := audited(t, h); !strings.Contains(a, "S01 case.accept "+number) || !strings.Contains(a, "S01 case.closed "+number) {
				t.Errorf("audit log: %s", a)
			}
		})
	}
}

// A 即办件 with the applicant's card on the window's reader: accepted, then finished on the spot
// with its result (refused without one). Signing out drops a case half taken.
func TestOnTheSpotByCard(t *testing.T) {
	h := newHarness(t, sizes[0])
	s := h.s.Intake
	h.setUp()
	h.signIn()
	h.tap(s.NavIntake)
	card := idcard.SampleCards()[0]
	go h.cards.Lay(card)
	h.until("card read", func() bool { return h.shows(mask.Name(card.Name)) })
	if h.shows(card.Name) || h.shows(card.IDNumber) {
		t.Fatal("the card's name or number shows whole")
	}
	test.Type(objectsOf[*PinyinField](h)[0], "cxjmjbylbx")
	h.tap("城乡居民基本养老保险参保登记")
	if r := objectsOf[*widget.RadioGroup](h)[0]; r.Selected != s.OnTheSpot {
		t.Fatalf("an item with 承诺时限 0 starts as 即办件, shows %q", r.Selected)
	}
	sel := objectsOf[*widget.Select](h)[0]
	sel.SetSelected(sel.Options[0])
	test.Type(h.entries()[0], "13912345678")
	h.tap(s.Accept)
	h.until("accepted", func() bool { return h.screen() == ScreenIntakeDone && h.shows(s.SlipPrinted) })
	h.tap(s.Complete)
	if !h.shows(s.NeedResult) {
		t.Fatalf("complete without a result: %q", h.texts())
	}
	f := objectsOf[*PinyinField](h)[0]
	h.chinese(f, "yi", "已")
	h.chinese(f, "canbao", "参保")
	h.tap(s.Complete)
	h.until("completed", func() bool { return h.shows(s.Completed) })
	h.shot("intake-on-the-spot")
	cs, _ := h.db.Cases()
	if len(cs) != 1 || cs[0].Life != "handed_over" || cs[0].Result != "已参保" {
		t.Fatalf("stored: %+v", cs)
	}

	// Half a case, then sign-out: the next member of staff starts clean.
	h.tap(s.Next)
	go h.cards.Lay(card)
	h.until("card read again", func() bool { return h.shows(mask.Name(card.Name)) })
	h.tap(h.s.Desk.SignOut)
	h.signIn()
	h.tap(s.NavIntake)
	if h.shows(mask.Name(card.Name)) || h.shows("*") {
		t.Fatalf("the last applicant is still on the intake screen: %q", h.texts())
	}
}

// 设备与上传: what waits for the township, what it refused and why (never the payload, which holds
// the applicant), 重新上传 for the station head, the store's size, the printer's own word, and the
// card reader's state (unplugged here).
func TestHealthPanel(t *testing.T) {
	h := newHarness(t, sizes[0])
	s := h.s.Health
	h.setUp()
	h.signIn()
	var seqs []uint64
	for _, p := range []string{`{"name":"李淼喆","id":"` + applicantID + `"}`, `{"n":2}`} {
		it, err := h.db.Submit(localdb.Record{}, "case", []byte(p))
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, it.Seq)
	}
	if err := h.db.Quarantine(seqs[0], "case: item_code: has 0 characters"); err != nil {
		t.Fatal(err)
	}
	h.prn.Sim.SetPaperNearEnd(true)
	h.tap(h.s.Desk.NavHealth)
	h.until("report", func() bool { return h.shows(fmt.Sprintf(s.Quarantine, 1)) })
	for _, want := range []string{fmt.Sprintf(s.Depth, 1), "item_code: has 0 characters", h.s.Devices.PrinterNearEnd, s.NotEnrolled, s.Reader + s.ReaderAbsent} {
		if !h.shows(want) {
			t.Errorf("health panel lacks %q: %q", want, h.texts())
		}
	}
	if h.shows("李淼喆") || h.shows(applicantID) {
		t.Fatal("the panel shows a payload")
	}
	h.shot("health")
	h.tap(s.Requeue)
	h.until("requeued", func() bool { return h.shows(s.Requeued) && h.shows(fmt.Sprintf(s.Depth, 2)) })
	if a := audited(t, h); !strings.Contains(a, "S01 outbox.requeue") {
		t.Errorf("audit: %s", a)
	}
}
