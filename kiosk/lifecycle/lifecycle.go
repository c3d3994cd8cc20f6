// Package lifecycle is a case's life from received to closed, as a state machine: which step may
// follow which, who may take it, and what it must carry (a reason to return or refuse, the details
// of a hand-over or a follow-up). The window offers only the steps Next allows; Apply refuses any
// other with a reason and leaves the case as it was. Results from the township move a case on
// through the same rules, with the actor "township".
package lifecycle

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"hallkiosk/kiosk/staff"
	"hallkiosk/township/api"
)

// Status is where a case is in its life.
type Status string

// The statuses, in the order a case normally goes.
const (
	Received   Status = "received"    // taken at a kiosk or a window, not yet checked
	Accepted   Status = "accepted"    // 受理: materials checked, the case is taken on
	Forwarded  Status = "forwarded"   // sent to the township (承诺件)
	ResultBack Status = "result_back" // the result is known (from the township, or 即办件 on the spot)
	Ready      Status = "ready"       // ready to hand over to the resident
	HandedOver Status = "handed_over" // 送达: the resident has it
	FollowedUp Status = "followed_up" // 回访: the resident was asked afterwards
	Closed     Status = "closed"
	Returned   Status = "returned" // 退回补正: something is missing or wrong; the resident may come back
	Refused    Status = "refused"  // 不予受理 or refused by the township
)

// Actors who are not staff roles.
const (
	ActorTownship = "township"
)

// The staff roles that take steps.
const (
	roleWorker = staff.RoleWorker
	roleHead   = staff.RoleHead
	roleAgent  = staff.RoleAgent
)

type step struct {
	from, to Status
	roles    []string
	reason   bool // a reason is required
	handOver bool // hand-over details are required
	followUp bool // follow-up details are required
}

var steps = []step{
	{Received, Accepted, []string{roleWorker, roleHead}, false, false, false},
	{Received, Returned, []string{roleWorker, roleHead}, true, false, false},
	{Received, Refused, []string{roleWorker, roleHead}, true, false, false},
	{Returned, Received, []string{roleWorker, roleHead, roleAgent}, false, false, false},
	{Returned, Closed, []string{roleHead}, true, false, false},
	{Accepted, Forwarded, []string{roleWorker, roleHead, roleAgent}, false, false, false},
	{Accepted, ResultBack, []string{roleWorker, roleHead}, false, false, false}, // 即办件, done on the spot
	{Forwarded, ResultBack, []string{ActorTownship}, false, false, false},
	{Forwarded, Refused, []string{ActorTownship}, true, false, false},
	{ResultBack, Ready, []string{roleWorker, roleHead}, false, false, false},
	{Ready, HandedOver, []string{roleWorker, roleHead, roleAgent}, false, true, false},
	{HandedOver, FollowedUp, []string{roleWorker, roleHead}, false, false, true},
	{HandedOver, Closed, []string{roleHead}, true, false, false}, // closed without a follow-up: say why
	{FollowedUp, Closed, []string{roleWorker, roleHead}, false, false, false},
	{Refused, Closed, []string{roleWorker, roleHead}, false, false, false},
}

// HandOverHow is how a result reached the resident.
type HandOverHow string

// Ways of hand-over.
const (
	Collected HandOverHow = "collected" // 自取
	Delivered HandOverHow = "delivered" // 送达上门
	Posted    HandOverHow = "posted"    // 邮寄
)

// HandOver is the 送达 record.
type HandOver struct {
	To  string      // who received it (the resident or a named family member)
	How HandOverHow //
	At  time.Time
}

// FollowUp is the 回访 record.
type FollowUp struct {
	Result string // what the resident said
	At     time.Time
}

// Event is one step a person (or the township) takes.
type Event struct {
	To       Status
	Actor    string // staff number or "township"
	Role     string // the actor's role: worker, head, agent, technician, or township
	Reason   string
	HandOver *HandOver
	FollowUp *FollowUp
	At       time.Time
}

// Entry is one step in a case's history.
type Entry struct {
	From, To Status
	Event
}

// Case is the part of a case the life cycle decides on.
type Case struct {
	Number   string
	Status   Status
	History  []Entry
	HandOver *HandOver
	FollowUp *FollowUp
}

