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
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"hallkiosk/localdb"
	"hallkiosk/township/api"
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
}

// Errors the server maps to answers.
var (
	ErrBadCode  = errors.New("enrolment code is unknown, used or expired")
	ErrNoDevice = errors.New("no such device")
	ErrNoCase   = errors.New("no such case")
	ErrBadInput = errors.New("bad input")
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
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Village   string    `json:"village"`
	Enrolled  time.Time `json:"enrolled"`
	Code      string    `json:"code"` // short, unique in this township: goes into case numbers
	Revoked   time.Time `json:"revoked,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
	Secret    []byte    `json:"-"`
	SealedKey []byte    `json:"sealed_secret"`
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

// Enrol spends a code and makes a device with a fresh secret.
func (s *Store) Enrol(codeText, name string) (Device, error) {
	var d Device
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
			Secret: secret, Code: KioskCode(n)}
		d.SealedKey = s.sealer.Seal(secret, "device/"+d.ID)
		return localdb.PutJSON(tx, bDevices, []byte(d.ID), d)
	})
	if err != nil {
		return Device{}, fmt.Errorf("enrol: %w", err)
	}
	return d, nil
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
	var out []Device
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
	Number    string            `json:"number"`
	ItemCode  string            `json:"item_code"`
	ItemName  string            `json:"item_name"`
	Village   string            `json:"village"`
	Device    string            `json:"device"`
	Status    string            `json:"status"`
	Note      string            `json:"note,omitempty"`
	Submitted time.Time         `json:"submitted"`
	Promised  time.Time         `json:"promised"`
	Received  time.Time         `json:"received"`
	Updated   time.Time         `json:"updated"`
	Missing   []string          `json:"missing,omitempty"`
	Proxy     bool              `json:"proxy,omitempty"`
	Applicant *api.Applicant    `json:"-"`
	Form      map[string]string `json:"-"`
	Sealed    []byte            `json:"sealed"`
}

type casePrivate struct {
	Applicant api.Applicant     `json:"applicant"`
	Form      map[string]string `json:"form,omitempty"`
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
		if !validKey(it.Key) {
			prep[i].bad = fmt.Errorf("key %q must be 1-64 letters, digits or '-'", it.Key)
			continue
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, it.Payload); err != nil {
			prep[i].bad = err
			continue
		}
		h := sha256.Sum256(append([]byte(it.Kind+"\n"), buf.Bytes()...))
		prep[i].digest = hex.EncodeToString(h[:])
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
			if reason, err := s.apply(tx, dev, it, now); err != nil {
				return err
			} else if reason != "" {
				r.Status, r.Reason = api.Conflict, reason
				continue
			}
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

// apply stores what an accepted item carries. A non-empty reason is a conflict with an existing record.
func (s *Store) apply(tx *bolt.Tx, dev Device, it api.Item, now time.Time) (string, error) {
	switch it.Kind {
	case api.KindCase:
		var p api.CasePayload
		if err := json.Unmarshal(it.Payload, &p); err != nil {
			return "", err
		}
		if tx.Bucket(bCases).Get([]byte(p.Number)) != nil {
			return "case number " + p.Number + " already exists under another key", nil
		}
		priv, _ := json.Marshal(casePrivate{Applicant: p.Applicant, Form: p.Form})
		c := Case{Number: p.Number, ItemCode: p.ItemCode, ItemName: p.ItemName, Village: dev.Village, Device: dev.ID,
			Status: localdb.StatusReceived, Submitted: p.SubmittedAt.UTC(), Promised: p.PromisedBy.UTC(),
			Received: now, Updated: now, Missing: p.Missing, Proxy: p.Proxy,
			Sealed: s.sealer.Seal(priv, "case/"+p.Number)}
		if err := localdb.PutJSON(tx, bCases, []byte(p.Number), c); err != nil {
			return "", err
		}
		// The kiosk learns that the township has the case through the feed, like any later status.
		return "", addChange(tx, dev.Village, "case_status", p.Number,
			localdb.CaseStatusChange{Number: p.Number, Status: localdb.StatusReceived, At: now})
	case api.KindMessage:
		var p api.MessagePayload
		if err := json.Unmarshal(it.Payload, &p); err != nil {
			return "", err
		}
		sealed := s.sealer.Seal(it.Payload, "message/"+p.ID)
		return "", localdb.PutJSON(tx, bMessages, []byte(p.ID), map[string]any{"village": dev.Village, "device": dev.ID, "topic": p.Topic, "sealed": sealed, "received": now})
	default:
		return "", tx.Bucket(bRecords).Put([]byte(it.Kind+"/"+dev.ID+"/"+it.Key), it.Payload)
	}
}

func validKey(k string) bool {
	if len(k) == 0 || len(k) > 64 {
		return false
	}
	for _, r := range k {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			return false
		}
	}
	return true
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
		return fmt.Errorf("%w: status %q (use accepted, rejected or done)", ErrBadInput, status)
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
		if err := localdb.PutJSON(tx, bCases, []byte(number), c); err != nil {
			return err
		}
		return addChange(tx, c.Village, "case_status", number, localdb.CaseStatusChange{Number: number, Status: status, Note: note, At: now})
	})
}

// Publish adds content to the feed: kind catalog, disclosure, disclosure_withdraw, poll or
// message_reply, for one village or (village "") all of them.
func (s *Store) Publish(village, kind, key string, payload json.RawMessage) (uint64, error) {
	switch kind {
	case "catalog", "disclosure", "disclosure_withdraw", "poll", "message_reply":
	default:
		return 0, fmt.Errorf("%w: cannot publish kind %q", ErrBadInput, kind)
	}
	if key == "" || (kind != "disclosure_withdraw" && !json.Valid(payload)) {
		return 0, fmt.Errorf("%w: publish needs a key and a JSON document", ErrBadInput)
	}
	var seq uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
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
	Devices, Cases, Items, Changes int
}

// Stats reads the counts.
func (s *Store) Stats() (Stats, error) {
	var st Stats
	err := s.db.View(func(tx *bolt.Tx) error {
		st = Stats{Devices: tx.Bucket(bDevices).Stats().KeyN, Cases: tx.Bucket(bCases).Stats().KeyN,
			Items: tx.Bucket(bItems).Stats().KeyN, Changes: tx.Bucket(bChanges).Stats().KeyN}
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
