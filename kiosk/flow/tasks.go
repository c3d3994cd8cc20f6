package flow

import (
	"time"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/text"
	"hallkiosk/localdb"
	"hallkiosk/township/api/casenum"
)

// Lookup is 办件查询: a case number typed on the keypad, or the cases of the card laid down.
type Lookup struct {
	Entry   casenum.Entry
	Cases   []localdb.Case
	Looked  bool   // a search ran: show its result (none is a result)
	Problem string // a card that could not be read
}

// Number is the typed case number, ok when whole (the search button's state).
func (l *Lookup) Number(loc *time.Location) (string, bool) { return l.Entry.Number(loc) }

// Found records a search's result.
func (l *Lookup) Found(cs []localdb.Case) { l.Cases, l.Looked, l.Problem = cs, true, "" }

// Ticket is 取号: the business picked and the ticket taken.
type Ticket struct {
	Ticket  localdb.Ticket
	Problem string // the ticket could not be taken
	Print   Print
}

// Taken reports whether a ticket was taken (the screen then shows its number).
func (t *Ticket) Taken() bool { return t.Ticket.Number != "" }

// Message is 群众留言: a topic, phrases, and an optional phone for the reply.
type Message struct {
	Topic    string
	Phrases  []string
	AskPhone bool
	Phone    string
	Problem  string
}

// PhoneMax is how many digits the phone keypad takes (a landline with its area code).
const PhoneMax = 12

// PickTopic chooses the topic; the phrases come next.
func (m *Message) PickTopic(t string) { m.Topic = t }

// TogglePhrase adds or removes a phrase.
func (m *Message) TogglePhrase(p string) { m.Phrases = toggle(m.Phrases, p) }

// Picked reports whether a phrase is in the message.
func (m *Message) Picked(p string) bool { return contains(m.Phrases, p) }

// CanGoOn reports whether the phrases step may move to the phone (at least one phrase).
func (m *Message) CanGoOn() bool { return m.Topic != "" && len(m.Phrases) > 0 }

// ToPhone moves to the phone step.
func (m *Message) ToPhone() bool {
	if !m.CanGoOn() {
		return false
	}
	m.AskPhone = true
	return true
}

// Back goes one step back; false leaves the task.
func (m *Message) Back() bool {
	switch {
	case m.AskPhone:
		m.AskPhone, m.Phone, m.Problem = false, "", ""
	case m.Topic != "":
		m.Topic, m.Phrases = "", nil
	default:
		return false
	}
	return true
}

// Digit types a digit of the phone number.
func (m *Message) Digit(d string) {
	if len(m.Phone) < PhoneMax {
		m.Phone += d
	}
}

// Delete removes the last digit.
func (m *Message) Delete() {
	if m.Phone != "" {
		m.Phone = m.Phone[:len(m.Phone)-1]
	}
}

// Poll is 投票表决: the poll picked and the card of the resident voting.
type Poll struct {
	ID      string
	card    *idcard.Card
	Problem string
}

// Pick opens a poll.
func (p *Poll) Pick(id string) { p.ID, p.Problem = id, "" }

// Card takes the voter's card; a card that cannot vote leaves the reason in Problem.
func (p *Poll) Card(s *text.Strings, c idcard.Card, now time.Time) bool {
	if prob := apply.CardProblem(s, c, now); prob != "" {
		p.Problem = prob
		return false
	}
	p.card, p.Problem = &c, ""
	return true
}

// Voter is the card of the resident voting, nil before the card is laid.
func (p *Poll) Voter() *idcard.Card { return p.card }

// Back leaves the poll for the list; false leaves the task.
func (p *Poll) Back() bool {
	if p.ID == "" {
		return false
	}
	p.ID, p.Problem = "", ""
	p.wipe()
	return true
}

func (p *Poll) wipe() {
	if p.card != nil {
		*p.card = idcard.Card{}
	}
	p.card = nil
}

// Rating is 好差评 of one case: a grade, and for a bad one what was wrong.
type Rating struct {
	Case    string
	Grade   int
	Reasons []string
}

// Bad reports whether the grade is a 差评, which asks what was wrong.
func (r *Rating) Bad() bool { return r.Grade != 0 && apply.Bad(r.Grade) }

// SetGrade picks the grade; a good one is ready to send at once.
func (r *Rating) SetGrade(g int) { r.Grade, r.Reasons = g, nil }

// ToggleReason adds or removes a reason.
func (r *Rating) ToggleReason(s string) { r.Reasons = toggle(r.Reasons, s) }

// Picked reports whether a reason is chosen.
func (r *Rating) Picked(s string) bool { return contains(r.Reasons, s) }

// Ready reports whether the rating can be sent: a good grade, or a bad one with a reason.
func (r *Rating) Ready() bool { return r.Grade != 0 && (!r.Bad() || len(r.Reasons) > 0) }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func toggle(list []string, s string) []string {
	if !contains(list, s) {
		return append(list, s)
	}
	var out []string
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}
