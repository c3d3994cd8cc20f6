package localdb

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestSubmitWritesRecordAndItemTogether(t *testing.T) {
	db := openT(t, filepath.Join(t.TempDir(), "o.db"))
	it, err := db.Submit(Record{Bucket: "cases", Key: []byte("C1"), Value: []byte(`{"item":"低保"}`)}, "case", []byte(`{"case":"C1"}`))
	if err != nil || it.Key == "" || it.Seq == 0 {
		t.Fatalf("submit: %+v %v", it, err)
	}
	// A record that cannot be written takes its outbox item down with it.
	if _, err := db.Submit(Record{Bucket: "cases", Key: nil, Value: []byte("x")}, "case", []byte(`{}`)); err == nil {
		t.Fatal("empty record key accepted")
	}
	if _, err := db.Submit(Record{}, "case", []byte("not json")); err == nil {
		t.Fatal("non-JSON payload accepted")
	}
	due, _ := db.Due(time.Now().Add(time.Second), 0)
	if len(due) != 1 || due[0].Key != it.Key {
		t.Fatalf("outbox has %d items, want only the first", len(due))
	}
	_ = db.view(func(tx *bolt.Tx) error {
		if string(tx.Bucket([]byte("cases")).Get([]byte("C1"))) != `{"item":"低保"}` {
			t.Error("record missing")
		}
		return nil
	})
}

func TestRetryQuarantineAndStats(t *testing.T) {
	db := openT(t, filepath.Join(t.TempDir(), "o.db"))
	var items []OutboxItem
	for i := 0; i < 3; i++ {
		it, err := db.Submit(Record{}, "rating", []byte(fmt.Sprintf(`{"n":%d}`, i)))
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	now := time.Now()
	if err := db.Failed(items[0].Seq, "dial tcp: connection refused", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	due, _ := db.Due(now.Add(time.Second), 0)
	if len(due) != 2 || due[0].Seq != items[1].Seq {
		t.Fatalf("backed-off item still due: %v", due)
	}
	later, _ := db.Due(now.Add(2*time.Hour), 0)
	if len(later) != 3 || later[0].Attempts != 1 || later[0].LastError == "" {
		t.Fatalf("after backoff: %+v", later)
	}
	if err := db.Quarantine(items[1].Seq, "unknown item code"); err != nil {
		t.Fatal(err)
	}
	if err := db.Delivered(items[2].Seq); err != nil {
		t.Fatal(err)
	}
	st, _ := db.Stats()
	if st.Depth != 1 || st.Quarantined != 1 || st.LastSuccess.IsZero() || st.LastError == "" || st.Oldest.IsZero() {
		t.Errorf("stats %+v", st)
	}
	q, _ := db.Quarantined()
	if len(q) != 1 || q[0].Reason != "unknown item code" || q[0].Key != items[1].Key {
		t.Fatalf("quarantine %+v", q)
	}
	if err := db.Requeue(items[1].Seq); err != nil {
		t.Fatal(err)
	}
	due, _ = db.Due(time.Now().Add(time.Second), 0)
	if len(due) != 1 || due[0].Key != items[1].Key || due[0].Reason != "" {
		t.Errorf("requeued item keeps its key and is due: %+v", due)
	}
	if err := db.Requeue(items[1].Seq); !errors.Is(err, ErrNotFound) {
		t.Errorf("requeue twice: %v", err)
	}
}

// TestCrashSafety kills a writer process with SIGKILL at random moments, many times. After each
// kill the file must open clean, and every record the writer was told was stored must be there
// with its outbox item; nothing else may be in the outbox.
func TestCrashSafety(t *testing.T) {
	if path := os.Getenv("LOCALDB_CRASH_WRITER"); path != "" {
		crashWriter(path)
		return
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	rounds := 25
	if testing.Short() {
		rounds = 5
	}
	acked := map[string]bool{}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashSafety$")
		cmd.Env = append(os.Environ(), "LOCALDB_CRASH_WRITER="+path, "LOCALDB_ROUND="+strconv.Itoa(round))
		if round%2 == 1 {
			// Every other writer leaves its last submit in the journal only, for Open to apply.
			cmd.Env = append(cmd.Env, "LOCALDB_HOLD_APPLY=1")
		}
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		killAfter := 1 + rng.IntN(40)
		n := 0
		for sc.Scan() {
			if key, ok := strings.CutPrefix(sc.Text(), "stored "); ok {
				acked[key] = true
				if n++; n == killAfter {
					_ = cmd.Process.Signal(syscall.SIGKILL)
					break
				}
			}
		}
		_ = cmd.Wait()
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("round %d: file does not open after SIGKILL: %v", round, err)
		}
		if err := db.bolt.View(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				return err
			}
			return nil
		}); err != nil {
			t.Fatalf("round %d: consistency check: %v", round, err)
		}
		due, _ := db.Due(time.Now().Add(time.Hour), 0)
		inOutbox := map[string]bool{}
		for _, it := range due {
			inOutbox[strings.Trim(string(it.Payload), `"`)] = true
		}
		_ = db.view(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("cases"))
			for key := range acked {
				if b == nil || b.Get([]byte(key)) == nil || !inOutbox[key] {
					t.Errorf("round %d: acknowledged record %s lost (record or outbox item)", round, key)
				}
			}
			if b != nil {
				_ = b.ForEach(func(k, _ []byte) error {
					if !inOutbox[string(k)] {
						t.Errorf("round %d: record %s has no outbox item", round, k)
					}
					return nil
				})
			}
			return nil
		})
		if len(inOutbox) < len(acked) {
			t.Fatalf("round %d: outbox %d items, %d acknowledged", round, len(inOutbox), len(acked))
		}
		_ = db.Close()
	}
	t.Logf("%d kills, %d acknowledged records all present", rounds, len(acked))
}

