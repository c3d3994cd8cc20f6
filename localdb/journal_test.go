package localdb

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// crash drops the store the way a power cut does: the journal's synced entries stay, nothing
// pending is applied, and the files are closed as the process would leave them.
func (db *DB) crash() {
	db.wmu.Lock()
	db.closed = true
	db.wmu.Unlock()
	db.applying.Wait()
	_ = db.closeFiles()
}

// inBoltFile counts the rows of bucket in the Bolt file itself, without the journal.
func inBoltFile(t *testing.T, path, bucket string) int {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	n := 0
	_ = b.View(func(tx *bolt.Tx) error {
		if bk := tx.Bucket([]byte(bucket)); bk != nil {
			n = bk.Stats().KeyN
		}
		return nil
	})
	return n
}

func TestJournalKeepsSubmitsACrashLeftUnapplied(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.db")
	key, err := LoadOrCreateKey(filepath.Join(dir, "device.key"))
	if err != nil {
		t.Fatal(err)
	}
	open := func() *DB {
		t.Helper()
		db, err := Open(path, Options{Sealer: key})
		if err != nil {
			t.Fatalf("open after crash: %v", err)
		}
		return db
	}
	submit := func(db *DB, n string) {
		t.Helper()
		if _, err := db.Submit(Record{Bucket: "cases", Key: []byte(n), Value: []byte(`{}`)}, "case", []byte(`"`+n+`"`)); err != nil {
			t.Fatal(err)
		}
	}
	vote := func(db *DB, id string) error {
		r, err := db.VoteRecord("p1", id, "同意")
		if err != nil {
			return err
		}
		_, err = db.Submit(r, "vote", []byte(`{}`))
		return err
	}
	check := func(db *DB, cases, outbox, votes int) {
		t.Helper()
		n := 0
		_ = db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucketCases).Stats().KeyN; return nil })
		due, err := db.Due(time.Now().Add(time.Hour), 0)
		if err != nil {
			t.Fatal(err)
		}
		tally, _ := db.Tally("p1")
		if n != cases || len(due) != outbox || tally["同意"] != votes {
			t.Fatalf("after reopen: %d cases, %d outbox items, tally %v; want %d, %d, %d", n, len(due), tally, cases, outbox, votes)
		}
		for i, it := range due {
			if it.Seq != uint64(i+1) {
				t.Fatalf("outbox item %d has number %d", i, it.Seq)
			}
		}
	}

	// Three cases and a vote, acknowledged, then the power goes before any reaches the Bolt file.
	db := open()
	db.holdApply = true
	for i := range 3 {
		submit(db, fmt.Sprint("C", i))
	}
	if err := vote(db, resident.IDNumber); err != nil {
		t.Fatal(err)
	}
	db.crash()
	// Each submit applies what is pending before its own checks: the last one is in the journal only.
	if n := inBoltFile(t, path, "votes"); n != 0 {
		t.Fatalf("the vote reached the Bolt file before the crash (%d): the test does not test the journal", n)
	}
	db = open()
	check(db, 3, 4, 1)
	if err := vote(db, resident.IDNumber); err == nil {
		t.Fatal("the replayed vote did not count: a second vote by the same resident was taken")
	}

	// A torn write after a whole entry: the whole one counts, the torn one is not there.
	db.holdApply = true
	submit(db, "C3")
	pos, lsn := db.jpos, db.lsn
	db.crash()
	torn := encodeEntry(lsn+1, []put{{bucket: bucketCases, key: []byte("C-torn"), value: []byte(`{}`)}})
	f, err := os.OpenFile(journalPath(path), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(torn[:len(torn)-3], pos); err != nil {
		t.Fatal(err)
	}
	f.Close()
	db = open()
	check(db, 4, 5, 1)

	// Entries already applied are never applied twice, however often the power goes.
	for round := range 3 {
		db.holdApply = true
		if err := vote(db, fmt.Sprintf("61040319600101%04d", round)); err != nil {
			t.Fatal(err)
		}
		db.crash()
		db = open()
		check(db, 4, 6+round, 2+round)
	}
	// A technician compacting the file of a kiosk that lost power keeps its last submit.
	db.holdApply = true
	if err := vote(db, "610403196001019999"); err != nil {
		t.Fatal(err)
	}
	db.crash()
	compacted := filepath.Join(dir, "compacted.db")
	if _, _, err := Compact(path, compacted); err != nil {
		t.Fatal(err)
	}
	if n := inBoltFile(t, compacted, "votes"); n != 5 {
		t.Fatalf("compacted copy holds %d votes, want 5", n)
	}
	db = open()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// After a clean close, the Bolt file holds everything on its own.
	if n := inBoltFile(t, path, "votes"); n != 5 {
		t.Fatalf("Bolt file holds %d votes after Close, want 5", n)
	}
}

func TestJournalRefusesWhatBoltWouldRefuse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	db := openT(t, path)
	for name, rec := range map[string]Record{
		"empty key":    {Bucket: "cases", Value: []byte("x")},
		"key too long": {Bucket: "cases", Key: make([]byte, bolt.MaxKeySize+1), Value: []byte("x")},
	} {
		if _, err := db.Submit(rec, "case", []byte(`{}`)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if db.lsn != 0 || db.npending.Load() != 0 {
		t.Fatalf("a refused submit reached the journal (lsn %d)", db.lsn)
	}
}

func TestJournalEntryRoundTripAndDamage(t *testing.T) {
	puts := []put{{bucket: []byte("cases"), key: []byte("K"), value: []byte("值")}, {bucket: bucketOutbox, key: seqKey(7), value: []byte{}, seq: 7}}
	e := encodeEntry(42, puts)
	lsn, got, n, ok := decodeEntry(append(e, 0, 0, 0))
	if !ok || lsn != 42 || n != len(e) || len(got) != 2 || string(got[0].value) != "值" || got[1].seq != 7 {
		t.Fatalf("round trip: ok=%v lsn=%d n=%d puts=%+v", ok, lsn, n, got)
	}
	for i := range e {
		bad := append([]byte(nil), e...)
		bad[i] ^= 0x40
		if _, _, _, ok := decodeEntry(bad); ok {
			t.Fatalf("entry with byte %d flipped read as whole", i)
		}
	}
	if _, _, _, ok := decodeEntry(e[:len(e)-1]); ok {
		t.Fatal("short entry read as whole")
	}
}
