package localdb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The typed buckets. Each record carries V, its layout version, so a later binary can read old rows.
var (
	bucketCases      = []byte("cases")
	bucketCaseIndex  = []byte("case_by_id") // IDIndex || case number -> nil
	bucketTickets    = []byte("tickets")
	bucketRatings    = []byte("ratings")
	bucketMessages   = []byte("messages")
	bucketPolls      = []byte("polls")
	bucketVotes      = []byte("votes")      // poll id || voter index -> nil (who voted, not what)
	bucketTally      = []byte("poll_tally") // poll id -> option counts (what, not who)
	bucketDisclosure = []byte("disclosure")
	bucketStaff      = []byte("staff")
	bucketAudit      = []byte("audit")
	bucketCounters   = []byte("counters")
	bucketFollowUps  = []byte("followups") // case number -> FollowUp of its bad rating
	keyChangesCursor = []byte("changes_cursor")
)

// Record layout versions, one per kind.
const (
	caseVersion       = 1
	ticketVersion     = 1
	ratingVersion     = 1
	messageVersion    = 1
	pollVersion       = 1
	disclosureVersion = 1
	staffVersion      = 1
	auditVersion      = 1
	followUpVersion   = 1
)

// Errors for records that may exist only once.
var (
	// ErrExists is a second rating for a case, a second vote by a resident, a case number reused.
	ErrExists = errors.New("already stored")
	// ErrNoSealer is personal data offered to a store opened without a device key; it is refused
	// rather than written in the clear.
	ErrNoSealer = errors.New("store has no device key to seal personal data")
)

// Person is the personal data of a record. It never reaches the file in the clear: it is sealed
// with the device key, bound to the record's bucket and key.
type Person struct {
	Name     string            `json:"name,omitempty"`
	IDNumber string            `json:"id_number,omitempty"`
	Address  string            `json:"address,omitempty"`
	Phone    string            `json:"phone,omitempty"`
	Form     map[string]string `json:"form,omitempty"` // answers may hold anything; sealed with the rest
	// HandOverTo is who received the result (送达), when it was not the applicant.
	HandOverTo string `json:"hand_over_to,omitempty"`
	// ProxyName and ProxyIDNumber are the proxy of a 全程代办 case (a person, not staff);
	// VisitPlace is where a 网格员 collected it (often a home).
	ProxyName     string `json:"proxy_name,omitempty"`
	ProxyIDNumber string `json:"proxy_id_number,omitempty"`
	VisitPlace    string `json:"visit_place,omitempty"`
}

// Entrust is the part of a 全程代办 case's entrustment that names nobody: the relation, the staff
// number of a 网格员 proxy, the consent and written entrustment received, the home visit's day and
// the date the case must be forwarded by.
type Entrust struct {
	Relation  string    `json:"relation"`
	Staff     string    `json:"staff,omitempty"`
	Consent   bool      `json:"consent"`
	Written   bool      `json:"written"`
	VisitedOn string    `json:"visited_on,omitempty"`
	ForwardBy time.Time `json:"forward_by,omitzero"`
}

// CaseStep is one step of a case's life as stored: who took it and what it carried. Names of
// people are never here (a hand-over's recipient is in the sealed Person).
type CaseStep struct {
	From   string    `json:"from"`
	To     string    `json:"to"`
	Actor  string    `json:"actor"` // staff number, or "township"
	Role   string    `json:"role"`
	Reason string    `json:"reason,omitempty"`
	How    string    `json:"how,omitempty"`    // hand-over: collected, delivered, posted
	Result string    `json:"result,omitempty"` // follow-up: what the resident said
	At     time.Time `json:"at"`
}

// Case statuses as the township sets them. Closed ones are purged of personal data on schedule.
const (
	StatusSubmitted = "submitted" // stored on the kiosk
	StatusReceived  = "received"  // the township has it
	StatusAccepted  = "accepted"  // 受理
	StatusRejected  = "rejected"  // 不予受理
	StatusDone      = "done"      // 办结
)

// ClosedStatus reports whether a case is finished, the point from which retention counts.
func ClosedStatus(s string) bool { return s == StatusDone || s == StatusRejected }

