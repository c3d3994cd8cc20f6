package api

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"hallkiosk/township/api/textrule"
)

// Kinds of change on the feed.
const (
	ChangeCatalog            = "catalog"
	ChangeDisclosure         = "disclosure"
	ChangeDisclosureWithdraw = "disclosure_withdraw"
	ChangePoll               = "poll"
	ChangeCaseStatus         = "case_status"
	ChangeMessageReply       = "message_reply"
	// ChangeStaff is a hall's staff account as the township keeps it: number, name, role, disabled.
	// It never carries a PIN: the member of staff chooses one at the window (see README).
	ChangeStaff = "staff"
)

// PublishedKinds are the kinds the township's admin may publish; case_status comes from set-status.
var PublishedKinds = []string{ChangeCatalog, ChangeDisclosure, ChangeDisclosureWithdraw, ChangePoll, ChangeMessageReply, ChangeStaff}

// changeRules: every string of a change's payload has a length limit; the fields a resident reads
// in one line are one line. A path not listed takes the kind's default.
var changeRules = map[string]struct {
	def    textrule.Rule
	fields map[string]textrule.Rule
}{
	ChangeCatalog: {textrule.Lines(4000), nil},
	ChangeDisclosure: {textrule.Lines(10000), map[string]textrule.Rule{
		"id": textrule.Line(64), "title": textrule.Line(100), "category": textrule.Line(20)}},
	ChangePoll: {textrule.Lines(2000), map[string]textrule.Rule{
		"id": textrule.Required(64), "title": textrule.Required(100), "options[]": ruleOption}},
	ChangeCaseStatus:   {textrule.Lines(500), map[string]textrule.Rule{"number": textrule.Required(40), "status": textrule.Required(20), "note": RuleNote}},
	ChangeMessageReply: {textrule.Lines(1000), nil},
	ChangeStaff: {textrule.Line(30), map[string]textrule.Rule{
		"id": textrule.Required(20), "name": textrule.Required(30), "role": textrule.Required(20)}},
}

// MaxChangeKey is the longest key of a change, in characters.
const MaxChangeKey = 64

// ValidateChange applies the text rule to a change of the feed: its key and every string of its
// payload. The township checks what it publishes, and a kiosk checks what it pulls before it stores
// or shows any of it. Kinds this version does not know pass (a kiosk skips them anyway).
func ValidateChange(kind, key string, payload []byte) error {
	if err := textrule.Check("key", key, textrule.Required(MaxChangeKey)); err != nil {
		return fmt.Errorf("%s change: %w", kind, err)
	}
	rules, ok := changeRules[kind]
	if !ok || (kind == ChangeDisclosureWithdraw && len(payload) == 0) {
		return nil
	}
	rule := func(path string) textrule.Rule {
		if r, ok := rules.fields[path]; ok {
			return r
		}
		return rules.def
	}
	if err := textrule.JSON("payload", payload, rule, 64); err != nil {
		return fmt.Errorf("%s change %s: %w", kind, textrule.Escape(key), err)
	}
	if kind == ChangeStaff {
		_, err := ValidateStaff(key, payload)
		return err
	}
	return nil
}

// ValidatePoll checks a poll before the township publishes it: the ones a vote is counted against.
func ValidatePoll(key string, payload []byte) (PollPayload, error) {
	var p PollPayload
	if err := DecodeStrict(payload, &p); err != nil {
		return p, fmt.Errorf("poll %s: %w", textrule.Escape(key), err)
	}
	seen := map[string]bool{}
	for _, o := range p.Options {
		if seen[o] {
			return p, fmt.Errorf("poll %s: option %q is listed twice", key, o)
		}
		seen[o] = true
	}
	switch {
	case p.ID != key:
		return p, fmt.Errorf("poll %s: id %q must be the key it is published under", textrule.Escape(key), textrule.Escape(p.ID))
	case len(p.Options) < 2 || len(p.Options) > 20:
		return p, fmt.Errorf("poll %s: %d options, a poll has 2 to 20", key, len(p.Options))
	case p.OpensAt.IsZero() || !p.ClosesAt.After(p.OpensAt):
		return p, fmt.Errorf("poll %s: opens_at and a later closes_at are required", key)
	}
	return p, nil
}

// MessageReply is the village's answer to a resident's message (change kind "message_reply",
// keyed by the message's id).
type MessageReply struct {
	Reply string    `json:"reply"`
	At    time.Time `json:"at"`
}

// ValidPublishKind says whether the admin may publish kind, and what may be.
func ValidPublishKind(kind string) error {
	for _, k := range PublishedKinds {
		if k == kind {
			return nil
		}
	}
	return fmt.Errorf("cannot publish kind %q (use %s)", textrule.Escape(kind), strings.Join(PublishedKinds, ", "))
}

// Staff roles: who may do what at the window (kiosk/staff and kiosk/lifecycle decide what).
const (
	RoleWorker     = "worker"     // 全科社工: any service item
	RoleHead       = "head"       // 站长: figures, approvals, follow-up of bad ratings, accounts
	RoleAgent      = "agent"      // 网格员 / 代办员: brings in what was collected at homes
	RoleTechnician = "technician" // devices and uploads
)

// ValidRole says whether r is one of the staff roles.
func ValidRole(r string) bool {
	return r == RoleWorker || r == RoleHead || r == RoleAgent || r == RoleTechnician
}

// StaffPayload is a staff account on the feed (kind staff, keyed by the staff number), for the
// village whose hall it works in. A hall takes the number, name and role and keeps its own PIN.
type StaffPayload struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Disabled bool   `json:"disabled,omitempty"`
}

// ValidateStaff checks a staff account before the township publishes it and before a hall stores it.
func ValidateStaff(key string, payload []byte) (StaffPayload, error) {
	var p StaffPayload
	if err := DecodeStrict(payload, &p); err != nil {
		return p, fmt.Errorf("staff %s: %w", textrule.Escape(key), err)
	}
	switch {
	case p.ID != key:
		return p, fmt.Errorf("staff %s: id %q must be the key it is published under", textrule.Escape(key), textrule.Escape(p.ID))
	case p.Name == "":
		return p, fmt.Errorf("staff %s: a name is required", textrule.Escape(key))
	case !ValidRole(p.Role):
		return p, fmt.Errorf("staff %s: role %q (use worker, head, agent or technician)", textrule.Escape(key), textrule.Escape(p.Role))
	case HasIDNumber(p.ID):
		return p, errors.New("staff: a staff number must not be an ID number")
	}
	return p, nil
}
