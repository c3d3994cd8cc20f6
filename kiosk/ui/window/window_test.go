package window

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/figures"
	"hallkiosk/kiosk/staff"
	"hallkiosk/kiosk/ui/facing"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
	"hallkiosk/township/api/mask"
)

// staffCard is the station head's own ID card (sign-in by card).
var staffCard = idcard.SampleCards()[1]

func audited(t *testing.T, h *harness) string {
	t.Helper()
	log, err := h.db.AuditLog()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range log {
		out = append(out, e.Actor+" "+e.Action+" "+e.Subject)
	}
	return strings.Join(out, "\n")
}

// A hall without staff starts on the first station head's setup: the one-time code hallkiosk
// showed, a name typed in pinyin, a PIN twice. A wrong code or an easy PIN is refused by name and
// stores nothing.
func TestFirstStartSetsUpTheStationHead(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprint(size.Width), func(t *testing.T) {
			h := newHarness(t, size)
			d := h.s.Desk
			if h.screen() != ScreenSetup {
				t.Fatalf("first start shows %s", h.screen())
			}
			code, _ := h.desk.SetupCode()
			test.Type(h.field(0), "12345678")
			test.Type(h.field(1), "S01")
			name := h.pinyinField()
			test.Type(name, "li")
			li := h.candidate("李")
			if name.Composing() != "li" || li == nil {
				t.Fatalf("typing li: composing %q, buttons %q", name.Composing(), h.texts())
			}
			h.shot("setup-pinyin")
			test.Tap(li)
			test.Type(name, "xiuying")
			on, _, _ := name.comp.Page()
			pick := -1
			for i, c := range on {
				if c.Text == "秀英" {
					pick = i + 1
				}
			}
			if pick < 0 {
				t.Fatalf("秀英 not among %v", on)
			}
			test.Type(name, fmt.Sprint(pick))
			if name.Text != "李秀英" || name.Composing() != "" {
				t.Fatalf("name field %q, composing %q", name.Text, name.Composing())
			}
			test.Type(h.field(3), "123456")
			test.Type(h.field(4), "123456")
			h.tap(d.Setup)
			if !h.shows(d.PINFormat) {
				t.Fatalf("easy PIN: %q", h.texts())
			}
			test.Type(h.field(3), "258036")
			test.Type(h.field(4), "258036")
			h.tap(d.Setup)
			if !h.shows(d.BadCode) || h.screen() != ScreenSetup {
				t.Fatalf("wrong code: %q", h.texts())
			}
			if list, _ := h.db.StaffList(); len(list) != 0 {
				t.Fatal("a refused setup stored an account")
			}
			h.shot("setup-refused")
			h.field(0).SetText(code)
			test.Type(h.field(3), "258036")
			test.Type(h.field(4), "258036")
			h.tap(d.Setup)
			if h.screen() != ScreenQueue || !h.shows("李秀英（站长）") {
				t.Fatalf("after setup: %s %q", h.screen(), h.texts())
			}
			if a := audited(t, h); !strings.Contains(a, "S01 signin.setup") {
				t.Errorf("audit log: %s", a)
			}
		})
	}
}