// Case is one application (办件).
type Case struct {
	V        int      `json:"v"`
	Number   string   `json:"number"`
	ItemCode string   `json:"item_code"`
	ItemName string   `json:"item_name"`
	Status   string   `json:"status"`
	Note     string   `json:"note,omitempty"` // the township's result note
	Missing  []string `json:"missing,omitempty"`
	Proxy    bool     `json:"proxy,omitempty"`
	// Entrust is the entrustment of a 全程代办 case (Proxy), its names in Person.
	Entrust *Entrust `json:"entrust,omitempty"`
	// Channel is where the case was taken: "" or "kiosk" (self-service), "window" (综合窗口).
	Channel string `json:"channel,omitempty"`
	// Continued marks a kiosk's case this window took on (its own copy, numbered by the kiosk).
	Continued bool `json:"continued,omitempty"`
	// Life is the case's place in its life cycle (kiosk/lifecycle's statuses) and Steps how it got
	// there; Status above is what the township last said.
	Life  string     `json:"life,omitempty"`
	Steps []CaseStep `json:"steps,omitempty"`
	// OnTheSpot marks a 即办件 (done at the window); otherwise the case is a 承诺件 for the township.
	OnTheSpot bool `json:"on_the_spot,omitempty"`
	// Received lists the materials the window received (the rest are in Missing).
	Received []string `json:"received,omitempty"`
	// Result is the outcome as the window or the township gave it.
	Result     string    `json:"result,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	PromisedBy time.Time `json:"promised_by"`
	UpdatedAt  time.Time `json:"updated_at"`
	ClosedAt   time.Time `json:"closed_at,omitzero"`
	PurgedAt   time.Time `json:"purged_at,omitzero"`
	// Person is opened on read and sealed on write; nil after the retention purge.
	Person *Person `json:"-"`
	Sealed []byte  `json:"sealed,omitempty"`
}

// Ticket is a queue number (取号).
type Ticket struct {
	V         int       `json:"v"`
	Number    string    `json:"number"`
	Business  string    `json:"business"`
	Day       string    `json:"day"`
	Waiting   int       `json:"waiting"`
	CreatedAt time.Time `json:"created_at"`
}

// Rating is one 好差评 for one case.
type Rating struct {
	V          int       `json:"v"`
	CaseNumber string    `json:"case_number"`
	Grade      int       `json:"grade"` // 1 非常不满意 .. 5 非常满意
	Reasons    []string  `json:"reasons,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// Message is a resident's message to the village (群众留言); the phone for a reply is sealed.
type Message struct {
	V         int       `json:"v"`
	ID        string    `json:"id"`
	Topic     string    `json:"topic"`
	Text      string    `json:"text"`
	Reply     string    `json:"reply,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	RepliedAt time.Time `json:"replied_at,omitzero"`
	PurgedAt  time.Time `json:"purged_at,omitzero"`
	Person    *Person   `json:"-"`
	Sealed    []byte    `json:"sealed,omitempty"`
}

// Poll is a consultation or vote published by the township.
type Poll struct {
	V        int            `json:"v"`
	ID       string         `json:"id"`
	Title    string         `json:"title"`
	Body     string         `json:"body,omitempty"`
	Options  []string       `json:"options"`
	OpensAt  time.Time      `json:"opens_at"`
	ClosesAt time.Time      `json:"closes_at"`
	Results  map[string]int `json:"results,omitempty"` // published by the township after closing
}

// Disclosure is one piece of village affairs disclosure content (村务公开).
type Disclosure struct {
	V           int       `json:"v"`
	ID          string    `json:"id"`
	Category    string    `json:"category"`
	Title       string    `json:"title"`
	Body        string    `json:"body"`
	From        time.Time `json:"from"`
	Until       time.Time `json:"until"`
	PublishedAt time.Time `json:"published_at"`
	// Raw is the item as the township published it (a table's rows, a roster, an approval
	// record's steps): kiosk/wall reads it; the fields above are what every version understands.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// Staff is a hall worker who can sign in at the window; PassHash is argon2id, never the PIN.
type Staff struct {
	V        int       `json:"v"`
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Role     string    `json:"role"`
	PassHash string    `json:"pass_hash"`
	Created  time.Time `json:"created"`
	Disabled bool      `json:"disabled,omitempty"`
	// IDIndex is the keyed hash of the staff member's ID number, so they can sign in with their card.
	IDIndex []byte `json:"id_index,omitempty"`
	// FromTownship marks an account the township's feed keeps (name, role, disabled); PassHash is
	// empty until its holder chooses a PIN at the window with the station head beside them.
	FromTownship bool `json:"from_township,omitempty"`
	// Failures counts wrong PINs since the last sign-in; LockedUntil is set when they reach the limit.
	Failures    int       `json:"failures,omitempty"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
}

// AuditEntry is one line of the append-only audit log: who did what to which record.
type AuditEntry struct {
	V       int       `json:"v"`
	Seq     uint64    `json:"seq"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Subject string    `json:"subject,omitempty"`
}

// sealPerson seals p for bucket/key; nil stays nil.
func (db *DB) sealPerson(p *Person, bucket []byte, key string) ([]byte, error) {
	if p == nil {
		return nil, nil
	}
	if db.sealer == nil {
		return nil, fmt.Errorf("store %s: %w", db.path, ErrNoSealer)
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return db.sealer.Seal(raw, string(bucket)+"/"+key), nil
}

func (db *DB) openPerson(sealed []byte, bucket []byte, key string) (*Person, error) {
	if sealed == nil {
		return nil, nil
	}
	if db.sealer == nil {
		return nil, fmt.Errorf("store %s: %w", db.path, ErrNoSealer)
	}
	raw, err := db.sealer.Open(sealed, string(bucket)+"/"+key)
	if err != nil {
		return nil, fmt.Errorf("store %s: %s/%s: %w", db.path, bucket, key, err)
	}
	var p Person
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("store %s: %s/%s: %w: %v", db.path, bucket, key, ErrCorrupt, err)
	}
	return &p, nil
}

// GetJSON reads one JSON value; ok is false when the key is absent, and a value that does not
// decode is ErrCorrupt. For programs keeping their own buckets in a localdb file.
func GetJSON(tx *bolt.Tx, bucket, key []byte, v any) (ok bool, err error) {
	raw := tx.Bucket(bucket).Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("%s/%s: %w: %v", bucket, key, ErrCorrupt, err)
	}
	return true, nil
}

// PutJSON writes one JSON value.
func PutJSON(tx *bolt.Tx, bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Bucket(bucket).Put(key, raw)
}

// CaseRecord prepares a new case for Submit: sealed, versioned, and refused if the number is taken
// (Submit checks again inside its transaction).
func (db *DB) CaseRecord(c Case) (Record, error) {
	if c.Number == "" {
		return Record{}, fmt.Errorf("store %s: case needs a number", db.path)
	}
	c.V = caseVersion
	if c.Status == "" {
		c.Status = StatusSubmitted
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = db.now().UTC()
	}
	c.UpdatedAt = c.CreatedAt
	sealed, err := db.sealPerson(c.Person, bucketCases, c.Number)
	if err != nil {
		return Record{}, err
	}
	c.Sealed = sealed
	raw, err := json.Marshal(c)
	if err != nil {
		return Record{}, err
	}
	rec := Record{Bucket: string(bucketCases), Key: []byte(c.Number), Value: raw, mustBeNew: true}
	if c.Person != nil && c.Person.IDNumber != "" {
		rec.index = append(append(db.sealer.IDIndex(c.Person.IDNumber), '/'), c.Number...)
		rec.indexBucket = bucketCaseIndex
	}
	return rec, nil
}

// Case reads one case with its personal data opened.
func (db *DB) Case(number string) (Case, error) {
	var c Case
	err := db.view(func(tx *bolt.Tx) error {
		ok, err := GetJSON(tx, bucketCases, []byte(number), &c)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("case %s: %w", number, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return Case{}, fmt.Errorf("store %s: %w", db.path, err)
	}
	c.Person, err = db.openPerson(c.Sealed, bucketCases, c.Number)
	c.Sealed = nil
	return c, err
}

// CasesFor lists the cases of the resident with this ID number, through the keyed hash index.
func (db *DB) CasesFor(idNumber string) ([]Case, error) {
	if db.sealer == nil {
		return nil, fmt.Errorf("store %s: %w", db.path, ErrNoSealer)
	}
	prefix := append(db.sealer.IDIndex(idNumber), '/')
	var numbers []string
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketCaseIndex).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			numbers = append(numbers, string(k[len(prefix):]))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Case, 0, len(numbers))
	for _, n := range numbers {
		c, err := db.Case(n)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// CaseChange prepares a change to a stored case for Submit, so the case and the upload that tells
// the township about it are written in one transaction. change sees the case with its personal
// data opened; an error from it stops the submit and nothing is written.
func (db *DB) CaseChange(number string, change func(*Case) error) Record {
	return Record{Bucket: string(bucketCases), build: func(tx *bolt.Tx) ([]byte, []byte, []put, error) {
		raw, err := db.changedCase(tx, number, change)
		return []byte(number), raw, nil, err
	}}
}

// UpdateCase changes a stored case with nothing to upload (a step the township itself took).
func (db *DB) UpdateCase(number string, change func(*Case) error) error {
	return db.update(func(tx *bolt.Tx) error {
		raw, err := db.changedCase(tx, number, change)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketCases).Put([]byte(number), raw)
	})
}

func (db *DB) changedCase(tx *bolt.Tx, number string, change func(*Case) error) ([]byte, error) {
	var c Case
	ok, err := GetJSON(tx, bucketCases, []byte(number), &c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("case %s: %w", number, ErrNotFound)
	}
	if c.Person, err = db.openPerson(c.Sealed, bucketCases, c.Number); err != nil {
		return nil, err
	}
	id := ""
	if c.Person != nil {
		id = c.Person.IDNumber
	}
	if err := change(&c); err != nil {
		return nil, err
	}
	if c.Person != nil && c.Person.IDNumber != id {
		return nil, fmt.Errorf("case %s: the applicant's ID number cannot change", number)
	}
	c.V = caseVersion
	if c.Sealed, err = db.sealPerson(c.Person, bucketCases, c.Number); err != nil {
		return nil, err
	}
	c.Person = nil
	return json.Marshal(c)
}

// Cases lists every stored case with its personal data opened, oldest number first.
func (db *DB) Cases() ([]Case, error) {
	cs, err := listJSON[Case](db, bucketCases)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		if cs[i].Person, err = db.openPerson(cs[i].Sealed, bucketCases, cs[i].Number); err != nil {
			return nil, err
		}
		cs[i].Sealed = nil
	}
	return cs, nil
}

// SetCaseStatus applies a status update from the township; closing starts the retention clock.
func (db *DB) SetCaseStatus(number, status, note string, at time.Time) error {
	return db.update(func(tx *bolt.Tx) error { return setCaseStatus(tx, number, status, note, at) })
}

func setCaseStatus(tx *bolt.Tx, number, status, note string, at time.Time) error {
	var c Case
	ok, err := GetJSON(tx, bucketCases, []byte(number), &c)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("case %s: %w", number, ErrNotFound)
	}
	c.Status, c.Note, c.UpdatedAt = status, note, at.UTC()
	if ClosedStatus(status) && c.ClosedAt.IsZero() {
		c.ClosedAt = at.UTC()
	}
	return PutJSON(tx, bucketCases, []byte(number), c)
}

// TicketRecord prepares a queue ticket numbered by the caller (NextNumber), so the number is
// known before the upload payload is made.
func (db *DB) TicketRecord(t Ticket) Record {
	t.V = ticketVersion
	if t.CreatedAt.IsZero() {
		t.CreatedAt = db.now().UTC()
	}
	raw, _ := json.Marshal(t)
	return Record{Bucket: string(bucketTickets), Key: []byte(t.Day + "/" + t.Number), Value: raw, mustBeNew: true}
}

// Tickets lists the tickets of one day in the order they were taken.
func (db *DB) Tickets(day string) ([]Ticket, error) {
	var out []Ticket
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketTickets).Cursor()
		p := []byte(day + "/")
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			var t Ticket
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("tickets/%s: %w", k, ErrCorrupt)
			}
			out = append(out, t)
		}
		return nil
	})
	return out, err
}

// RatingRecord prepares the one rating a case may have; a second is refused with ErrExists.
func (db *DB) RatingRecord(r Rating) (Record, error) {
	if r.Grade < 1 || r.Grade > 5 {
		return Record{}, fmt.Errorf("rating for %s: grade %d is not 1-5", r.CaseNumber, r.Grade)
	}
	r.V = ratingVersion
	if r.CreatedAt.IsZero() {
		r.CreatedAt = db.now().UTC()
	}
	raw, err := json.Marshal(r)
	return Record{Bucket: string(bucketRatings), Key: []byte(r.CaseNumber), Value: raw, mustBeNew: true}, err
}

// Rating reads a case's rating.
func (db *DB) Rating(caseNumber string) (Rating, bool, error) {
	var r Rating
	var ok bool
	err := db.view(func(tx *bolt.Tx) (err error) {
		ok, err = GetJSON(tx, bucketRatings, []byte(caseNumber), &r)
		return err
	})
	return r, ok, err
}

// Ratings lists every rating kept here, for the hall's figures (a rating holds no personal data).
func (db *DB) Ratings() ([]Rating, error) { return listJSON[Rating](db, bucketRatings) }

// FollowUpStep is one step of the follow-up of a bad rating: 回访核实 ("verified": what the
// resident said when called back) or 整改 ("rectified": what the hall changed).
type FollowUpStep struct {
	Step  string    `json:"step"`
	Actor string    `json:"actor"` // staff number
	Note  string    `json:"note"`
	At    time.Time `json:"at"`
}

// FollowUp is the follow-up of one case's bad rating; Due is when 整改 must be done.
type FollowUp struct {
	V          int            `json:"v"`
	CaseNumber string         `json:"case_number"`
	Due        time.Time      `json:"due"`
	Steps      []FollowUpStep `json:"steps"`
}

// FollowUpRecord prepares a follow-up as it now stands for Submit, replacing the one before.
func (db *DB) FollowUpRecord(f FollowUp) (Record, error) {
	f.V = followUpVersion
	raw, err := json.Marshal(f)
	return Record{Bucket: string(bucketFollowUps), Key: []byte(f.CaseNumber), Value: raw}, err
}

// FollowUps lists the follow-ups of bad ratings kept here.
func (db *DB) FollowUps() ([]FollowUp, error) { return listJSON[FollowUp](db, bucketFollowUps) }

// MessageRecord prepares a message; its phone (Person) is sealed.
func (db *DB) MessageRecord(m Message) (Record, error) {
	m.V = messageVersion
	if m.CreatedAt.IsZero() {
		m.CreatedAt = db.now().UTC()
	}
	sealed, err := db.sealPerson(m.Person, bucketMessages, m.ID)
	if err != nil {
		return Record{}, err
	}
	m.Sealed = sealed
	raw, err := json.Marshal(m)
	return Record{Bucket: string(bucketMessages), Key: []byte(m.ID), Value: raw, mustBeNew: true}, err
}

// Message reads one message with its phone opened.
func (db *DB) Message(id string) (Message, error) {
	var m Message
	err := db.view(func(tx *bolt.Tx) error {
		ok, err := GetJSON(tx, bucketMessages, []byte(id), &m)
		if err == nil && !ok {
			err = fmt.Errorf("message %s: %w", id, ErrNotFound)
		}
		return err
	})
	if err != nil {
		return Message{}, err
	}
	m.Person, err = db.openPerson(m.Sealed, bucketMessages, m.ID)
	m.Sealed = nil
	return m, err
}

// Messages lists the messages left at this kiosk (without their sealed phones).
func (db *DB) Messages() ([]Message, error) { return listJSON[Message](db, bucketMessages) }

// VoteRecord records that the resident with this ID number voted in a poll, and adds the choice to
// the poll's tally: who voted and what was chosen are kept apart, so the file cannot tell who chose
// what. A second vote by the same resident is refused with ErrExists.
func (db *DB) VoteRecord(pollID, idNumber, option string) (Record, error) {
	if db.sealer == nil {
		return Record{}, fmt.Errorf("store %s: %w", db.path, ErrNoSealer)
	}
	voter := append([]byte(pollID+"/"), db.sealer.IDIndex(pollID+"|"+idNumber)...)
	return Record{Bucket: string(bucketVotes), build: func(tx *bolt.Tx) ([]byte, []byte, []put, error) {
		if tx.Bucket(bucketVotes).Get(voter) != nil {
			return nil, nil, nil, fmt.Errorf("vote in poll %s: %w", pollID, ErrExists)
		}
		tally := map[string]int{}
		if _, err := GetJSON(tx, bucketTally, []byte(pollID), &tally); err != nil {
			return nil, nil, nil, err
		}
		tally[option]++
		raw, err := json.Marshal(tally)
		if err != nil {
			return nil, nil, nil, err
		}
		return voter, []byte{}, []put{{bucket: bucketTally, key: []byte(pollID), value: raw}}, nil
	}}, nil
}

// Tally is this kiosk's count of votes per option in a poll.
func (db *DB) Tally(pollID string) (map[string]int, error) {
	tally := map[string]int{}
	err := db.view(func(tx *bolt.Tx) error {
		_, err := GetJSON(tx, bucketTally, []byte(pollID), &tally)
		return err
	})
	return tally, err
}

// Polls lists the polls the township published.
func (db *DB) Polls() ([]Poll, error) { return listJSON[Poll](db, bucketPolls) }

// DisclosureItems lists the disclosure content the township published.
func (db *DB) DisclosureItems() ([]Disclosure, error) {
	return listJSON[Disclosure](db, bucketDisclosure)
}

// StaffList lists the hall's staff accounts.
func (db *DB) StaffList() ([]Staff, error) { return listJSON[Staff](db, bucketStaff) }

// UpdateStaff changes one staff account and notes action in the audit log in the same
// transaction, so a sign-in's count of wrong PINs and its audit line cannot part.
func (db *DB) UpdateStaff(id string, change func(*Staff) error, actor, action string) error {
	return db.update(func(tx *bolt.Tx) error {
		var s Staff
		ok, err := GetJSON(tx, bucketStaff, []byte(id), &s)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("staff %s: %w", id, ErrNotFound)
		}
		if err := change(&s); err != nil {
			return err
		}
		if err := PutJSON(tx, bucketStaff, []byte(id), s); err != nil {
			return err
		}
		return db.appendAudit(tx, AuditEntry{At: db.now().UTC(), Actor: actor, Action: action, Subject: id})
	})
}

// PutStaff adds or replaces a staff account and notes it in the audit log.
func (db *DB) PutStaff(s Staff, actor string) error {
	s.V = staffVersion
	if s.Created.IsZero() {
		s.Created = db.now().UTC()
	}
	return db.update(func(tx *bolt.Tx) error {
		if err := PutJSON(tx, bucketStaff, []byte(s.ID), s); err != nil {
			return err
		}
		return db.appendAudit(tx, AuditEntry{At: db.now().UTC(), Actor: actor, Action: "staff.put", Subject: s.ID})
	})
}

func listJSON[T any](db *DB, bucket []byte) ([]T, error) {
	var out []T
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
			var t T
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("%s/%s: %w: %v", bucket, k, ErrCorrupt, err)
			}
			out = append(out, t)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", db.path, err)
	}
	return out, nil
}

// Audit appends one entry to the audit log. There is no call to change or remove entries.
func (db *DB) Audit(actor, action, subject string) error {
	return db.update(func(tx *bolt.Tx) error {
		return db.appendAudit(tx, AuditEntry{At: db.now().UTC(), Actor: actor, Action: action, Subject: subject})
	})
}

func (db *DB) appendAudit(tx *bolt.Tx, e AuditEntry) error {
	b := tx.Bucket(bucketAudit)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.V, e.Seq = auditVersion, seq
	if err := PutJSON(tx, bucketAudit, seqKey(seq), e); err != nil {
		return err
	}
	if db.auditUpload == "" {
		return nil
	}
	payload, err := json.Marshal(auditLine{Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action, Subject: e.Subject})
	if err != nil {
		return err
	}
	return db.addOutbox(tx, Upload{Kind: db.auditUpload, Payload: payload})
}

// auditLine is an audit entry as it is uploaded (AuditUpload).
type auditLine struct {
	Seq     uint64    `json:"seq"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Subject string    `json:"subject,omitempty"`
}

// AuditLog lists the audit entries, oldest first.
func (db *DB) AuditLog() ([]AuditEntry, error) { return listJSON[AuditEntry](db, bucketAudit) }

// Change is one entry of the township's changes feed as the kiosk applies it.
type Change struct {
	Kind    string          // "catalog", "disclosure", "disclosure_withdraw", "case_status", "poll", "staff", ...
	Key     string          // the thing's id
	Payload json.RawMessage // the kind's document
}

// CaseStatusChange is the payload of a "case_status" change.
type CaseStatusChange struct {
	Number string    `json:"number"`
	Status string    `json:"status"`
	Note   string    `json:"note,omitempty"`
	At     time.Time `json:"at"`
}

// ApplyChanges writes one page of the changes feed and the cursor after it in one transaction, so a
// power cut between pages resumes from the last whole page, never half of one. Unknown kinds are
// skipped (a newer township may send kinds this kiosk does not show yet) and returned for the log.
func (db *DB) ApplyChanges(changes []Change, cursor uint64) (skipped []string, err error) {
	err = db.update(func(tx *bolt.Tx) error {
		skipped = skipped[:0]
		for _, ch := range changes {
			var err error
			switch ch.Kind {
			case "catalog":
				var doc CatalogDoc
				if err = json.Unmarshal(ch.Payload, &doc); err == nil {
					doc.Source, doc.StoredAt = "township", db.now().UTC()
					err = PutJSON(tx, bucketCatalog, keyCurrent, catalogRecord{V: catalogRecordVersion, CatalogDoc: doc})
				}
			case "disclosure":
				var d Disclosure
				if err = json.Unmarshal(ch.Payload, &d); err == nil {
					d.V, d.Raw = disclosureVersion, append(json.RawMessage(nil), ch.Payload...)
					err = PutJSON(tx, bucketDisclosure, []byte(ch.Key), d)
				}
			case "disclosure_withdraw":
				err = tx.Bucket(bucketDisclosure).Delete([]byte(ch.Key))
			case "poll":
				var p Poll
				if err = json.Unmarshal(ch.Payload, &p); err == nil {
					p.V = pollVersion
					err = PutJSON(tx, bucketPolls, []byte(ch.Key), p)
				}
			case "case_status":
				var s CaseStatusChange
				if err = json.Unmarshal(ch.Payload, &s); err == nil {
					err = setCaseStatus(tx, s.Number, s.Status, s.Note, s.At)
					if errors.Is(err, ErrNotFound) {
						err = nil // a case of another kiosk of the same village
					}
				}
			case "staff":
				err = applyStaff(tx, db, ch)
			case "message_reply":
				var r struct {
					Reply string    `json:"reply"`
					At    time.Time `json:"at"`
				}
				if err = json.Unmarshal(ch.Payload, &r); err == nil {
					var m Message
					var ok bool
					if ok, err = GetJSON(tx, bucketMessages, []byte(ch.Key), &m); err == nil && ok {
						m.Reply, m.RepliedAt = r.Reply, r.At.UTC()
						err = PutJSON(tx, bucketMessages, []byte(ch.Key), m)
					}
				}
			default:
				skipped = append(skipped, ch.Kind)
				continue
			}
			if err != nil {
				return fmt.Errorf("apply %s change %s: %w", ch.Kind, ch.Key, err)
			}
		}
		return tx.Bucket(bucketMeta).Put(keyChangesCursor, seqKey(cursor))
	})
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", db.path, err)
	}
	return skipped, nil
}