func crashWriter(path string) {
	db, err := Open(path, Options{LockTimeout: 5 * time.Second})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	round := os.Getenv("LOCALDB_ROUND")
	db.holdApply = os.Getenv("LOCALDB_HOLD_APPLY") != ""
	for i := 0; ; i++ {
		key := fmt.Sprintf("R%s-%d", round, i)
		if _, err := db.Submit(Record{Bucket: "cases", Key: []byte(key), Value: []byte("{}")}, "case", []byte(strconv.Quote(key))); err != nil {
			fmt.Println("submit:", err)
			os.Exit(1)
		}
		fmt.Println("stored", key) // only after Submit returned: the resident would now be told
	}
}

// With AuditUpload, every audit line goes to the outbox in the transaction that writes it (a staff
// change and its line, a plain action), in the log's order, with the log's numbers; a submit in
// between keeps its own place. Without it, the log stays in the file.
func TestAuditLinesAreUploadedInOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	db, err := Open(path, Options{AuditUpload: "audit"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Audit("S001", "signin", "S001"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Submit(Record{}, "ticket", []byte(`{"n":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := db.PutStaff(Staff{ID: "S002", Name: "李四", Role: "worker"}, "S001"); err != nil {
		t.Fatal(err)
	}
	due, err := db.Due(time.Now().Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range due {
		got = append(got, it.Kind+" "+string(it.Payload))
	}
	if len(got) != 3 || !strings.HasPrefix(got[0], `audit {"seq":1,`) || !strings.Contains(got[0], `"actor":"S001","action":"signin","subject":"S001"}`) ||
		got[1] != `ticket {"n":1}` || !strings.Contains(got[2], `"seq":2,`) || !strings.Contains(got[2], `"action":"staff.put","subject":"S002"}`) {
		t.Fatalf("outbox:\n%s", strings.Join(got, "\n"))
	}
	if strings.Contains(strings.Join(got, ""), "李四") {
		t.Error("a staff member's name went into the audit upload")
	}
	plain := openT(t, filepath.Join(t.TempDir(), "p.db"))
	if err := plain.Audit("S001", "signin", "S001"); err != nil {
		t.Fatal(err)
	}
	if due, _ := plain.Due(time.Now().Add(time.Hour), 0); len(due) != 0 {
		t.Errorf("audit uploaded without AuditUpload: %d items", len(due))
	}
}