// Sign-in by number and PIN: a wrong PIN says how many tries are left, the fifth locks the account
// for 15 minutes (the right PIN too), and after that the right PIN works. A member of staff may lay
// their own card instead of typing their number; the screen shows their name masked.
func TestSignInLockoutAndCard(t *testing.T) {
	h := newHarness(t, sizes[0])
	h.setUp()
	d := h.s.Desk
	if h.screen() != ScreenSignIn {
		t.Fatalf("with staff, start shows %s", h.screen())
	}
	h.shot("signin")
	for i := 1; i <= 5; i++ {
		test.Type(h.field(0), "S01")
		test.Type(h.field(1), "111111")
		h.tap(d.SignIn)
		h.field(0).SetText("")
		if i == 1 && !h.shows(fmt.Sprintf(d.WrongPIN, 4)) {
			t.Fatalf("first wrong PIN: %q", h.texts())
		}
	}
	if !h.shows("账号已锁定") {
		t.Fatalf("fifth wrong PIN: %q", h.texts())
	}
	h.shot("signin-locked")
	test.Type(h.field(0), "S01")
	test.Type(h.field(1), "258036")
	h.tap(d.SignIn)
	if h.screen() != ScreenSignIn || !h.shows("账号已锁定") {
		t.Fatal("the right PIN opened a locked account")
	}
	h.field(0).SetText("")
	test.Type(h.field(0), "S99")
	test.Type(h.field(1), "258036")
	h.tap(d.SignIn)
	if !h.shows(d.NoStaff) {
		t.Errorf("unknown number: %q", h.texts())
	}
	h.field(0).SetText("")
	h.clk.Advance(16 * time.Minute)

	// By card: the name shows masked, the number never.
	go h.cards.Lay(staffCard)
	h.until("card read", func() bool { return h.shows(mask.Name(staffCard.Name)) })
	if h.shows(staffCard.Name) || h.shows(staffCard.IDNumber) {
		t.Fatal("the sign-in screen shows the card's name or number whole")
	}
	test.Type(h.field(0), "258036")
	h.tap(d.SignIn)
	if h.screen() != ScreenQueue {
		t.Fatalf("card sign-in: %s %q", h.screen(), h.texts())
	}
	if a := audited(t, h); !strings.Contains(a, "signin.failed") || !strings.Contains(a, "S01 signin") {
		t.Errorf("audit log: %s", a)
	}
}

// Five minutes without a key or a click signs the member of staff out and says why.
func TestIdleSignsOut(t *testing.T) {
	h := newHarness(t, sizes[0])
	h.setUp()
	h.signIn()
	h.clk.Advance(staff.DefaultIdle + time.Second)
	h.until("signed out", func() bool { return h.screen() == ScreenSignIn })
	if !h.shows(h.s.Desk.IdleSignedOut) {
		t.Errorf("no word of why: %q", h.texts())
	}
}

// The calling panel: tickets taken at the kiosk are called here in order, recalled, missed and
// back, transferred, finished; pausing stops calls to this window; each action is in the audit
// log; a refused action says why and changes nothing.
func TestCallingPanel(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprint(size.Width), func(t *testing.T) {
			h := newHarness(t, size)
			d := h.s.Desk
			h.setUp()
			h.signIn()
			h.tap(d.CallNext)
			h.until("nobody waiting", func() bool { return h.shows(d.Nobody) })
			for range 3 {
				if _, err := h.q.Take("社会救助", "K001"); err != nil {
					t.Fatal(err)
				}
			}
			h.q.Take("社保医保", "K001")
			h.clk.Advance(4 * time.Minute)
			h.until("figures", func() bool { return h.shows(fmt.Sprintf(d.Waiting, 3)) })
			h.tap(d.CallNext)
			h.until("A001 called", func() bool { return h.shows("A001") && !h.shows(d.Nobody) })
			h.clk.Advance(3 * time.Minute)
			h.tap(d.Recall)
			h.until("recalled", func() bool { return strings.Contains(audited(t, h), "queue.recall A001") })
			h.until("panel up to date", h.synced)
			h.shot("queue-serving")
			h.tap(d.Miss)
			h.until("missed", func() bool { return h.button(d.Recall).Disabled() })
			h.tap(d.CallNext)
			h.until("A002 called", func() bool { return h.shows("A002") })
			// A001 comes back: it goes back to its place in the line.
			test.Type(h.field(0), "a001")
			h.tap(d.Returned)
			h.until("A001 back", func() bool { return h.field(0).Text == "" })
			test.Type(h.field(0), "A009")
			h.tap(d.Returned)
			h.until("unknown number refused", func() bool { return h.shows(fmt.Sprintf(d.NoTicket, "A009")) })
			// Transfer A002 to window 2.
			sel := h.selects()
			sel[0].SetSelected(fmt.Sprintf(d.WindowN, "2"))
			h.tap(d.Transfer)
			h.until("transferred", func() bool { return h.currentOf("1") == "" && strings.Contains(audited(t, h), "queue.transfer A002") })
			h.tap(d.Pause)
			h.until("paused", func() bool { return h.shows(d.Paused) && h.button(d.Resume) != nil })
			h.tap(d.CallNext)
			h.until("refused while paused", func() bool { return h.problem() == d.Paused })
			h.until("panel up to date", h.synced)
			h.shot("queue-paused")
			h.tap(d.Resume)
			h.until("resumed", func() bool { return h.button(d.Pause) != nil })
			h.tap(d.CallNext)
			h.until("A001 called again", func() bool { return h.currentOf("1") == "A001" && !h.button(d.Finish).Disabled() })
			h.tap(d.Finish)
			h.until("finished", func() bool {
				return h.button(d.Recall).Disabled() && strings.Contains(audited(t, h), "queue.finish A001")
			})
			a := audited(t, h)
			for _, want := range []string{"S01 queue.call A001", "S01 queue.recall A001", "S01 queue.miss A001", "S01 queue.returned A001",
				"S01 queue.transfer A002", "S01 queue.pause", "S01 queue.resume", "S01 queue.finish A001"} {
				if !strings.Contains(a, want) {
					t.Errorf("audit log lacks %q:\n%s", want, a)
				}
			}
		})
	}
}

