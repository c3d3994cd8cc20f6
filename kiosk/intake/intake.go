// Package intake is the comprehensive window's one-window intake (一窗受理) without the screens:
// whom a case is for (a card laid on the window's reader, or an ID number staff type and the
// check digit confirms), the draft of one case (item, typed answers, the materials received),
// what still stops acceptance, and acceptance itself: the case and the first steps of its life
// stored and queued for the township in one transaction, then the 受理单. A 即办件 is finished on
// the spot; a 承诺件 goes to the township with its promised date in working days. Later steps
// (送达, 回访, closing, returning) go through kiosk/lifecycle's rules and are uploaded the same way.
package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/unicode/norm"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/docs"
	"hallkiosk/kiosk/form"
	"hallkiosk/kiosk/lifecycle"
	"hallkiosk/kiosk/staff"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
	"hallkiosk/township/api/casenum"
	"hallkiosk/township/api/textrule"
)

// Channel is what a window case says it is to the township.
const Channel = "window"

// Resident is whom a case is for, as the window knows them. It lives in the draft (memory) until
// the case is stored sealed.
type Resident struct {
	Name, IDNumber, Address string
	IDType                  string // api.Applicant's id_type: "" for a resident ID card
	FromCard                bool   // read from the card, not typed
}

// Errors of a typed identity; the screen words them ([intake] strings).
var (
	ErrIDNumber = errors.New("not an 18-character resident ID number with a valid check digit")
	ErrName     = errors.New("the applicant's name is required")
)

// FromCard takes the resident from a card laid on the window's reader.
func FromCard(c idcard.Card) Resident {
	r := Resident{Name: norm.NFC.String(apply.HolderName(c)), IDNumber: c.IDNumber, Address: norm.NFC.String(c.Address), FromCard: true}
	if c.Type != idcard.CardResident {
		r.IDType = c.Type.Code()
	}
	return r
}

// Typed takes a resident whose card is not here (forgotten, or a proxy brings the case): the ID
// number must pass its check digit and the name the text rule.
func Typed(name, idNumber string) (Resident, error) {
	id := strings.ToUpper(strings.TrimSpace(idNumber))
	name = norm.NFC.String(strings.TrimSpace(name))
	if !api.ValidID(id) {
		return Resident{}, ErrIDNumber
	}
	if name == "" {
		return Resident{}, ErrName
	}
	if err := textrule.Check("name", name, textrule.Required(100)); err != nil {
		return Resident{}, fmt.Errorf("%w: %w", ErrName, err)
	}
	return Resident{Name: name, IDNumber: id}, nil
}

// Entrustment is the 全程代办 record of a draft: who brings the case for the resident, what they are
// to them, the resident's consent, the written entrustment (授权委托书) handed in.
type Entrustment struct {
	// Proxy is a person who came with the resident's case: their card, or their ID number typed
	// and checked. Nil when the proxy is the signed-in 网格员 (StaffID).
	Proxy              *Resident
	StaffID, StaffName string
	Relation           string // one of api.ProxyRelations
	Consent, Written   bool
	// Visit is the home visit a 网格员 collected the case at; nil at the window.
	Visit *HomeVisit
}

// HomeVisit is where and when a case was collected at a resident's home (上门收件).
type HomeVisit struct {
	On    time.Time // the day
	Place string
}

// Draft is one case being taken at the window: the flow's whole state, dropped with Wipe.
type Draft struct {
	Resident *Resident
	// Entrust is set for a 全程代办 case: the resident is not at the window.
	Entrust *Entrustment
	// Continues is the kiosk's case this draft takes on (from the township); nil for a new case.
	Continues *api.FoundCase
	Item      catalog.Item
	Answers   map[string]string
	Received  map[int]bool // materials handed in, by index in Item.Materials
	// OnTheSpot is a 即办件 (finished at the window); it starts as the catalog says (承诺时限 0).
	OnTheSpot bool
}

