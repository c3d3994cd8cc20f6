package api

import (
	"fmt"
	"strings"
	"time"
)

// PathCaseFind is where a hall's window asks the township for a case a kiosk of the village took,
// to continue it at the window (容缺补齐, corrections, 受理). It is a signed POST so the resident's
// ID number travels in the body, never in a URL that a proxy or a log keeps.
const PathCaseFind = "/v1/cases/find"

// CaseFindRequest asks for one case by its number, or for a resident's cases by ID number.
type CaseFindRequest struct {
	Number   string `json:"number,omitempty"`
	IDNumber string `json:"id_number,omitempty"`
}

// CaseFindResponse lists the village's cases that a window may still take on: taken at a kiosk,
// not yet accepted (received, or returned for correction), newest first.
type CaseFindResponse struct {
	Cases []FoundCase `json:"cases"`
}

// FoundCase is a kiosk's case as a window needs it to continue: the applicant and answers whole
// (the window checks them with the resident), the materials the resident said they lacked.
type FoundCase struct {
	Number      string            `json:"number"`
	ItemCode    string            `json:"item_code"`
	ItemName    string            `json:"item_name"`
	Applicant   Applicant         `json:"applicant"`
	Form        map[string]string `json:"form,omitempty"`
	Missing     []string          `json:"missing,omitempty"`
	Life        string            `json:"life"`
	SubmittedAt time.Time         `json:"submitted_at"`
	PromisedBy  time.Time         `json:"promised_by"`
}

// ContinuableLife reports whether a case may be continued at a window: it has not been taken on.
func ContinuableLife(life string) bool { return life == "" || life == "received" || life == "returned" }

// ValidateCaseFind checks a find request: exactly one of a case number or a valid ID number.
func ValidateCaseFind(raw []byte) (CaseFindRequest, error) {
	var r CaseFindRequest
	if err := DecodeStrict(raw, &r); err != nil {
		return r, fmt.Errorf("case find: %w", err)
	}
	c := &checker{}
	switch {
	case (r.Number == "") == (r.IDNumber == ""):
		c.fail("give number or id_number, one of them")
	case r.Number != "":
		c.caseNumber("number", r.Number)
	case !validID(strings.ToUpper(r.IDNumber)):
		c.fail("id_number is not an 18-character ID number with a valid check digit")
	}
	if c.err != nil {
		return r, fmt.Errorf("case find: %w", c.err)
	}
	r.IDNumber = strings.ToUpper(r.IDNumber)
	return r, nil
}

// CaseAmendPayload is what the window changed on a kiosk's case when it took it on: the answers
// as corrected with the resident, the materials still missing and those handed in (容缺补齐). It
// goes before the steps that accept the case.
type CaseAmendPayload struct {
	Number   string            `json:"number"`
	Form     map[string]string `json:"form,omitempty"`
	Missing  []string          `json:"missing,omitempty"`
	Received []string          `json:"received,omitempty"`
	Actor    string            `json:"actor"`
	At       time.Time         `json:"at"`
}

func (c *checker) caseAmend(p CaseAmendPayload) {
	c.caseNumber("number", p.Number)
	c.token("actor", p.Actor, 32)
	switch {
	case c.err != nil:
	case HasIDNumber(p.Actor):
		c.fail("actor must be a staff number, not an ID number")
	case p.At.IsZero():
		c.fail("at is required")
	case len(p.Form) > MaxFormFields:
		c.fail("form has %d fields, at most %d", len(p.Form), MaxFormFields)
	case len(p.Missing) > MaxMissing || len(p.Received) > MaxMissing:
		c.fail("missing and received have at most %d entries each", MaxMissing)
	}
	c.form(p.Form)
	for i, m := range p.Missing {
		c.text(fmt.Sprintf("missing[%d]", i), m, ruleMissing)
	}
	for i, m := range p.Received {
		c.text(fmt.Sprintf("received[%d]", i), m, ruleMissing)
	}
}

// DisplayPayload is one span of the wall's proof of display: the item (its disclosure key) stood
// on the wall, in the rotation, from From to To by a clock checked against the township's. Spans
// close at midnight, when the item leaves the rotation, and when the wall was away (a power cut):
// the township's list of them shows whether a notice stood for its whole 公示期, and any gap.
type DisplayPayload struct {
	Item string    `json:"item"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}
