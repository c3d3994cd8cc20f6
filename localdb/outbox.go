package localdb

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

var (
	bucketOutbox     = []byte("outbox")
	bucketQuarantine = []byte("quarantine")
	bucketOutboxMeta = []byte("outbox_meta")
	keyLastSuccess   = []byte("last_success")
	keyLastError     = []byte("last_error")
)

const outboxRecordVersion = 1

// OutboxItem is one upload waiting for the township. Key is made here, once, and travels with
// every retry, so the township can answer a repeat as a duplicate: at-least-once sending, exactly
// once in effect.
type OutboxItem struct {
	V         int             `json:"v"`
	Seq       uint64          `json:"seq"`
	Key       string          `json:"key"`
	Kind      string          `json:"kind"`
	Payload   json.RawMessage `json:"payload"`
	Attempts  int             `json:"attempts"`
	NextAt    time.Time       `json:"next_at"`
	LastError string          `json:"last_error,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	// Reason is set on quarantined items: why the township refused it for good.
	Reason string `json:"reason,omitempty"`
}

// Record is a row of some bucket written together with its outbox item. The typed constructors
// (CaseRecord, TicketRecord, ...) fill the unexported parts: a must-be-new check, an index entry,
// or a builder that numbers the row inside the transaction.
type Record struct {
	Bucket string
	Key    []byte
	Value  []byte

	mustBeNew   bool
	indexBucket []byte
	index       []byte
	// build reads the file and returns the row with any other writes it needs (a poll's tally).
	build func(tx *bolt.Tx) (key, value []byte, also []put, err error)
}

// ErrNotFound is an outbox or quarantine key that is not there.
var ErrNotFound = errors.New("not found")

// Submit stores the record and its outbox item together: when it returns nil, both survive a
// power cut; when it fails, neither was written. Durability comes from one synced journal entry
// (see journal.go); the Bolt commit follows in the background, and every read waits for it.
func (db *DB) Submit(rec Record, kind string, payload []byte) (OutboxItem, error) {
	items, err := db.SubmitAll(rec, Upload{Kind: kind, Payload: payload})
	if err != nil {
		return OutboxItem{}, err
	}
	return items[0], nil
}

// Upload is one item for the township, as SubmitAll takes it.
type Upload struct {
	Kind    string
	Payload []byte
}

// SubmitAll is Submit with several uploads in one transaction, sent in the order given (a case
// and the first step of its life, which the township needs in that order).
func (db *DB) SubmitAll(rec Record, ups ...Upload) ([]OutboxItem, error) {
	if len(ups) == 0 {
		return nil, fmt.Errorf("submit to %s: nothing to upload", db.path)
	}
	now := db.now().UTC()
	items := make([]OutboxItem, len(ups))
	for i, u := range ups {
		if u.Kind == "" || !json.Valid(u.Payload) {
			return nil, fmt.Errorf("submit to %s: outbox item needs a kind and a JSON payload", db.path)
		}
		items[i] = newItem(u, now)
	}
	if err := db.submit(rec, items); err != nil {
		return nil, fmt.Errorf("submit %s to %s: %w", ups[0].Kind, db.path, err)
	}
	return items, nil
}

// newItem is an upload as the outbox keeps it, due now; its number is given where it is stored.
func newItem(u Upload, now time.Time) OutboxItem {
	return OutboxItem{V: outboxRecordVersion, Key: uuid.Must(uuid.NewV7()).String(), Kind: u.Kind,
		Payload: append(json.RawMessage(nil), u.Payload...), NextAt: now, CreatedAt: now}
}

// addOutbox puts one upload into the outbox inside a write transaction of the caller's (an audit
// line with the change it records).
func (db *DB) addOutbox(tx *bolt.Tx, u Upload) error {
	it := newItem(u, db.now().UTC())
	ob := tx.Bucket(bucketOutbox)
	seq, err := ob.NextSequence()
	if err != nil {
		return err
	}
	it.Seq = seq
	raw, err := db.encodeItem(it)
	if err != nil {
		return err
	}
	return ob.Put(seqKey(seq), raw)
}

func (db *DB) submit(rec Record, items []OutboxItem) error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if db.closed {
		return errors.New("store is closed")
	}
	// What is pending was applied a moment after its submit; if not, this submit waits for it, so
	// its checks below see every earlier submit.
	if err := db.applyPendingLocked(); err != nil {
		return err
	}
	var puts []put
	var size int64
	err := db.view0(func(tx *bolt.Tx) error {
		var err error
		puts, err = db.submitPuts(tx, rec, items)
		size = tx.Size()
		return err
	})
	if err != nil {
		return err
	}
	var n int
	for _, p := range puts {
		n += len(p.key) + len(p.value)
	}
	if db.maxSize > 0 && size+int64(8*n)+capMargin > int64(db.maxSize) {
		// Near the cap: commit straight to Bolt, so a full store refuses this submit itself.
		return db.update0(func(tx *bolt.Tx) error { return applyPuts(tx, puts) })
	}
	if err := db.journalAppend(puts); err != nil {
		return err
	}
	if !db.holdApply {
		db.applying.Add(1)
		go func() {
			defer db.applying.Done()
			db.settle()
		}()
	}
	return nil
}

// submitPuts checks a submit against the file and lists its writes, without writing.
func (db *DB) submitPuts(tx *bolt.Tx, rec Record, items []OutboxItem) ([]put, error) {
	var puts []put
	if rec.Bucket != "" {
		key, value := rec.Key, rec.Value
		if rec.build != nil {
			var also []put
			var err error
			if key, value, also, err = rec.build(tx); err != nil {
				return nil, err
			}
			puts = append(puts, also...)
		}
		if b := tx.Bucket([]byte(rec.Bucket)); rec.mustBeNew && b != nil && b.Get(key) != nil {
			return nil, fmt.Errorf("%s/%s: %w", rec.Bucket, key, ErrExists)
		}
		puts = append(puts, put{bucket: []byte(rec.Bucket), key: key, value: value})
		if rec.index != nil {
			puts = append(puts, put{bucket: rec.indexBucket, key: rec.index, value: []byte{}})
		}
	}
	ob := tx.Bucket(bucketOutbox)
	for i := range items {
		seq := ob.Sequence() + 1 + uint64(i)
		if ob.Get(seqKey(seq)) != nil {
			return nil, fmt.Errorf("outbox number %d is taken: %w", seq, ErrCorrupt)
		}
		items[i].Seq = seq
		raw, err := db.encodeItem(items[i])
		if err != nil {
			return nil, err
		}
		puts = append(puts, put{bucket: bucketOutbox, key: seqKey(seq), value: raw, seq: seq})
	}
	for _, p := range puts {
		if err := checkPut(tx, p); err != nil {
			return nil, err
		}
	}
	return puts, nil
}

// checkPut refuses, before anything is journaled, every write bbolt would refuse when it is
// applied: an entry in the journal must never be one that cannot be applied.
func checkPut(tx *bolt.Tx, p put) error {
	switch {
	case len(p.bucket) == 0:
		return berrors.ErrBucketNameRequired
	case len(p.key) == 0:
		return fmt.Errorf("%s: %w", p.bucket, berrors.ErrKeyRequired)
	case len(p.key) > bolt.MaxKeySize:
		return fmt.Errorf("%s: %w", p.bucket, berrors.ErrKeyTooLarge)
	case len(p.value) > bolt.MaxValueSize:
		return fmt.Errorf("%s/%s: %w", p.bucket, p.key, berrors.ErrValueTooLarge)
	}
	b := tx.Bucket(p.bucket) // the top level holds only buckets: a missing one is simply created
	if b == nil {
		return nil
	}
	if k, v := b.Cursor().Seek(p.key); bytes.Equal(k, p.key) && v == nil {
		return fmt.Errorf("%s/%s: %w", p.bucket, p.key, berrors.ErrIncompatibleValue)
	}
	return nil
}

// storedItem is an outbox item as it lies in the file: the payload (which for a case holds the
// resident's name and ID number for the township) is sealed when the store has a device key.
type storedItem struct {
	OutboxItem
	Sealed []byte `json:"sealed,omitempty"`
}

func (db *DB) encodeItem(it OutboxItem) ([]byte, error) {
	if db.sealer == nil {
		return json.Marshal(storedItem{OutboxItem: it})
	}
	sealed := db.sealer.Seal(it.Payload, "outbox/"+it.Key)
	it.Payload = nil
	return json.Marshal(storedItem{OutboxItem: it, Sealed: sealed})
}

func (db *DB) decodeItem(k, raw []byte) (OutboxItem, error) {
	var st storedItem
	if err := json.Unmarshal(raw, &st); err != nil {
		return OutboxItem{}, fmt.Errorf("outbox item %x: %w: %v", k, ErrCorrupt, err)
	}
	if st.Sealed != nil {
		if db.sealer == nil {
			return OutboxItem{}, fmt.Errorf("outbox item %s: %w", st.Key, ErrNoSealer)
		}
		p, err := db.sealer.Open(st.Sealed, "outbox/"+st.Key)
		if err != nil {
			return OutboxItem{}, fmt.Errorf("outbox item %s: %w", st.Key, err)
		}
		st.Payload = p
	}
	return st.OutboxItem, nil
}

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

// Due lists up to limit items whose next attempt time has come, oldest first.
func (db *DB) Due(now time.Time, limit int) ([]OutboxItem, error) {
	var out []OutboxItem
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.First(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
			it, err := db.decodeItem(k, v)
			if err != nil {
				return err
			}
			if !it.NextAt.After(now) {
				out = append(out, it)
			}
		}
		return nil
	})
	return out, err
}

// Delivered removes items the township accepted (or recognised as duplicates) and records the time.
func (db *DB) Delivered(seqs ...uint64) error {
	return db.update(func(tx *bolt.Tx) error {
		ob := tx.Bucket(bucketOutbox)
		for _, s := range seqs {
			if err := ob.Delete(seqKey(s)); err != nil {
				return err
			}
		}
		ts, _ := db.now().UTC().MarshalText()
		return tx.Bucket(bucketOutboxMeta).Put(keyLastSuccess, ts)
	})
}

// Failed counts an attempt, keeps the error and sets when to try again. Items never expire.
func (db *DB) Failed(seq uint64, errText string, next time.Time) error {
	return db.update(func(tx *bolt.Tx) error {
		err := db.moveItem(tx, bucketOutbox, bucketOutbox, seq, func(it *OutboxItem) {
			it.Attempts++
			it.LastError, it.NextAt = errText, next.UTC()
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketOutboxMeta).Put(keyLastError, []byte(errText))
	})
}

// Quarantine moves an item the township refused for good out of the queue, with the reason, for
// staff and technicians to see and retry by hand after a fix.
func (db *DB) Quarantine(seq uint64, reason string) error {
	return db.update(func(tx *bolt.Tx) error {
		return db.moveItem(tx, bucketOutbox, bucketQuarantine, seq, func(it *OutboxItem) { it.Reason = reason })
	})
}

// moveItem reads item seq from one bucket, changes it, and writes it to another (or the same).
func (db *DB) moveItem(tx *bolt.Tx, from, to []byte, seq uint64, change func(*OutboxItem)) error {
	src := tx.Bucket(from)
	raw := src.Get(seqKey(seq))
	if raw == nil {
		return fmt.Errorf("%s item %d: %w", from, seq, ErrNotFound)
	}
	// The sealed payload moves as it is: changing an item's bookkeeping needs no key.
	var st storedItem
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("%s item %d: %w: %v", from, seq, ErrCorrupt, err)
	}
	change(&st.OutboxItem)
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := tx.Bucket(to).Put(seqKey(seq), raw); err != nil {
		return err
	}
	if string(from) != string(to) {
		return src.Delete(seqKey(seq))
	}
	return nil
}

// Quarantined lists the items set aside. Opened without the device key (a technician's tool), it
// lists them without their sealed payloads.
func (db *DB) Quarantined() ([]OutboxItem, error) {
	var out []OutboxItem
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketQuarantine).ForEach(func(k, v []byte) error {
			var it OutboxItem
			var err error
			if db.sealer == nil {
				var st storedItem
				err = json.Unmarshal(v, &st)
				it = st.OutboxItem
			} else {
				it, err = db.decodeItem(k, v)
			}
			if err != nil {
				return err
			}
			out = append(out, it)
			return nil
		})
	})
	return out, err
}

// Requeue puts a quarantined item back in the queue, due now, with its original key.
func (db *DB) Requeue(seq uint64) error {
	now := db.now().UTC()
	return db.update(func(tx *bolt.Tx) error {
		return db.moveItem(tx, bucketQuarantine, bucketOutbox, seq, func(it *OutboxItem) { it.Reason, it.NextAt = "", now })
	})
}

// QueueStats are the figures the staff and technician screens show.
type QueueStats struct {
	Depth       int
	Oldest      time.Time // zero when empty
	LastSuccess time.Time
	LastError   string
	Quarantined int
}

// Stats reads the queue figures in one consistent view.
func (db *DB) Stats() (QueueStats, error) {
	var st QueueStats
	err := db.view(func(tx *bolt.Tx) error {
		ob := tx.Bucket(bucketOutbox)
		st.Depth = ob.Stats().KeyN
		if _, v := ob.Cursor().First(); v != nil {
			var it storedItem
			if err := json.Unmarshal(v, &it); err == nil {
				st.Oldest = it.CreatedAt
			}
		}
		st.Quarantined = tx.Bucket(bucketQuarantine).Stats().KeyN
		meta := tx.Bucket(bucketOutboxMeta)
		if v := meta.Get(keyLastSuccess); v != nil {
			_ = st.LastSuccess.UnmarshalText(v)
		}
		st.LastError = string(meta.Get(keyLastError))
		return nil
	})
	return st, err
}

// FailedAll counts a failed attempt for every item of a batch in one transaction; the loop's
// backoff decides when to try again, so the items stay due.
func (db *DB) FailedAll(seqs []uint64, errText string) error {
	return db.update(func(tx *bolt.Tx) error {
		for _, s := range seqs {
			err := db.moveItem(tx, bucketOutbox, bucketOutbox, s, func(it *OutboxItem) {
				it.Attempts++
				it.LastError = errText
			})
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		return tx.Bucket(bucketOutboxMeta).Put(keyLastError, []byte(errText))
	})
}
