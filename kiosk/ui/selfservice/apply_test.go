package selfservice

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/flow"
	"hallkiosk/kiosk/form"
	"hallkiosk/township/api/mask"
)

// toCard goes home -> 社会救助 -> 最低生活保障申请 -> guide -> 我要办理.
func (h *harness) toCard() {
	h.t.Helper()
	h.tapText("社会救助")
	h.tapText("最低生活保障申请")
	h.want(ScreenGuide)
	h.tapText(h.s.Apply.Start)
	h.want(ScreenCard)
}

// lay lays a card on the reader: the fake source hands it to the app's goroutine, which passes it
// to the screen through Do.
func (h *harness) lay(c idcard.Card) {
	h.t.Helper()
	h.fake.Lay(c)
	h.await()
}

// flow is the application on screen, nil when none is.
func (h *harness) flow() *flow.Apply {
	if p, ok := h.sh.Top().(*applyPage); ok {
		return p.f
	}
	return nil
}

// answerDibao answers the five questions of 低保 on the keypad and the choice buttons.
func (h *harness) answerDibao() {
	h.t.Helper()
	a := h.s.Apply
	h.want(ScreenForm)
	h.tapText("3")
	h.tapText(a.Next)
	for _, d := range "800" {
		h.tapText(string(d))
	}
	h.tapText(a.Next)
	h.walkShot("flow-02b-form-multi")
	h.tapText("疾病")
	h.walkShot("flow-02c-form-multi-picked")
	h.tapText(a.Next)
	h.walkShot("flow-02d-form-yesno")
	h.tapText(a.No)
	h.tapText(a.Next)
	for _, d := range "13912345678" {
		h.tapText(string(d))
	}
	h.tapText(a.Next)
	h.want(ScreenMaterials)
}

// walkShot takes the pictures of shared steps only in the test that walks the whole flow, so each
// golden image comes from one test with one card.
func (h *harness) walkShot(name string) {
	h.t.Helper()
	if h.walk {
		h.shot(name)
	}
}

// tickAll marks every material brought, page by page.
func (h *harness) tickAll() {
	h.t.Helper()
	for i := 0; i < 20; i++ {
		if h.shows(h.s.Apply.HaveNot) {
			h.tapText(h.s.Apply.HaveNot)
			continue
		}
		if !h.buttonEnabled(h.s.App.PageDown) {
			return
		}
		h.tapText(h.s.App.PageDown)
	}
}

// submit finishes the flow from the materials and waits for the receipt's printer answer.
func (h *harness) submit() {
	h.t.Helper()
	h.tapText(h.s.Apply.NextStep)
	h.tapText(h.s.Apply.Agree)
	h.tapText(h.s.Apply.Submit)
	h.want(ScreenDone)
	h.await()
}

