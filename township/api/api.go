// Package api holds the wire types of the township service's HTTP API (version 1, under /v1) and
// the request signing both sides share. The kiosk and the township import it; nothing else.
package api

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"hallkiosk/township/api/casenum"
	"hallkiosk/township/api/textrule"
)

// Paths of the device API. Everything but Info and Enrol is signed (see Sign).
const (
	PathInfo    = "/v1/info"
	PathEnrol   = "/v1/enrol"
	PathBatch   = "/v1/batch"
	PathChanges = "/v1/changes"
	PathUpdates = "/v1/updates/"     // the TUF repository, plain files (hallkiosk-update publish)
	PathOpenAPI = "/v1/openapi.json" // the contract: every endpoint, field, limit and error
)

// Info is what the service advertises, so a kiosk sizes its batches to what will be taken.
type Info struct {
	Service       string    `json:"service"`
	APIVersion    string    `json:"api_version"`
	Time          time.Time `json:"time"`
	MaxBatchItems int       `json:"max_batch_items"`
	MaxBodyBytes  int64     `json:"max_body_bytes"`
	MaxSkew       Duration  `json:"max_skew"`
	Kinds         []string  `json:"kinds"`
}

// EnrolRequest trades a one-time code from the township admin for a device credential.
type EnrolRequest struct {
	Code string `json:"code"`
	Name string `json:"name"` // how the hall calls this kiosk, for the township's device list
	// LocalCode is the X code the kiosk numbered its cases with before it was enrolled
	// (casenum.LocalKioskCode); the township takes those cases from this device too.
	LocalCode string `json:"local_code,omitempty"`
}

// EnrolResponse is the device credential. Secret signs every later request; the kiosk keeps it in
// a file only its user can read.
type EnrolResponse struct {
	DeviceID string `json:"device_id"`
	Secret   []byte `json:"secret"`
	Village  string `json:"village"`
	Township string `json:"township"`
	// KioskCode is short and unique among the township's kiosks; it goes into case numbers.
	KioskCode string `json:"kiosk_code"`
	// VoteKey is the village's key for voter tokens (VoterToken): the same for every kiosk of the
	// village, so one resident has one token per poll at all of them.
	VoteKey []byte `json:"vote_key"`
}

// Item is one upload from a kiosk's outbox. Key is made by the kiosk once and kept across retries.
type Item struct {
	Key     string          `json:"key"`
	Kind    string          `json:"kind"`
	Payload json.RawMessage `json:"payload"`
}

// Batch is one POST to PathBatch.
type Batch struct {
	Items []Item `json:"items"`
}

// Per-item answers. Accepted and Duplicate both mean "the township has it": the kiosk removes the
// item. Conflict and Rejected are final: the kiosk quarantines the item with the reason.
const (
	Accepted  = "accepted"
	Duplicate = "duplicate" // same key, same content: a retry of something already taken
	Conflict  = "conflict"  // same key, different content (HTTP 409 semantics, per item)
	Rejected  = "rejected"  // invalid; Reason says what
)

