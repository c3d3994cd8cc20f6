package flow

import (
	"strings"
	"testing"
	"time"

	"hallkiosk/assets"
	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/form"
	"hallkiosk/kiosk/text"
	"hallkiosk/localdb"
)

var now = time.Date(2026, 3, 2, 9, 30, 0, 0, time.Local)

func load(t *testing.T) (*text.Strings, *catalog.Catalog) {
	t.Helper()
	s, err := text.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat, probs, err := catalog.Parse(assets.CatalogName, assets.DefaultCatalog)
	if err != nil || len(probs) > 0 {
		t.Fatal(err, probs)
	}
	return s, cat
}

func item(t *testing.T, cat *catalog.Catalog, code string) catalog.Item {
	it, ok := cat.Item(code)
	if !ok {
		t.Fatalf("no item %s", code)
	}
	return it
}

// answerAll gives every question of the item a good answer.
func answerAll(t *testing.T, s *text.Strings, a *Apply) {
	t.Helper()
	for a.Step() == StepForm {
		f, _, _ := a.Field()
		switch f.Type {
		case catalog.FieldNumber:
			a.Answer("3")
		case catalog.FieldPhone:
			a.Answer("13912345678")
		case catalog.FieldDate:
			a.Answer("2026-01-02")
		case catalog.FieldYesNo:
			a.Answer(form.No)
		default:
			a.Answer(f.Options[0])
		}
		if !a.NextField(s, now) {
			t.Fatalf("field %s refused: %s", f.ID, a.Problem)
		}
	}
}

func TestApplyStepsAndBack(t *testing.T) {
	s, cat := load(t)
	it := item(t, cat, "61040300MZ-JF-0001")
	a := NewApply(it)
	if a.Step() != StepCard || a.Back() {
		t.Fatal("a new application starts at the card, and back from there leaves the flow")
	}
	cards := idcard.SampleCards()
	if a.Card(s, cards[5], now) || a.Step() != StepCard || !strings.Contains(a.Problem, "过期") {
		t.Fatalf("expired card: step %d problem %q", a.Step(), a.Problem)
	}
	if !a.Card(s, cards[0], now) || a.Step() != StepForm || a.Problem != "" {
		t.Fatalf("good card: step %d problem %q", a.Step(), a.Problem)
	}
	if a.MaskedName() != "王*" || strings.Contains(a.MaskedID(), cards[0].IDNumber[6:14]) {
		t.Errorf("masked applicant %q %q", a.MaskedName(), a.MaskedID())
	}
	// An empty answer is refused with what to fix, and the question stays.
	if a.NextField(s, now) || a.Problem == "" {
		t.Fatal("empty first answer accepted")
	}
	a.Answer("3")
	if !a.NextField(s, now) {
		t.Fatalf("refused: %s", a.Problem)
	}
	if _, i, _ := a.Field(); i != 1 {
		t.Fatalf("on question %d", i)
	}
	if !a.Back() {
		t.Fatal("back from question 2")
	}
	if _, i, _ := a.Field(); i != 0 || a.Value() != "3" {
		t.Fatalf("back: question %d value %q", i, a.Value())
	}
	a.Back()
	if a.Step() != StepCard {
		t.Fatalf("back from the first question: step %d", a.Step())
	}
}

// TestMaterialsRuleIsTheOneSubmitKeeps: 下一步 is allowed exactly when Submit would take the case.
func TestMaterialsRuleIsTheOneSubmitKeeps(t *testing.T) {
	s, cat := load(t)
	for _, it := range cat.Items {
		if len(it.Materials) == 0 {
			continue
		}
		a := NewApply(it)
		a.Card(s, idcard.SampleCards()[0], now)
		answerAll(t, s, a)
		if a.Step() != StepMaterials {
			t.Fatalf("%s: step %d after the form", it.Code, a.Step())
		}
		required := 0
		for _, m := range it.Materials {
			if m.Required {
				required++
			}
		}
		if len(a.Missing()) != required {
			t.Errorf("%s: %d missing before ticking, want %d", it.Code, len(a.Missing()), required)
		}
		if got, want := a.ToConsent(), it.AllowIncomplete || required == 0; got != want {
			t.Errorf("%s: go on without materials = %v, want %v", it.Code, got, want)
		}
		if a.MaterialsOK() != a.Session().MaterialsOK(it) {
			t.Errorf("%s: flow and Submit disagree", it.Code)
		}
		if a.Step() == StepMaterials {
			for i := range it.Materials {
				a.ToggleHave(i)
			}
			if len(a.Missing()) != 0 || !a.ToConsent() {
				t.Errorf("%s: everything ticked, still %v", it.Code, a.Missing())
			}
		}
	}
}