// NewDraft starts a case for an item.
func NewDraft(it catalog.Item) *Draft {
	return &Draft{Item: it, Answers: map[string]string{}, Received: map[int]bool{}, OnTheSpot: it.PromisedLimitDays == 0}
}

// Missing lists the required materials not handed in.
func (d *Draft) Missing() []string {
	var out []string
	for i, m := range d.Item.Materials {
		if m.Required && !d.Received[i] {
			out = append(out, m.Name)
		}
	}
	return out
}

// ReceivedNames lists the materials handed in, in the guide's order.
func (d *Draft) ReceivedNames() []string {
	var out []string
	for i, m := range d.Item.Materials {
		if d.Received[i] {
			out = append(out, m.Name)
		}
	}
	return out
}

// Wipe forgets the resident and the answers.
func (d *Draft) Wipe() {
	if d == nil {
		return
	}
	if d.Resident != nil {
		*d.Resident = Resident{}
	}
	if d.Entrust != nil {
		if d.Entrust.Proxy != nil {
			*d.Entrust.Proxy = Resident{}
		}
		if d.Entrust.Visit != nil {
			*d.Entrust.Visit = HomeVisit{}
		}
		*d.Entrust = Entrustment{}
	}
	if d.Continues != nil {
		*d.Continues = api.FoundCase{}
	}
	*d = Draft{}
}

// Problem is one thing that stops acceptance: Field is a form field's id, or FieldResident or
// FieldMaterials; Text says it in Chinese.
type Problem struct {
	Field, Text string
}

// Problem fields that are not form fields.
const (
	FieldResident  = "resident"
	FieldMaterials = "materials"
	// FieldProxy is the entrustment of a 全程代办 case; FieldVisit its home visit.
	FieldProxy = "proxy"
	FieldVisit = "visit"
)

// Service takes cases at the window over the self-service's numbering, dates and printer.
type Service struct {
	Apply *apply.Service
	// ForwardDays is how many working days after a home visit a collected case must be forwarded
	// to the township ([window] forward_days, default DefaultForwardDays).
	ForwardDays int
	// Township finds the village's kiosk cases to continue; nil: only this window's own cases.
	Township Township
	index    *catalog.Index
	once     sync.Once
}

// Search finds catalog items by name, keyword or pinyin initials, as the kiosk's search does.
func (s *Service) Search(query string) []catalog.Item {
	s.once.Do(func() { s.index = catalog.NewIndex(s.Apply.Catalog) })
	if strings.TrimSpace(query) == "" {
		return nil
	}
	return s.index.Search(query)
}

// Print sends a slip to the window's printer; the error carries the sentence for the screen
// (*apply.PrintError).
func (s *Service) Print(ctx context.Context, job []byte) error { return s.Apply.Print(ctx, job) }

// Check lists what stops acceptance of d, in the order the screen shows it; empty means 受理 may go.
func (s *Service) Check(d *Draft) []Problem {
	t := s.Apply.Text.Intake
	var out []Problem
	if d.Resident == nil {
		out = append(out, Problem{FieldResident, t.NoResident})
	} else if d.Resident.Name == "" || d.Resident.IDNumber == "" {
		out = append(out, Problem{FieldResident, s.Apply.Text.Problems.CardIncomplete}) // a card read only in part
	}
	probs := form.CheckAll(s.Apply.Text, d.Item.Form, d.Answers, s.Apply.Clock.Now())
	for _, f := range d.Item.Form {
		if msg, ok := probs[f.ID]; ok {
			out = append(out, Problem{f.ID, msg})
		} else if v := d.Answers[f.ID]; v != "" {
			if err := textrule.Check(f.Label, norm.NFC.String(strings.TrimSpace(v)), textrule.Lines(2000)); err != nil {
				out = append(out, Problem{f.ID, strings.ReplaceAll(t.BadText, "{label}", f.Label)})
			}
		}
	}
	out = append(out, s.checkEntrust(d)...)
	if m := d.Missing(); len(m) > 0 && !d.Item.AllowIncomplete {
		out = append(out, Problem{FieldMaterials, strings.ReplaceAll(t.MissingMaterials, "{list}", strings.Join(m, "、"))})
	}
	return out
}