func (h *harness) currentOf(window string) string {
	for _, w := range h.q.State().Windows {
		if w.Window == window && w.Current != nil {
			return w.Current.Number
		}
	}
	return ""
}

// When the queue host cannot be reached the panel says so; actions are refused with that reason.
func TestQueueHostAway(t *testing.T) {
	h := newHarness(t, sizes[1])
	d := h.s.Desk
	h.setUp()
	h.signIn()
	h.until("connected", func() bool { return h.app.live })
	h.stopQueue()
	h.until("host away shown", func() bool { return h.shows(d.QueueAway) })
	h.tap(d.CallNext)
	h.until("call refused", func() bool { return h.problem() == d.QueueAway })
	h.shot("queue-away")
}

// The pinyin field: Esc drops the letters, Enter keeps them as letters, bad letters say why, 英
// types letters straight in.
func TestPinyinFieldKeys(t *testing.T) {
	h := newHarness(t, sizes[0])
	f := h.pinyinField()
	test.Type(f, "vvv")
	if !h.shows(fmt.Sprintf(h.s.Desk.PinyinBad, "vvv")) {
		t.Errorf("vvv: %q", h.texts())
	}
	f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if f.Composing() != "" || f.Text != "" {
		t.Errorf("Esc left %q / %q", f.Composing(), f.Text)
	}
	test.Type(f, "ok")
	f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(f, "zhongguo ")
	if f.Text != "ok中国" {
		t.Errorf("field %q", f.Text)
	}
	test.Tap(h.button(h.s.Desk.PinyinOn))
	test.Type(f, "ab")
	if f.Text != "ok中国ab" {
		t.Errorf("英: field %q", f.Text)
	}
}

// A member of staff whose account came from the township signs in for the first time: the window
// asks them to choose a PIN with the station head's number and PIN beside it; a wrong head PIN
// says so and sets nothing; their own card laid there lets them sign in by card afterwards.
func TestTownshipAccountFirstSignIn(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprint(size.Width), func(t *testing.T) {
			h := newHarness(t, size)
			d := h.s.Desk
			h.setUp()
			feed := `{"id":"S07","name":"张建军","role":"worker"}`
			if _, err := h.db.ApplyChanges([]localdb.Change{{Kind: api.ChangeStaff, Key: "S07", Payload: json.RawMessage(feed)}}, 1); err != nil {
				t.Fatal(err)
			}
			test.Type(h.field(0), "S07")
			test.Type(h.field(1), "480915")
			h.tap(d.SignIn)
			if h.screen() != ScreenActivate || !h.shows(fmt.Sprintf(d.ActivateHint, "S07")) {
				t.Fatalf("first sign-in of a township account: %s %q", h.screen(), h.texts())
			}
			go h.cards.Lay(idcard.SampleCards()[2])
			h.until("own card read", func() bool { return h.shows(fmt.Sprintf(d.ActivateCardRead, mask.Name(idcard.SampleCards()[2].Name))) })
			fill := func(pin, again, head, headPIN string) {
				for i, v := range []string{pin, again, head, headPIN} {
					h.field(i).SetText("")
					test.Type(h.field(i), v)
				}
				h.tap(d.Activate)
			}
			fill("480915", "480916", "S01", "258036")
			if !h.shows(d.PINMismatch) {
				t.Fatalf("two PINs: %q", h.texts())
			}
			fill("480915", "480915", "S01", "111112")
			if !h.shows(fmt.Sprintf(d.Witness, fmt.Sprintf(d.WrongPIN, 4))) || h.screen() != ScreenActivate {
				t.Fatalf("wrong head PIN: %q", h.texts())
			}
			h.shot("activate-refused")
			fill("480915", "480915", "S07", "480915")
			if !h.shows(d.WitnessNotHead) {
				t.Fatalf("own witness: %q", h.texts())
			}
			fill("480915", "480915", "S01", "258036")
			if h.screen() != ScreenQueue || !h.shows("张建军（全科社工）") {
				t.Fatalf("after the first PIN: %s %q", h.screen(), h.texts())
			}
			h.tap(d.SignOut)
			go h.cards.Lay(idcard.SampleCards()[2])
			h.until("card read at sign-in", func() bool { return h.shows(fmt.Sprintf(d.CardRead, mask.Name(idcard.SampleCards()[2].Name))) })
			test.Type(h.field(0), "480915")
			h.tap(d.SignIn)
			if h.screen() != ScreenQueue || !h.shows("张建军（全科社工）") {
				t.Fatalf("card sign-in after activation: %s %q", h.screen(), h.texts())
			}
			if a := audited(t, h); !strings.Contains(a, "S01 staff.activate S07") || !strings.Contains(a, "S01 staff.activate.witness.failed S01") {
				t.Errorf("audit log: %s", a)
			}
		})
	}
}

