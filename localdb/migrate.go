package localdb

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Migration moves the file from Version-1 to Version. Up runs inside the single transaction that
// Open uses for all pending steps, so a power cut leaves the file at the old version, never between.
type Migration struct {
	Version int
	Name    string
	Up      func(tx *bolt.Tx) error
}

// migrations is the schema history, oldest first. Append; never edit a step that has shipped.
var migrations = []Migration{
	{Version: 1, Name: "meta and catalog buckets", Up: func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketCatalog} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	}},
	{Version: 2, Name: "outbox, quarantine and queue figures", Up: func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketOutbox, bucketQuarantine, bucketOutboxMeta} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	}},
	{Version: 3, Name: "typed buckets: cases, tickets, ratings, messages, polls, votes, disclosure, staff, audit",
		Up: func(tx *bolt.Tx) error {
			for _, name := range [][]byte{bucketCases, bucketCaseIndex, bucketTickets,
				bucketRatings, bucketMessages, bucketPolls, bucketVotes, bucketTally, bucketDisclosure,
				bucketStaff, bucketAudit} {
				if _, err := tx.CreateBucketIfNotExists(name); err != nil {
					return fmt.Errorf("create bucket %s: %w", name, err)
				}
			}
			return nil
		}},
	{Version: 4, Name: "counters for human-readable numbers", Up: func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketCounters)
		return err
	}},
	{Version: 5, Name: "follow-ups of bad ratings", Up: func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketFollowUps)
		return err
	}},
}

// Migrations is a copy of the built-in schema history, so a test can open a file as a newer
// program would (the updater's trial tests migrate a store and then fail).
func Migrations() []Migration { return append([]Migration(nil), migrations...) }

// LatestVersion is the schema version this binary writes.
func LatestVersion() int { return migrations[len(migrations)-1].Version }

func (db *DB) migrate(steps []Migration) error {
	latest := 0
	if len(steps) > 0 {
		latest = steps[len(steps)-1].Version
	}
	return db.update(func(tx *bolt.Tx) error {
		cur := readVersion(tx)
		if cur > latest {
			return fmt.Errorf("open store %s: %w (file schema %d, this program knows up to %d)",
				db.path, ErrTooNew, cur, latest)
		}
		if cur == 0 {
			b, err := tx.CreateBucketIfNotExists(bucketMeta)
			if err != nil {
				return fmt.Errorf("migrate store %s: %w", db.path, err)
			}
			if err := b.Put(keyCreated, []byte(db.now().UTC().Format(time.RFC3339))); err != nil {
				return fmt.Errorf("migrate store %s: %w", db.path, err)
			}
		}
		for _, m := range steps {
			if m.Version <= cur {
				continue
			}
			if err := m.Up(tx); err != nil {
				return fmt.Errorf("migrate store %s to version %d (%s): %w", db.path, m.Version, m.Name, err)
			}
			if err := writeVersion(tx, m.Version); err != nil {
				return fmt.Errorf("migrate store %s: write version %d: %w", db.path, m.Version, err)
			}
		}
		return nil
	})
}