func TestApplyFlowStoresPrintsAndRates(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		h.walk = true
		a := h.s.Apply
		card := idcard.SampleCards()[0]
		h.toCard()
		h.shot("flow-01-card")
		h.lay(card)
		h.shot("flow-02-form-number")
		if h.shows(card.Name) || h.shows(card.IDNumber) {
			t.Fatal("the form shows the card's name or number whole")
		}
		if !h.shows(mask.Name(card.Name)) {
			t.Fatal("the form does not show whose application it is (masked)")
		}
		// A wrong answer is refused with what to fix, and the resident stays on the question.
		h.tapText(a.Next)
		if h.screen() != ScreenForm || !strings.Contains(strings.Join(h.labels(), ""), "请填写") {
			t.Fatalf("empty answer: %q", h.labels())
		}
		h.answerDibao()
		h.shot("flow-03-materials")
		h.tickAll()
		h.shot("flow-03b-materials-ticked")
		h.tapText(a.NextStep)
		h.want(ScreenConsent)
		h.shot("flow-04-consent")
		if st, _ := h.db.Stats(); st.Depth != 0 {
			t.Fatal("something was stored before consent")
		}
		h.tapText(a.Agree)
		h.want(ScreenConfirm)
		h.shot("flow-05-confirm")
		all := strings.Join(h.labels(), "\n")
		if !strings.Contains(all, "139****5678") || strings.Contains(all, "13912345678") {
			t.Fatal("the confirm screen must show the phone masked")
		}
		h.tapText(a.Submit)
		h.want(ScreenDone)
		// The case is durable before the screen says so; the receipt prints off the UI goroutine
		// while the screen says to wait.
		const number = "260302-K007-001"
		c, err := h.db.Case(number)
		if err != nil || c.Person.Form["household"] != "3" || c.Person.Form["reasons"] != "疾病" {
			t.Fatalf("stored %+v %v", c, err)
		}
		if !h.shows(number) || !strings.Contains(strings.Join(h.labels(), ""), a.Printing) {
			t.Fatalf("done screen while printing: %q", h.labels())
		}
		h.await()
		h.shot("flow-06-done")
		if !h.shows("2026年03月30日") || !strings.Contains(strings.Join(h.labels(), ""), a.Printed) {
			t.Fatalf("done screen: %q %q", h.texts(), h.labels())
		}
		if h.buttonThere(h.s.App.Back) || !h.buttonThere(a.Finish) || !h.buttonThere(a.Rate) {
			t.Fatal("the submitted screen must offer 完成 and 打分, not 返回上一步")
		}
		jobs := h.prn.Jobs()
		if len(jobs) != 1 || !bytes.Contains(jobs[0], gbBytes(number)) || bytes.Contains(jobs[0], gbBytes(card.Name)) {
			t.Fatal("receipt not printed, or it names the resident whole")
		}
		if f := h.flow(); f == nil || f.Session().Card() != nil || !f.Session().Empty() {
			t.Fatal("the card's data is still in the flow after submitting")
		}
		h.tapText(a.Rate)
		h.want(ScreenRating)
		h.shot("flow-07-rating")
		h.tapText("★★☆☆☆  不满意")
		h.shot("flow-08-rating-bad")
		h.tapText(h.s.Lists.BadReasons[0])
		h.tapText(a.RateSend)
		if r, ok, _ := h.db.Rating(number); !ok || r.Grade != 2 || r.Reasons[0] != h.s.Lists.BadReasons[0] {
			t.Fatalf("rating %+v %v", r, ok)
		}
		h.shot("flow-09-thanks")
		h.tapText(a.Finish)
		h.want(ScreenHome)
		if st, _ := h.db.Stats(); st.Depth != 2 {
			t.Fatalf("outbox holds %d, want the case and its rating", st.Depth)
		}
	})
}

// labels lists the text of every label on screen (wrapped paragraphs, warnings).
func (h *harness) labels() []string {
	var out []string
	for _, o := range test.LaidOutObjects(h.win.Canvas().Content()) {
		if l, ok := o.(interface{ Visible() bool }); ok && l.Visible() {
			if v := reflect.ValueOf(o); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
				if f := v.Elem().FieldByName("Text"); f.IsValid() && f.Kind() == reflect.String && f.String() != "" {
					out = append(out, f.String())
				}
			}
		}
	}
	return out
}

func (h *harness) says(s string) bool { return strings.Contains(strings.Join(h.labels(), "\n"), s) }

func TestCardErrorsAndExpiredCard(t *testing.T) {
	h := newHarness(t, opts{})
	h.toCard()
	h.fake.Fail(idcard.StatusFor(0x80))
	h.await()
	if h.screen() != ScreenCard || !h.says("请将身份证放在读卡区") {
		t.Fatalf("reader status 80: %q", h.labels())
	}
	var expired idcard.Card
	for _, c := range idcard.SampleCards() {
		if c.Expired(h.clock.Now()) {
			expired = c
		}
	}
	h.lay(expired)
	h.shot("flow-card-expired")
	if h.screen() != ScreenCard || !h.says("已过期") || h.flow().Session().Card() != nil {
		t.Fatalf("expired card: %q", h.labels())
	}
	h.tapText(h.s.App.Home)
	h.want(ScreenHome)
	if h.flow() != nil {
		t.Fatal("an application is left after going home")
	}
}

