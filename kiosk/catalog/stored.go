package catalog

import (
	"fmt"
	"strings"

	"hallkiosk/localdb"
)

// Store is where the kiosk keeps the catalog between starts (localdb.DB implements it).
type Store interface {
	Catalog() (localdb.CatalogDoc, bool, error)
	PutCatalog(localdb.CatalogDoc) error
}

// Seed is the catalog a kiosk starts with when its store holds none yet.
type Seed struct {
	Source string // "builtin" or "file:/path"
	Name   string // how problems name it
	Data   []byte
	// Read, when set, supplies Data on first start only, so a seed file can be removed afterwards.
	Read func() ([]byte, error)
}

// LoadStored returns the stored catalog, storing the seed first on a kiosk's first start, so the
// township's later replacement and the built-in one are read the same way. Problems are the items
// left out; err is set only when no catalog can be served.
func LoadStored(st Store, seed Seed) (*Catalog, localdb.CatalogDoc, []Problem, error) {
	doc, ok, err := st.Catalog()
	if err != nil {
		return nil, doc, nil, fmt.Errorf("read stored catalog: %w", err)
	}
	if !ok {
		if seed.Read != nil {
			if seed.Data, err = seed.Read(); err != nil {
				return nil, doc, nil, fmt.Errorf("read catalog seed %s: %w", seed.Name, err)
			}
		}
		cat, probs, err := Parse(seed.Name, seed.Data)
		if err != nil {
			return nil, doc, probs, err
		}
		doc = localdb.CatalogDoc{Source: seed.Source, Version: cat.Version, Data: seed.Data}
		if err := st.PutCatalog(doc); err != nil {
			return nil, doc, probs, fmt.Errorf("store catalog on first start: %w", err)
		}
		return cat, doc, probs, nil
	}
	name := strings.TrimPrefix(doc.Source, "file:")
	if doc.Source == "builtin" {
		name = seed.Name
	}
	cat, probs, err := Parse(name+" (stored)", doc.Data)
	return cat, doc, probs, err
}
