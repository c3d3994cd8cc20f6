// Package flow holds each resident task's state and decisions, without screens: which step of an
// application is on show, whether 下一步 is allowed, what the lookup keypad holds, which phrases a
// message has, which grade a rating took. A screen reads a flow and calls its methods; dropping the
// flow object (home, the idle timeout, the end of a task) forgets the resident, so nothing is
// cleared field by field.
package flow

import (
	"time"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/form"
	"hallkiosk/kiosk/text"
	"hallkiosk/localdb"
)

// Step is a step of an application, numbered as the title bar shows it ("第 2 步，共 6 步").
type Step int

// The six steps.
const (
	StepCard Step = iota + 1
	StepForm
	StepMaterials
	StepConsent
	StepConfirm
	StepDone
)

// Apply is one resident applying for one item, from the card to the receipt.
type Apply struct {
	Item  catalog.Item
	sess  *apply.Session
	step  Step
	field int
	// Problem is the sentence to show once on the current step (a bad answer, a refused card).
	Problem string
	// Case is the case once submitted; from then on the card's data is gone from the flow.
	Case  localdb.Case
	Print Print // the receipt
	// Checklist is the printout of the materials still to bring (预审).
	Checklist Print
}

// NewApply starts an application for an item at the card step.
func NewApply(it catalog.Item) *Apply {
	return &Apply{Item: it, sess: apply.NewSession(it.Code), step: StepCard}
}

// Step is the step on show.
func (a *Apply) Step() Step { return a.step }

// Session is what Submit stores (card, answers, ticks, consent).
func (a *Apply) Session() *apply.Session { return a.sess }

// Card takes the card laid on the reader: a usable one moves on to the questions, any other
// leaves the flow at the card step with the reason in Problem.
func (a *Apply) Card(s *text.Strings, c idcard.Card, now time.Time) bool {
	if a.step != StepCard {
		return false
	}
	if p := apply.CardProblem(s, c, now); p != "" {
		a.Problem = p
		return false
	}
	a.sess.SetCard(c)
	a.Problem = ""
	a.field = 0
	a.step = StepForm
	if len(a.Item.Form) == 0 {
		a.step = StepMaterials
	}
	return true
}

// MaskedName and MaskedID are the applicant as screens show them.
func (a *Apply) MaskedName() string { return a.sess.MaskedName() }

// MaskedID is the applicant's masked ID number.
func (a *Apply) MaskedID() string { return a.sess.MaskedID() }

// Field is the question on show, its index and how many there are.
func (a *Apply) Field() (catalog.Field, int, int) {
	if a.field >= len(a.Item.Form) {
		return catalog.Field{}, a.field, len(a.Item.Form)
	}
	return a.Item.Form[a.field], a.field, len(a.Item.Form)
}

// Value is the answer given so far to the question on show.
func (a *Apply) Value() string {
	f, _, _ := a.Field()
	return a.sess.Answers[f.ID]
}

// Answer sets the answer to the question on show.
func (a *Apply) Answer(v string) {
	f, _, _ := a.Field()
	if f.ID != "" {
		a.sess.Answers[f.ID] = v
	}
}

// NextField checks the answer on show; a good one moves to the next question (or to the
// materials after the last), a bad one stays with what to fix in Problem.
func (a *Apply) NextField(s *text.Strings, now time.Time) bool {
	f, _, _ := a.Field()
	if msg := form.Check(s, f, a.Value(), now); msg != "" {
		a.Problem = msg
		return false
	}
	a.Problem = ""
	a.field++
	if a.field >= len(a.Item.Form) {
		a.step = StepMaterials
	}
	return true
}

// Back goes one question or one step back; false means the flow is at its start (the card), and
// back leaves it. Nothing goes back from the submitted step.
func (a *Apply) Back() bool {
	a.Problem = ""
	switch a.step {
	case StepCard, StepDone:
		return false
	case StepForm:
		if a.field == 0 {
			a.step = StepCard
			return true
		}
		a.field--
	case StepMaterials:
		if len(a.Item.Form) == 0 {
			a.step = StepCard
			return true
		}
		a.step, a.field = StepForm, len(a.Item.Form)-1
	case StepConsent:
		a.step = StepMaterials
	case StepConfirm:
		a.step = StepConsent
	}
	return true
}

// Have reports whether the resident said they brought material i.
func (a *Apply) Have(i int) bool { return a.sess.Have[i] }

// ToggleHave flips material i between brought and not brought.
func (a *Apply) ToggleHave(i int) { a.sess.Have[i] = !a.sess.Have[i] }

// Missing lists the required materials not brought.
func (a *Apply) Missing() []string { return a.sess.Missing(a.Item) }

// MaterialsOK reports whether 下一步 is allowed on the materials step (the same rule Submit keeps).
func (a *Apply) MaterialsOK() bool { return a.sess.MaterialsOK(a.Item) }

// ToConsent leaves the materials step when the materials allow it.
func (a *Apply) ToConsent() bool {
	if a.step != StepMaterials || !a.MaterialsOK() {
		return false
	}
	a.step = StepConsent
	return true
}

// Agree is the resident's consent; the confirm step follows.
func (a *Apply) Agree() {
	if a.step == StepConsent {
		a.sess.Consented = true
		a.step = StepConfirm
	}
}

// Answers lists the questions answered, in form order, for the confirm step.
func (a *Apply) Answers() []Answer {
	var out []Answer
	for _, f := range a.Item.Form {
		if v := a.sess.Answers[f.ID]; v != "" {
			out = append(out, Answer{Field: f, Value: v})
		}
	}
	return out
}

// Answer is one answered question.
type Answer struct {
	Field catalog.Field
	Value string
}

// Submitted records the stored case and forgets the card: the receipt is laid out from the case.
func (a *Apply) Submitted(c localdb.Case) {
	a.Case = c
	a.step = StepDone
	a.Problem = ""
	a.sess.Wipe()
}

// Wipe forgets the resident (card, answers, ticks, consent, the case's personal data).
func (a *Apply) Wipe() {
	if a == nil {
		return
	}
	a.sess.Wipe()
	a.Case = localdb.Case{}
	a.Problem = ""
}

// Print is the state of one printout the resident waits for (receipt, ticket, checklist).
type Print struct {
	Printing bool   // sent to the printer, no answer yet
	Done     bool   // printed
	Problem  string // why it did not print, in words for the resident
	Tries    int    // how many times it was sent
}

// Start marks a print as sent.
func (p *Print) Start() { p.Printing, p.Done, p.Problem = true, false, ""; p.Tries++ }

// Finish records the printer's answer: "" printed, or why not.
func (p *Print) Finish(problem string) {
	p.Printing = false
	p.Problem = problem
	p.Done = problem == ""
}