// NotReadyError is an acceptance refused because of what Check finds; nothing was stored.
type NotReadyError struct{ Problems []Problem }

func (e *NotReadyError) Error() string {
	var f []string
	for _, p := range e.Problems {
		f = append(f, p.Field)
	}
	return "case not ready for acceptance: " + strings.Join(f, ", ")
}

// Accept takes the case: stored sealed, with its life's first steps (received, accepted, and for a
// 承诺件 forwarded to the township) and both uploads in one fsynced transaction, before it returns.
func (s *Service) Accept(d *Draft, by staff.Session) (localdb.Case, error) {
	a := s.Apply
	if probs := s.Check(d); len(probs) > 0 {
		return localdb.Case{}, &NotReadyError{probs}
	}
	if d.Entrust != nil && d.Entrust.Visit != nil {
		return localdb.Case{}, errors.New("accept: a case collected on a home visit is saved with Collect")
	}
	if d.Continues != nil {
		c, err := s.takeOn(d, by)
		if err != nil {
			return localdb.Case{}, fmt.Errorf("accept %s: %w", d.Continues.Number, err)
		}
		return c, nil
	}
	now := a.Clock.Now()
	life := lifecycle.Case{Status: lifecycle.Received}
	var err error
	if life, err = lifecycle.Apply(life, lifecycle.Event{To: lifecycle.Accepted, Actor: by.ID, Role: by.Role, At: now}); err != nil {
		return localdb.Case{}, fmt.Errorf("accept: %w", err)
	}
	promised := now
	if !d.OnTheSpot {
		if life, err = lifecycle.Apply(life, lifecycle.Event{To: lifecycle.Forwarded, Actor: by.ID, Role: by.Role, At: now}); err != nil {
			return localdb.Case{}, fmt.Errorf("accept: %w", err)
		}
		promised = a.Promised(d.Item, now)
	}
	c, err := s.store(d, by, life, now, promised, "case.accept")
	if err != nil {
		return localdb.Case{}, fmt.Errorf("accept: %w", err)
	}
	return c, nil
}

// Collect saves a case a 网格员 collected on a home visit (上门收件): stored sealed and uploaded as
// received, with the entrustment and the date it must be forwarded by; a worker or the station
// head takes it on (受理) and forwards it from 办件.
func (s *Service) Collect(d *Draft, by staff.Session) (localdb.Case, error) {
	if d.Entrust == nil || d.Entrust.Visit == nil {
		return localdb.Case{}, errors.New("collect: a home visit is required")
	}
	if probs := s.Check(d); len(probs) > 0 {
		return localdb.Case{}, &NotReadyError{probs}
	}
	d.OnTheSpot = false // collected at a home, it is not finished on the spot
	now := s.Apply.Clock.Now()
	c, err := s.store(d, by, lifecycle.Case{Status: lifecycle.Received}, now, s.Apply.Promised(d.Item, now), "case.collect")
	if err != nil {
		return localdb.Case{}, fmt.Errorf("collect: %w", err)
	}
	return c, nil
}

