// Package store is the township service's state: enrolled devices, one-time codes, every item
// taken from the kiosks (for idempotent intake), the cases and records they carry, and the changes
// feed that flows back down. It lives in a localdb file with its own migrations.
package store

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"hallkiosk/localdb"
	"hallkiosk/township/api"
	"hallkiosk/township/api/casenum"
	"hallkiosk/township/api/textrule"
)

var (
	bDevices  = []byte("devices")
	bCodes    = []byte("codes")
	bItems    = []byte("items")   // idempotency key -> itemRecord
	bRecords  = []byte("records") // kind/key-of-record -> sealed payload
	bCases    = []byte("cases")   // case number -> Case
	bChanges  = []byte("changes") // seq -> api.Change + scope
	bNonces   = []byte("nonces")  // device/nonce -> unix time
	bMessages = []byte("messages")
	// Added in version 2.
	bKioskCodes = []byte("kiosk_codes")  // K or X code -> JSON list of device IDs
	bVillages   = []byte("villages")     // village -> sealed vote key
	bPolls      = []byte("polls")        // poll id -> pollRecord
	bVoters     = []byte("voters")       // poll id/voter token -> empty: who voted, never what
	bTallies    = []byte("tallies")      // poll id -> option -> count: what was chosen, never who
	bRatings    = []byte("ratings")      // case number -> ratingRecord (counted)
	bHeld       = []byte("ratings_held") // case number -> ratingRecord whose case has not arrived
	// Added in version 3.
	bHeartbeats = []byte("heartbeats") // device id -> Beat
	// Added in version 4.
	bAudit = []byte("audit") // device id/seq (8 bytes, big-endian) -> AuditLine
)

// Migrations is the township file's schema history.
var Migrations = []localdb.Migration{
	{Version: 1, Name: "devices, codes, items, records, cases, changes, nonces, messages", Up: func(tx *bolt.Tx) error {
		for _, n := range [][]byte{bDevices, bCodes, bItems, bRecords, bCases, bChanges, bNonces, bMessages} {
			if _, err := tx.CreateBucketIfNotExists(n); err != nil {
				return fmt.Errorf("create bucket %s: %w", n, err)
			}
		}
		return nil
	}},
	{Version: 2, Name: "kiosk codes, village vote keys, polls, voters, tallies, ratings", Up: func(tx *bolt.Tx) error {
		for _, n := range [][]byte{bKioskCodes, bVillages, bPolls, bVoters, bTallies, bRatings, bHeld} {
			if _, err := tx.CreateBucketIfNotExists(n); err != nil {
				return fmt.Errorf("create bucket %s: %w", n, err)
			}
		}
		return tx.Bucket(bDevices).ForEach(func(k, v []byte) error {
			var d Device
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("device %s: %w", k, err)
			}
			return indexCode(tx, d.Code, d.ID)
		})
	}},
	{Version: 3, Name: "device heartbeats", Up: func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bHeartbeats)
		return err
	}},
	{Version: 4, Name: "the devices' audit logs", Up: func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bAudit)
		return err
	}},
}

// indexCode notes that device id numbers its cases with code.
func indexCode(tx *bolt.Tx, code, id string) error {
	if code == "" {
		return nil
	}
	var ids []string
	if _, err := localdb.GetJSON(tx, bKioskCodes, []byte(code), &ids); err != nil {
		return err
	}
	for _, x := range ids {
		if x == id {
			return nil
		}
	}
	return localdb.PutJSON(tx, bKioskCodes, []byte(code), append(ids, id))
}

// devicesOf lists the devices that number cases with a kiosk code (one for a K code; an X code of
// kiosks that were never enrolled may, rarely, be shared).
func devicesOf(tx *bolt.Tx, code string) ([]Device, error) {
	var ids []string
	if _, err := localdb.GetJSON(tx, bKioskCodes, []byte(code), &ids); err != nil {
		return nil, err
	}
	var out []Device
	for _, id := range ids {
		var d Device
		if ok, err := localdb.GetJSON(tx, bDevices, []byte(id), &d); err != nil {
			return nil, err
		} else if ok {
			out = append(out, d)
		}
	}
	return out, nil
}

// Errors the server maps to answers.
var (
	ErrBadCode  = errors.New("enrolment code is unknown, used or expired")
	ErrNoDevice = errors.New("no such device")
	ErrNoCase   = errors.New("no such case")
	ErrBadInput = errors.New("bad input")
	ErrNoPoll   = errors.New("no such poll")
)

// Store wraps the township's localdb file.
type Store struct {
	db     *localdb.DB
	sealer *localdb.Sealer
	now    func() time.Time
}

// Open opens the township file; personal data is sealed with the key at keyPath (made if missing).
func Open(path, keyPath string, now func() time.Time) (*Store, error) {
	if now == nil {
		now = time.Now
	}
	s, err := localdb.LoadOrCreateKey(keyPath)
	if err != nil {
		return nil, fmt.Errorf("open township store: %w", err)
	}
	db, err := localdb.Open(path, localdb.Options{Migrations: Migrations, Now: now, Sealer: s})
	if err != nil {
		return nil, fmt.Errorf("open township store: %w", err)
	}
	return &Store{db: db, sealer: s, now: now}, nil
}

// Close releases the file.
func (s *Store) Close() error { return s.db.Close() }