// Result is the township's answer for one item.
type Result struct {
	Key    string `json:"key"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// BatchResponse answers a Batch item by item, in the same order. It is sent only after every
// accepted item is durable in the township's store.
type BatchResponse struct {
	Results []Result `json:"results"`
}

// Change is one entry of the changes feed. Seq grows; a kiosk asks for what comes after the last
// Seq it applied.
type Change struct {
	Seq     uint64          `json:"seq"`
	Kind    string          `json:"kind"` // catalog, disclosure, disclosure_withdraw, poll, case_status, message_reply
	Key     string          `json:"key"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// ChangesResponse is one page of the feed. Cursor is where the next page starts (it passes changes
// meant for other villages, so it can be past the last Change); More says to ask again at once.
type ChangesResponse struct {
	Changes []Change `json:"changes"`
	Cursor  uint64   `json:"cursor"`
	More    bool     `json:"more"`
}

// Error codes in an Error body. A kiosk stops its queue on the auth and clock ones, because every
// item would fail the same way, and raises an alarm for a technician.
const (
	ErrBadRequest    = "bad_request" // a request the API cannot read: missing headers, bad query
	ErrBadJSON       = "bad_json"    // the body is not the JSON document the endpoint takes
	ErrInvalidField  = "invalid_field"
	ErrInvalidItems  = "invalid_items" // every item of a batch was rejected; results say why
	ErrNotFound      = "not_found"
	ErrMethod        = "method_not_allowed"
	ErrRateLimited   = "rate_limited"
	ErrTooLarge      = "too_large"
	ErrMediaType     = "unsupported_media_type" // a body not sent as application/json
	ErrUnauthorized  = "unauthorized"           // missing or bad signature, unknown device
	ErrRevoked       = "revoked"
	ErrClockSkew     = "clock_skew"
	ErrReplay        = "replay"
	ErrBadCode       = "bad_code" // enrolment code unknown, used or expired
	ErrServerFailure = "server_error"
)

// Error is the body of every 4xx and 5xx answer.
type Error struct {
	Code       string    `json:"code"`
	Message    string    `json:"message"`
	ServerTime time.Time `json:"server_time"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Duration is a time.Duration written as "5m0s" in JSON.
type Duration time.Duration

// MarshalJSON writes the Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads the Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// Kinds of upload and their payloads.
const (
	KindCase    = "case"
	KindTicket  = "ticket"
	KindRating  = "rating"
	KindMessage = "message"
	KindVote    = "vote"
	// KindCaseStep is a step in a case's life taken at the hall (受理, 办结, 送达, 回访, ...).
	KindCaseStep = "case_step"
	// KindAudit is one line of a device's append-only audit log (staff sign-ins, their actions).
	KindAudit = "audit"
	// KindRatingFollowUp is a step of the follow-up of a bad rating (回访核实, 整改), by the hall.
	KindRatingFollowUp = "rating_followup"
	// KindCaseAmend is a window's corrections and materials on a kiosk's case it takes on.
	KindCaseAmend = "case_amend"
	// KindDisplay is the wall's proof of display: an item stood on it from one moment to another.
	KindDisplay = "display"
)

// KnownKinds lists the kinds the township takes.
var KnownKinds = []string{KindCase, KindTicket, KindRating, KindMessage, KindVote, KindCaseStep, KindAudit, KindRatingFollowUp, KindCaseAmend, KindDisplay}

// idNumberRun is a run of digits as long as a resident ID number (18, the last maybe X; or the old 15).
var idNumberRun = regexp.MustCompile(`[0-9]{17}[0-9Xx]|[0-9]{15}`)

// HasIDNumber reports whether s holds what may be a resident's ID number whole: such text is kept
// out of logs that leave the device.
func HasIDNumber(s string) bool { return idNumberRun.MatchString(s) }

// AuditPayload is one line of a device's audit log, as the device numbered it: the township keeps
// each (device, seq) once, so the log it holds is the device's, in order, with any gap visible.
// Actor is a staff number (or "system", "setup", "card"); subjects are staff numbers, case numbers,
// outbox numbers: never a resident's name or ID number.
type AuditPayload struct {
	Seq     uint64    `json:"seq"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Subject string    `json:"subject,omitempty"`
}

// Applicant is the resident a case is for. It travels whole because the township handles the case.
type Applicant struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	// IDType is the card's type code: "" or "resident" (居民身份证), "J" (港澳台居民居住证), "I" (外国人
	// 永久居留身份证, 2017 layout: 15 characters) or "Y" (its 2023 layout).
	IDType  string `json:"id_type,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Address string `json:"address,omitempty"`
}

// CasePayload is a resident's application.
type CasePayload struct {
	Number    string            `json:"number"`
	ItemCode  string            `json:"item_code"`
	ItemName  string            `json:"item_name"`
	Applicant Applicant         `json:"applicant"`
	Form      map[string]string `json:"form,omitempty"`
	Missing   []string          `json:"missing,omitempty"`
	Proxy     bool              `json:"proxy,omitempty"`
	// Entrustment is the record of a 全程代办 case (Proxy is then true): who brought it for whom.
	Entrustment *Entrustment `json:"entrustment,omitempty"`
	SubmittedAt time.Time    `json:"submitted_at"`
	PromisedBy  time.Time    `json:"promised_by"`
	// Channel is where it was taken: "" (the self-service kiosk) or "window" (综合窗口).
	Channel string `json:"channel,omitempty"`
	// OnTheSpot marks a 即办件, done at the window; the rest are 承诺件 for the township.
	OnTheSpot bool `json:"on_the_spot,omitempty"`
}

// ProxyRelations are what a proxy may be to the resident (代办人与申请人关系): spouse, child, parent,
// sibling, another relative, the village's 网格员, a 代办员, someone else.
var ProxyRelations = []string{"spouse", "child", "parent", "sibling", "relative", "grid", "agent", "other"}

// Entrustment is who brought a case for the resident and on what terms. The proxy is a person
// with an ID number, or a member of the hall's staff (a 网格员 collecting at homes, by staff
// number); the resident consented, and the written entrustment (授权委托书) is kept as a material.
type Entrustment struct {
	ProxyName     string `json:"proxy_name"`
	ProxyIDNumber string `json:"proxy_id_number,omitempty"`
	ProxyIDType   string `json:"proxy_id_type,omitempty"`
	ProxyStaff    string `json:"proxy_staff,omitempty"`
	Relation      string `json:"relation"`
	Consent       bool   `json:"consent"`
	Written       bool   `json:"written"`
	// VisitedOn and VisitPlace are the home visit (上门收件) of a case collected by a 网格员; the
	// hall must forward it by ForwardBy (working days after the visit).
	VisitedOn  string    `json:"visited_on,omitempty"`
	VisitPlace string    `json:"visit_place,omitempty"`
	ForwardBy  time.Time `json:"forward_by,omitzero"`
}

// CaseStepPayload is one staff action on a case at the hall: one or more steps of its life, in
// order (a 即办件 done on the spot is three: result, ready, handed over).
type CaseStepPayload struct {
	Number string     `json:"number"`
	Steps  []CaseStep `json:"steps"`
}

// CaseStep is one step: from which status to which, who took it, and what it carries. Statuses
// are kiosk/lifecycle's; no person's name travels here.
type CaseStep struct {
	From   string    `json:"from"`
	To     string    `json:"to"`
	Actor  string    `json:"actor"`
	Role   string    `json:"role"`
	Reason string    `json:"reason,omitempty"`
	How    string    `json:"how,omitempty"`
	Result string    `json:"result,omitempty"`
	At     time.Time `json:"at"`
}

// CaseLifeStatuses are the statuses a step may name, in their usual order.
var CaseLifeStatuses = []string{"received", "accepted", "forwarded", "result_back", "ready", "handed_over",
	"followed_up", "closed", "returned", "refused"}

// ResultStep is the step a township result means for a case the hall forwarded: "done" (办结) is
// the result back, "rejected" (不予受理) a refusal; other statuses only confirm that the township
// has the case. Both sides take the step by it, so they agree where the case stands.
func ResultStep(status string) (to string, ok bool) {
	switch status {
	case "done":
		return "result_back", true
	case "rejected":
		return "refused", true
	}
	return "", false
}

// CaseStepRoles are the roles that take steps at the hall.
var CaseStepRoles = []string{"worker", "head", "agent", "technician"}

// HandOverWays are how a result reaches the resident: 自取, 送达上门, 邮寄.
var HandOverWays = []string{"collected", "delivered", "posted"}

// TicketPayload is a queue number taken at the kiosk.
type TicketPayload struct {
	Number   string    `json:"number"`
	Business string    `json:"business"`
	Day      string    `json:"day"`
	TakenAt  time.Time `json:"taken_at"`
}

// RatingPayload is a 好差评 for a case.
type RatingPayload struct {
	CaseNumber string    `json:"case_number"`
	Grade      int       `json:"grade"`
	Reasons    []string  `json:"reasons,omitempty"`
	RatedAt    time.Time `json:"rated_at"`
}

// Follow-up steps of a bad rating, in their order.
const (
	FollowUpVerified  = "verified"  // 回访核实: the resident was called back and said what happened
	FollowUpRectified = "rectified" // 整改: what the hall changed, within the due working days
)

// RatingFollowUpPayload is one step of the follow-up of a case's bad rating. Due is when 整改 is
// due (working days after the rating, as the hall's rule sets them). Note is staff's words and must
// not hold an ID number.
type RatingFollowUpPayload struct {
	CaseNumber string    `json:"case_number"`
	Step       string    `json:"step"`
	Actor      string    `json:"actor"`
	Note       string    `json:"note"`
	Due        time.Time `json:"due"`
	At         time.Time `json:"at"`
}

// MessagePayload is a resident's message to the village.
type MessagePayload struct {
	ID        string    `json:"id"`
	Topic     string    `json:"topic"`
	Text      string    `json:"text"`
	Phone     string    `json:"phone,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// VotePayload is one vote. Voter is an opaque token (VoterToken) that lets the township count one
// vote per resident per poll across the village's kiosks without learning who the resident is.
type VotePayload struct {
	PollID  string    `json:"poll_id"`
	Option  string    `json:"option"`
	Voter   string    `json:"voter"`
	VotedAt time.Time `json:"voted_at"`
}

// VoterToken is a resident's token for one poll: HMAC-SHA256 under the village's vote key of
// "vote|POLL|ID-NUMBER", base64url without padding. The same resident gets the same token at every
// kiosk of the village and a different one in every poll.
func VoterToken(voteKey []byte, pollID, idNumber string) string {
	m := hmac.New(sha256.New, voteKey)
	m.Write([]byte("vote|" + pollID + "|" + strings.ToUpper(idNumber)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// HallKey is the key the devices of one hall (one village's enrolment) sign their requests to the
// hall's queue service with: HMAC-SHA256 under the vote key of "hall|queue|v1". Every device of the
// village has the vote key from enrolment, no other device has it, and the label keeps the two uses
// apart (a voter token's message starts with "vote|").
func HallKey(voteKey []byte) []byte {
	m := hmac.New(sha256.New, voteKey)
	m.Write([]byte("hall|queue|v1"))
	return m.Sum(nil)
}

// PollPayload is a poll as the township publishes it (change kind "poll"). A vote counts only
// between OpensAt and ClosesAt, for one of Options.
type PollPayload struct {
	ID       string         `json:"id"`
	Title    string         `json:"title"`
	Body     string         `json:"body,omitempty"`
	Options  []string       `json:"options"`
	OpensAt  time.Time      `json:"opens_at"`
	ClosesAt time.Time      `json:"closes_at"`
	Results  map[string]int `json:"results,omitempty"`
}

// ErrInvalid marks an item the township rejects for good; the message says which field and why.
var ErrInvalid = errors.New("invalid item")

// Field rules of the upload kinds. README and the OpenAPI document give the same limits.
var (
	ruleItemCode     = textrule.Required(64)
	ruleItemName     = textrule.Required(100)
	ruleName         = textrule.Required(100)
	ruleAddress      = textrule.Line(200)
	ruleFormKey      = textrule.Required(64)
	ruleFormValue    = textrule.Lines(2000)
	ruleMissing      = textrule.Required(100)
	ruleTicket       = textrule.Required(16)
	ruleBusiness     = textrule.Required(40)
	ruleReason       = textrule.Required(40)
	ruleTopic        = textrule.Required(40)
	ruleText         = textrule.Rule{Min: 1, Max: 1000, Multiline: true}
	ruleOption       = textrule.Required(100)
	ruleActor        = textrule.Required(32)
	ruleAuditAction  = textrule.Required(64)
	ruleAuditSubject = textrule.Line(64)
	ruleStepText     = textrule.Lines(500)
	ruleFollowUpNote = textrule.Rule{Min: 1, Max: 500, Multiline: true}
	// RuleDeviceName is a kiosk's name in the township's device list.
	RuleDeviceName = textrule.Line(40)
	// RuleVillage is a village's name, as the admin gives it with an enrolment code.
	RuleVillage = textrule.Required(40)
	// RuleNote is the township's result note on a case, shown to the resident.
	RuleNote = textrule.Lines(500)
)

// Limits on lists inside payloads.
const (
	MaxFormFields = 100
	MaxMissing    = 50
	MaxReasons    = 10
	MaxSteps      = 10
	// VoterLen is the length of a voter token: 32 bytes of HMAC-SHA256, base64url without padding.
	VoterLen = 43
)

var idTypes = map[string]bool{"": true, "resident": true, "J": true, "I": true, "Y": true}

// Validate decodes and checks an item's payload by kind, strictly (unknown fields are refused), so a
// kiosk and the township agree on what a good item is. The error names the field, and the code
// point where one character is at fault.
func Validate(kind string, payload []byte) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalid, kind, fmt.Sprintf(format, a...))
	}
	dec := func(v any) error {
		if err := DecodeStrict(payload, v); err != nil {
			return bad("payload: %v", err)
		}
		return nil
	}
	var c checker
	switch kind {
	case KindCase:
		var p CasePayload
		if err := dec(&p); err != nil {
			return err
		}
		c.caseNumber("number", p.Number)
		c.text("item_code", p.ItemCode, ruleItemCode)
		c.text("item_name", p.ItemName, ruleItemName)
		c.text("applicant.name", p.Applicant.Name, ruleName)
		c.text("applicant.address", p.Applicant.Address, ruleAddress)
		switch {
		case c.err != nil:
		case !idTypes[p.Applicant.IDType]:
			c.fail("applicant.id_type %q must be empty, resident, J, I or Y", p.Applicant.IDType)
		case p.Applicant.IDType == "I" && !oldForeignID(p.Applicant.IDNumber):
			c.fail("applicant.id_number is not a 15-character permanent residence number")
		case p.Applicant.IDType != "I" && !validID(p.Applicant.IDNumber):
			c.fail("applicant.id_number is not an 18-character ID number with a valid check digit")
		case p.Applicant.Phone != "" && !digits(p.Applicant.Phone, 7, 15):
			c.fail("applicant.phone must be 7-15 digits")
		case p.SubmittedAt.IsZero():
			c.fail("submitted_at is required")
		case len(p.Form) > MaxFormFields:
			c.fail("form has %d fields, at most %d", len(p.Form), MaxFormFields)
		case len(p.Missing) > MaxMissing:
			c.fail("missing has %d entries, at most %d", len(p.Missing), MaxMissing)
		case p.Channel != "" && p.Channel != "window":
			c.fail("channel %q must be empty or window", textrule.Escape(p.Channel))
		}
		if e := p.Entrustment; e != nil && c.err == nil {
			c.entrustment(p, e)
		}
		c.form(p.Form)
		for i, m := range p.Missing {
			c.text(fmt.Sprintf("missing[%d]", i), m, ruleMissing)
		}
	case KindTicket:
		var p TicketPayload
		if err := dec(&p); err != nil {
			return err
		}
		c.text("number", p.Number, ruleTicket)
		c.text("business", p.Business, ruleBusiness)
		if _, err := time.Parse(time.DateOnly, p.Day); c.err == nil && err != nil {
			c.fail("day %q must be a date as YYYY-MM-DD", textrule.Escape(p.Day))
		}
		if c.err == nil && p.TakenAt.IsZero() {
			c.fail("taken_at is required")
		}
	case KindRating:
		var p RatingPayload
		if err := dec(&p); err != nil {
			return err
		}
		c.caseNumber("case_number", p.CaseNumber)
		switch {
		case c.err != nil:
		case p.Grade < 1 || p.Grade > 5:
			c.fail("grade %d must be from 1 to 5", p.Grade)
		case len(p.Reasons) > MaxReasons:
			c.fail("reasons has %d entries, at most %d", len(p.Reasons), MaxReasons)
		case p.RatedAt.IsZero():
			c.fail("rated_at is required")
		}
		for i, r := range p.Reasons {
			c.text(fmt.Sprintf("reasons[%d]", i), r, ruleReason)
		}
	case KindMessage:
		var p MessagePayload
		if err := dec(&p); err != nil {
			return err
		}
		c.token("id", p.ID, 64)
		c.text("topic", p.Topic, ruleTopic)
		c.text("text", p.Text, ruleText)
		if c.err == nil && p.Phone != "" && !digits(p.Phone, 7, 15) {
			c.fail("phone must be 7-15 digits")
		}
		if c.err == nil && p.CreatedAt.IsZero() {
			c.fail("created_at is required")
		}
	case KindVote:
		var p VotePayload
		if err := dec(&p); err != nil {
			return err
		}
		c.token("poll_id", p.PollID, 64)
		c.text("option", p.Option, ruleOption)
		if c.err == nil && (len(p.Voter) != VoterLen || !base64url(p.Voter)) {
			c.fail("voter must be the %d-character base64url token of the village's vote key (see VoterToken)", VoterLen)
		}
		if c.err == nil && p.VotedAt.IsZero() {
			c.fail("voted_at is required")
		}
	case KindCaseStep:
		var p CaseStepPayload
		if err := dec(&p); err != nil {
			return err
		}
		c.caseNumber("number", p.Number)
		if c.err == nil && (len(p.Steps) == 0 || len(p.Steps) > MaxSteps) {
			c.fail("steps has %d entries, 1 to %d", len(p.Steps), MaxSteps)
		}
		for i, st := range p.Steps {
			at := fmt.Sprintf("steps[%d]", i)
			switch {
			case c.err != nil:
			case !slices.Contains(CaseLifeStatuses, st.From):
				c.fail("%s.from %q is not a case status (%s)", at, textrule.Escape(st.From), strings.Join(CaseLifeStatuses, ", "))
			case !slices.Contains(CaseLifeStatuses, st.To):
				c.fail("%s.to %q is not a case status (%s)", at, textrule.Escape(st.To), strings.Join(CaseLifeStatuses, ", "))
			case i > 0 && st.From != p.Steps[i-1].To:
				c.fail("%s.from %s does not follow the step before it (to %s)", at, st.From, p.Steps[i-1].To)
			case !slices.Contains(CaseStepRoles, st.Role):
				c.fail("%s.role %q must be one of %s", at, textrule.Escape(st.Role), strings.Join(CaseStepRoles, ", "))
			case st.How != "" && !slices.Contains(HandOverWays, st.How):
				c.fail("%s.how %q must be one of %s", at, textrule.Escape(st.How), strings.Join(HandOverWays, ", "))
			case st.At.IsZero():
				c.fail("%s.at is required", at)
			}
			c.text(at+".actor", st.Actor, ruleActor)
			c.text(at+".reason", st.Reason, ruleStepText)
			c.text(at+".result", st.Result, ruleStepText)
		}
	case KindDisplay:
		var p DisplayPayload
		if err := dec(&p); err != nil {
			return err
		}
		c.text("item", p.Item, textrule.Required(MaxChangeKey))
		switch {
		case c.err != nil:
		case p.From.IsZero() || p.To.IsZero() || p.To.Before(p.From):
			c.fail("from and to are required, to not before from")
		case p.To.Sub(p.From) > 25*time.Hour:
			c.fail("a span is at most a day (the wall closes its spans at midnight)")
		}
	case KindCaseAmend:
		var p CaseAmendPayload
		if err := dec(&p); err != nil {
			return err
		}
		c.caseAmend(p)
	case KindRatingFollowUp:
		var p RatingFollowUpPayload
		if err := dec(&p); err != nil {
			return err
		}
		c.caseNumber("case_number", p.CaseNumber)
		if c.err == nil && p.Step != FollowUpVerified && p.Step != FollowUpRectified {
			c.fail("step %q must be %s or %s", textrule.Escape(p.Step), FollowUpVerified, FollowUpRectified)
		}
		c.text("actor", p.Actor, ruleActor)
		c.text("note", p.Note, ruleFollowUpNote)
		switch {
		case c.err != nil:
		case p.At.IsZero() || p.Due.IsZero():
			c.fail("at and due are required")
		case HasIDNumber(p.Note):
			c.fail("an ID number in the note: a follow-up names what happened, not the resident's number")
		}
	case KindAudit:
		var p AuditPayload
		if err := dec(&p); err != nil {
			return err
		}
		if p.Seq == 0 {
			c.fail("seq must be 1 or more")
		}
		if c.err == nil && p.At.IsZero() {
			c.fail("at is required")
		}
		c.text("actor", p.Actor, ruleActor)
		c.text("action", p.Action, ruleAuditAction)
		c.text("subject", p.Subject, ruleAuditSubject)
		if c.err == nil && (HasIDNumber(p.Actor) || HasIDNumber(p.Subject)) {
			c.fail("an ID number in the actor or subject: the audit log names staff, cases and outbox items, never a resident")
		}
	default:
		return fmt.Errorf("%w: unknown kind %q (known: %s)", ErrInvalid, textrule.Escape(kind), strings.Join(KnownKinds, ", "))
	}
	if c.err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalid, kind, c.err)
	}
	return nil
}

