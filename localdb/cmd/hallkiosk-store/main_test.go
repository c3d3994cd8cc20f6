package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

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
