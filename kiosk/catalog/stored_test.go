package catalog

import (
	"path/filepath"
	"strings"
	"testing"

	"hallkiosk/assets"
	"hallkiosk/localdb"
)

func TestFirstStartStoresThenReadsFromStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	db, err := localdb.Open(path, localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seed := Seed{Source: "builtin", Name: assets.CatalogName, Data: assets.DefaultCatalog}
	cat, doc, probs, err := LoadStored(db, seed)
	if err != nil || len(probs) > 0 || doc.Source != "builtin" || len(cat.Items) < 30 {
		t.Fatalf("first start: %v %v %+v", err, probs, doc.Source)
	}
	_ = db.Close()

	// A later start reads the store, not the seed: give it a different seed to prove it.
	db, err = localdb.Open(path, localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	other := Seed{Source: "file:/x.json", Name: "/x.json", Read: func() ([]byte, error) {
		t.Error("seed read on a later start")
		return nil, nil
	}}
	cat2, doc2, _, err := LoadStored(db, other)
	if err != nil || doc2.Source != "builtin" || len(cat2.Items) != len(cat.Items) {
		t.Fatalf("second start did not read the stored catalog: %v %s %d", err, doc2.Source, len(cat2.Items))
	}
}

func TestSeedWithBadItemsStoresAndReports(t *testing.T) {
	db, err := localdb.Open(filepath.Join(t.TempDir(), "k.db"), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	data := mutate(t, func(items []map[string]any) { items[2]["visits"] = 9 })
	cat, _, probs, err := LoadStored(db, Seed{Source: "file:/etc/hallkiosk/catalog.json", Name: "/etc/hallkiosk/catalog.json", Data: data})
	if err != nil || len(probs) != 1 || !strings.Contains(probs[0].Error(), "/etc/hallkiosk/catalog.json") ||
		probs[0].Field != "visits" || len(cat.Items) != len(defaultCatalog(t).Items)-1 {
		t.Fatalf("err %v probs %v", err, probs)
	}
	if _, _, _, err := LoadStored(db, Seed{}); err != nil {
		t.Errorf("stored catalog with one bad item must still serve: %v", err)
	}
}

func TestUnusableSeedIsNotStored(t *testing.T) {
	db, err := localdb.Open(filepath.Join(t.TempDir(), "k.db"), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, _, _, err := LoadStored(db, Seed{Source: "file:/bad.json", Name: "/bad.json", Data: []byte("{")}); err == nil {
		t.Fatal("broken seed accepted")
	}
	if _, ok, _ := db.Catalog(); ok {
		t.Error("a broken seed was stored")
	}
}
