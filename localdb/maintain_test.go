package localdb

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSizeCapRefusesWholeWritesAndAlarmsFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cap.db")
	db, err := Open(path, Options{MaxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	big := strings.Repeat("x", 8<<10)
	alarmed, n := false, 0
	for ; n < 1000; n++ {
		_, err = db.Submit(Record{Bucket: "cases", Key: []byte(fmt.Sprint(n)), Value: []byte(big)}, "case", []byte(`{}`))
		if err != nil {
			break
		}
		if u, _ := db.Usage(); u.Alarm {
			alarmed = true
		}
	}
	if !errors.Is(err, ErrFull) || !strings.Contains(err.Error(), path) {
		t.Fatalf("after %d writes: %v, want ErrFull naming the file", n, err)
	}
	if !alarmed {
		t.Error("no alarm before the cap was reached")
	}
	due, _ := db.Due(time.Now().Add(time.Hour), 0)
	if len(due) != n {
		t.Errorf("%d outbox items for %d stored records: the refused write left something behind", len(due), n)
	}
}

func TestBackupAndCompact(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.db")
	db := openT(t, path)
	for i := 0; i < 200; i++ {
		it, _ := db.Submit(Record{Bucket: "cases", Key: []byte(fmt.Sprint(i)), Value: []byte(strings.Repeat("y", 4096))}, "case", []byte(`{}`))
		if i%2 == 0 {
			_ = db.Delivered(it.Seq)
		}
	}
	if err := db.Backup(filepath.Join(dir, "backup.db")); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	before, after, err := Compact(path, filepath.Join(dir, "compact.db"))
	if err != nil {
		t.Fatal(err)
	}
	if after > before {
		t.Errorf("compacted %d -> %d bytes", before, after)
	}
	for _, p := range []string{"backup.db", "compact.db"} {
		c, err := Open(filepath.Join(dir, p), Options{})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if st, _ := c.Stats(); st.Depth != 100 {
			t.Errorf("%s: %d queued items, want 100", p, st.Depth)
		}
		_ = c.Close()
	}
	if _, _, err := Compact(path, filepath.Join(dir, "compact.db")); err == nil {
		t.Error("compact over an existing file")
	}
}
