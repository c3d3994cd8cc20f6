package store

import (
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"hallkiosk/localdb"
	"hallkiosk/township/api"
	"hallkiosk/township/api/casenum"
)

// A township file from before version 2 (devices but no kiosk-code index) opens, and its devices'
// cases and early ratings are checked against their codes like new ones.
func TestMigrationIndexesExistingDevices(t *testing.T) {
	dir := t.TempDir()
	path, key := filepath.Join(dir, "t.db"), filepath.Join(dir, "t.key")
	sealer, err := localdb.LoadOrCreateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	db, err := localdb.Open(path, localdb.Options{Migrations: Migrations[:1], Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	// Enrol as version 1 did: a device record and nothing else.
	d := Device{ID: "dev-000000000001", Village: "王上村", Enrolled: day, Code: KioskCode(1), Secret: []byte("s")}
	d.SealedKey = sealer.Seal(d.Secret, "device/"+d.ID)
	if err := db.Update(func(tx *bolt.Tx) error { return localdb.PutJSON(tx, bDevices, []byte(d.ID), d) }); err != nil {
		t.Fatal(err)
	}
	db.Close()

	st, err := Open(path, key, func() time.Time { return day })
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dev, err := st.Device(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	num := casenum.Format(day, "K001", 4)
	rs, err := st.Intake(dev, []api.Item{{Key: "r1", Kind: api.KindRating, Payload: []byte(`{"case_number":"` + num + `","grade":5,"rated_at":"2026-11-24T09:00:00Z"}`)}}, Nonce{})
	if err != nil || rs[0].Status != api.Accepted || rs[0].Reason != HeldRatingNote {
		t.Fatalf("early rating on a migrated file: %+v %v", rs, err)
	}
}