// Device is an enrolled kiosk. Its secret is sealed at rest.
type Device struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Village  string    `json:"village"`
	Enrolled time.Time `json:"enrolled"`
	Code     string    `json:"code"` // short, unique in this township: goes into case numbers
	// LocalCode is the X code the kiosk used before enrolment; its cases keep it.
	LocalCode string    `json:"local_code,omitempty"`
	Revoked   time.Time `json:"revoked,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
	Secret    []byte    `json:"-"`
	SealedKey []byte    `json:"sealed_secret,omitempty"`
}

type code struct {
	Village string    `json:"village"`
	Name    string    `json:"name"`
	Expires time.Time `json:"expires"`
}

var codeAlphabet = base32.NewEncoding("ABCDEFGHJKLMNPQRSTUVWXYZ23456789").WithPadding(base32.NoPadding)

// NewCode makes a one-time enrolment code for a kiosk of village, valid for ttl. The code (60 bits,
// shown as XXXX-XXXX-XXXX without look-alike letters) is stored only as its hash.
func (s *Store) NewCode(village, name string, ttl time.Duration) (string, time.Time, error) {
	if strings.TrimSpace(village) == "" {
		return "", time.Time{}, fmt.Errorf("%w: a code needs the village it is for", ErrBadInput)
	}
	if err := textrule.Check("village", village, api.RuleVillage); err != nil {
		return "", time.Time{}, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	if err := textrule.Check("name", name, api.RuleDeviceName); err != nil {
		return "", time.Time{}, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	raw := make([]byte, 8)
	if _, err := rand.Read(raw); err != nil {
		return "", time.Time{}, err
	}
	c := codeAlphabet.EncodeToString(raw)[:12]
	shown := c[:4] + "-" + c[4:8] + "-" + c[8:]
	exp := s.now().UTC().Add(ttl)
	err := s.db.Update(func(tx *bolt.Tx) error {
		return localdb.PutJSON(tx, bCodes, codeHash(shown), code{Village: village, Name: name, Expires: exp})
	})
	return shown, exp, err
}

func codeHash(c string) []byte {
	c = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(c))
	h := sha256.Sum256([]byte("enrol:" + c))
	return h[:]
}

// Enrol spends a code and makes a device with a fresh secret. It also returns the village's vote
// key, made with the village's first device.
func (s *Store) Enrol(codeText, name, localCode string) (Device, []byte, error) {
	var d Device
	var voteKey []byte
	err := s.db.Update(func(tx *bolt.Tx) error {
		var c code
		ok, err := localdb.GetJSON(tx, bCodes, codeHash(codeText), &c)
		if err != nil {
			return err
		}
		if !ok || s.now().After(c.Expires) {
			return ErrBadCode
		}
		if err := tx.Bucket(bCodes).Delete(codeHash(codeText)); err != nil {
			return err
		}
		id := make([]byte, 6)
		secret := make([]byte, 32)
		if _, err := rand.Read(id); err != nil {
			return err
		}
		if _, err := rand.Read(secret); err != nil {
			return err
		}
		if name == "" {
			name = c.Name
		}
		n, err := tx.Bucket(bDevices).NextSequence()
		if err != nil {
			return err
		}
		d = Device{ID: "dev-" + hex.EncodeToString(id), Name: name, Village: c.Village, Enrolled: s.now().UTC(),
			Secret: secret, Code: KioskCode(n), LocalCode: localCode}
		d.SealedKey = s.sealer.Seal(secret, "device/"+d.ID)
		if voteKey, err = s.villageKey(tx, c.Village); err != nil {
			return err
		}
		if err := indexCode(tx, d.Code, d.ID); err != nil {
			return err
		}
		if err := indexCode(tx, d.LocalCode, d.ID); err != nil {
			return err
		}
		return localdb.PutJSON(tx, bDevices, []byte(d.ID), d)
	})
	if err != nil {
		return Device{}, nil, fmt.Errorf("enrol: %w", err)
	}
	return d, voteKey, nil
}

// villageKey reads the village's vote key, making it on first use. It is sealed at rest like
// device secrets.
func (s *Store) villageKey(tx *bolt.Tx, village string) ([]byte, error) {
	ad := "village/" + village
	if sealed := tx.Bucket(bVillages).Get([]byte(village)); sealed != nil {
		return s.sealer.Open(sealed, ad)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return key, tx.Bucket(bVillages).Put([]byte(village), s.sealer.Seal(key, ad))
}

// KioskCode turns the n-th enrolment into a short code: K001 ... K999, then K1000 and on.
func KioskCode(n uint64) string { return fmt.Sprintf("K%03d", n) }

// Device reads a device with its secret opened.
func (s *Store) Device(id string) (Device, error) {
	var d Device
	err := s.db.View(func(tx *bolt.Tx) error {
		ok, err := localdb.GetJSON(tx, bDevices, []byte(id), &d)
		if err == nil && !ok {
			err = ErrNoDevice
		}
		return err
	})
	if err != nil {
		return Device{}, fmt.Errorf("device %s: %w", id, err)
	}
	d.Secret, err = s.sealer.Open(d.SealedKey, "device/"+d.ID)
	return d, err
}

// Devices lists enrolled devices (without secrets).
func (s *Store) Devices() ([]Device, error) {
	out := []Device{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bDevices).ForEach(func(k, v []byte) error {
			var d Device
			if err := json.Unmarshal(v, &d); err != nil {
				return err
			}
			d.SealedKey = nil
			out = append(out, d)
			return nil
		})
	})
	return out, err
}

// Revoke refuses a device from now on (a stolen or replaced kiosk).
func (s *Store) Revoke(id string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		var d Device
		ok, err := localdb.GetJSON(tx, bDevices, []byte(id), &d)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("revoke %s: %w", id, ErrNoDevice)
		}
		if d.Revoked.IsZero() {
			d.Revoked = s.now().UTC()
		}
		return localdb.PutJSON(tx, bDevices, []byte(id), d)
	})
}

type itemRecord struct {
	Digest   string    `json:"digest"`
	Kind     string    `json:"kind"`
	Device   string    `json:"device"`
	Received time.Time `json:"received"`
}

// Case is a case as the township keeps it; Applicant is opened on read.
type Case struct {
	Number    string    `json:"number"`
	ItemCode  string    `json:"item_code"`
	ItemName  string    `json:"item_name"`
	Village   string    `json:"village"`
	Device    string    `json:"device"`
	Status    string    `json:"status"`
	Note      string    `json:"note,omitempty"`
	Submitted time.Time `json:"submitted"`
	Promised  time.Time `json:"promised"`
	Received  time.Time `json:"received"`
	Updated   time.Time `json:"updated"`
	Missing   []string  `json:"missing,omitempty"`
	Proxy     bool      `json:"proxy,omitempty"`
	// Relation is the proxy's to the resident; ForwardBy the date by which a case collected at a
	// home visit was due to reach the township (the record of whether it came in time).
	Relation  string    `json:"relation,omitempty"`
	ForwardBy time.Time `json:"forward_by,omitzero"`
	// Amended is when a window last corrected the case it took on from a kiosk (case_amend).
	Amended   time.Time `json:"amended,omitzero"`
	Channel   string    `json:"channel,omitempty"`
	OnTheSpot bool      `json:"on_the_spot,omitempty"`
	// Life is where the hall says the case stands (its last step); Steps are the hall's steps.
	Life      string            `json:"life,omitempty"`
	Steps     []api.CaseStep    `json:"steps,omitempty"`
	Applicant *api.Applicant    `json:"-"`
	Form      map[string]string `json:"-"`
	Sealed    []byte            `json:"sealed,omitempty"`
}

type casePrivate struct {
	Applicant api.Applicant     `json:"applicant"`
	Form      map[string]string `json:"form,omitempty"`
	// Entrustment names the proxy of a 全程代办 case, so it is sealed with the applicant.
	Entrustment *api.Entrustment `json:"entrustment,omitempty"`
}

// Nonce is a signed request's nonce, kept durable with the batch it came with so a replay after a
// restart is refused too.
type Nonce struct {
	Device string
	Nonce  string
	At     time.Time
}

// Intake takes one batch from a device and answers item by item. Accepted items, their records and
// the nonce are in the file (fsynced, with other devices' batches in the same group commit) before
// it returns.
func (s *Store) Intake(dev Device, items []api.Item, nonce Nonce) ([]api.Result, error) {
	type prepared struct {
		digest string
		bad    error
	}
	prep := make([]prepared, len(items))
	for i, it := range items {
		if err := api.Validate(it.Kind, it.Payload); err != nil {
			prep[i].bad = err
			continue
		}
		if !api.ValidKey(it.Key) {
			prep[i].bad = fmt.Errorf("key %q must be 1-64 letters, digits or '-'", it.Key)
			continue
		}
		d, err := itemDigest(it)
		if err != nil {
			prep[i].bad = err
			continue
		}
		prep[i].digest = d
	}
	now := s.now().UTC()
	var results []api.Result
	allBad := true
	for _, p := range prep {
		allBad = allBad && p.bad != nil
	}
	if allBad {
		// Nothing to store: answer without touching the file.
		for i, it := range items {
			results = append(results, api.Result{Key: it.Key, Status: api.Rejected, Reason: prep[i].bad.Error()})
		}
		return results, nil
	}
	err := s.db.Batch(func(tx *bolt.Tx) error {
		results = make([]api.Result, len(items)) // Batch may run this again; start clean
		if nonce.Nonce != "" {
			if err := tx.Bucket(bNonces).Put([]byte(nonce.Device+"/"+nonce.Nonce), u64(uint64(nonce.At.Unix()))); err != nil {
				return err
			}
		}
		for i, it := range items {
			r := &results[i]
			r.Key = it.Key
			if prep[i].bad != nil {
				r.Status, r.Reason = api.Rejected, prep[i].bad.Error()
				continue
			}
			var prev itemRecord
			ok, err := localdb.GetJSON(tx, bItems, []byte(it.Key), &prev)
			if err != nil {
				return err
			}
			if ok {
				if prev.Digest == prep[i].digest {
					r.Status = api.Duplicate
				} else {
					r.Status, r.Reason = api.Conflict, "key "+it.Key+" was taken before with different content"
				}
				continue
			}
			status, reason, err := s.apply(tx, dev, it, now)
			if err != nil {
				return err
			}
			if status != api.Accepted {
				r.Status, r.Reason = status, reason
				continue
			}
			r.Reason = reason // an accepted item may carry a note (a rating held for its case)
			if err := localdb.PutJSON(tx, bItems, []byte(it.Key), itemRecord{Digest: prep[i].digest, Kind: it.Kind, Device: dev.ID, Received: now}); err != nil {
				return err
			}
			r.Status = api.Accepted
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("intake from %s: %w", dev.ID, err)
	}
	return results, nil
}

// itemDigest is what tells a retry (same key, same content) from a conflict. A vote's digest
// leaves out the voter token, so the taken-item record (device, time) cannot be joined to the
// voters bucket.
func itemDigest(it api.Item) (string, error) {
	payload := it.Payload
	if it.Kind == api.KindVote {
		var v api.VotePayload
		if err := json.Unmarshal(it.Payload, &v); err != nil {
			return "", err
		}
		v.Voter = ""
		payload, _ = json.Marshal(v)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, payload); err != nil {
		return "", err
	}
	h := sha256.Sum256(append([]byte(it.Kind+"\n"), buf.Bytes()...))
	return hex.EncodeToString(h[:]), nil
}

// HeldRatingsKept is how long a rating waits for its case: longer than a kiosk is ever expected
// to be offline and still hold its outbox.
const HeldRatingsKept = 30 * 24 * time.Hour

// HeldRatingNote is the note on an accepted rating whose case the township does not hold yet.
const HeldRatingNote = "held until its case arrives from the kiosk that made it"

// apply stores what an item carries. It answers Accepted, or Rejected or Conflict with the reason;
// err is a failure of the file.
func (s *Store) apply(tx *bolt.Tx, dev Device, it api.Item, now time.Time) (string, string, error) {
	rejected := func(format string, a ...any) (string, string, error) {
		return api.Rejected, fmt.Sprintf(it.Kind+": "+format, a...), nil
	}
	switch it.Kind {
	case api.KindCase:
		var p api.CasePayload
		if err := json.Unmarshal(it.Payload, &p); err != nil {
			return "", "", err
		}
		n, err := casenum.Parse(p.Number, time.UTC)
		if err != nil {
			return rejected("number: %v", err)
		}
		if n.Kiosk != dev.Code && (dev.LocalCode == "" || n.Kiosk != dev.LocalCode) {
			return rejected("number %s is in the numbering of kiosk %s; this device numbers its cases %s", p.Number, n.Kiosk, dev.Code)
		}
		if tx.Bucket(bCases).Get([]byte(p.Number)) != nil {
			return api.Conflict, "case number " + p.Number + " already exists under another key", nil
		}
		priv, _ := json.Marshal(casePrivate{Applicant: p.Applicant, Form: p.Form, Entrustment: p.Entrustment})
		c := Case{Number: p.Number, ItemCode: p.ItemCode, ItemName: p.ItemName, Village: dev.Village, Device: dev.ID,
			Status: localdb.StatusReceived, Submitted: p.SubmittedAt.UTC(), Promised: p.PromisedBy.UTC(),
			Received: now, Updated: now, Missing: p.Missing, Proxy: p.Proxy, Channel: p.Channel, OnTheSpot: p.OnTheSpot,
			Life:   "received",
			Sealed: s.sealer.Seal(priv, "case/"+p.Number)}
		if e := p.Entrustment; e != nil {
			c.Relation, c.ForwardBy = e.Relation, e.ForwardBy.UTC()
		}
		if err := localdb.PutJSON(tx, bCases, []byte(p.Number), c); err != nil {
			return "", "", err
		}
		if err := settleHeld(tx, c); err != nil {
			return "", "", err
		}
		// The kiosk learns that the township has the case through the feed, like any later status.
		return api.Accepted, "", addChange(tx, dev.Village, api.ChangeCaseStatus, p.Number,
			localdb.CaseStatusChange{Number: p.Number, Status: localdb.StatusReceived, At: now})
	case api.KindCaseStep:
		var p api.CaseStepPayload
		if err := json.Unmarshal(it.Payload, &p); err != nil {
			return "", "", err
		}
		c, why, err := villageCase(tx, dev, p.Number, "a step is sent after its case")
		if err != nil {
			return "", "", err
		} else if why != "" {
			return rejected("%s", why)
		}
		if c.Life == "" {
			c.Life = "received" // a case taken before the township kept the hall's steps
		}
		if p.Steps[0].From != c.Life {
			return rejected("steps[0].from %s: the case stands at %s", p.Steps[0].From, c.Life)
		}
		c.Steps = append(c.Steps, p.Steps...)
		c.Life, c.Updated = p.Steps[len(p.Steps)-1].To, now
		return api.Accepted, "", localdb.PutJSON(tx, bCases, []byte(p.Number), c)
	case api.KindRating:
		var p api.RatingPayload
		if err := json.Unmarshal(it.Payload, &p); err != nil {
			return "", "", err
		}
		rec := ratingRecord{Grade: p.Grade, Reasons: p.Reasons, RatedAt: p.RatedAt.UTC(), Village: dev.Village, Device: dev.ID, Received: now}
		var c Case
		ok, err := localdb.GetJSON(tx, bCases, []byte(p.CaseNumber), &c)
		if err != nil {
			return "", "", err
		}
		if tx.Bucket(bRatings).Get([]byte(p.CaseNumber)) != nil || tx.Bucket(bHeld).Get([]byte(p.CaseNumber)) != nil {
			return rejected("case %s was rated before; a case is rated once", p.CaseNumber)
		}
		if ok {
			if c.Village != dev.Village {
				return rejected("case %s is a case of another village", p.CaseNumber)
			}
			return api.Accepted, "", localdb.PutJSON(tx, bRatings, []byte(p.CaseNumber), rec)
		}
		// Not here yet: the kiosk that made it may be offline. Hold the rating if the number is
		// one a kiosk of this village could have made; count it when the case comes.
		n, err := casenum.Parse(p.CaseNumber, time.UTC)
		if err != nil {
			return rejected("case_number: %v", err)
		}
		if n.Day.After(now.Add(48 * time.Hour)) {
			return rejected("case %s is dated after today", p.CaseNumber)
		}
		makers, err := devicesOf(tx, n.Kiosk)
		if err != nil {
			return "", "", err
		}
		if len(makers) == 0 {
			return rejected("no case %s: no kiosk of this township numbers cases %s", p.CaseNumber, n.Kiosk)
		}
		ours := false
		for _, d := range makers {
			ours = ours || d.Village == dev.Village
		}
		if !ours {
			return rejected("case %s is a case of another village", p.CaseNumber)
		}
		return api.Accepted, HeldRatingNote, localdb.PutJSON(tx, bHeld, []byte(p.CaseNumber), rec)
	case api.KindDisplay:
		var p api.DisplayPayload
		if err := json.Unmarshal(it.Payload, &p); err != nil {
			return "", "", err
		}
		d := Display{DisplayPayload: p, Device: dev.ID, Village: dev.Village, Received: now}
		return api.Accepted, "", localdb.PutJSON(tx, bRecords, displayKey(dev.Village, p.Item, p.From, dev.ID), d)
	case api.KindCaseAmend:
		var p api.CaseAmendPayload
		if err := json.Unmarshal(it.Payload, &p); err != nil {
			return "", "", err
		}
		c, why, err := villageCase(tx, dev, p.Number, "it is amended after it came")
		if err != nil {
			return "", "", err
		} else if why != "" {
			return rejected("%s", why)
		}
		if !api.ContinuableLife(c.Life) {
			return rejected("case %s stands at %s: only a case not yet taken on is amended", p.Number, c.Life)
		}
		raw, err := s.sealer.Open(c.Sealed, "case/"+c.Number)
		if err != nil {
			return "", "", fmt.Errorf("case %s: %w", c.Number, err)
		}
		var priv casePrivate
		if err := json.Unmarshal(raw, &priv); err != nil {
			return "", "", err
		}
		priv.Form = p.Form
		sealed, _ := json.Marshal(priv)
		c.Sealed, c.Missing, c.Amended, c.Updated = s.sealer.Seal(sealed, "case/"+c.Number), p.Missing, p.At.UTC(), now
		return api.Accepted, "", localdb.PutJSON(tx, bCases, []byte(p.Number), c)
	case api.KindRatingFollowUp:
		var p api.RatingFollowUpPayload
		if err := json.Unmarshal(it.Payload, &p); err != nil {
			return "", "", err
		}
		bucket := bRatings
		var r ratingRecord
		ok, err := localdb.GetJSON(tx, bucket, []byte(p.CaseNumber), &r)
		if err == nil && !ok {
			bucket = bHeld // rated before its case came: the follow-up goes with the held rating
			ok, err = localdb.GetJSON(tx, bucket, []byte(p.CaseNumber), &r)
		}
		switch {
		case err != nil:
			return "", "", err
		case !ok:
			return rejected("no rating of case %s here: a follow-up is sent after its rating", p.CaseNumber)
		case r.Village != dev.Village:
			return rejected("case %s is a case of another village", p.CaseNumber)
		case r.Grade > 2:
			return rejected("case %s was rated %d: only a bad rating (1 or 2) is followed up", p.CaseNumber, r.Grade)
		}
		want := api.FollowUpVerified
		if n := len(r.FollowUps); n > 0 {
			if r.FollowUps[n-1].Step == api.FollowUpRectified {
				return rejected("case %s: its follow-up is finished (rectified)", p.CaseNumber)
			}
			want = api.FollowUpRectified
		}
		if p.Step != want {
			return rejected("case %s: the next follow-up step is %s, not %s", p.CaseNumber, want, p.Step)
		}
		r.FollowUps = append(r.FollowUps, FollowUpStep{Step: p.Step, Actor: p.Actor, Note: p.Note, Due: p.Due.UTC(), At: p.At.UTC()})
		return api.Accepted, "", localdb.PutJSON(tx, bucket, []byte(p.CaseNumber), r)
	case api.KindVote:
		var p api.VotePayload
		if err := json.Unmarshal(it.Payload, &p); err != nil {
			return "", "", err
		}
		var poll pollRecord
		ok, err := localdb.GetJSON(tx, bPolls, []byte(p.PollID), &poll)
		switch {
		case err != nil:
			return "", "", err
		case !ok:
			return rejected("poll %s was never published", p.PollID)
		case poll.Village != "" && poll.Village != dev.Village:
			return rejected("poll %s is not a poll of %s", p.PollID, dev.Village)
		case p.VotedAt.Before(poll.OpensAt) || !p.VotedAt.Before(poll.ClosesAt):
			return rejected("poll %s is open from %s to %s, not at voted_at %s", p.PollID,
				poll.OpensAt.Format(time.RFC3339), poll.ClosesAt.Format(time.RFC3339), p.VotedAt.Format(time.RFC3339))
		case p.VotedAt.After(now.Add(maxAhead)):
			return rejected("voted_at %s is in the future", p.VotedAt.Format(time.RFC3339))
		case !slices.Contains(poll.Options, p.Option):
			return rejected("option %q is not one of poll %s", textrule.Escape(p.Option), p.PollID)
		}
		voter := []byte(p.PollID + "/" + p.Voter)
		if tx.Bucket(bVoters).Get(voter) != nil {
			return rejected("this resident has voted in poll %s already", p.PollID)
		}
		if err := tx.Bucket(bVoters).Put(voter, []byte{}); err != nil {
			return "", "", err
		}
		tally := map[string]int{}
		if _, err := localdb.GetJSON(tx, bTallies, []byte(p.PollID), &tally); err != nil {
			return "", "", err
		}
		tally[p.Option]++
		return api.Accepted, "", localdb.PutJSON(tx, bTallies, []byte(p.PollID), tally)
	case api.KindAudit:
		var p api.AuditPayload
		if err := json.Unmarshal(it.Payload, &p); err != nil {
			return "", "", err
		}
		key := auditKey(dev.ID, p.Seq)
		if tx.Bucket(bAudit).Get(key) != nil {
			// The device numbered this line before under another upload key (a store restored from
			// a backup renumbers nothing, so this is the same line): the log keeps the first.
			return api.Accepted, "line " + strconv.FormatUint(p.Seq, 10) + " of this device's audit log was taken before", nil
		}
		return api.Accepted, "", localdb.PutJSON(tx, bAudit, key, AuditLine{AuditPayload: p, Device: dev.ID, Village: dev.Village, Received: now})
	case api.KindMessage:
		var p api.MessagePayload
		if err := json.Unmarshal(it.Payload, &p); err != nil {
			return "", "", err
		}
		sealed := s.sealer.Seal(it.Payload, "message/"+p.ID)
		return api.Accepted, "", localdb.PutJSON(tx, bMessages, []byte(p.ID), map[string]any{"village": dev.Village, "device": dev.ID, "topic": p.Topic, "sealed": sealed, "received": now})
	default:
		return api.Accepted, "", tx.Bucket(bRecords).Put([]byte(it.Kind+"/"+dev.ID+"/"+it.Key), it.Payload)
	}
}

// maxAhead is how far in the future a kiosk's timestamp may be: its clock is checked against ours
// (within MaxSkew) on every request.
const maxAhead = 10 * time.Minute

// ratingRecord is a counted or held rating.
type ratingRecord struct {
	Grade    int       `json:"grade"`
	Reasons  []string  `json:"reasons,omitempty"`
	RatedAt  time.Time `json:"rated_at"`
	Village  string    `json:"village"`
	Device   string    `json:"device"`
	Received time.Time `json:"received"`
	// FollowUps are the hall's 回访核实 and 整改 of a bad rating, in order.
	FollowUps []FollowUpStep `json:"follow_ups,omitempty"`
}

// FollowUpStep is one step of the follow-up of a bad rating as the township keeps it.
type FollowUpStep struct {
	Step  string    `json:"step"`
	Actor string    `json:"actor"`
	Note  string    `json:"note"`
	Due   time.Time `json:"due"`
	At    time.Time `json:"at"`
}

// pollRecord is a published poll, with the village it was published for ("" for all).
type pollRecord struct {
	api.PollPayload
	Village string `json:"village,omitempty"`
}

// settleHeld counts a held rating when its case arrives, if the case is of the rater's village.
func settleHeld(tx *bolt.Tx, c Case) error {
	var r ratingRecord
	ok, err := localdb.GetJSON(tx, bHeld, []byte(c.Number), &r)
	if err != nil || !ok {
		return err
	}
	if err := tx.Bucket(bHeld).Delete([]byte(c.Number)); err != nil {
		return err
	}
	if r.Village != c.Village {
		return nil
	}
	return localdb.PutJSON(tx, bRatings, []byte(c.Number), r)
}

// PruneHeld drops held ratings that waited since before cut for a case that never came, and says
// how many.
func (s *Store) PruneHeld(cut time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		n = 0
		c := tx.Bucket(bHeld).Cursor()
		for k, v := c.First(); k != nil; {
			var r ratingRecord
			if err := json.Unmarshal(v, &r); err == nil && r.Received.Before(cut) {
				if err := c.Delete(); err != nil {
					return err
				}
				n++
				k, v = c.Seek(k)
				continue
			}
			k, v = c.Next()
		}
		return nil
	})
	return n, err
}

// Rating is a counted rating of a case, for the admin, with the follow-up of a bad one.
type Rating struct {
	Case      string         `json:"case"`
	Village   string         `json:"village"`
	Grade     int            `json:"grade"`
	Reasons   []string       `json:"reasons,omitempty"`
	RatedAt   time.Time      `json:"rated_at"`
	FollowUps []FollowUpStep `json:"follow_ups,omitempty"`
}

// Ratings lists the counted ratings, optionally of one village.
func (s *Store) Ratings(village string) ([]Rating, error) {
	var out []Rating
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bRatings).ForEach(func(k, v []byte) error {
			var r ratingRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if village == "" || r.Village == village {
				out = append(out, Rating{Case: string(k), Village: r.Village, Grade: r.Grade, Reasons: r.Reasons, RatedAt: r.RatedAt, FollowUps: r.FollowUps})
			}
			return nil
		})
	})
	return out, err
}

// Tally is the count of votes per option of a poll; who voted is kept apart and not in it.
func (s *Store) Tally(pollID string) (map[string]int, error) {
	tally := map[string]int{}
	err := s.db.View(func(tx *bolt.Tx) error {
		var p pollRecord
		ok, err := localdb.GetJSON(tx, bPolls, []byte(pollID), &p)
		if err == nil && !ok {
			err = fmt.Errorf("poll %s: %w", pollID, ErrNoPoll)
		}
		if err != nil {
			return err
		}
		for _, o := range p.Options {
			tally[o] = 0
		}
		_, err = localdb.GetJSON(tx, bTallies, []byte(pollID), &tally)
		return err
	})
	return tally, err
}

// SeenNonce reports whether a device used this nonce in a stored batch.
func (s *Store) SeenNonce(device, nonce string) (bool, error) {
	var seen bool
	err := s.db.View(func(tx *bolt.Tx) error {
		seen = tx.Bucket(bNonces).Get([]byte(device+"/"+nonce)) != nil
		return nil
	})
	return seen, err
}

// PruneNonces drops stored nonces older than before; their timestamps are stale anyway.
func (s *Store) PruneNonces(before time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bNonces).Cursor()
		for k, v := c.First(); k != nil; {
			if len(v) == 8 && int64(binary.BigEndian.Uint64(v)) < before.Unix() {
				if err := c.Delete(); err != nil {
					return err
				}
				k, v = c.Seek(k)
				continue
			}
			k, v = c.Next()
		}
		return nil
	})
}

// Touch notes when a device was last heard from.
func (s *Store) Touch(id string) error {
	return s.db.Batch(func(tx *bolt.Tx) error {
		var d Device
		if ok, err := localdb.GetJSON(tx, bDevices, []byte(id), &d); err != nil || !ok {
			return err
		}
		d.LastSeen = s.now().UTC()
		return localdb.PutJSON(tx, bDevices, []byte(id), d)
	})
}

// Cases lists cases, newest first, optionally for one village; applicants are opened.
func (s *Store) Cases(village string) ([]Case, error) {
	var out []Case
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bCases).ForEach(func(k, v []byte) error {
			var c Case
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			if village == "" || c.Village == village {
				out = append(out, c)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.openCase(&out[i]); err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Received.After(out[j].Received) })
	return out, nil
}

// Display is one span of a wall's proof of display as the township keeps it.
type Display struct {
	api.DisplayPayload
	Device   string    `json:"device"`
	Village  string    `json:"village"`
	Received time.Time `json:"received"`
}

// displayKey orders a village's spans by item, then time, then wall: a repeat of a span is the
// same key (kept once).
func displayKey(village, item string, from time.Time, device string) []byte {
	return []byte("display/" + village + "/" + item + "/" + from.UTC().Format(time.RFC3339) + "/" + device)
}

// Displays lists the proof-of-display spans, of one village (or all) and one item (or all), by
// item, then time: a notice's 公示期 and any gap in it read from top to bottom.
func (s *Store) Displays(village, item string) ([]Display, error) {
	prefix := "display/"
	if village != "" {
		prefix += village + "/"
		if item != "" {
			prefix += item + "/"
		}
	}
	var out []Display
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bRecords).Cursor()
		for k, v := c.Seek([]byte(prefix)); k != nil && strings.HasPrefix(string(k), prefix); k, v = c.Next() {
			var d Display
			if err := json.Unmarshal(v, &d); err != nil {
				return err
			}
			if item == "" || d.Item == item {
				out = append(out, d)
			}
		}
		return nil
	})
	return out, err
}

// villageCase reads the case a hall's record is about; why says why the record is refused: not here yet (after says what comes first), or another village's.
func villageCase(tx *bolt.Tx, dev Device, number, after string) (Case, string, error) {
	var c Case
	ok, err := localdb.GetJSON(tx, bCases, []byte(number), &c)
	switch {
	case err != nil:
		return Case{}, "", err
	case !ok:
		return Case{}, fmt.Sprintf("no case %s here: %s", number, after), nil
	case c.Village != dev.Village:
		return Case{}, fmt.Sprintf("case %s is a case of another village", number), nil
	}
	return c, "", nil
}

// FindCases is what a window of village may continue: kiosk cases not yet taken on, by number
// or by the applicant's ID number, newest first. Another village's case is never found.
func (s *Store) FindCases(village string, q api.CaseFindRequest) ([]Case, error) {
	var cs []Case
	if q.Number != "" {
		c, err := s.Case(q.Number)
		if errors.Is(err, ErrNoCase) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		cs = []Case{c}
	} else {
		var err error
		if cs, err = s.Cases(village); err != nil {
			return nil, err
		}
	}
	var out []Case
	for _, c := range cs {
		if c.Village != village || c.Channel != "" || !api.ContinuableLife(c.Life) || localdb.ClosedStatus(c.Status) {
			continue
		}
		if q.IDNumber != "" && (c.Applicant == nil || c.Applicant.IDNumber != q.IDNumber) {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// Case reads one case.
func (s *Store) Case(number string) (Case, error) {
	var c Case
	err := s.db.View(func(tx *bolt.Tx) error {
		ok, err := localdb.GetJSON(tx, bCases, []byte(number), &c)
		if err == nil && !ok {
			err = ErrNoCase
		}
		return err
	})
	if err != nil {
		return Case{}, fmt.Errorf("case %s: %w", number, err)
	}
	return c, s.openCase(&c)
}

func (s *Store) openCase(c *Case) error {
	raw, err := s.sealer.Open(c.Sealed, "case/"+c.Number)
	if err != nil {
		return fmt.Errorf("case %s: %w", c.Number, err)
	}
	var p casePrivate
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	c.Applicant, c.Form, c.Sealed = &p.Applicant, p.Form, nil
	return nil
}

// Statuses a township may set.
var settable = map[string]bool{localdb.StatusAccepted: true, localdb.StatusRejected: true, localdb.StatusDone: true, localdb.StatusReceived: true}

// SetStatus changes a case's status with a result note and publishes it to the case's village.
func (s *Store) SetStatus(number, status, note string) error {
	if !settable[status] {
		return fmt.Errorf("%w: status %q (use accepted, rejected or done)", ErrBadInput, textrule.Escape(status))
	}
	if err := textrule.Check("note", note, api.RuleNote); err != nil {
		return fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	now := s.now().UTC()
	return s.db.Update(func(tx *bolt.Tx) error {
		var c Case
		ok, err := localdb.GetJSON(tx, bCases, []byte(number), &c)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("case %s: %w", number, ErrNoCase)
		}
		c.Status, c.Note, c.Updated = status, note, now
		// A case the hall forwarded moves on by the township's own result: the hall's next step
		// (ready, hand-over) starts where this one ends, as the hall's settle does on its side.
		if to, ok := api.ResultStep(status); c.Life == "forwarded" && ok {
			c.Steps = append(c.Steps, api.CaseStep{From: c.Life, To: to, Actor: "township", Role: "township", Reason: note, At: now})
			c.Life = to
		}
		if err := localdb.PutJSON(tx, bCases, []byte(number), c); err != nil {
			return err
		}
		return addChange(tx, c.Village, "case_status", number, localdb.CaseStatusChange{Number: number, Status: status, Note: note, At: now})
	})
}

// Publish adds content to the feed: kind catalog, disclosure, disclosure_withdraw, poll,
// message_reply or staff, for one village or (village "") all of them (a staff account: one). Every string in it must pass the text
// rule, as a kiosk checks it again; a poll is kept to count votes against.
func (s *Store) Publish(village, kind, key string, payload json.RawMessage) (uint64, error) {
	if err := api.ValidPublishKind(kind); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	if err := textrule.Check("village", village, textrule.Line(api.RuleVillage.Max)); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	if kind == api.ChangeDisclosureWithdraw {
		payload = nil
	} else if !json.Valid(payload) {
		return 0, fmt.Errorf("%w: publish needs a JSON document", ErrBadInput)
	}
	if err := api.ValidateChange(kind, key, payload); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	if kind == api.ChangeMessageReply {
		var r api.MessageReply
		if err := api.DecodeStrict(payload, &r); err != nil || r.Reply == "" {
			return 0, fmt.Errorf("%w: a message_reply is {\"reply\": \"...\", \"at\": \"RFC 3339 time\"} with a reply (%v)", ErrBadInput, err)
		}
	}
	if kind == api.ChangeStaff {
		if village == "" {
			return 0, fmt.Errorf("%w: a staff account belongs to one village's hall: give --village", ErrBadInput)
		}
	}
	var poll api.PollPayload
	if kind == api.ChangePoll {
		var err error
		if poll, err = api.ValidatePoll(key, payload); err != nil {
			return 0, fmt.Errorf("%w: %w", ErrBadInput, err)
		}
	}
	var seq uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		if kind == api.ChangePoll {
			var prev pollRecord
			had, err := localdb.GetJSON(tx, bPolls, []byte(key), &prev)
			if err != nil {
				return err
			}
			if had && tx.Bucket(bTallies).Get([]byte(key)) != nil && !slices.Equal(prev.Options, poll.Options) {
				return fmt.Errorf("%w: poll %s has votes; its options cannot change", ErrBadInput, key)
			}
			if had && prev.Village != village {
				return fmt.Errorf("%w: poll %s was published for %q; it stays there", ErrBadInput, key, prev.Village)
			}
			if err := localdb.PutJSON(tx, bPolls, []byte(key), pollRecord{PollPayload: poll, Village: village}); err != nil {
				return err
			}
		}
		var err error
		seq, err = addChangeRaw(tx, village, kind, key, payload)
		return err
	})
	return seq, err
}

type storedChange struct {
	api.Change
	Village string `json:"village,omitempty"`
}

func addChange(tx *bolt.Tx, village, kind, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = addChangeRaw(tx, village, kind, key, raw)
	return err
}

func addChangeRaw(tx *bolt.Tx, village, kind, key string, payload json.RawMessage) (uint64, error) {
	b := tx.Bucket(bChanges)
	seq, err := b.NextSequence()
	if err != nil {
		return 0, err
	}
	return seq, localdb.PutJSON(tx, bChanges, u64(seq), storedChange{Change: api.Change{Seq: seq, Kind: kind, Key: key, Payload: payload}, Village: village})
}

// Changes reads up to limit changes after cursor meant for village (or for everyone).
func (s *Store) Changes(village string, after uint64, limit int) (api.ChangesResponse, error) {
	resp := api.ChangesResponse{Changes: []api.Change{}, Cursor: after}
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bChanges).Cursor()
		scanned := 0
		k, v := c.Seek(u64(after + 1))
		for ; k != nil; k, v = c.Next() {
			if len(resp.Changes) >= limit || scanned >= 20*limit {
				resp.More = true
				return nil
			}
			scanned++
			var ch storedChange
			if err := json.Unmarshal(v, &ch); err != nil {
				return err
			}
			resp.Cursor = ch.Seq
			if ch.Village == "" || ch.Village == village {
				resp.Changes = append(resp.Changes, ch.Change)
			}
		}
		return nil
	})
	return resp, err
}

// Stats counts what the township holds, for the admin.
type Stats struct {
	Devices     int `json:"devices"`
	Cases       int `json:"cases"`
	Items       int `json:"items"`
	Changes     int `json:"changes"`
	Ratings     int `json:"ratings"`
	HeldRatings int `json:"held_ratings"` // waiting for their case
	Polls       int `json:"polls"`
}

// Stats reads the counts.
func (s *Store) Stats() (Stats, error) {
	var st Stats
	err := s.db.View(func(tx *bolt.Tx) error {
		st = Stats{Devices: tx.Bucket(bDevices).Stats().KeyN, Cases: tx.Bucket(bCases).Stats().KeyN,
			Items: tx.Bucket(bItems).Stats().KeyN, Changes: tx.Bucket(bChanges).Stats().KeyN,
			Ratings: tx.Bucket(bRatings).Stats().KeyN, HeldRatings: tx.Bucket(bHeld).Stats().KeyN, Polls: tx.Bucket(bPolls).Stats().KeyN}
		return nil
	})
	return st, err
}

// ItemCount counts taken items of one kind (tests and the admin use it to see exactly-once).
func (s *Store) ItemCount(kind string) (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bItems).ForEach(func(k, v []byte) error {
			var r itemRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if kind == "" || r.Kind == kind {
				n++
			}
			return nil
		})
	})
	return n, err
}

func u64(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}