// checker keeps the first problem of a payload, so checks read as a list.
type checker struct{ err error }

func (c *checker) fail(format string, a ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, a...)
	}
}

func (c *checker) text(field, s string, r textrule.Rule) {
	if c.err == nil {
		c.err = textrule.Check(field, s, r)
	}
}

// form checks a case's answers by label, in a stable order so the first bad one is named.
func (c *checker) form(f map[string]string) {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c.text("form key", k, ruleFormKey)
		c.text("form."+textrule.Escape(k), f[k], ruleFormValue)
	}
}

func (c *checker) token(field, s string, max int) {
	if c.err == nil && !token(s, max) {
		c.fail("%s %q must be 1-%d letters, digits, '-' or '_'", field, textrule.Escape(s), max)
	}
}

func (c *checker) caseNumber(field, s string) {
	if c.err != nil {
		return
	}
	if !casenum.Canonical(s) {
		c.fail("%s %q is not a case number as a kiosk prints it (like 261124-K001-007)", field, textrule.Escape(s))
	}
}

// DecodeStrict decodes one JSON document into v, refusing unknown fields and trailing data, so a
// misspelt field is an error and not silently dropped.
func DecodeStrict(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data after the JSON document")
	}
	return nil
}

// ValidateEnrol checks an enrolment request's fields.
func ValidateEnrol(r EnrolRequest) error {
	var c checker
	c.text("code", r.Code, textrule.Required(20))
	c.text("name", r.Name, RuleDeviceName)
	if c.err == nil && r.LocalCode != "" && (len(r.LocalCode) != 4 || r.LocalCode[0] != 'X' || !digits(r.LocalCode[1:], 3, 3)) {
		c.fail("local_code %q must be X and three digits", textrule.Escape(r.LocalCode))
	}
	return c.err
}