// staffChange is a "staff" change: the township's part of an account.
type staffChange struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Disabled bool   `json:"disabled,omitempty"`
}

// applyStaff takes the township's number, name, role and disabled flag of an account and keeps the
// hall's own part (the PIN's hash, the card, wrong PINs): a new account has no PIN until its holder
// chooses one at the window. The change goes into the audit log.
func applyStaff(tx *bolt.Tx, db *DB, ch Change) error {
	var sc staffChange
	if err := json.Unmarshal(ch.Payload, &sc); err != nil {
		return err
	}
	if sc.ID != ch.Key {
		return fmt.Errorf("staff %s: payload id %q", ch.Key, sc.ID)
	}
	var s Staff
	had, err := GetJSON(tx, bucketStaff, []byte(ch.Key), &s)
	if err != nil {
		return err
	}
	now := db.now().UTC()
	if !had {
		s = Staff{ID: sc.ID, Created: now}
	}
	s.V, s.Name, s.Role, s.Disabled, s.FromTownship = staffVersion, sc.Name, sc.Role, sc.Disabled, true
	if err := PutJSON(tx, bucketStaff, []byte(s.ID), s); err != nil {
		return err
	}
	action := "staff.feed"
	if sc.Disabled {
		action = "staff.feed.disabled"
	}
	return db.appendAudit(tx, AuditEntry{At: now, Actor: "township", Action: action, Subject: s.ID})
}

