package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallkiosk/localdb"
)

func TestStatsBackupCompact(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.db")
	db, err := localdb.Open(path, localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		_, _ = db.Submit(localdb.Record{}, "case", []byte(`{}`))
	}
	var out, errOut bytes.Buffer
	// While the kiosk has it open, the tool says what to do.
	if code := run([]string{"stats", path}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "stop the kiosk first") {
		t.Errorf("locked: %d %q", code, errOut.String())
	}
	_ = db.Close()
	out.Reset()
	if code := run([]string{"stats", path}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "queued uploads 3") {
		t.Errorf("stats: %d %q", code, out.String())
	}
	if code := run([]string{"backup", path, filepath.Join(dir, "b.db")}, &out, &errOut); code != 0 {
		t.Errorf("backup: %q", errOut.String())
	}
	if code := run([]string{"compact", path, filepath.Join(dir, "c.db")}, &out, &errOut); code != 0 {
		t.Errorf("compact: %q", errOut.String())
	}
	if code := run([]string{"stats", filepath.Join(dir, "missing.db")}, &out, &errOut); code != 1 {
		t.Error("missing store")
	}
}

// A technician lists and requeues quarantined uploads without the device key; the sealed payload
// moves untouched and still opens with the key afterwards.
func TestQuarantineAndRequeueWithoutKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.db")
	s, err := localdb.LoadOrCreateKey(filepath.Join(dir, "device.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := localdb.Open(path, localdb.Options{Sealer: s})
	if err != nil {
		t.Fatal(err)
	}
	it, _ := db.Submit(localdb.Record{}, "case", []byte(`{"name":"李淼喆"}`))
	if err := db.Quarantine(it.Seq, "rejected: case: applicant.id_number is not an 18-character resident ID number"); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	var out, errOut bytes.Buffer
	if code := run([]string{"quarantine", path}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "1 quarantined") ||
		!strings.Contains(out.String(), "applicant.id_number") || strings.Contains(out.String(), "李淼喆") {
		t.Fatalf("quarantine: %d %q %q", code, out.String(), errOut.String())
	}
	if code := run([]string{"requeue", path, "1"}, &out, &errOut); code != 0 {
		t.Fatalf("requeue: %q", errOut.String())
	}
	if code := run([]string{"requeue", path, "x"}, &out, &errOut); code != 1 {
		t.Fatal("requeue of a non-number")
	}
	db, err = localdb.Open(path, localdb.Options{Sealer: s})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	due, err := db.Due(time.Now().Add(time.Hour), 0)
	if err != nil || len(due) != 1 || string(due[0].Payload) != `{"name":"李淼喆"}` || due[0].Key != it.Key {
		t.Fatalf("after requeue: %+v %v", due, err)
	}
}
