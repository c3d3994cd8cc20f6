// Package apply is what a resident does at the self-service kiosk, without the screens: the session
// that holds the card and the answers in memory, and the service that turns a finished session into
// a durable case, a receipt, a rating, and the other self-service tasks (lookup, tickets, messages,
// votes). The UI asks it; it decides.
package apply

import (
	"strings"
	"time"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/text"
	"hallkiosk/township/api/mask"
)

// Session is one resident at the kiosk. The card's data lives here, in memory only, until Wipe
// (done, home, or the idle timeout); screens read it through the masked helpers.
type Session struct {
	card      *idcard.Card
	ItemCode  string
	Answers   map[string]string
	Have      map[int]bool // materials the resident ticked "I have it", by index
	Consented bool
}

// NewSession starts a session for an item.
func NewSession(itemCode string) *Session {
	return &Session{ItemCode: itemCode, Answers: map[string]string{}, Have: map[int]bool{}}
}

// SetCard keeps the card read for this session.
func (s *Session) SetCard(c idcard.Card) { s.card = &c }

// Card is the card of the session, nil when none was read or the session was wiped.
func (s *Session) Card() *idcard.Card { return s.card }

// HolderName is the name to use: the Chinese name, or the English one on cards without it.
func HolderName(c idcard.Card) string {
	if strings.TrimSpace(c.Name) != "" {
		return c.Name
	}
	return c.EnglishName
}

// MaskedName and MaskedID are what screens may show.
func (s *Session) MaskedName() string {
	if s.card == nil {
		return ""
	}
	return mask.Name(HolderName(*s.card))
}

// MaskedID is the masked ID number for screens.
func (s *Session) MaskedID() string {
	if s.card == nil {
		return ""
	}
	return mask.ID(s.card.IDNumber)
}

// Wipe forgets everything: the card (its photo bytes overwritten), the answers, the ticks, the
// consent. Nothing of the resident is reachable from the session afterwards.
func (s *Session) Wipe() {
	if s == nil {
		return
	}
	if s.card != nil {
		for i := range s.card.Photo {
			s.card.Photo[i] = 0
		}
		*s.card = idcard.Card{}
	}
	s.card = nil
	s.ItemCode = ""
	s.Answers = map[string]string{}
	s.Have = map[int]bool{}
	s.Consented = false
}

// Empty reports whether the session holds nothing of a resident (tests use it after a wipe).
func (s *Session) Empty() bool {
	return s == nil || (s.card == nil && len(s.Answers) == 0 && len(s.Have) == 0 && !s.Consented && s.ItemCode == "")
}

// Missing lists the required materials of item the resident has not ticked.
func (s *Session) Missing(it catalog.Item) []string {
	var missing []string
	for i, m := range it.Materials {
		if m.Required && !s.Have[i] {
			missing = append(missing, m.Name)
		}
	}
	return missing
}

// MaterialsOK is the one rule for going on without every required material: allowed when none
// is missing, or when the item takes 容缺受理 (submit now, bring the rest later). The materials
// screen enables 下一步 by it and Submit refuses by it.
func (s *Session) MaterialsOK(it catalog.Item) bool {
	return it.AllowIncomplete || len(s.Missing(it)) == 0
}

// CardProblem says, in Chinese, why a card cannot be used for an application, or "" if it can.
func CardProblem(s *text.Strings, c idcard.Card, now time.Time) string {
	if c.Expired(now) {
		return strings.ReplaceAll(s.Problems.CardExpired, "{date}", c.ValidTo.Format(s.Formats.Date))
	}
	if c.IDNumber == "" || HolderName(c) == "" {
		return s.Problems.CardIncomplete
	}
	return ""
}