// ChangesCursor is where the next pull of the changes feed starts.
func (db *DB) ChangesCursor() (uint64, error) {
	var c uint64
	err := db.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyChangesCursor); len(v) == 8 {
			c = beUint(v)
		}
		return nil
	})
	return c, err
}

// PurgeReport says what a retention purge removed, for the audit log and the technician.
type PurgeReport struct {
	Cases, Messages int
}

// Purge removes the personal data (the sealed part and the ID index entries) of cases closed, and
// messages answered, longer ago than retention. The case itself (number, item, status, dates) stays
// for the hall's figures. It is idempotent and notes what it did in the audit log.
func (db *DB) Purge(retention time.Duration) (PurgeReport, error) {
	var rep PurgeReport
	now := db.now().UTC()
	cut := now.Add(-retention)
	err := db.update(func(tx *bolt.Tx) error {
		rep = PurgeReport{}
		purged := map[string]bool{}
		cb := tx.Bucket(bucketCases)
		err := cb.ForEach(func(k, v []byte) error {
			var c Case
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("cases/%s: %w", k, ErrCorrupt)
			}
			if c.ClosedAt.IsZero() || c.ClosedAt.After(cut) || !c.PurgedAt.IsZero() {
				return nil
			}
			c.Sealed, c.PurgedAt = nil, now
			purged[c.Number] = true
			rep.Cases++
			return PutJSON(tx, bucketCases, []byte(c.Number), c)
		})
		if err != nil {
			return err
		}
		// The index key ends in "/number"; drop every entry that points at a purged case.
		ic := tx.Bucket(bucketCaseIndex).Cursor()
		for k, _ := ic.First(); k != nil; {
			i := bytes.LastIndexByte(k, '/')
			if i >= 0 && purged[string(k[i+1:])] {
				if err := ic.Delete(); err != nil {
					return err
				}
				k, _ = ic.Seek(k)
				continue
			}
			k, _ = ic.Next()
		}
		err = tx.Bucket(bucketMessages).ForEach(func(k, v []byte) error {
			var m Message
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("messages/%s: %w", k, ErrCorrupt)
			}
			ref := m.RepliedAt
			if ref.IsZero() {
				ref = m.CreatedAt
			}
			if m.Sealed == nil || ref.After(cut) {
				return nil
			}
			m.Sealed, m.PurgedAt = nil, now
			rep.Messages++
			return PutJSON(tx, bucketMessages, k, m)
		})
		if err != nil {
			return err
		}
		if rep.Cases+rep.Messages == 0 {
			return nil
		}
		return db.appendAudit(tx, AuditEntry{At: now, Actor: "system", Action: "retention.purge",
			Subject: fmt.Sprintf("%d cases, %d messages", rep.Cases, rep.Messages)})
	})
	if err != nil {
		return PurgeReport{}, fmt.Errorf("purge store %s: %w", db.path, err)
	}
	return rep, nil
}

