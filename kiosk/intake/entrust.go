package intake

import (
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"hallkiosk/kiosk/lifecycle"
	"hallkiosk/kiosk/staff"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
	"hallkiosk/township/api/textrule"
)

// DefaultForwardDays is the working days a 网格员 has from a home visit to forward what they
// collected to the township, where the county sets no other number.
const DefaultForwardDays = 3

// RelationStaff is the relation of a proxy who is the hall's own staff, by role: a 网格员 (agent
// role) or any other member of staff acting as 代办员.
func RelationStaff(role string) string {
	if role == staff.RoleAgent {
		return "grid"
	}
	return "agent"
}

// checkEntrust lists what stops a 全程代办 case: a proxy who is there and is not the resident, the
// relation, the consent and the written entrustment, and for a home visit its day and place.
func (s *Service) checkEntrust(d *Draft) []Problem {
	e := d.Entrust
	if e == nil {
		return nil
	}
	t := s.Apply.Text.Intake
	var out []Problem
	add := func(field, msg string) { out = append(out, Problem{field, msg}) }
	switch {
	case e.Proxy == nil && e.StaffID == "":
		add(FieldProxy, t.NoProxy)
	case e.Proxy != nil && (e.Proxy.IDNumber == "" || e.Proxy.Name == ""):
		add(FieldProxy, s.Apply.Text.Problems.CardIncomplete)
	case e.Proxy != nil && d.Resident != nil && e.Proxy.IDNumber == d.Resident.IDNumber:
		add(FieldProxy, t.ProxyIsResident)
	}
	if !slices.Contains(api.ProxyRelations, e.Relation) {
		add(FieldProxy, t.NoRelation)
	}
	if !e.Consent {
		add(FieldProxy, t.NoConsent)
	}
	if !e.Written {
		add(FieldProxy, t.NoWritten)
	}
	if v := e.Visit; v != nil {
		now := s.Apply.Clock.Now()
		day := func(t time.Time) time.Time {
			y, m, dd := t.Date()
			return time.Date(y, m, dd, 0, 0, 0, 0, now.Location())
		}
		switch {
		case v.On.IsZero() || day(v.On).After(day(now)):
			add(FieldVisit, t.BadVisitDate)
		case day(v.On).Before(day(now).AddDate(0, -3, 0)):
			add(FieldVisit, t.OldVisitDate)
		}
		place := norm.NFC.String(strings.TrimSpace(v.Place))
		if place == "" {
			add(FieldVisit, t.NoVisitPlace)
		} else if textrule.Check("visit place", place, textrule.Line(200)) != nil {
			add(FieldVisit, strings.ReplaceAll(t.BadText, "{label}", t.VisitPlace))
		}
	}
	return out
}

// forwardBy is the last day a case collected on a home visit may be forwarded: the end of the
// ForwardDays-th working day after the visit.
func (s *Service) forwardBy(visit time.Time) time.Time {
	n := s.ForwardDays
	if n == 0 {
		n = DefaultForwardDays
	}
	y, m, d := visit.Date()
	end := time.Date(y, m, d, 23, 59, 59, 0, visit.Location())
	if s.Apply.Calendar == nil {
		return end.AddDate(0, 0, n)
	}
	return s.Apply.Calendar.Add(end, n)
}

// entrustment is the draft's record as it travels and as it is stored.
func (s *Service) entrustment(d *Draft) (*api.Entrustment, *localdb.Entrust, localdb.Person) {
	e := d.Entrust
	if e == nil {
		return nil, nil, localdb.Person{}
	}
	wire := &api.Entrustment{ProxyStaff: e.StaffID, Relation: e.Relation, Consent: e.Consent, Written: e.Written}
	kept := &localdb.Entrust{Relation: e.Relation, Staff: e.StaffID, Consent: e.Consent, Written: e.Written}
	var person localdb.Person
	if e.Proxy != nil {
		wire.ProxyName, wire.ProxyIDNumber, wire.ProxyIDType = e.Proxy.Name, e.Proxy.IDNumber, e.Proxy.IDType
		person.ProxyName, person.ProxyIDNumber = e.Proxy.Name, e.Proxy.IDNumber
	} else {
		wire.ProxyName = e.StaffName
		person.ProxyName = e.StaffName
	}
	if v := e.Visit; v != nil {
		by := s.forwardBy(v.On)
		wire.VisitedOn, wire.VisitPlace, wire.ForwardBy = v.On.Format(time.DateOnly), norm.NFC.String(strings.TrimSpace(v.Place)), by.UTC()
		kept.VisitedOn, kept.ForwardBy = wire.VisitedOn, by.UTC()
		person.VisitPlace = wire.VisitPlace
	}
	return wire, kept, person
}

// ForwardDue says by when a collected case must be forwarded and whether that has passed; ok is
// false for a case that is not waiting to be forwarded.
func ForwardDue(c localdb.Case, now time.Time) (by time.Time, late, ok bool) {
	if c.Entrust == nil || c.Entrust.ForwardBy.IsZero() {
		return time.Time{}, false, false
	}
	switch lifecycle.Status(c.Life) {
	case lifecycle.Received, lifecycle.Accepted:
		return c.Entrust.ForwardBy, now.After(c.Entrust.ForwardBy), true
	}
	return time.Time{}, false, false
}