func TestSubmittedForgetsTheCard(t *testing.T) {
	s, cat := load(t)
	a := NewApply(item(t, cat, "61040300MZ-JF-0001"))
	a.Card(s, idcard.SampleCards()[1], now)
	answerAll(t, s, a)
	for i := range a.Item.Materials {
		a.ToggleHave(i)
	}
	a.ToConsent()
	a.Agree()
	if a.Step() != StepConfirm || len(a.Answers()) == 0 {
		t.Fatalf("step %d, %d answers", a.Step(), len(a.Answers()))
	}
	a.Submitted(localdb.Case{Number: "260302-K001-001"})
	if a.Step() != StepDone || a.Session().Card() != nil || len(a.Answers()) != 0 || a.Back() {
		t.Fatal("after submitting: the card or answers remain, or back leads into the submitted case")
	}
}

func TestPrintState(t *testing.T) {
	var p Print
	p.Start()
	if !p.Printing || p.Done {
		t.Fatal("started print")
	}
	p.Finish("打印机没有纸了")
	if p.Printing || p.Done || p.Problem == "" {
		t.Fatal("failed print")
	}
	p.Start()
	p.Finish("")
	if !p.Done || p.Problem != "" || p.Tries != 2 {
		t.Fatalf("reprint: %+v", p)
	}
}

func TestLookupEntry(t *testing.T) {
	var l Lookup
	for _, k := range []string{"2", "6", "0", "3", "0", "2", "X", "4", "1", "2", "0", "0", "7"} {
		l.Entry.Press(k)
	}
	n, ok := l.Number(time.UTC)
	if !ok || n != "260302-X412-007" {
		t.Fatalf("typed %q -> %q %v", l.Entry.Shown(), n, ok)
	}
	l.Found(nil)
	if !l.Looked || len(l.Cases) != 0 {
		t.Fatal("an empty result is still a result")
	}
}

func TestMessageSteps(t *testing.T) {
	var m Message
	if m.CanGoOn() || m.ToPhone() {
		t.Fatal("no topic yet")
	}
	m.PickTopic("道路交通")
	if m.ToPhone() {
		t.Fatal("no phrase yet")
	}
	m.TogglePhrase("希望尽快处理")
	m.TogglePhrase("影响很多户")
	m.TogglePhrase("希望尽快处理")
	if !m.Picked("影响很多户") || m.Picked("希望尽快处理") || !m.ToPhone() {
		t.Fatalf("phrases %v", m.Phrases)
	}
	for _, d := range "0298765432109" {
		m.Digit(string(d))
	}
	if len(m.Phone) != PhoneMax {
		t.Errorf("phone %q", m.Phone)
	}
	m.Delete()
	if !m.Back() || m.AskPhone || m.Phone != "" || !m.Back() || m.Topic != "" || m.Back() {
		t.Fatal("back through the message steps")
	}
}

func TestPollCardAndBack(t *testing.T) {
	s, _ := load(t)
	var p Poll
	p.Pick("p1")
	if p.Card(s, idcard.SampleCards()[5], now) || p.Voter() != nil || p.Problem == "" {
		t.Fatal("expired card votes")
	}
	if !p.Card(s, idcard.SampleCards()[0], now) || p.Voter() == nil {
		t.Fatal("good card refused")
	}
	if !p.Back() || p.Voter() != nil || p.ID != "" || p.Back() {
		t.Fatal("back from a poll keeps the voter")
	}
}

func TestRating(t *testing.T) {
	var r Rating
	if r.Ready() {
		t.Fatal("no grade")
	}
	r.SetGrade(5)
	if r.Bad() || !r.Ready() {
		t.Fatal("good grade")
	}
	r.SetGrade(1)
	if !r.Bad() || r.Ready() {
		t.Fatal("bad grade without reason")
	}
	r.ToggleReason("办理太慢")
	if !r.Ready() || !r.Picked("办理太慢") {
		t.Fatal("bad grade with reason")
	}
}