// 统计 for the station head: today's cases by item and status, ratings by grade, tickets with
// waiting times from the queue host's history; exported as one workbook or one CSV per table into
// the export folder, and a folder that cannot be written says so. A worker has no 统计.
func TestFiguresAndExport(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprint(size.Width), func(t *testing.T) {
			h := newHarness(t, size)
			w := h.s.Figures
			h.setUp()
			now := h.clk.Now()
			for i, it := range []struct{ code, name, life string }{
				{"SJ-001", "城乡低保申请", "forwarded"}, {"SJ-001", "城乡低保申请", "closed"}, {"SB-002", "城乡居民养老保险参保登记", ""},
			} {
				rec, err := h.db.CaseRecord(localdb.Case{Number: fmt.Sprintf("260302-K007-%03d", i+1), ItemCode: it.code, ItemName: it.name,
					Life: it.life, Status: localdb.StatusSubmitted, CreatedAt: now.Add(-time.Hour), PromisedBy: now.AddDate(0, 0, 5),
					Person: &localdb.Person{Name: "张桂兰", IDNumber: applicantID}})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := h.db.Submit(rec, "case", []byte(`{}`)); err != nil {
					t.Fatal(err)
				}
			}
			for i, g := range []int{5, 1} {
				rec, _ := h.db.RatingRecord(localdb.Rating{CaseNumber: fmt.Sprintf("260302-K007-%03d", i+1), Grade: g, CreatedAt: now})
				if _, err := h.db.Submit(rec, "rating", []byte(`{}`)); err != nil {
					t.Fatal(err)
				}
			}
			h.q.Take("社会救助", "K001")
			h.clk.Advance(12 * time.Minute)
			if _, err := h.q.CallNext("2", nil); err != nil {
				t.Fatal(err)
			}
			h.signIn()
			h.tap(w.Title)
			h.until("figures", func() bool { return h.screen() == ScreenFigures && h.shows("城乡低保申请") })
			if !h.shows(h.s.LifeStatus("forwarded")) || !h.shows("12.0") || !h.shows("非常不满意") || h.shows("张桂兰") {
				t.Fatalf("today's figures: %q", h.texts())
			}
			h.shot("figures-today")
			h.tap(w.ExportXLSX)
			xlsx := filepath.Join(h.export, w.Title+"-"+figures.Day(h.clk.Now()).Name+".xlsx")
			h.until("exported", func() bool { return h.shows(fmt.Sprintf(w.Exported, xlsx)) })
			if st, err := os.Stat(xlsx); err != nil || st.Size() == 0 {
				t.Fatalf("workbook: %v", err)
			}
			h.tap(w.ThisMonth)
			h.until("month", func() bool { return h.sh.Current().Title == w.Title+" 2026-03" && h.shows("城乡低保申请") })
			h.tap(w.ExportCSV)
			h.until("csv", func() bool { return h.shows(w.SheetTickets + ".csv") })
			csvs, _ := filepath.Glob(filepath.Join(h.export, "*-2026-03-*.csv"))
			if len(csvs) != 5 {
				t.Fatalf("csv files: %q", csvs)
			}
			h.export = filepath.Join(h.export, "no-such-stick")
			h.tap(w.ExportCSV)
			h.until("export refused", func() bool { return h.shows("⚠" + fmt.Sprintf(w.ExportFailed, w.ExportNoDir)) })
			h.shot("figures-export-failed")
			if a := audited(t, h); !strings.Contains(a, "S01 figures.export.xlsx 2026-03-02") || !strings.Contains(a, "S01 figures.export.csv 2026-03") {
				t.Errorf("audit log: %s", a)
			}
		})
	}
}

