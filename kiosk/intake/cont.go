package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/lifecycle"
	"hallkiosk/kiosk/staff"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

// Township finds the village's kiosk cases for the window (*upload.Client is one). A kiosk's case
// lives in that kiosk's store; the township has it once it was uploaded, and the hall shares
// nothing else on the LAN but its queue.
type Township interface {
	FindCases(ctx context.Context, q api.CaseFindRequest) ([]api.FoundCase, error)
}

// Errors of a lookup at the township, for the window to word.
var (
	// ErrNoTownship is a window with no link to the township (not enrolled).
	ErrNoTownship = errors.New("this window has no link to the township")
	// ErrUnknownItem is a kiosk's case whose item is not in this window's catalog (an old catalog).
	ErrUnknownItem = errors.New("the case's item is not in this window's catalog")
)

// FindKiosk asks the township for kiosk cases of this village that the window may continue: by
// case number, or the applicant's ID number (a card on the reader). Nothing is stored.
func (s *Service) FindKiosk(ctx context.Context, query string) ([]api.FoundCase, error) {
	if s.Township == nil {
		return nil, ErrNoTownship
	}
	req, err := s.query(query)
	if err != nil {
		return nil, err
	}
	return s.Township.FindCases(ctx, req)
}

// Continue makes a draft of a kiosk's case to take on at the window: the applicant as the kiosk
// read them, the answers by the catalog's fields, the materials the resident did not say were
// missing ticked as received (staff untick what is not there).
func (s *Service) Continue(f api.FoundCase) (*Draft, error) {
	it, ok := s.Apply.Catalog.Item(f.ItemCode)
	if !ok {
		return nil, fmt.Errorf("continue %s: item %s: %w", f.Number, f.ItemCode, ErrUnknownItem)
	}
	d := NewDraft(it)
	d.Resident = &Resident{Name: f.Applicant.Name, IDNumber: f.Applicant.IDNumber, Address: f.Applicant.Address, IDType: f.Applicant.IDType}
	for _, fl := range it.Form {
		if v, ok := f.Form[fl.Label]; ok {
			d.Answers[fl.ID] = v
		}
	}
	if p := f.Applicant.Phone; p != "" && d.Answers["phone"] == "" {
		d.Answers["phone"] = p
	}
	for i, m := range it.Materials {
		d.Received[i] = !slices.Contains(f.Missing, m.Name)
	}
	found := f
	d.Continues = &found
	return d, nil
}

// takeOn accepts a kiosk's case the draft continues: its corrections and materials (case_amend)
// and the steps that take it on go up in one transaction with the window's own copy of the case.
func (s *Service) takeOn(d *Draft, by staff.Session) (localdb.Case, error) {
	a := s.Apply
	f := d.Continues
	now := a.Clock.Now()
	life := lifecycle.Case{Number: f.Number, Status: lifecycle.Status(f.Life)}
	var err error
	plan := []lifecycle.Status{lifecycle.Accepted}
	if life.Status == lifecycle.Returned {
		plan = append([]lifecycle.Status{lifecycle.Received}, plan...)
	}
	promised := now
	if !d.OnTheSpot {
		plan = append(plan, lifecycle.Forwarded)
		promised = a.Promised(d.Item, now)
	}
	for _, to := range plan {
		if life, err = lifecycle.Apply(life, lifecycle.Event{To: to, Actor: by.ID, Role: by.Role, At: now}); err != nil {
			return localdb.Case{}, err
		}
	}
	answers, labelled := apply.Answers(d.Item.Form, d.Answers)
	received := d.ReceivedNames()
	missing := d.Missing()
	amend, err := json.Marshal(api.CaseAmendPayload{Number: f.Number, Form: labelled, Missing: missing, Received: received, Actor: by.ID, At: now.UTC()})
	if err != nil {
		return localdb.Case{}, err
	}
	if err := api.Validate(api.KindCaseAmend, amend); err != nil {
		return localdb.Case{}, err
	}
	steps := storedSteps(life.History)
	stepPayload, err := stepsPayload(f.Number, steps)
	if err != nil {
		return localdb.Case{}, err
	}
	r := *d.Resident
	c := localdb.Case{Number: f.Number, ItemCode: d.Item.Code, ItemName: d.Item.Name, Status: localdb.StatusReceived, Missing: missing,
		Received: received, Continued: true, Life: string(life.Status), Steps: steps, OnTheSpot: d.OnTheSpot,
		CreatedAt: f.SubmittedAt.UTC(), PromisedBy: promised,
		Person: &localdb.Person{Name: r.Name, IDNumber: r.IDNumber, Address: r.Address, Phone: answers["phone"], Form: answers}}
	rec, err := a.DB.CaseRecord(c)
	if err != nil {
		return localdb.Case{}, err
	}
	if _, err := a.DB.SubmitAll(rec, localdb.Upload{Kind: api.KindCaseAmend, Payload: amend},
		localdb.Upload{Kind: api.KindCaseStep, Payload: stepPayload}); err != nil {
		return localdb.Case{}, err
	}
	s.audit(by, "case.take_on", f.Number)
	if a.Log != nil {
		a.Log.Info("kiosk case taken on at the window", "case", f.Number, "item", d.Item.Code, "staff", by.ID, "missing", len(missing))
	}
	s.kick()
	return c, nil
}
