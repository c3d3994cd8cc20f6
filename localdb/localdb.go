// Package localdb is the kiosk's only state: one Bolt file (go.etcd.io/bbolt) with a schema version,
// migrations that run at open, and typed buckets. It imports nothing of the project so the township,
// the updater and the kiosk can all keep their state the same way.
package localdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Errors a caller can tell apart to choose what to show; each is wrapped with the file's path.
var (
	// ErrLocked means another process holds the file; a second kiosk or a technician tool is running.
	ErrLocked = errors.New("store is locked by another process")
	// ErrCorrupt means the file is not a readable Bolt file; it is left untouched for a technician.
	ErrCorrupt = errors.New("store file is damaged or not a hallkiosk store")
	// ErrTooNew means the file was written by a newer schema than this binary knows (after a rollback).
	ErrTooNew = errors.New("store was written by a newer version")
	// ErrFull means a write would pass the configured size cap; nothing of it was stored.
	ErrFull = errors.New("store reached its size cap")
)

var (
	bucketMeta    = []byte("meta")
	keySchema     = []byte("schema_version")
	keyCreated    = []byte("created_at")
	defaultTimout = 3 * time.Second
)

// Options tune Open; the zero value is what a kiosk wants.
type Options struct {
	// LockTimeout bounds the wait for another process's lock; 0 means 3 s.
	LockTimeout time.Duration
	// Now is the clock for record times; nil means time.Now.
	Now func() time.Time
	// Migrations replaces the built-in list; tests use it to open files at older versions.
	Migrations []Migration
	// MaxSize caps the file (bytes); 0 means no cap. Writes that would pass it fail with ErrFull.
	MaxSize int
	// Sealer seals personal data and outbox payloads with the device key. A kiosk always has one;
	// without it, records holding personal data are refused (ErrNoSealer).
	Sealer *Sealer
	// AuditUpload is the outbox kind under which every audit line also goes to the township, in the
	// same transaction as the line (its seq, at, actor, action and subject, as JSON); empty: the log
	// stays in this file.
	AuditUpload string
}

// DB is an open store. It is safe for concurrent use.
type DB struct {
	bolt    *bolt.DB
	path    string
	now     func() time.Time
	maxSize int
	sealer  *Sealer
	// auditUpload is Options.AuditUpload.
	auditUpload string

	// wmu orders every write: Submit's journal entries, their application and Update.
	wmu        sync.Mutex
	closed     bool
	journal    *os.File
	journalLen int64 // bytes preallocated
	jpos       int64 // end of the unapplied entries; 0 once all are applied
	lsn        uint64
	pending    []pendingEntry
	npending   atomic.Int64
	applying   sync.WaitGroup
	// holdApply leaves submits in the journal (tests of what a crash leaves behind).
	holdApply bool
}

// Open opens or creates the store at path, creating its folder, and brings the schema up to date in
// one transaction. It never panics on a bad file: it returns an error naming the path.
func Open(path string, opt Options) (db *DB, err error) {
	if opt.LockTimeout <= 0 {
		opt.LockTimeout = defaultTimout
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Migrations == nil {
		opt.Migrations = migrations
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open store %s: create folder: %w", path, err)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("open store %s: path is a directory, not a store file", path)
	}
	// bbolt reads the file through mmap: a truncated file faults (SIGBUS) and some damaged pages
	// panic. A damaged file must never take the kiosk down, so both become ErrCorrupt.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("open store %s: %w (%v)", path, ErrCorrupt, r)
		}
	}()
	// NoFreelistSync: the freelist is rebuilt at open instead of written at every commit, one page
	// less to sync per resident submit (etcd runs bbolt the same way).
	// InitialMmapSize: a mapping of 32 MiB from the start (address space, not memory) means the file
	// grows in 16 MiB steps, not at every doubling of a small mapping with a truncate and an fsync
	// each time; a resident's submit then pays for its two fdatasyncs and little else.
	mmap := initialMmap
	if opt.MaxSize > 0 && opt.MaxSize < mmap {
		mmap = opt.MaxSize
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opt.LockTimeout, MaxSize: opt.MaxSize,
		NoFreelistSync: true, FreelistType: bolt.FreelistMapType, InitialMmapSize: mmap})
	if err != nil {
		return nil, classifyOpenError(path, opt.LockTimeout, err)
	}
	db = &DB{bolt: b, path: path, now: opt.Now, maxSize: opt.MaxSize, sealer: opt.Sealer, auditUpload: opt.AuditUpload}
	// The journal first: its entries were written by the schema this file had when they were made.
	if err := db.replayJournal(); err != nil {
		db.closeFiles()
		return nil, err
	}
	if err := db.migrate(opt.Migrations); err != nil {
		db.closeFiles()
		return nil, err
	}
	return db, nil
}

