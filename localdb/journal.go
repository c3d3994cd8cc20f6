package localdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// The submit journal. A bbolt commit syncs the disk twice (its pages, then its meta page), so a
// resident's submit that waits for one costs more than two raw fsyncs. Submit instead writes what
// the transaction would write (its puts) as one entry of a small preallocated file next to the
// store, syncs it once, and only then tells the resident "received". The entry is applied to the
// Bolt file right after, in the background, in an ordinary two-sync commit that also records the
// entry's number (LSN) in the meta bucket. Every read and write of the store first applies what is
// pending, so callers always see their own submits; Open applies whatever a crash left behind.
//
// Layout of an entry: "HKJ1" | lsn u64 | body length u32 | CRC-32C of lsn and body u32 | body.
// Body: uvarint count, then per put: bucket, key, value (each uvarint length + bytes), uvarint seq.
// Submit applies what is pending before it journals its own entry, so the journal holds one
// unapplied entry at most and every entry is written at offset 0; it never grows with the store. An
// entry is valid only with its magic, its CRC and the next expected LSN, which makes a torn write
// and the remains of an older, longer entry behind it harmless.
var (
	journalMagic = [4]byte{'H', 'K', 'J', '1'}
	keyJournal   = []byte("journal_lsn")
	castagnoli   = crc32.MakeTable(crc32.Castagnoli)
)

const (
	journalHeader = 20
	// journalSize is the preallocated size: entries are a few KB and applied within milliseconds.
	journalSize = 1 << 20
	// capMargin is how close to the size cap a store may get before Submit commits straight to
	// Bolt again, so that a full store refuses a submit instead of acknowledging one it cannot keep.
	capMargin = 512 << 10
)

// put is one write of a submit. seq > 0 also raises the bucket's sequence to seq (outbox numbers).
type put struct {
	bucket, key, value []byte
	seq                uint64
}

// journalPath is the journal's file for a store file.
func journalPath(store string) string { return store + ".journal" }

func encodeEntry(lsn uint64, puts []put) []byte {
	body := binary.AppendUvarint(nil, uint64(len(puts)))
	for _, p := range puts {
		for _, b := range [][]byte{p.bucket, p.key, p.value} {
			body = binary.AppendUvarint(body, uint64(len(b)))
			body = append(body, b...)
		}
		body = binary.AppendUvarint(body, p.seq)
	}
	e := make([]byte, journalHeader, journalHeader+len(body))
	copy(e, journalMagic[:])
	binary.BigEndian.PutUint64(e[4:], lsn)
	binary.BigEndian.PutUint32(e[12:], uint32(len(body)))
	crc := crc32.Update(crc32.Checksum(e[4:12], castagnoli), castagnoli, body)
	binary.BigEndian.PutUint32(e[16:], crc)
	return append(e, body...)
}

// decodeEntry reads the entry at the start of b; ok is false for anything that is not a whole,
// intact entry (zeros, a torn write, the remains of an older entry).
func decodeEntry(b []byte) (lsn uint64, puts []put, n int, ok bool) {
	if len(b) < journalHeader || [4]byte(b[:4]) != journalMagic {
		return 0, nil, 0, false
	}
	lsn = binary.BigEndian.Uint64(b[4:])
	size := int(binary.BigEndian.Uint32(b[12:]))
	if size > len(b)-journalHeader {
		return 0, nil, 0, false
	}
	body := b[journalHeader : journalHeader+size]
	if crc32.Update(crc32.Checksum(b[4:12], castagnoli), castagnoli, body) != binary.BigEndian.Uint32(b[16:]) {
		return 0, nil, 0, false
	}
	count, k := binary.Uvarint(body)
	if k <= 0 {
		return 0, nil, 0, false
	}
	body = body[k:]
	for range count {
		var p put
		for _, dst := range []*[]byte{&p.bucket, &p.key, &p.value} {
			l, k := binary.Uvarint(body)
			if k <= 0 || l > uint64(len(body)-k) {
				return 0, nil, 0, false
			}
			*dst = append([]byte{}, body[k:k+int(l)]...)
			body = body[k+int(l):]
		}
		seq, k := binary.Uvarint(body)
		if k <= 0 {
			return 0, nil, 0, false
		}
		p.seq, body = seq, body[k:]
		puts = append(puts, p)
	}
	return lsn, puts, journalHeader + size, true
}

func applyPuts(tx *bolt.Tx, puts []put) error {
	for _, p := range puts {
		b, err := tx.CreateBucketIfNotExists(p.bucket)
		if err != nil {
			return fmt.Errorf("bucket %s: %w", p.bucket, err)
		}
		if p.seq > b.Sequence() {
			if err := b.SetSequence(p.seq); err != nil {
				return err
			}
		}
		if err := b.Put(p.key, p.value); err != nil {
			return fmt.Errorf("%s/%x: %w", p.bucket, p.key, err)
		}
	}
	return nil
}