// NextNumber takes the next value of a named counter (from 1), durably, so a number printed on a
// receipt is never handed out twice even across a power cut. A failed submit leaves a gap, never
// a repeat.
func (db *DB) NextNumber(counter string) (uint64, error) {
	var n uint64
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCounters)
		if v := b.Get([]byte(counter)); len(v) == 8 {
			n = beUint(v)
		}
		n++
		return b.Put([]byte(counter), seqKey(n))
	})
	if err != nil {
		return 0, fmt.Errorf("store %s: counter %s: %w", db.path, counter, err)
	}
	return n, nil
}

// keyWallKnown keeps, in the meta bucket, what the wall last knew to be current while its clock
// was trusted: after a power cut with a clock that cannot be trusted, that is what it shows.
var keyWallKnown = []byte("wall_known")

// WallKnown reads the disclosure items the wall last knew to be current.
func (db *DB) WallKnown() ([]string, error) {
	var ids []string
	raw, err := db.meta(keyWallKnown)
	if err == nil && raw != nil {
		err = json.Unmarshal(raw, &ids)
	}
	return ids, err
}

// SetWallKnown keeps what the wall knows to be current now.
func (db *DB) SetWallKnown(ids []string) error {
	raw, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return db.setMeta(keyWallKnown, raw)
}

// meta reads one value of the meta bucket (nil when absent).
func (db *DB) meta(key []byte) ([]byte, error) {
	var raw []byte
	err := db.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(key); v != nil {
			raw = append([]byte(nil), v...)
		}
		return nil
	})
	return raw, err
}

func (db *DB) setMeta(key, value []byte) error {
	return db.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(key, value) })
}

// keyWallOpen keeps the wall's proof-of-display spans still open (item -> from, to), so a restart
// goes on with them, or closes them at the last moment they were seen.
var keyWallOpen = []byte("wall_open")

// WallOpen reads the wall's open proof-of-display spans, as the wall wrote them.
func (db *DB) WallOpen() ([]byte, error) { return db.meta(keyWallOpen) }

// WallOpenRecord is the wall's open spans as a record, to store with the uploads of the spans
// that closed, in one transaction.
func WallOpenRecord(raw []byte) Record {
	return Record{Bucket: string(bucketMeta), Key: keyWallOpen, Value: raw}
}

// SetWallOpen stores the wall's open spans when none closed.
func (db *DB) SetWallOpen(raw []byte) error { return db.setMeta(keyWallOpen, raw) }