// A card laid while no screen waits for one is not read into anything.
func TestCardIgnoredWhereNoneIsAsked(t *testing.T) {
	h := newHarness(t, opts{})
	h.tapText("社会救助")
	h.lay(idcard.SampleCards()[0])
	h.want(ScreenWindow)
	h.assertNothingOf(idcard.SampleCards()[0])
}

func TestConsentRefusedKeepsNothing(t *testing.T) {
	h := newHarness(t, opts{})
	h.toCard()
	h.lay(idcard.SampleCards()[1])
	h.answerDibao()
	h.tickAll()
	h.tapText(h.s.Apply.NextStep)
	if !h.says("不同意") {
		t.Fatalf("the consent screen does not say how to refuse: %q", h.labels())
	}
	h.tapText(h.s.App.Home)
	h.want(ScreenHome)
	h.assertNothingOf(idcard.SampleCards()[1])
	if st, _ := h.db.Stats(); st.Depth != 0 {
		t.Fatal("refusing consent stored something")
	}
}

func TestPrinterOutOfPaperShowsNumberToCopy(t *testing.T) {
	h := newHarness(t, opts{})
	h.prn.SetPaperOut(true)
	h.toCard()
	h.lay(idcard.SampleCards()[0])
	h.answerDibao()
	h.tickAll()
	h.submit()
	h.shot("flow-06-done-paper-out")
	if !h.shows("260302-K007-001") || !h.says("没有纸") || !h.says("记下来") {
		t.Fatalf("paper out: %q", h.labels())
	}
	if _, err := h.db.Case("260302-K007-001"); err != nil {
		t.Fatal("the case was not stored")
	}
	// 纸放好了 while the paper is still out: the screen says it tried again and what is wrong.
	h.tapText(h.s.Apply.Reprint)
	h.await()
	h.shot("flow-06-done-reprint-failed")
	if !h.says("第2次") || !h.says("没有纸") {
		t.Fatalf("reprint still without paper: %q", h.labels())
	}
	// Staff put paper in; the receipt comes out from the same screen.
	h.prn.SetPaperOut(false)
	h.tapText(h.s.Apply.Reprint)
	h.await()
	if jobs := h.prn.Jobs(); len(jobs) != 1 || !bytes.Contains(jobs[0], gbBytes("260302-K007-001")) {
		t.Fatal("reprint did not print the receipt")
	}
	if !h.says(h.s.Apply.Printed) || h.buttonThere(h.s.Apply.Reprint) {
		t.Fatalf("after reprint: %q", h.labels())
	}
}

// A printer that holds the job (XOFF, slow paper) does not hold the screen: the resident sees
// 正在打印 and can go on to rate while it prints.
func TestPrintingKeepsTheScreenResponsive(t *testing.T) {
	h := newHarness(t, opts{})
	h.prn.PrintTime = 2 * time.Second
	h.toCard()
	h.lay(idcard.SampleCards()[0])
	h.answerDibao()
	h.tickAll()
	h.tapText(h.s.Apply.NextStep)
	h.tapText(h.s.Apply.Agree)
	h.tapText(h.s.Apply.Submit)
	h.want(ScreenDone)
	if !h.says(h.s.Apply.Printing) {
		t.Fatalf("no 正在打印: %q", h.labels())
	}
	h.shot("flow-06-done-printing")
	h.tapText(h.s.Apply.Rate) // the tap works while the printer is busy
	h.want(ScreenRating)
	h.await() // the printer's answer arrives; the rating screen stays
	h.want(ScreenRating)
	if len(h.prn.Jobs()) != 1 {
		t.Fatal("the receipt did not print")
	}
}

// assertNothingOf walks everything the UI holds (shell, pages, flows, widgets on screen) and
// fails if any string of the card is reachable.
func (h *harness) assertNothingOf(card idcard.Card) {
	h.t.Helper()
	needles := []string{card.Name, card.IDNumber, card.Address, mask.Name(card.Name), mask.ID(card.IDNumber), "13912345678"}
	for _, found := range reachable([]any{h.sh, h.app, h.win.Content()}, needles) {
		h.t.Errorf("resident data still reachable from the UI: %s", found)
	}
}