// RefusedError says why a step is not allowed; nothing was changed.
type RefusedError struct {
	From, To Status
	Role     string
	Code     Refusal
	Why      string
}

// Refusal is why a step is refused, for the window to word.
type Refusal int

// The refusals.
const (
	NotAllowed    Refusal = iota // no such step from here (or the case is closed)
	WrongRole                    // the step is another role's
	NeedsReason                  // a reason is required
	NeedsResult                  // a result is required (即办件, follow-up)
	NeedsHandOver                // to whom, how and when
	NeedsActor                   // who takes it, and when
)

func (e *RefusedError) Error() string {
	return fmt.Sprintf("case step %s -> %s by %s refused: %s", e.From, e.To, e.Role, e.Why)
}

// ErrRefused matches every RefusedError.
var ErrRefused = errors.New("case step refused")

// Is lets errors.Is(err, ErrRefused) match.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

func find(from, to Status) (step, bool) {
	for _, s := range steps {
		if s.from == from && s.to == to {
			return s, true
		}
	}
	return step{}, false
}

// Next lists the steps role may take from status, for the window to offer.
func Next(from Status, role string) []Status {
	var out []Status
	for _, s := range steps {
		if s.from == from && slices.Contains(s.roles, role) {
			out = append(out, s.to)
		}
	}
	return out
}

// Needs says what a step from one status to another must carry, so the window asks for it before
// it offers the step: a reason, the hand-over's details, the follow-up's result.
func Needs(from, to Status) (reason, handOver, followUp bool) {
	s, ok := find(from, to)
	return ok && s.reason, ok && s.handOver, ok && s.followUp
}

// Apply takes one step. On a refusal the case comes back unchanged with a *RefusedError.
func Apply(c Case, ev Event) (Case, error) {
	refuse := func(code Refusal, why string) (Case, error) {
		return c, &RefusedError{From: c.Status, To: ev.To, Role: ev.Role, Code: code, Why: why}
	}
	s, ok := find(c.Status, ev.To)
	switch {
	case c.Status == Closed:
		return refuse(NotAllowed, "the case is closed")
	case !ok:
		return refuse(NotAllowed, fmt.Sprintf("a case %s cannot go to %s", c.Status, ev.To))
	case !slices.Contains(s.roles, ev.Role):
		return refuse(WrongRole, fmt.Sprintf("this step is for %s", strings.Join(s.roles, " or ")))
	case ev.Role != ActorTownship && ev.Actor == "":
		return refuse(NeedsActor, "the step needs the staff member who takes it")
	case s.reason && strings.TrimSpace(ev.Reason) == "":
		return refuse(NeedsReason, "this step needs a reason")
	case s.handOver && (ev.HandOver == nil || strings.TrimSpace(ev.HandOver.To) == "" || !validHow(ev.HandOver.How) || ev.HandOver.At.IsZero()):
		return refuse(NeedsHandOver, "a hand-over needs to whom, how (collected, delivered, posted) and when")
	case s.followUp && (ev.FollowUp == nil || strings.TrimSpace(ev.FollowUp.Result) == "" || ev.FollowUp.At.IsZero()):
		return refuse(NeedsResult, "a follow-up needs its result and when")
	case ev.At.IsZero():
		return refuse(NeedsActor, "the step needs its time")
	}
	out := c
	out.History = append(slices.Clip(c.History), Entry{From: c.Status, To: ev.To, Event: ev})
	out.Status = ev.To
	if ev.HandOver != nil && s.handOver {
		h := *ev.HandOver
		out.HandOver = &h
	}
	if ev.FollowUp != nil && s.followUp {
		f := *ev.FollowUp
		out.FollowUp = &f
	}
	return out, nil
}

func validHow(h HandOverHow) bool { return h == Collected || h == Delivered || h == Posted }

// FromTownship turns a status the township sends down (case_status) into the step it means for
// a forwarded case here, if any (api.ResultStep, the rule the township keeps too).
func FromTownship(status string) (Status, bool) {
	to, ok := api.ResultStep(status)
	return Status(to), ok
}

// Open reports whether a case still waits for the hall or the township (due dates apply).
func Open(s Status) bool {
	switch s {
	case Received, Accepted, Forwarded, ResultBack, Ready:
		return true
	}
	return false
}