func classifyOpenError(path string, wait time.Duration, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("open store %s: %w (waited %s)", path, ErrLocked, wait)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch),
		errors.Is(err, berrors.ErrChecksum):
		return fmt.Errorf("open store %s: %w: %v", path, ErrCorrupt, err)
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("open store %s: permission denied (the kiosk user must own the file): %w", path, err)
	}
	// bbolt reports some damaged files only as plain errors (short file, bad page size).
	if fi, serr := os.Stat(path); serr == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
		return fmt.Errorf("open store %s: %w: %v", path, ErrCorrupt, err)
	}
	return fmt.Errorf("open store %s: %w", path, err)
}

// Path is the file the store lives in, for messages and technician tools.
func (db *DB) Path() string { return db.path }

// Close applies what the journal holds and releases the file lock; the kiosk calls it on the way
// out. Whatever could not be applied stays in the journal for the next Open.
func (db *DB) Close() error {
	db.wmu.Lock()
	var err error
	if !db.closed {
		err = db.applyPendingLocked()
		db.closed = true
	}
	db.wmu.Unlock()
	db.applying.Wait()
	if cerr := db.closeFiles(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("close store %s: %w", db.path, err)
	}
	return nil
}

func (db *DB) closeFiles() error {
	if db.journal != nil {
		_ = db.journal.Close()
	}
	return db.bolt.Close()
}

// SchemaVersion reports the version the file is at, for diagnostics.
func (db *DB) SchemaVersion() (int, error) {
	var v int
	err := db.view(func(tx *bolt.Tx) error {
		v = readVersion(tx)
		return nil
	})
	return v, err
}

// view and update run a transaction and turn a panic from a damaged page into ErrCorrupt; both
// apply the journal's pending submits first.
func (db *DB) view(fn func(*bolt.Tx) error) (err error) {
	db.settle()
	return db.view0(fn)
}

func (db *DB) view0(fn func(*bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer db.recoverCorrupt(&err)
	return db.bolt.View(fn)
}

// View runs a read transaction for a program that keeps its own buckets in a localdb file (the
// township service); damaged pages come back as ErrCorrupt instead of a crash.
func (db *DB) View(fn func(*bolt.Tx) error) error { return db.view(fn) }

// Update runs one fsynced write transaction, for a program with its own buckets.
func (db *DB) Update(fn func(*bolt.Tx) error) error { return db.update(fn) }

// Batch is Update for many concurrent writers: bbolt joins their functions into one transaction and
// one fsync (group commit). fn may run more than once and must be idempotent. It is for programs
// with buckets of their own (the township): it must not write the buckets Submit writes.
func (db *DB) Batch(fn func(*bolt.Tx) error) (err error) {
	db.settle()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer db.recoverCorrupt(&err)
	err = db.bolt.Batch(fn)
	if errors.Is(err, berrors.ErrMaxSizeReached) {
		return fmt.Errorf("store %s: %w (%d bytes)", db.path, ErrFull, db.maxSize)
	}
	return err
}

func (db *DB) update(fn func(*bolt.Tx) error) error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if err := db.applyPendingLocked(); err != nil {
		return err
	}
	return db.update0(fn)
}

func (db *DB) update0(fn func(*bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer db.recoverCorrupt(&err)
	err = db.bolt.Update(fn)
	if errors.Is(err, berrors.ErrMaxSizeReached) {
		return fmt.Errorf("store %s: %w (%d bytes): back up and compact it, or raise the cap", db.path, ErrFull, db.maxSize)
	}
	return err
}

// SizeAlarmFraction is how full the store may get before Usage says to act.
const SizeAlarmFraction = 0.8

// Usage reports the file's size against the cap; Alarm is true from 80 % of it, early enough for
// a technician to come before residents' submissions are refused.
type Usage struct {
	Bytes, Cap int64
	Alarm      bool
}

// Usage reads the file size now.
func (db *DB) Usage() (Usage, error) {
	fi, err := os.Stat(db.path)
	if err != nil {
		return Usage{}, fmt.Errorf("store %s: %w", db.path, err)
	}
	u := Usage{Bytes: fi.Size(), Cap: int64(db.maxSize)}
	u.Alarm = u.Cap > 0 && float64(u.Bytes) >= SizeAlarmFraction*float64(u.Cap)
	return u, nil
}

func (db *DB) recoverCorrupt(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("store %s: %w (%v)", db.path, ErrCorrupt, r)
	}
}

func readVersion(tx *bolt.Tx) int {
	b := tx.Bucket(bucketMeta)
	if b == nil {
		return 0
	}
	v := b.Get(keySchema)
	if len(v) != 8 {
		return 0
	}
	return int(binary.BigEndian.Uint64(v))
}

func beUint(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

func writeVersion(tx *bolt.Tx, v int) error {
	b, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(v))
	return b.Put(keySchema, buf[:])
}

// initialMmap is the store's first mapping: see Open.
const initialMmap = 32 << 20