func TestIdleTimeoutMidFormLeavesNothing(t *testing.T) {
	h := newHarness(t, opts{})
	card := idcard.SampleCards()[0]
	h.toCard()
	h.lay(card)
	h.tapText("3")
	h.tapText(h.s.Apply.Next)
	f := h.flow()
	h.clock.Advance(h.sh.Idle.Timeout() + time.Second)
	h.await()
	h.want(ScreenHome)
	if h.flow() != nil || !f.Session().Empty() || f.Session().Card() != nil {
		t.Fatalf("after the idle timeout the flow still holds %+v", f.Session())
	}
	h.assertNothingOf(card)
	if st, _ := h.db.Stats(); st.Depth != 0 {
		t.Fatal("an abandoned form was stored")
	}
}

// The proof that the walk finds data when it is there: mid-form the card's masked name is on
// screen and its number in the flow.
func TestReachableFindsTheResidentMidForm(t *testing.T) {
	h := newHarness(t, opts{})
	card := idcard.SampleCards()[0]
	h.toCard()
	h.lay(card)
	found := reachable([]any{h.sh, h.app, h.win.Content()}, []string{card.IDNumber, mask.Name(card.Name)})
	if len(found) < 2 {
		t.Fatalf("mid-form the walk found only %q", found)
	}
}

func TestMissingMaterialsChecklist(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		h.toCard()
		h.lay(idcard.SampleCards()[0])
		h.answerDibao()
		if !h.says("还缺") {
			t.Fatalf("materials: %q", h.labels())
		}
		// Every row says its state in words, and fills the screen (7 rows on one page; 长辈版 two
		// pages of four and three).
		if !h.shows(h.s.Apply.HaveNot) {
			t.Fatal("rows do not say 没带")
		}
		h.tapText(h.s.Apply.PrintChecklist)
		if !h.says(h.s.Apply.ChecklistPrinting) {
			t.Fatalf("no 正在打印 for the checklist: %q", h.labels())
		}
		h.await()
		h.shot("flow-03c-materials-checklist")
		jobs := h.prn.Jobs()
		if len(jobs) != 1 || !bytes.Contains(jobs[0], gbBytes("户口簿")) || !h.says(h.s.Apply.ChecklistPrinted) {
			t.Fatal("the checklist did not print the missing materials")
		}
		// Without paper the list cannot print: the screen says why, not that it printed.
		h.prn.SetPaperOut(true)
		h.tapText(h.s.Apply.PrintChecklist)
		h.await()
		if !h.says("没有纸") || h.says(h.s.Apply.ChecklistPrinted) {
			t.Fatalf("checklist without paper: %q", h.labels())
		}
		h.prn.SetPaperOut(false)
		// A tap on a row marks it brought: 带了 with the mark, and the count of missing ones drops.
		before := len(h.flow().Missing())
		h.tapText(h.s.Apply.HaveNot)
		if len(h.flow().Missing()) != before-1 || !h.shows(h.s.Apply.Have) {
			t.Fatalf("tapping a row: missing %d -> %d", before, len(h.flow().Missing()))
		}
		// 容缺受理: the resident may still go on.
		h.tapText(h.s.Apply.NextStep)
		h.want(ScreenConsent)
	})
}

