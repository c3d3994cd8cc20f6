package localdb

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketCatalog = []byte("catalog")
	keyCurrent    = []byte("current")
)

// catalogRecordVersion is the layout version of a stored catalog record.
const catalogRecordVersion = 1

// CatalogDoc is the service catalog as the kiosk keeps it: the document as published, with where it
// came from, so a screen or a technician can tell the built-in catalog from the township's.
type CatalogDoc struct {
	// Source says who supplied it: "builtin", "file:/path" or "township".
	Source string `json:"source"`
	// Version is the catalog's own version string.
	Version  string          `json:"version"`
	StoredAt time.Time       `json:"stored_at"`
	Data     json.RawMessage `json:"data"`
}

type catalogRecord struct {
	V int `json:"v"`
	CatalogDoc
}

// PutCatalog replaces the stored catalog durably (the transaction is fsynced before it returns).
func (db *DB) PutCatalog(doc CatalogDoc) error {
	if doc.StoredAt.IsZero() {
		doc.StoredAt = db.now().UTC()
	}
	raw, err := json.Marshal(catalogRecord{V: catalogRecordVersion, CatalogDoc: doc})
	if err != nil {
		return fmt.Errorf("store catalog in %s: %w", db.path, err)
	}
	return db.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketCatalog).Put(keyCurrent, raw); err != nil {
			return fmt.Errorf("store catalog in %s: %w", db.path, err)
		}
		return nil
	})
}

// Catalog returns the stored catalog; ok is false on a store that has none yet (first start).
func (db *DB) Catalog() (doc CatalogDoc, ok bool, err error) {
	err = db.view(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketCatalog).Get(keyCurrent)
		if raw == nil {
			return nil
		}
		var rec catalogRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return fmt.Errorf("read catalog from %s: %w: %v", db.path, ErrCorrupt, err)
		}
		if rec.V != catalogRecordVersion {
			return fmt.Errorf("read catalog from %s: record version %d unknown", db.path, rec.V)
		}
		doc, ok = rec.CatalogDoc, true
		return nil
	})
	return doc, ok, err
}