// ValidKey says whether k can be an item's idempotency key: 1-64 letters, digits or '-' (a
// UUID fits).
func ValidKey(k string) bool { return token(k, 64) && !strings.Contains(k, "_") }

func token(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func base64url(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// oldForeignID checks the 2017 foreign permanent residence number: country letters and 12 digits.
func oldForeignID(id string) bool {
	if len(id) != 15 {
		return false
	}
	for i := 0; i < 15; i++ {
		if i < 3 && (id[i] < 'A' || id[i] > 'Z') || i >= 3 && (id[i] < '0' || id[i] > '9') {
			return false
		}
	}
	return true
}

// IDCheckDigit is the check character of an 18-character resident ID number for its first 17
// digits (GB 11643); ok is false when they are not 17 digits.
func IDCheckDigit(first17 string) (c byte, ok bool) {
	if len(first17) != 17 {
		return 0, false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		if first17[i] < '0' || first17[i] > '9' {
			return 0, false
		}
		sum += int(first17[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11], true
}

// entrustment checks a 全程代办 record: a proxy who is not the applicant, a known relation, the
// resident's consent and the written entrustment, a home visit with its date and place.
func (c *checker) entrustment(p CasePayload, e *Entrustment) {
	c.text("entrustment.proxy_name", e.ProxyName, ruleName)
	c.text("entrustment.visit_place", e.VisitPlace, ruleAddress)
	switch {
	case c.err != nil:
	case !p.Proxy:
		c.fail("entrustment is given but proxy is false")
	case e.ProxyStaff == "" && e.ProxyIDNumber == "":
		c.fail("entrustment needs proxy_id_number or proxy_staff")
	case e.ProxyStaff != "" && (!token(e.ProxyStaff, 32) || HasIDNumber(e.ProxyStaff)):
		c.fail("entrustment.proxy_staff %q is not a staff number", textrule.Escape(e.ProxyStaff))
	case e.ProxyIDNumber != "" && !idTypes[e.ProxyIDType]:
		c.fail("entrustment.proxy_id_type %q must be empty, resident, J, I or Y", textrule.Escape(e.ProxyIDType))
	case e.ProxyIDNumber != "" && e.ProxyIDType == "I" && !oldForeignID(e.ProxyIDNumber):
		c.fail("entrustment.proxy_id_number is not a 15-character permanent residence number")
	case e.ProxyIDNumber != "" && e.ProxyIDType != "I" && !validID(e.ProxyIDNumber):
		c.fail("entrustment.proxy_id_number is not an 18-character ID number with a valid check digit")
	case e.ProxyIDNumber != "" && e.ProxyIDNumber == p.Applicant.IDNumber:
		c.fail("entrustment.proxy_id_number is the applicant's own: a proxy is someone else")
	case !slices.Contains(ProxyRelations, e.Relation):
		c.fail("entrustment.relation %q must be one of %s", textrule.Escape(e.Relation), strings.Join(ProxyRelations, ", "))
	case !e.Consent:
		c.fail("entrustment.consent must be true: the resident's consent is recorded before a proxy acts")
	case !e.Written:
		c.fail("entrustment.written must be true: the written entrustment (授权委托书) is kept with the case")
	case (e.VisitedOn == "") != (e.VisitPlace == ""):
		c.fail("entrustment.visited_on and visit_place go together")
	}
	if e.VisitedOn != "" && c.err == nil {
		d, err := time.Parse(time.DateOnly, e.VisitedOn)
		switch {
		case err != nil:
			c.fail("entrustment.visited_on %q must be a date as YYYY-MM-DD", textrule.Escape(e.VisitedOn))
		case d.After(p.SubmittedAt.Add(24 * time.Hour)):
			c.fail("entrustment.visited_on %s is after the case was submitted", e.VisitedOn)
		case e.ForwardBy.IsZero():
			c.fail("entrustment.forward_by is required with a home visit")
		}
	}
}

// ValidID checks an 18-character resident ID number's check digit (a number typed by staff is
// checked by it before a case is taken).
func ValidID(id string) bool { return validID(id) }

// validID checks an 18-character resident ID number's check digit.
func validID(id string) bool {
	if len(id) != 18 {
		return false
	}
	c, ok := IDCheckDigit(id[:17])
	return ok && (id[17] == c || c == 'X' && id[17] == 'x')
}
