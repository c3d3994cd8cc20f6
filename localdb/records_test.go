package localdb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

type movingClock struct{ t time.Time }

func (c *movingClock) now() time.Time { return c.t }

func openSealed(t *testing.T) (*DB, *movingClock, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := LoadOrCreateKey(filepath.Join(dir, "device.key"))
	if err != nil {
		t.Fatal(err)
	}
	clk := &movingClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	path := filepath.Join(dir, "k.db")
	db, err := Open(path, Options{Sealer: s, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, clk, path
}

var resident = Person{Name: "李淼喆", IDNumber: "610403195203041234", Address: "王上村三组12号", Phone: "13912345678"}

func submitCase(t *testing.T, db *DB, number string, p *Person) {
	t.Helper()
	rec, err := db.CaseRecord(Case{Number: number, ItemCode: "61040300MZ-JF-0001", ItemName: "低保申请", Person: p})
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(map[string]any{"number": number, "name": p.Name, "id_number": p.IDNumber})
	if _, err := db.Submit(rec, "case", payload); err != nil {
		t.Fatal(err)
	}
}

// Personal data must never lie in the file in the clear: not in the case, not in its index, not in
// the outbox payload that carries it to the township.
func TestPersonalDataSealedAtRest(t *testing.T) {
	db, _, path := openSealed(t)
	p := resident
	p.Form = map[string]string{"income": "月收入800元"}
	submitCase(t, db, "WS-20260302-0001", &p)
	m, err := db.MessageRecord(Message{ID: "m1", Topic: "道路", Text: "路灯坏了", Person: &Person{Phone: "13800001111"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Submit(m, "message", []byte(`{"phone":"13800001111"}`)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{p.Name, p.IDNumber, p.IDNumber[:14], p.Address, p.Phone, "月收入800元", "13800001111"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("file holds %q in the clear", secret)
		}
	}
	if !bytes.Contains(raw, []byte("WS-20260302-0001")) {
		t.Error("control: the case number should be in the file")
	}
}

func TestCaseReadAndLookupByID(t *testing.T) {
	db, _, _ := openSealed(t)
	submitCase(t, db, "WS-1", &resident)
	other := resident
	other.IDNumber = "610403196001011236"
	submitCase(t, db, "WS-2", &other)
	submitCase(t, db, "WS-3", &resident)
	c, err := db.Case("WS-1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Person == nil || c.Person.Name != resident.Name || c.Status != StatusSubmitted || c.V != caseVersion {
		t.Fatalf("case read back as %+v", c)
	}
	got, err := db.CasesFor(" " + resident.IDNumber + " ")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Number != "WS-1" || got[1].Number != "WS-3" {
		t.Fatalf("cases for resident = %+v", got)
	}
	// A case number is unique: a second submit with it stores nothing, not even an outbox item.
	before, _ := db.Stats()
	rec, _ := db.CaseRecord(Case{Number: "WS-1", Person: &other})
	if _, err := db.Submit(rec, "case", []byte(`{}`)); !errors.Is(err, ErrExists) {
		t.Fatalf("reused case number: %v", err)
	}
	after, _ := db.Stats()
	if after.Depth != before.Depth {
		t.Fatal("a refused case left an outbox item")
	}
}

func TestPersonalDataRefusedWithoutSealer(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "k.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CaseRecord(Case{Number: "X", Person: &resident}); !errors.Is(err, ErrNoSealer) {
		t.Fatalf("err = %v, want ErrNoSealer", err)
	}
}

func TestOneRatingPerCase(t *testing.T) {
	db, _, _ := openSealed(t)
	r, err := db.RatingRecord(Rating{CaseNumber: "WS-1", Grade: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Submit(r, "rating", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	r2, _ := db.RatingRecord(Rating{CaseNumber: "WS-1", Grade: 1, Reasons: []string{"态度不好"}})
	if _, err := db.Submit(r2, "rating", []byte(`{}`)); !errors.Is(err, ErrExists) {
		t.Fatalf("second rating: %v", err)
	}
	got, ok, err := db.Rating("WS-1")
	if err != nil || !ok || got.Grade != 5 {
		t.Fatalf("rating = %+v %v %v", got, ok, err)
	}
	if _, err := db.RatingRecord(Rating{CaseNumber: "WS-2", Grade: 6}); err == nil {
		t.Fatal("grade 6 accepted")
	}
}

func TestOneVotePerResidentWhoAndWhatApart(t *testing.T) {
	db, _, path := openSealed(t)
	vote := func(id, opt string) error {
		r, err := db.VoteRecord("p1", id, opt)
		if err != nil {
			return err
		}
		_, err = db.Submit(r, "vote", []byte(`{}`))
		return err
	}
	if err := vote(resident.IDNumber, "同意"); err != nil {
		t.Fatal(err)
	}
	if err := vote("610403196001011236", "不同意"); err != nil {
		t.Fatal(err)
	}
	if err := vote(resident.IDNumber, "不同意"); !errors.Is(err, ErrExists) {
		t.Fatalf("second vote: %v", err)
	}
	tally, _ := db.Tally("p1")
	if tally["同意"] != 1 || tally["不同意"] != 1 {
		t.Fatalf("tally = %v", tally)
	}
	// Nothing in the outbox ties the voter's hash to the vote.
	due, _ := db.Due(time.Now().Add(time.Hour), 0)
	for _, it := range due {
		raw, _ := json.Marshal(it)
		if bytes.Contains(raw, []byte("p1/")) {
			t.Errorf("outbox item carries the voter key: %s", raw)
		}
	}
	// The vote rows hold only the keyed hash, never the option chosen.
	err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketVotes).ForEach(func(k, v []byte) error {
			if len(v) != 0 || bytes.Contains(k, []byte(resident.IDNumber)) {
				t.Errorf("vote row %q = %q", k, v)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = path
}

func TestTicketsNumberPerDay(t *testing.T) {
	db, clk, _ := openSealed(t)
	take := func() string {
		day := clk.t.Format("2006-01-02")
		n, err := db.NextNumber("ticket/" + day + "/B")
		if err != nil {
			t.Fatal(err)
		}
		tk := Ticket{Number: fmt.Sprintf("B%03d", n), Business: "社保", Day: day}
		if _, err := db.Submit(db.TicketRecord(tk), "ticket", []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		return day + "/" + tk.Number
	}
	if a, b := take(), take(); a != "2026-03-02/B001" || b != "2026-03-02/B002" {
		t.Fatalf("tickets %s %s", a, b)
	}
	clk.t = clk.t.Add(24 * time.Hour)
	if c := take(); c != "2026-03-03/B001" {
		t.Fatalf("next day starts at %s", c)
	}
	ts, _ := db.Tickets("2026-03-02")
	if len(ts) != 2 || ts[1].Number != "B002" {
		t.Fatalf("tickets = %+v", ts)
	}
}

func TestApplyChangesPageAndCursor(t *testing.T) {
	db, _, _ := openSealed(t)
	submitCase(t, db, "WS-9", &resident)
	at := time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)
	st, _ := json.Marshal(CaseStatusChange{Number: "WS-9", Status: StatusDone, Note: "已发放", At: at})
	other, _ := json.Marshal(CaseStatusChange{Number: "OTHER-KIOSK", Status: StatusDone, At: at})
	page := []Change{
		{Kind: "disclosure", Key: "d1", Payload: json.RawMessage(`{"id":"d1","title":"2026年一季度财务公开","category":"财务"}`)},
		{Kind: "poll", Key: "p1", Payload: json.RawMessage(`{"id":"p1","title":"修路","options":["同意","不同意"]}`)},
		{Kind: "case_status", Key: "WS-9", Payload: st},
		{Kind: "case_status", Key: "OTHER-KIOSK", Payload: other},
		{Kind: "hologram", Key: "h"},
	}
	skipped, err := db.ApplyChanges(page, 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 1 || skipped[0] != "hologram" {
		t.Fatalf("skipped = %v", skipped)
	}
	if c, _ := db.ChangesCursor(); c != 42 {
		t.Fatalf("cursor = %d", c)
	}
	c, _ := db.Case("WS-9")
	if c.Status != StatusDone || c.Note != "已发放" || !c.ClosedAt.Equal(at) {
		t.Fatalf("case = %+v", c)
	}
	ds, _ := db.DisclosureItems()
	ps, _ := db.Polls()
	if len(ds) != 1 || len(ps) != 1 || ps[0].Options[1] != "不同意" {
		t.Fatalf("disclosure %+v polls %+v", ds, ps)
	}
	// A bad page changes nothing, not even the cursor.
	if _, err := db.ApplyChanges([]Change{{Kind: "disclosure_withdraw", Key: "d1"}, {Kind: "poll", Key: "p2", Payload: json.RawMessage(`{`)}}, 50); err == nil {
		t.Fatal("bad page applied")
	}
	if c, _ := db.ChangesCursor(); c != 42 {
		t.Fatalf("cursor moved to %d after a failed page", c)
	}
	if ds, _ := db.DisclosureItems(); len(ds) != 1 {
		t.Fatal("half a page was applied")
	}
}

func TestRetentionPurgeWithMovedClock(t *testing.T) {
	db, clk, path := openSealed(t)
	submitCase(t, db, "WS-OLD", &resident)
	submitCase(t, db, "WS-OPEN", &resident)
	submitCase(t, db, "WS-NEW", &resident)
	if err := db.SetCaseStatus("WS-OLD", StatusDone, "已办结", clk.t); err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(100 * 24 * time.Hour)
	if err := db.SetCaseStatus("WS-NEW", StatusRejected, "材料不全", clk.t); err != nil {
		t.Fatal(err)
	}
	retention := 90 * 24 * time.Hour
	rep, err := db.Purge(retention)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Cases != 1 {
		t.Fatalf("purged %d cases, want 1 (only the one closed 100 days ago)", rep.Cases)
	}
	old, _ := db.Case("WS-OLD")
	if old.Person != nil || old.PurgedAt.IsZero() || old.Status != StatusDone || old.ItemName != "低保申请" {
		t.Fatalf("purged case = %+v", old)
	}
	if open, _ := db.Case("WS-OPEN"); open.Person == nil {
		t.Fatal("an open case lost its data")
	}
	got, _ := db.CasesFor(resident.IDNumber)
	for _, c := range got {
		if c.Number == "WS-OLD" {
			t.Fatal("the ID index still points at a purged case")
		}
	}
	if len(got) != 2 {
		t.Fatalf("lookup found %d cases, want the 2 unpurged", len(got))
	}
	again, _ := db.Purge(retention)
	if again.Cases != 0 {
		t.Fatal("purge is not idempotent")
	}
	clk.t = clk.t.Add(91 * 24 * time.Hour)
	if rep, _ := db.Purge(retention); rep.Cases != 1 {
		t.Fatalf("second purge took %d, want WS-NEW", rep.Cases)
	}
	log, _ := db.AuditLog()
	if len(log) != 2 || log[0].Action != "retention.purge" {
		t.Fatalf("audit = %+v", log)
	}
	_ = path
}

func TestWallKnownKept(t *testing.T) {
	db, _, path := openSealed(t)
	if ids, err := db.WallKnown(); err != nil || len(ids) != 0 {
		t.Fatalf("fresh: %v %v", ids, err)
	}
	if err := db.SetWallKnown([]string{"cw-2026-10", "tz-fire"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if ids, err := db2.WallKnown(); err != nil || len(ids) != 2 || ids[0] != "cw-2026-10" || ids[1] != "tz-fire" {
		t.Fatalf("after reopening: %v %v", ids, err)
	}
}