// 邀请评价 from a case: the rating appears on the resident's screen, the staff screen learns only
// that it was rated (never the grade), and a bad one goes to the station head's 回访整改, where
// 回访核实 and then 整改 are recorded with a note typed in pinyin.
func TestInviteRatingAndFollowUp(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprint(size.Width), func(t *testing.T) {
			h := newHarness(t, size)
			w := h.s.FollowUp
			h.setUp()
			h.signIn()
			now := h.clk.Now()
			rec, err := h.db.CaseRecord(localdb.Case{Number: "260302-K007-001", ItemCode: "61040300RS-GG-0001", ItemName: "城乡居民基本养老保险参保登记",
				Life: "handed_over", Channel: "window", OnTheSpot: true, Status: localdb.StatusSubmitted, CreatedAt: now, PromisedBy: now,
				Person: &localdb.Person{Name: "张桂兰", IDNumber: applicantID}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := h.db.Submit(rec, "case", []byte(`{}`)); err != nil {
				t.Fatal(err)
			}
			c, _ := h.db.Case("260302-K007-001")
			h.sh.Root(newCasePage(h.app, c))
			h.tap(w.Invite)
			if !h.shows(w.Invited) || h.facing.Current() != facing.ScreenRating {
				t.Fatalf("after 邀请评价: staff %q, resident %s", h.texts(), h.facing.Current())
			}
			for _, o := range test.LaidOutObjects(h.facingWin.Content()) {
				if b, ok := o.(*widget.Button); ok && strings.HasPrefix(b.Text, "★☆☆☆☆") {
					test.Tap(b)
				}
			}
			for _, o := range test.LaidOutObjects(h.facingWin.Content()) {
				if b, ok := o.(*widget.Button); ok && strings.HasSuffix(b.Text, "等候时间太长") {
					test.Tap(b)
				}
			}
			for _, o := range test.LaidOutObjects(h.facingWin.Content()) {
				if b, ok := o.(*widget.Button); ok && b.Text == h.s.Apply.RateSend {
					test.Tap(b)
				}
			}
			if r, ok, _ := h.db.Rating(c.Number); !ok || r.Grade != 1 {
				t.Fatalf("rating stored: %+v %v", r, ok)
			}
			h.sh.Root(newCasePage(h.app, c))
			if !h.shows(w.Rated) || h.button(w.Invite) != nil || h.shows("非常不满意") || h.shows("等候时间太长") {
				t.Fatalf("the staff screen after rating: %q", h.texts())
			}
			h.tap(w.Title)
			h.until("follow-up list", func() bool {
				return h.shows(c.Number + "  城乡居民基本养老保险参保登记  非常不满意")
			})
			h.tap(w.Verify)
			f := objectsOf[*PinyinField](h)[0]
			h.chinese(f, "yi", "已")
			h.chinese(f, "huifang", "回访")
			h.tap(w.Verify)
			h.until("verified", func() bool { return h.shows(fmt.Sprintf(w.Recorded, w.Verify, c.Number)) && h.button(w.Rectify) != nil })
			h.shot("followup")
			if a := audited(t, h); !strings.Contains(a, "S01 rating.invite "+c.Number) || !strings.Contains(a, "S01 rating.followup.verified "+c.Number) {
				t.Errorf("audit log: %s", a)
			}
		})
	}
}