// store numbers the draft's case and stores it, its steps so far and their uploads in one
// transaction.
func (s *Service) store(d *Draft, by staff.Session, life lifecycle.Case, now, promised time.Time, action string) (localdb.Case, error) {
	a := s.Apply
	number, err := a.NextCaseNumber(now)
	if err != nil {
		return localdb.Case{}, err
	}
	answers, labelled := apply.Answers(d.Item.Form, d.Answers)
	r := *d.Resident
	missing := d.Missing()
	received := d.ReceivedNames()
	wire, kept, proxy := s.entrustment(d)
	if wire != nil && wire.Written {
		received = append(received, a.Text.Intake.WrittenMaterial)
	}
	payload, err := json.Marshal(api.CasePayload{Number: number, ItemCode: d.Item.Code, ItemName: d.Item.Name,
		Applicant: api.Applicant{Name: r.Name, IDNumber: r.IDNumber, IDType: r.IDType, Phone: answers["phone"], Address: r.Address},
		Form:      labelled, Missing: missing, SubmittedAt: now.UTC(), PromisedBy: promised.UTC(), Channel: Channel, OnTheSpot: d.OnTheSpot,
		Proxy: wire != nil, Entrustment: wire})
	if err != nil {
		return localdb.Case{}, err
	}
	if err := api.Validate(api.KindCase, payload); err != nil {
		// The township would refuse it for good; say so while the resident is at the window.
		return localdb.Case{}, err
	}
	uploads := []localdb.Upload{{Kind: api.KindCase, Payload: payload}}
	steps := storedSteps(life.History)
	if len(steps) > 0 {
		stepPayload, err := stepsPayload(number, steps)
		if err != nil {
			return localdb.Case{}, err
		}
		uploads = append(uploads, localdb.Upload{Kind: api.KindCaseStep, Payload: stepPayload})
	}
	person := &localdb.Person{Name: r.Name, IDNumber: r.IDNumber, Address: r.Address, Phone: answers["phone"], Form: answers,
		ProxyName: proxy.ProxyName, ProxyIDNumber: proxy.ProxyIDNumber, VisitPlace: proxy.VisitPlace}
	c := localdb.Case{Number: number, ItemCode: d.Item.Code, ItemName: d.Item.Name, Missing: missing,
		Received: received, Channel: Channel, Life: string(life.Status), Steps: steps, OnTheSpot: d.OnTheSpot,
		Proxy: wire != nil, Entrust: kept, CreatedAt: now.UTC(), PromisedBy: promised, Person: person}
	rec, err := a.DB.CaseRecord(c)
	if err != nil {
		return localdb.Case{}, err
	}
	if _, err := a.DB.SubmitAll(rec, uploads...); err != nil {
		return localdb.Case{}, err
	}
	s.audit(by, action, number)
	if a.Log != nil {
		a.Log.Info("case taken at the window", "action", action, "case", number, "item", d.Item.Code, "staff", by.ID,
			"on_the_spot", d.OnTheSpot, "missing", len(missing), "proxy", wire != nil)
	}
	s.kick()
	c.Status = localdb.StatusSubmitted
	return c, nil
}

// Complete finishes a 即办件 on the spot: the result, ready, and handed over to the applicant at the
// window, as one action of the staff member.
func (s *Service) Complete(number string, by staff.Session, result string) (localdb.Case, error) {
	result = norm.NFC.String(strings.TrimSpace(result))
	return s.steps(number, by, "case.complete", func(c localdb.Case, life lifecycle.Case) ([]lifecycle.Event, error) {
		if !c.OnTheSpot {
			return nil, &lifecycle.RefusedError{From: life.Status, To: lifecycle.ResultBack, Role: by.Role, Code: lifecycle.NotAllowed, Why: "not an on-the-spot case (即办件)"}
		}
		if result == "" {
			return nil, &lifecycle.RefusedError{From: life.Status, To: lifecycle.ResultBack, Role: by.Role, Code: lifecycle.NeedsResult, Why: "this step needs a result"}
		}
		name := ""
		if c.Person != nil {
			name = c.Person.Name
		}
		return []lifecycle.Event{
			{To: lifecycle.ResultBack, Reason: result},
			{To: lifecycle.Ready},
			{To: lifecycle.HandedOver, HandOver: &lifecycle.HandOver{To: name, How: lifecycle.Collected}},
		}, nil
	})
}