func appliedLSN(tx *bolt.Tx) uint64 {
	if b := tx.Bucket(bucketMeta); b != nil {
		if v := b.Get(keyJournal); len(v) == 8 {
			return beUint(v)
		}
	}
	return 0
}

func putAppliedLSN(tx *bolt.Tx, lsn uint64) error {
	b, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], lsn)
	return b.Put(keyJournal, v[:])
}

// pendingEntry is a synced journal entry not yet in the Bolt file.
type pendingEntry struct {
	lsn  uint64
	puts []put
}

// replayJournal applies, at open, the entries a crash left between their sync and their commit.
func (db *DB) replayJournal() error {
	path := journalPath(db.path)
	f, err := os.OpenFile(path, os.O_RDWR, 0o600)
	if errors.Is(err, os.ErrNotExist) {
		return db.view0(func(tx *bolt.Tx) error { db.lsn = appliedLSN(tx); return nil })
	}
	if err != nil {
		return fmt.Errorf("open store %s: journal: %w", db.path, err)
	}
	raw, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("open store %s: read journal %s: %w", db.path, path, err)
	}
	db.journal, db.journalLen = f, int64(len(raw))
	var applied uint64
	if err := db.view0(func(tx *bolt.Tx) error { applied = appliedLSN(tx); return nil }); err != nil {
		return err
	}
	db.lsn = applied
	for off := 0; ; {
		lsn, puts, n, ok := decodeEntry(raw[off:])
		if !ok {
			break
		}
		off += n
		switch {
		case lsn <= applied:
			continue // applied before the crash; the file was not yet written from the start again
		case lsn == db.lsn+1:
			db.pending = append(db.pending, pendingEntry{lsn, puts})
			db.lsn = lsn
			db.jpos = int64(off)
			continue
		}
		break
	}
	if len(db.pending) == 0 {
		return nil
	}
	db.npending.Store(int64(len(db.pending)))
	if err := db.applyPendingLocked(); err != nil {
		return fmt.Errorf("open store %s: apply journal %s: %w", db.path, path, err)
	}
	return nil
}

// journalAppend makes one submit durable: one write, one data sync. Nothing is pending when it
// is called (Submit applied it), so the entry goes at the top of the file.
func (db *DB) journalAppend(puts []put) error {
	if db.journal == nil {
		if err := db.createJournal(); err != nil {
			return err
		}
	}
	entry := encodeEntry(db.lsn+1, puts)
	if int64(len(entry)) > db.journalLen {
		if err := db.growJournal(int64(len(entry))); err != nil {
			return err
		}
	}
	if _, err := db.journal.WriteAt(entry, db.jpos); err != nil {
		return fmt.Errorf("store %s: write journal: %w", db.path, err)
	}
	if err := fdatasync(db.journal); err != nil {
		return fmt.Errorf("store %s: sync journal: %w", db.path, err)
	}
	db.lsn++
	db.jpos += int64(len(entry))
	db.pending = append(db.pending, pendingEntry{db.lsn, puts})
	db.npending.Add(1)
	return nil
}

// createJournal writes the journal's zeros for real (not a sparse file), so that a submit's sync
// does not also have to allocate blocks and change the file's size, and syncs the folder.
func (db *DB) createJournal() error {
	path := journalPath(db.path)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("store %s: create journal: %w", db.path, err)
	}
	db.journal, db.journalLen, db.jpos = f, 0, 0
	if err := db.growJournal(journalSize); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

func (db *DB) growJournal(atLeast int64) error {
	size := max(db.journalLen, journalSize)
	for size < atLeast {
		size *= 2
	}
	if size > db.journalLen {
		if _, err := db.journal.WriteAt(make([]byte, size-db.journalLen), db.journalLen); err != nil {
			return fmt.Errorf("store %s: grow journal: %w", db.path, err)
		}
		if err := db.journal.Sync(); err != nil {
			return fmt.Errorf("store %s: grow journal: %w", db.path, err)
		}
		db.journalLen = size
	}
	return nil
}

// applyPendingLocked commits the pending entries to Bolt in one transaction (wmu held).
func (db *DB) applyPendingLocked() error {
	if len(db.pending) == 0 {
		return nil
	}
	last := db.pending[len(db.pending)-1].lsn
	err := db.update0(func(tx *bolt.Tx) error {
		for _, e := range db.pending {
			if err := applyPuts(tx, e.puts); err != nil {
				return fmt.Errorf("journal entry %d: %w", e.lsn, err)
			}
		}
		return putAppliedLSN(tx, last)
	})
	if err != nil {
		return err
	}
	db.pending = db.pending[:0]
	db.npending.Store(0)
	// Wipe what was applied: sealed as they are, old entries need not outlive their records.
	if db.jpos > 0 {
		_, _ = db.journal.WriteAt(make([]byte, db.jpos), 0)
		db.jpos = 0
	}
	return nil
}

// settle applies what is pending before a read, so a caller always sees its own submits.
func (db *DB) settle() {
	if db.npending.Load() == 0 {
		return
	}
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if !db.closed {
		_ = db.applyPendingLocked() // on failure the read sees the file as it is; writes report it
	}
}
