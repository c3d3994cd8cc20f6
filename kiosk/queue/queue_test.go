package queue

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"hallkiosk/kiosk/clock"
	"hallkiosk/localdb"
)

var businesses = []string{"社会救助", "社保医保", "户籍证明"}

func openQueue(t *testing.T, path string, clk *clock.Fake) *Queue {
	t.Helper()
	db, err := localdb.Open(path, localdb.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	q, err := New(BoltStore{DB: db}, businesses, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func must(t *testing.T) func(Ticket, error) Ticket {
	return func(tk Ticket, err error) Ticket {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
}

func TestNumbersPerBusinessRestartDailyAndSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewFake(time.Date(2026, 11, 24, 8, 30, 0, 0, time.Local))
	db, err := localdb.Open(filepath.Join(dir, "host.db"), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q, err := New(BoltStore{DB: db}, businesses, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range []string{"社会救助", "社会救助", "户籍证明", "社会救助"} {
		got = append(got, must(t)(q.Take(b, "K001")).Number)
	}
	if want := []string{"A001", "A002", "C001", "A003"}; !equal(got, want) {
		t.Fatalf("numbers %v, want %v", got, want)
	}
	if _, err := q.Take("看病", "K001"); !errors.Is(err, ErrUnknownBusiness) {
		t.Fatalf("unknown business: %v", err)
	}
	called := must(t)(q.CallNext("1号窗口", nil))
	// The host restarts: numbering goes on, the window still serves its ticket.
	_ = db.Close()
	db, err = localdb.Open(filepath.Join(dir, "host.db"), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q, err = New(BoltStore{DB: db}, businesses, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	if n := must(t)(q.Take("社会救助", "K001")).Number; n != "A004" {
		t.Fatalf("after a restart the next number is %s, want A004", n)
	}
	if w := q.State().Windows; len(w) != 1 || w[0].Current == nil || w[0].Current.Number != called.Number {
		t.Fatalf("after a restart the window serves %+v, want %s", w, called.Number)
	}
	// Next morning numbers restart; yesterday stays in the store.
	clk.Advance(24 * time.Hour)
	if n := must(t)(q.Take("社会救助", "K001")).Number; n != "A001" {
		t.Fatalf("next day starts at %s", n)
	}
	old, err := BoltStore{DB: db}.LoadDay("2026-11-24")
	if err != nil || len(old) != 5 {
		t.Fatalf("yesterday's history: %d tickets, %v", len(old), err)
	}
}

func TestWindowCallsInOrderWithTransfersPausesAndReturns(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 24, 9, 0, 0, 0, time.Local))
	q := openQueue(t, filepath.Join(t.TempDir(), "h.db"), clk)
	take := func(b string) Ticket { clk.Advance(time.Minute); return must(t)(q.Take(b, "K001")) }
	a1, b1, a2, a3 := take("社会救助"), take("社保医保"), take("社会救助"), take("社会救助")

	// A window serving only 社保医保 gets B001 although A001 waits longer.
	if c := must(t)(q.CallNext("2号窗口", []string{"社保医保"})); c.Number != b1.Number || c.Calls != 1 {
		t.Fatalf("2号窗口 called %+v", c)
	}
	if _, err := q.CallNext("2号窗口", []string{"社保医保"}); !errors.Is(err, ErrNobodyWaiting) {
		t.Fatalf("empty line: %v", err)
	}
	c := must(t)(q.CallNext("1号窗口", nil))
	if c.Number != a1.Number {
		t.Fatalf("1号窗口 called %s, want the longest waiting %s", c.Number, a1.Number)
	}
	if r := must(t)(q.Recall("1号窗口")); r.Calls != 2 {
		t.Fatalf("重呼 counted %d calls", r.Calls)
	}
	// 过号, the next comes; 回来了 puts A001 back at its old place, first in line.
	must(t)(q.Miss("1号窗口"))
	if c := must(t)(q.CallNext("1号窗口", nil)); c.Number != a2.Number {
		t.Fatalf("after 过号 called %s, want %s", c.Number, a2.Number)
	}
	if _, err := q.Returned(a3.Number); !errors.Is(err, ErrNotMissed) {
		t.Fatalf("回来了 for a waiting ticket: %v", err)
	}
	must(t)(q.Returned(a1.Number))
	// 转窗口: A002 goes to 3号窗口, which calls it before A001 that waited longer.
	must(t)(q.Transfer("1号窗口", "3号窗口", ""))
	if c := must(t)(q.CallNext("3号窗口", nil)); c.Number != a2.Number {
		t.Fatalf("3号窗口 called %s, want the ticket transferred to it", c.Number)
	}
	// 转业务: A002 becomes a 户籍证明 ticket, called by a window that serves only that.
	must(t)(q.Transfer("3号窗口", "", "户籍证明"))
	if c := must(t)(q.CallNext("4号窗口", []string{"户籍证明"})); c.Number != a2.Number || c.Business != "户籍证明" {
		t.Fatalf("4号窗口 called %+v", c)
	}
	// 暂停: a paused window calls nobody until it resumes.
	if err := q.Pause("1号窗口", true); err != nil {
		t.Fatal(err)
	}
	if _, err := q.CallNext("1号窗口", nil); !errors.Is(err, ErrPaused) {
		t.Fatalf("paused window called: %v", err)
	}
	_ = q.Pause("1号窗口", false)
	if c := must(t)(q.CallNext("1号窗口", nil)); c.Number != a1.Number {
		t.Fatalf("returned ticket not first: %s", c.Number)
	}
	if _, err := q.Recall("5号窗口"); !errors.Is(err, ErrNoCurrent) {
		t.Fatalf("重呼 at an idle window: %v", err)
	}
}

func TestFiguresPerBusinessAndWindow(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 24, 9, 0, 0, 0, time.Local))
	q := openQueue(t, filepath.Join(t.TempDir(), "h.db"), clk)
	must(t)(q.Take("社会救助", "K001"))
	clk.Advance(2 * time.Minute)
	must(t)(q.Take("社会救助", "K001"))
	must(t)(q.Take("社会救助", "K001"))
	clk.Advance(3 * time.Minute)
	must(t)(q.CallNext("1号窗口", nil)) // A001 waited 5 min
	clk.Advance(4 * time.Minute)
	must(t)(q.CallNext("1号窗口", nil)) // A001 served in 4 min
	clk.Advance(6 * time.Minute)
	must(t)(q.Finish("1号窗口")) // A002 served in 6 min
	st := q.State()
	a := st.Businesses[0]
	if a.Waiting != 1 || a.Served != 2 || a.AverageServiceSeconds != 300 || a.OldestWaitSeconds != 13*60 {
		t.Fatalf("社会救助 figures %+v", a)
	}
	if w := st.Windows[0]; w.Served != 2 || w.AverageServiceSeconds != 300 || w.Current != nil {
		t.Fatalf("1号窗口 figures %+v", w)
	}
	if len(st.Recent) != 2 || st.Recent[1].Number != "A002" {
		t.Fatalf("recent calls %+v", st.Recent)
	}
}

func TestOwnBlocksNeverCollideAndAreTakenIn(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 24, 9, 0, 0, 0, time.Local))
	q := openQueue(t, filepath.Join(t.TempDir(), "h.db"), clk)
	blocks := map[int]bool{}
	for _, dev := range []string{"K001", "K002", "K003", "K004"} {
		b, err := q.Slot(dev)
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := q.Slot(dev); again != b {
			t.Fatalf("%s got %+v then %+v", dev, b, again)
		}
		if b.First <= onlineLast || b.Last >= onlineNext || blocks[b.First] {
			t.Fatalf("%s block %+v overlaps", dev, b)
		}
		blocks[b.First] = true
	}
	if _, err := q.Slot("K005"); !errors.Is(err, ErrNoSlot) {
		t.Fatalf("a fifth device: %v", err)
	}
	b1 := BlockOf(1)
	at := clk.Now().UTC()
	off := Ticket{Day: "2026-11-24", Number: "A601", Business: "社会救助", TakenAt: at}
	in := must(t)(q.TakeIn(off, "K001"))
	if !in.Offline || in.Status != Waiting || b1.First != 601 {
		t.Fatalf("taken in: %+v", in)
	}
	// The device retries after a lost answer: the same ticket, answered again, not twice in line.
	must(t)(q.TakeIn(off, "K001"))
	if st := q.State(); st.Businesses[0].Waiting != 1 {
		t.Fatalf("%d waiting after a retried take-in", st.Businesses[0].Waiting)
	}
	for name, c := range map[string]struct {
		t   Ticket
		dev string
	}{
		"another device's block": {Ticket{Day: "2026-11-24", Number: "A701", Business: "社会救助", TakenAt: at}, "K001"},
		"an online number":       {Ticket{Day: "2026-11-24", Number: "A005", Business: "社会救助", TakenAt: at}, "K001"},
		"letter of another line": {Ticket{Day: "2026-11-24", Number: "B602", Business: "社会救助", TakenAt: at}, "K001"},
		"a device with no block": {Ticket{Day: "2026-11-24", Number: "A601", Business: "社会救助", TakenAt: at}, "K009"},
	} {
		if _, err := q.TakeIn(c.t, c.dev); !errors.Is(err, ErrNotOwnBlock) {
			t.Errorf("%s: %v", name, err)
		}
	}
	other := off
	other.TakenAt = at.Add(time.Minute)
	if _, err := q.TakeIn(other, "K001"); !errors.Is(err, ErrExists) {
		t.Errorf("a second ticket with a given number: %v", err)
	}
	yesterday := Ticket{Day: "2026-11-23", Number: "A602", Business: "社会救助", TakenAt: at.Add(-24 * time.Hour)}
	if _, err := q.TakeIn(yesterday, "K001"); !errors.Is(err, ErrNoTicket) {
		t.Errorf("yesterday's ticket: %v", err)
	}
	// Online numbers go past 599 without entering the blocks.
	for range 600 {
		must(t)(q.Take("社保医保", "K001"))
	}
	if last := q.Tickets(); last[len(last)-1].Number != "B1000" {
		t.Fatalf("the 600th online number is %s, want B1000", last[len(last)-1].Number)
	}
}

func TestSubscribersGetStateThenCallsInOrder(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 24, 9, 0, 0, 0, time.Local))
	q := openQueue(t, filepath.Join(t.TempDir(), "h.db"), clk)
	must(t)(q.Take("社会救助", "K001"))
	must(t)(q.Take("社会救助", "K001"))
	ch, cancel := q.Subscribe()
	defer cancel()
	if e := <-ch; e.State == nil || e.State.Businesses[0].Waiting != 2 {
		t.Fatalf("first event %+v, want the whole state", e)
	}
	must(t)(q.CallNext("1号窗口", nil))
	must(t)(q.Recall("1号窗口"))
	var calls []Call
	for len(calls) < 2 {
		if e := <-ch; e.Call != nil {
			calls = append(calls, *e.Call)
		}
	}
	if calls[0].Number != "A001" || calls[0].Recall || !calls[1].Recall || calls[1].Seq != calls[0].Seq+1 {
		t.Fatalf("calls %+v", calls)
	}
	// A subscriber that stops reading is dropped, not waited for.
	slow, _ := q.Subscribe()
	for range 100 {
		must(t)(q.Take("社会救助", "K001"))
	}
	n := 0
	for range slow {
		n++
	}
	if n == 0 || n > 64 {
		t.Fatalf("slow subscriber got %d events before it was dropped", n)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