// Step takes one step of a case's life (return, refuse, ready, 送达, 回访, close ...), as the rules
// allow it for the staff member's role, and uploads it.
func (s *Service) Step(number string, by staff.Session, ev lifecycle.Event) (localdb.Case, error) {
	return s.steps(number, by, "case."+string(ev.To), func(localdb.Case, lifecycle.Case) ([]lifecycle.Event, error) {
		return []lifecycle.Event{ev}, nil
	})
}

// Life is the part of a stored case the life cycle decides on.
func Life(c localdb.Case) lifecycle.Case {
	st := lifecycle.Status(c.Life)
	if st == "" {
		st = lifecycle.Received // a kiosk case before the window took it on
	}
	return lifecycle.Case{Number: c.Number, Status: st}
}

// ErrChanged is a step on a case that changed since it was read (another window took a step).
var ErrChanged = errors.New("the case changed meanwhile; look at it again")

// steps applies the events plan makes, in order, to the stored case, and stores and uploads them in
// one transaction; a refusal of any of them changes nothing.
func (s *Service) steps(number string, by staff.Session, action string, plan func(localdb.Case, lifecycle.Case) ([]lifecycle.Event, error)) (localdb.Case, error) {
	a := s.Apply
	now := a.Clock.Now()
	c, err := a.DB.Case(number)
	if err != nil {
		return localdb.Case{}, fmt.Errorf("case %s: %w", number, err)
	}
	life := Life(c)
	evs, err := plan(c, life)
	if err != nil {
		return localdb.Case{}, fmt.Errorf("case %s: %w", number, err)
	}
	applicant := ""
	if c.Person != nil {
		applicant = c.Person.Name
	}
	result, handOverTo := "", ""
	for _, ev := range evs {
		ev.Actor, ev.Role = by.ID, by.Role
		if ev.At.IsZero() {
			ev.At = now
		}
		if ev.HandOver != nil && ev.HandOver.At.IsZero() {
			ev.HandOver.At = now
		}
		if ev.FollowUp != nil && ev.FollowUp.At.IsZero() {
			ev.FollowUp.At = now
		}
		ev.Reason = norm.NFC.String(strings.TrimSpace(ev.Reason))
		if life, err = lifecycle.Apply(life, ev); err != nil {
			return localdb.Case{}, fmt.Errorf("case %s: %w", number, err)
		}
		if ev.To == lifecycle.ResultBack {
			result = ev.Reason
		}
		if ev.HandOver != nil && ev.HandOver.To != applicant {
			handOverTo = norm.NFC.String(strings.TrimSpace(ev.HandOver.To))
		}
	}
	steps := storedSteps(life.History)
	payload, err := stepsPayload(number, steps)
	if err != nil {
		return localdb.Case{}, fmt.Errorf("case %s: %w", number, err)
	}
	var out localdb.Case
	rec := a.DB.CaseChange(number, func(cur *localdb.Case) error {
		if cur.Life != c.Life || len(cur.Steps) != len(c.Steps) {
			return ErrChanged
		}
		cur.Steps = append(cur.Steps, steps...)
		cur.Life, cur.UpdatedAt = string(life.Status), now.UTC()
		if result != "" {
			cur.Result = result
		}
		if handOverTo != "" && cur.Person != nil {
			cur.Person.HandOverTo = handOverTo
		}
		if life.Status == lifecycle.Closed && cur.ClosedAt.IsZero() {
			cur.ClosedAt = now.UTC()
		}
		out = *cur
		return nil
	})
	if _, err := a.DB.SubmitAll(rec, localdb.Upload{Kind: api.KindCaseStep, Payload: payload}); err != nil {
		return localdb.Case{}, fmt.Errorf("case %s: %w", number, err)
	}
	s.audit(by, action, number)
	if a.Log != nil {
		a.Log.Info("case step", "case", number, "to", life.Status, "staff", by.ID)
	}
	s.kick()
	return out, nil
}

