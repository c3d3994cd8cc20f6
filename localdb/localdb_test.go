package localdb

import (
	"bufio"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openT(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(path, Options{LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestCatalogSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "kiosk.db")
	db := openT(t, path)
	if _, ok, err := db.Catalog(); err != nil || ok {
		t.Fatalf("new store: catalog ok=%v err=%v, want none", ok, err)
	}
	doc := CatalogDoc{Source: "builtin", Version: "v1", Data: json.RawMessage(`{"items":[]}`)}
	if err := db.PutCatalog(doc); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("store mode %v, want 0600 (it will hold personal data)", fi.Mode().Perm())
	}
	db = openT(t, path)
	got, ok, err := db.Catalog()
	if err != nil || !ok {
		t.Fatalf("after reopen: ok=%v err=%v", ok, err)
	}
	if got.Source != "builtin" || got.Version != "v1" || string(got.Data) != `{"items":[]}` || got.StoredAt.IsZero() {
		t.Errorf("after reopen got %+v", got)
	}
	if v, _ := db.SchemaVersion(); v != LatestVersion() {
		t.Errorf("schema version %d, want %d", v, LatestVersion())
	}
}

// TestMigrationsFromEveryOlderVersion opens a file written at each older version with the full list
// and checks it arrives at the latest version with the older data intact.
func TestMigrationsFromEveryOlderVersion(t *testing.T) {
	steps := append([]Migration{}, migrations...)
	steps = append(steps,
		Migration{Version: LatestVersion() + 1, Name: "test: add notes", Up: func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("notes"))
			if err != nil {
				return err
			}
			return b.Put([]byte("k"), []byte("v"))
		}},
		Migration{Version: LatestVersion() + 2, Name: "test: rewrite notes", Up: func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("notes")).Put([]byte("k"), []byte("v2"))
		}})
	for from := 0; from < len(steps); from++ {
		t.Run(fmt.Sprintf("from_v%d", from), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.db")
			if from > 0 {
				db, err := Open(path, Options{Migrations: steps[:from]})
				if err != nil {
					t.Fatal(err)
				}
				if from >= 1 {
					if err := db.PutCatalog(CatalogDoc{Source: "builtin", Version: "old", Data: json.RawMessage(`{}`)}); err != nil {
						t.Fatal(err)
					}
				}
				_ = db.Close()
			}
			db, err := Open(path, Options{Migrations: steps})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if v, _ := db.SchemaVersion(); v != steps[len(steps)-1].Version {
				t.Errorf("version %d, want %d", v, steps[len(steps)-1].Version)
			}
			if from >= 1 {
				if doc, ok, _ := db.Catalog(); !ok || doc.Version != "old" {
					t.Errorf("catalog lost in migration: %+v ok=%v", doc, ok)
				}
			}
			_ = db.view(func(tx *bolt.Tx) error {
				if got := string(tx.Bucket([]byte("notes")).Get([]byte("k"))); got != "v2" {
					t.Errorf("notes = %q, want v2", got)
				}
				return nil
			})
		})
	}
}

func TestFailedMigrationLeavesOldVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	db := openT(t, path)
	_ = db.Close()
	bad := append(append([]Migration{}, migrations...),
		Migration{Version: LatestVersion() + 1, Name: "adds then fails", Up: func(tx *bolt.Tx) error {
			if _, err := tx.CreateBucket([]byte("half")); err != nil {
				return err
			}
			return errors.New("disk said no")
		}})
	if _, err := Open(path, Options{Migrations: bad}); err == nil || !strings.Contains(err.Error(), "adds then fails") {
		t.Fatalf("want migration error naming the step, got %v", err)
	}
	db = openT(t, path)
	if v, _ := db.SchemaVersion(); v != LatestVersion() {
		t.Errorf("version after failed migration %d, want %d", v, LatestVersion())
	}
	_ = db.view(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("half")) != nil {
			t.Error("half-done migration left a bucket behind")
		}
		return nil
	})
}

func TestNewerFileRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	newer := append(append([]Migration{}, migrations...), Migration{Version: LatestVersion() + 1, Name: "future",
		Up: func(*bolt.Tx) error { return nil }})
	db, err := Open(path, Options{Migrations: newer})
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrTooNew) || !strings.Contains(err.Error(), path) {
		t.Fatalf("want ErrTooNew naming %s, got %v", path, err)
	}
}

func TestBadFilesGiveClearErrors(t *testing.T) {
	dir := t.TempDir()
	random := filepath.Join(dir, "random.db")
	buf := make([]byte, 64<<10)
	_, _ = rand.Read(buf)
	if err := os.WriteFile(random, buf, 0o600); err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(dir, "text.db")
	_ = os.WriteFile(text, []byte("this is a config file, not a store\n"), 0o600)

	truncated := filepath.Join(dir, "truncated.db")
	db := openT(t, truncated)
	big := make([]byte, 1<<20)
	for i := 0; i < 8; i++ {
		_ = db.PutCatalog(CatalogDoc{Source: "x", Version: fmt.Sprint(i), Data: json.RawMessage(fmt.Sprintf("%q", big[:i*100000]))})
	}
	_ = db.Close()
	fi, _ := os.Stat(truncated)
	if err := os.Truncate(truncated, fi.Size()/3); err != nil {
		t.Fatal(err)
	}
	zeroed := filepath.Join(dir, "zeroed.db")
	db = openT(t, zeroed)
	_ = db.Close()
	raw, _ := os.ReadFile(zeroed)
	for i := 0; i < 8192 && i < len(raw); i++ {
		raw[i] = 0
	}
	_ = os.WriteFile(zeroed, raw, 0o600)

	for _, path := range []string{random, text, zeroed} {
		_, err := Open(path, Options{})
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
			t.Errorf("Open(%s) = %v, want ErrCorrupt naming the path", filepath.Base(path), err)
		}
	}
	// A truncated file may open (bbolt reads lazily) but must never panic: any read says ErrCorrupt.
	if db, err := Open(truncated, Options{}); err == nil {
		_, _, err = db.Catalog()
		_ = db.Close()
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Errorf("truncated read: %v", err)
		}
	} else if !strings.Contains(err.Error(), truncated) {
		t.Errorf("truncated open error does not name the path: %v", err)
	}

	_, err := Open(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "directory") {
		t.Errorf("Open(directory) = %v", err)
	}
	blocker := filepath.Join(dir, "afile")
	_ = os.WriteFile(blocker, nil, 0o600)
	under := filepath.Join(blocker, "kiosk.db")
	if _, err := Open(under, Options{}); err == nil || !strings.Contains(err.Error(), under) {
		t.Errorf("Open under a file = %v", err)
	}
}

// TestLockedByAnotherProcess holds the file in a real child process and checks the kiosk gets
// ErrLocked after its timeout instead of hanging.
func TestLockedByAnotherProcess(t *testing.T) {
	if os.Getenv("LOCALDB_HOLD") != "" {
		db, err := Open(os.Getenv("LOCALDB_HOLD"), Options{})
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(1)
		}
		fmt.Println("HOLDING")
		time.Sleep(time.Minute)
		_ = db.Close()
		os.Exit(0)
	}
	path := filepath.Join(t.TempDir(), "locked.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockedByAnotherProcess$")
	cmd.Env = append(os.Environ(), "LOCALDB_HOLD="+path)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if !strings.HasPrefix(line, "HOLDING") {
		t.Fatalf("child: %q", line)
	}
	start := time.Now()
	_, err := Open(path, Options{LockTimeout: 300 * time.Millisecond})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("want ErrLocked naming the path, got %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("Open waited %s for a lock with a 300ms timeout", time.Since(start))
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	db, err := Open(path, Options{LockTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("after the holder died the file must open: %v", err)
	}
	_ = db.Close()
}