// An item that takes no incomplete application keeps 下一步 off until everything is brought, by
// the same rule Submit keeps.
func TestMaterialsBlockWhereTheItemRequiresThem(t *testing.T) {
	h := newHarness(t, opts{})
	var code string
	for _, it := range h.cat.Items {
		required := 0
		for _, m := range it.Materials {
			if m.Required {
				required++
			}
		}
		if !it.AllowIncomplete && required > 0 {
			code = it.Code
			break
		}
	}
	if code == "" {
		t.Fatal("the catalog has no item that needs every required material")
	}
	h.app.OpenGuide(code)
	h.tapText(h.s.Apply.Start)
	h.lay(idcard.SampleCards()[0])
	// The questions are the other tests' subject: answer them through the flow.
	for f := h.flow(); f.Step() == flow.StepForm; {
		fld, _, _ := f.Field()
		switch fld.Type {
		case catalog.FieldNumber:
			f.Answer("1")
		case catalog.FieldPhone:
			f.Answer("13912345678")
		case catalog.FieldDate:
			f.Answer("2026-03-01")
		case catalog.FieldYesNo:
			f.Answer(form.No)
		default:
			f.Answer(fld.Options[0])
		}
		if !f.NextField(h.s, h.clock.Now()) {
			t.Fatalf("answer to %s refused: %s", fld.ID, f.Problem)
		}
	}
	h.sh.Refresh()
	h.want(ScreenMaterials)
	if h.buttonEnabled(h.s.Apply.NextStep) || !h.says("要材料齐全才能受理") {
		t.Fatalf("下一步 is on with required materials missing: %q", h.labels())
	}
	h.shot("flow-03d-materials-blocked")
	h.tickAll()
	if !h.buttonEnabled(h.s.Apply.NextStep) {
		t.Fatal("下一步 is off with everything brought")
	}
}

// A date is picked with plus and minus buttons, never typed.
func TestDateQuestion(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		h.app.OpenGuide("61040300WJ-GG-0001") // 生育登记: which child, due date, phone
		h.tapText(h.s.Apply.Start)
		h.lay(idcard.SampleCards()[1])
		h.shot("flow-02e-form-choice")
		h.tapText("二孩")
		h.tapText(h.s.Apply.Next)
		h.tapText("＋ " + h.s.Apply.DateMonth)
		h.tapText("＋ " + h.s.Apply.DateMonth)
		h.tapText("＋ " + h.s.Apply.DateDay)
		h.shot("flow-02f-form-date")
		if got := h.flow().Value(); got != "2026-05-03" {
			t.Fatalf("due date %q, want 2026-05-03", got)
		}
		h.tapText(h.s.Apply.Next)
		if !h.shows("联系电话") {
			t.Fatalf("after the date: %q", h.texts())
		}
	})
}

// A kiosk without a card reader says so where a card is needed, instead of waiting for one.
func TestNoCardReaderSaysWhereToGo(t *testing.T) {
	eachMode(t, opts{noReader: true}, func(t *testing.T, h *harness) {
		h.toCard()
		h.shot("flow-card-no-reader")
		if !h.says("读卡器没有连接") || h.says(h.s.Apply.CardTypes) {
			t.Fatalf("card screen without a reader: %q", h.labels())
		}
		h.tapText(h.s.App.Home)
		h.want(ScreenHome)
	})
}

// prompts records what the kiosk would say aloud.
type prompts struct{ said []string }

func (p *prompts) Prompt(text string) error { p.said = append(p.said, text); return nil }

// With [voice] prompts on, the card step says where the card goes once however often the screen
// redraws, and the printed receipt is followed by 请取走回执; a failed print says nothing.
func TestKeyPromptsAreSpokenOnceAtTheirStep(t *testing.T) {
	v := &prompts{}
	h := newHarness(t, opts{voice: v})
	h.toCard()
	h.sh.Refresh()
	h.sh.Refresh()
	if got := strings.Join(v.said, "|"); got != h.s.Voice.CardPlace {
		t.Fatalf("at the card step said %q", got)
	}
	h.lay(idcard.SampleCards()[0])
	h.answerDibao()
	h.tickAll()
	h.submit()
	if got := strings.Join(v.said, "|"); got != h.s.Voice.CardPlace+"|"+h.s.Voice.TakeReceipt {
		t.Errorf("after the receipt said %q", got)
	}

	quietPaper := &prompts{}
	h2 := newHarness(t, opts{voice: quietPaper})
	h2.prn.SetPaperOut(true)
	h2.toCard()
	h2.lay(idcard.SampleCards()[0])
	h2.answerDibao()
	h2.tickAll()
	h2.submit()
	if got := strings.Join(quietPaper.said, "|"); got != h2.s.Voice.CardPlace {
		t.Errorf("with no paper said %q", got)
	}
}
