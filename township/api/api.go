// Package api holds the wire types of the township service's HTTP API (version 1, under /v1) and
// the request signing both sides share. The kiosk and the township import it; nothing else.
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Paths of the device API. Everything but Info and Enrol is signed (see Sign).
const (
	PathInfo    = "/v1/info"
	PathEnrol   = "/v1/enrol"
	PathBatch   = "/v1/batch"
	PathChanges = "/v1/changes"
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
	ErrBadRequest    = "bad_request"
	ErrTooLarge      = "too_large"
	ErrUnauthorized  = "unauthorized" // missing or bad signature, unknown device
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
)

// KnownKinds lists the kinds the township takes.
var KnownKinds = []string{KindCase, KindTicket, KindRating, KindMessage, KindVote}

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
	Number      string            `json:"number"`
	ItemCode    string            `json:"item_code"`
	ItemName    string            `json:"item_name"`
	Applicant   Applicant         `json:"applicant"`
	Form        map[string]string `json:"form,omitempty"`
	Missing     []string          `json:"missing,omitempty"`
	Proxy       bool              `json:"proxy,omitempty"`
	SubmittedAt time.Time         `json:"submitted_at"`
	PromisedBy  time.Time         `json:"promised_by"`
}

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

// MessagePayload is a resident's message to the village.
type MessagePayload struct {
	ID        string    `json:"id"`
	Topic     string    `json:"topic"`
	Text      string    `json:"text"`
	Phone     string    `json:"phone,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// VotePayload is one vote. It carries the choice and not the voter: the kiosk enforces one vote
// per resident with its keyed hash and never sends who chose what.
type VotePayload struct {
	PollID  string    `json:"poll_id"`
	Option  string    `json:"option"`
	VotedAt time.Time `json:"voted_at"`
}

// ErrInvalid marks an item the township rejects for good; the message says which field and why.
var ErrInvalid = errors.New("invalid item")

// Validate decodes and checks an item's payload by kind, strictly (unknown fields are refused), so a
// kiosk and the township agree on what a good item is.
func Validate(kind string, payload []byte) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalid, kind, fmt.Sprintf(format, a...))
	}
	dec := func(v any) error {
		d := json.NewDecoder(strings.NewReader(string(payload)))
		d.DisallowUnknownFields()
		if err := d.Decode(v); err != nil {
			return bad("payload: %v", err)
		}
		if d.More() {
			return bad("payload: trailing data")
		}
		return nil
	}
	switch kind {
	case KindCase:
		var p CasePayload
		if err := dec(&p); err != nil {
			return err
		}
		switch {
		case !token(p.Number, 40):
			return bad("number %q must be 1-40 letters, digits or '-'", p.Number)
		case !text(p.ItemCode, 1, 64) || !text(p.ItemName, 1, 100):
			return bad("item_code and item_name are required")
		case !text(p.Applicant.Name, 1, 60):
			return bad("applicant.name is required (at most 60 characters)")
		case p.Applicant.IDType == "I" && !oldForeignID(p.Applicant.IDNumber):
			return bad("applicant.id_number is not a 15-character permanent residence number")
		case p.Applicant.IDType != "I" && !validID(p.Applicant.IDNumber):
			return bad("applicant.id_number is not an 18-character ID number with a valid check digit")
		case p.Applicant.Phone != "" && !digits(p.Applicant.Phone, 7, 15):
			return bad("applicant.phone must be 7-15 digits")
		case p.SubmittedAt.IsZero():
			return bad("submitted_at is required")
		case len(p.Form) > 100:
			return bad("form has %d fields, at most 100", len(p.Form))
		}
		for k, v := range p.Form {
			if !text(k, 1, 64) || !text(v, 0, 2000) {
				return bad("form field %q is too long or not text", k)
			}
		}
	case KindTicket:
		var p TicketPayload
		if err := dec(&p); err != nil {
			return err
		}
		if !text(p.Number, 1, 16) || !text(p.Business, 1, 40) || len(p.Day) != 10 {
			return bad("number, business and day (YYYY-MM-DD) are required")
		}
	case KindRating:
		var p RatingPayload
		if err := dec(&p); err != nil {
			return err
		}
		if !token(p.CaseNumber, 40) || p.Grade < 1 || p.Grade > 5 {
			return bad("case_number and a grade from 1 to 5 are required")
		}
	case KindMessage:
		var p MessagePayload
		if err := dec(&p); err != nil {
			return err
		}
		if !token(p.ID, 64) || !text(p.Topic, 1, 40) || !text(p.Text, 1, 1000) {
			return bad("id, topic and text (at most 1000 characters) are required")
		}
		if p.Phone != "" && !digits(p.Phone, 7, 15) {
			return bad("phone must be 7-15 digits")
		}
	case KindVote:
		var p VotePayload
		if err := dec(&p); err != nil {
			return err
		}
		if !token(p.PollID, 64) || !text(p.Option, 1, 100) {
			return bad("poll_id and option are required")
		}
	default:
		return fmt.Errorf("%w: unknown kind %q (known: %s)", ErrInvalid, kind, strings.Join(KnownKinds, ", "))
	}
	return nil
}

func text(s string, min, max int) bool {
	n := utf8.RuneCountInString(s)
	if !utf8.ValidString(s) || n < min || n > max {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' {
			return false
		}
	}
	return true
}

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

// validID checks an 18-character resident ID number's check digit (GB 11643).
func validID(id string) bool {
	if len(id) != 18 {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
		sum += int(id[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11] == id[17] || (id[17] == 'x' && sum%11 == 2)
}
