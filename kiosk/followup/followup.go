// Package followup is the station head's list of bad ratings (不满意, 非常不满意) and their follow-up:
// 回访核实 (the resident called back, what they said), then 整改 (what the hall changed) within a
// number of working days of the rating (default 5; local rules set 1 to 15). It decides what may
// be done next and by whom; each step is stored and uploaded in one transaction. The grade is the
// head's to see here: the staff member who served is never shown it (the window's other screens
// only know that a case was rated).
package followup

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/staff"
	"hallkiosk/kiosk/workday"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

// DefaultDays is how many working days 整改 may take unless configured.
const DefaultDays = 5

// CheckDays says whether a configured number of working days is one local rules use.
func CheckDays(n int) error {
	if n < 1 || n > 15 {
		return fmt.Errorf("follow-up days %d: local rules give 1 to 15 working days", n)
	}
	return nil
}

// Store is what the follow-up needs of the window's store (*localdb.DB is one).
type Store interface {
	Ratings() ([]localdb.Rating, error)
	Case(number string) (localdb.Case, error)
	FollowUps() ([]localdb.FollowUp, error)
	FollowUpRecord(f localdb.FollowUp) (localdb.Record, error)
	Submit(rec localdb.Record, kind string, payload []byte) (localdb.OutboxItem, error)
}

// Service keeps the follow-up list.
type Service struct {
	DB       Store
	Calendar *workday.Calendar
	Clock    clock.Clock
	// Days is the working days 整改 may take (DefaultDays when 0).
	Days int
	// Kick wakes the upload loop after a step is stored; may be nil.
	Kick func()
}

// Item is one bad rating and where its follow-up stands.
type Item struct {
	CaseNumber, ItemName string
	Grade                int
	Reasons              []string
	RatedAt, Due         time.Time
	Steps                []localdb.FollowUpStep
	// Next is the step to take now ("" when 整改 is recorded); Overdue when Due passed without it.
	Next    string
	Overdue bool
}

// Refusals, for the screen to word.
var (
	ErrNotHead  = errors.New("only the station head follows up bad ratings")
	ErrNoRating = errors.New("no bad rating of this case here")
	ErrDone     = errors.New("the follow-up is finished")
	ErrOrder    = errors.New("回访核实 comes before 整改")
	ErrNoNote   = errors.New("a follow-up step needs what was said or done")
)

func (s *Service) days() int {
	if s.Days == 0 {
		return DefaultDays
	}
	return s.Days
}

// due is the rating's time plus the working days, at the end of that day.
func (s *Service) due(rated time.Time) time.Time {
	loc := s.Clock.Now().Location()
	var d time.Time
	if s.Calendar != nil {
		d = s.Calendar.Add(rated.In(loc), s.days())
	} else {
		d = rated.In(loc).AddDate(0, 0, s.days()) // without a calendar: calendar days, never shorter
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, loc)
}

// List is every bad rating kept here with its follow-up: open ones first (overdue, then soonest
// due), finished ones after, newest first.
func (s *Service) List() ([]Item, error) {
	rs, err := s.DB.Ratings()
	if err != nil {
		return nil, fmt.Errorf("follow-up list: %w", err)
	}
	fs, err := s.DB.FollowUps()
	if err != nil {
		return nil, fmt.Errorf("follow-up list: %w", err)
	}
	steps := map[string]localdb.FollowUp{}
	for _, f := range fs {
		steps[f.CaseNumber] = f
	}
	now := s.Clock.Now()
	var out []Item
	for _, r := range rs {
		if r.Grade > 2 {
			continue
		}
		it := Item{CaseNumber: r.CaseNumber, Grade: r.Grade, Reasons: r.Reasons, RatedAt: r.CreatedAt, Due: s.due(r.CreatedAt)}
		if f, ok := steps[r.CaseNumber]; ok {
			it.Steps, it.Due = f.Steps, f.Due
		}
		if c, err := s.DB.Case(r.CaseNumber); err == nil {
			it.ItemName = c.ItemName
		}
		it.Next = next(it.Steps)
		it.Overdue = it.Next != "" && now.After(it.Due)
		out = append(out, it)
	}
	slices.SortFunc(out, func(a, b Item) int {
		switch {
		case (a.Next == "") != (b.Next == ""):
			if a.Next != "" {
				return -1
			}
			return 1
		case a.Next != "":
			return a.Due.Compare(b.Due)
		}
		return b.RatedAt.Compare(a.RatedAt)
	})
	return out, nil
}

func next(steps []localdb.FollowUpStep) string {
	switch {
	case len(steps) == 0:
		return api.FollowUpVerified
	case steps[len(steps)-1].Step == api.FollowUpVerified:
		return api.FollowUpRectified
	}
	return ""
}

// Record takes the next step of a case's follow-up (step is api.FollowUpVerified or
// api.FollowUpRectified) with its note, stores it and queues it for the township together.
func (s *Service) Record(caseNumber, step, note string, by staff.Session) (Item, error) {
	if by.Role != staff.RoleHead {
		return Item{}, ErrNotHead
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return Item{}, ErrNoNote
	}
	list, err := s.List()
	if err != nil {
		return Item{}, err
	}
	i := slices.IndexFunc(list, func(it Item) bool { return it.CaseNumber == caseNumber })
	if i < 0 {
		return Item{}, ErrNoRating
	}
	it := list[i]
	switch {
	case it.Next == "":
		return Item{}, ErrDone
	case step != it.Next:
		return Item{}, ErrOrder
	}
	now := s.Clock.Now().UTC()
	st := localdb.FollowUpStep{Step: step, Actor: by.ID, Note: note, At: now}
	f := localdb.FollowUp{CaseNumber: caseNumber, Due: it.Due.UTC(), Steps: append(slices.Clone(it.Steps), st)}
	payload, err := json.Marshal(api.RatingFollowUpPayload{CaseNumber: caseNumber, Step: step, Actor: by.ID, Note: note, Due: it.Due.UTC(), At: now})
	if err != nil {
		return Item{}, err
	}
	// The township's own check (length, characters, no ID number): refused here, not in quarantine.
	if err := api.Validate(api.KindRatingFollowUp, payload); err != nil {
		return Item{}, fmt.Errorf("follow-up of %s: %w", caseNumber, err)
	}
	rec, err := s.DB.FollowUpRecord(f)
	if err != nil {
		return Item{}, err
	}
	if _, err := s.DB.Submit(rec, api.KindRatingFollowUp, payload); err != nil {
		return Item{}, fmt.Errorf("follow-up of %s: %w", caseNumber, err)
	}
	if s.Kick != nil {
		s.Kick()
	}
	it.Steps, it.Next = f.Steps, next(f.Steps)
	it.Overdue = it.Next != "" && s.Clock.Now().After(it.Due)
	return it, nil
}