// storedSteps turns the life cycle's history into the store's and the upload's steps.
func storedSteps(h []lifecycle.Entry) []localdb.CaseStep {
	out := make([]localdb.CaseStep, 0, len(h))
	for _, e := range h {
		st := localdb.CaseStep{From: string(e.From), To: string(e.To), Actor: e.Actor, Role: e.Role, Reason: e.Reason, At: e.At.UTC()}
		if e.HandOver != nil {
			st.How = string(e.HandOver.How)
		}
		if e.FollowUp != nil {
			st.Result = e.FollowUp.Result
		}
		if e.To == lifecycle.ResultBack {
			st.Result, st.Reason = e.Reason, ""
		}
		out = append(out, st)
	}
	return out
}

func stepsPayload(number string, steps []localdb.CaseStep) ([]byte, error) {
	p := api.CaseStepPayload{Number: number}
	for _, st := range steps {
		p.Steps = append(p.Steps, api.CaseStep{From: st.From, To: st.To, Actor: st.Actor, Role: st.Role,
			Reason: st.Reason, How: st.How, Result: st.Result, At: st.At})
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	if err := api.Validate(api.KindCaseStep, raw); err != nil {
		return nil, err
	}
	return raw, nil
}

func (s *Service) kick() {
	if s.Apply.Kick != nil {
		s.Apply.Kick()
	}
}

func (s *Service) audit(by staff.Session, action, subject string) {
	if err := s.Apply.DB.Audit(by.ID, action, subject); err != nil && s.Apply.Log != nil {
		s.Apply.Log.Error("audit log", "action", action, "err", err)
	}
}

// Settle moves the window's forwarded cases on by what the township sent down (办结 is the result
// back, 不予受理 a refusal), with the township as the actor; nothing is uploaded, the township
// knows. It returns how many moved. Worklists does it too.
func (s *Service) Settle() (int, error) {
	cs, err := s.Apply.DB.Cases()
	if err != nil {
		return 0, err
	}
	return s.settle(cs)
}

// settle is Settle over cases already read, changing them in place as well as in the store.
func (s *Service) settle(cs []localdb.Case) (int, error) {
	n := 0
	for i, c := range cs {
		to, ok := lifecycle.FromTownship(c.Status)
		if !ok || lifecycle.Status(c.Life) != lifecycle.Forwarded {
			continue
		}
		err := s.Apply.DB.UpdateCase(c.Number, func(c *localdb.Case) error {
			life, err := lifecycle.Apply(Life(*c), lifecycle.Event{To: to, Actor: lifecycle.ActorTownship, Role: lifecycle.ActorTownship,
				Reason: c.Note, At: c.UpdatedAt})
			if err != nil {
				return err
			}
			c.Steps = append(c.Steps, storedSteps(life.History)...)
			c.Life = string(life.Status)
			if to == lifecycle.ResultBack {
				c.Result = c.Note
			}
			cs[i].Steps, cs[i].Life, cs[i].Result = c.Steps, c.Life, c.Result
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("settle case %s: %w", c.Number, err)
		}
		n++
	}
	return n, nil
}

// Find looks a case up by its number, or a resident's cases by ID number, newest first.
func (s *Service) Find(query string) ([]localdb.Case, error) {
	q, err := s.query(query)
	if err != nil {
		return nil, err
	}
	if q.Number != "" {
		c, err := s.Apply.DB.Case(q.Number)
		if errors.Is(err, localdb.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return []localdb.Case{c}, nil
	}
	cs, err := s.Apply.DB.CasesFor(q.IDNumber)
	slices.Reverse(cs)
	return cs, err
}

// query reads what staff typed into 办件's search (or a card gave): a case number, however
// typed, or an ID number.
func (s *Service) query(typed string) (api.CaseFindRequest, error) {
	q := strings.ToUpper(strings.TrimSpace(typed))
	if n, err := casenum.Parse(q, s.Apply.Clock.Now().Location()); err == nil {
		return api.CaseFindRequest{Number: n.String()}, nil
	}
	if api.ValidID(q) {
		return api.CaseFindRequest{IDNumber: q}, nil
	}
	return api.CaseFindRequest{}, ErrQuery
}

// ErrQuery is a search that is neither a case number nor an ID number.
var ErrQuery = errors.New("neither a case number nor an ID number")

// Lists are the window's worklists.
type Lists struct {
	Overdue, DueSoon, Open []localdb.Case
	// ToForward are cases collected on home visits and not yet forwarded, the soonest due first;
	// past their forwarding date they are in Overdue too.
	ToForward []localdb.Case
}

// Worklists lists the open cases of this window, after taking in the township's results (Settle):
// overdue (promise passed), due within soon working days, and all open ones, soonest promise first.
func (s *Service) Worklists(soon int) (Lists, error) {
	cs, err := s.Apply.DB.Cases()
	if err != nil {
		return Lists{}, err
	}
	if _, err := s.settle(cs); err != nil {
		return Lists{}, err
	}
	now := s.Apply.Clock.Now()
	until := now
	if s.Apply.Calendar != nil {
		until = s.Apply.Calendar.Add(now, soon)
	}
	byNumber := map[string]localdb.Case{}
	var dated []lifecycle.Dated
	for _, c := range cs {
		if (c.Channel != Channel && !c.Continued) || !lifecycle.Open(lifecycle.Status(c.Life)) {
			continue
		}
		byNumber[c.Number] = c
		promise := c.PromisedBy
		if by, _, ok := ForwardDue(c, now); ok {
			promise = by // what is due first is forwarding it
		}
		dated = append(dated, lifecycle.Dated{Number: c.Number, Status: lifecycle.Status(c.Life), Promise: promise})
	}
	pick := func(ds []lifecycle.Dated) []localdb.Case {
		out := make([]localdb.Case, 0, len(ds))
		for _, d := range ds {
			out = append(out, byNumber[d.Number])
		}
		return out
	}
	all := slices.Clone(dated)
	slices.SortFunc(all, func(a, b lifecycle.Dated) int { return a.Promise.Compare(b.Promise) })
	l := Lists{Overdue: pick(lifecycle.Overdue(dated, now)), DueSoon: pick(lifecycle.DueSoon(dated, now, until)), Open: pick(all)}
	for _, c := range l.Open {
		if _, _, ok := ForwardDue(c, now); ok {
			l.ToForward = append(l.ToForward, c)
		}
	}
	return l, nil
}

// Slip lays out the 受理单 of a case taken at the window, with its materials checklist.
func (s *Service) Slip(c localdb.Case, by staff.Session) ([]byte, error) {
	a := s.Apply
	it, _ := a.Catalog.Item(c.ItemCode)
	sl := docs.Slip{Hall: a.Cfg.Hall, CaseNumber: c.Number, Item: c.ItemName, Staff: by.ID + " " + by.Name,
		Accepted: c.CreatedAt.In(a.Clock.Now().Location())}
	if !c.OnTheSpot {
		sl.Promised = c.PromisedBy
	}
	if c.Person != nil {
		sl.Name, sl.IDNumber, sl.Proxy = c.Person.Name, c.Person.IDNumber, c.Person.ProxyName
	}
	for _, m := range it.Materials {
		if m.Required || slices.Contains(c.Received, m.Name) {
			sl.Materials = append(sl.Materials, docs.SlipMaterial{Name: m.Name, Received: slices.Contains(c.Received, m.Name)})
		}
	}
	return sl.Doc(a.Text).Bytes(a.Cfg.Paper)
}

// Due says when a case is promised, for lists: the date, and whether it has passed. A case
// collected on a home visit and not yet forwarded is due by its forwarding date.
func Due(c localdb.Case, now time.Time) (time.Time, bool) {
	if by, late, ok := ForwardDue(c, now); ok {
		return by, late
	}
	return c.PromisedBy, lifecycle.Open(lifecycle.Status(c.Life)) && now.After(c.PromisedBy)
}
