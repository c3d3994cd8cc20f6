package followup_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"hallkiosk/drivers/printer"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/followup"
	"hallkiosk/kiosk/intake"
	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/staff"
	"hallkiosk/kiosk/upload"
	"hallkiosk/township/api"
)

var (
	head   = staff.Session{ID: "S00", Name: "李建国", Role: staff.RoleHead}
	worker = staff.Session{ID: "S01", Name: "王秀英", Role: staff.RoleWorker}
)

// A bad rating of a window case goes on the head's list with 整改 due 5 working days later; a
// worker may not follow it up, 整改 may not come before 回访核实, and each step reaches the real
// township on 127.0.0.1 with the rating, in order. Past the due date an open one is overdue; a good
// rating never shows.
func TestBadRatingFollowUpReachesTheTownship(t *testing.T) {
	clk := kiosktest.Clock() // Monday 2 March 2026, 09:30
	st := kiosktest.NewStore(t, clk)
	cal := kiosktest.Calendar(t)
	tw := kiosktest.NewTownship(t)
	client, _ := tw.Enrol(t, "王上村")
	a := &apply.Service{DB: st.DB, Catalog: kiosktest.Catalog(t), Calendar: cal, Clock: clk, Printer: kiosktest.NewPrinter(t).Device,
		Text: kiosktest.Strings(t), Log: slog.New(slog.DiscardHandler),
		Cfg: apply.Config{Hall: "王上村便民服务站", KioskCode: client.Cred.KioskCode, Paper: printer.Paper58}}
	in := &intake.Service{Apply: a}
	loop := &upload.Loop{DB: st.DB, Client: client, Clock: clk, BackoffBase: time.Millisecond, BackoffCap: 10 * time.Millisecond,
		Log: slog.New(slog.DiscardHandler)}
	item, _ := a.Catalog.Item("61040300RS-GG-0001")
	var numbers []string
	for range 2 {
		d := intake.NewDraft(item)
		r, err := intake.Typed("李淼喆", "61040319520304123"+string(mustCheck("61040319520304123")))
		if err != nil {
			t.Fatal(err)
		}
		d.Resident = &r
		d.Answers = map[string]string{"grade": d.Item.Form[0].Options[0], "phone": "13912345678"}
		for i := range d.Item.Materials {
			d.Received[i] = true
		}
		c, err := in.Accept(d, worker)
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, c.Number)
	}
	if err := a.Rate(numbers[0], 1, []string{"等候时间太长"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Rate(numbers[1], 4, nil); err != nil {
		t.Fatal(err)
	}
	svc := &followup.Service{DB: st.DB, Calendar: cal, Clock: clk}
	list, err := svc.List()
	if err != nil || len(list) != 1 || list[0].CaseNumber != numbers[0] || list[0].Next != api.FollowUpVerified || list[0].Overdue {
		t.Fatalf("list: %+v %v", list, err)
	}
	if want := time.Date(2026, 3, 9, 23, 59, 59, 0, time.Local); !list[0].Due.Equal(want) {
		t.Fatalf("due %s, want %s (5 working days after Monday 2 March)", list[0].Due, want)
	}
	if _, err := svc.Record(numbers[0], api.FollowUpVerified, "已回访", worker); !errors.Is(err, followup.ErrNotHead) {
		t.Fatalf("worker: %v", err)
	}
	if _, err := svc.Record(numbers[0], api.FollowUpRectified, "增加了一个窗口", head); !errors.Is(err, followup.ErrOrder) {
		t.Fatalf("整改 first: %v", err)
	}
	if _, err := svc.Record(numbers[0], api.FollowUpVerified, "  ", head); !errors.Is(err, followup.ErrNoNote) {
		t.Fatalf("empty note: %v", err)
	}
	if _, err := svc.Record(numbers[1], api.FollowUpVerified, "回访", head); !errors.Is(err, followup.ErrNoRating) {
		t.Fatalf("a good rating followed up: %v", err)
	}
	if _, err := svc.Record(numbers[0], api.FollowUpVerified, "回访了61040319520304123"+string(mustCheck("61040319520304123")), head); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("an ID number in the note: %v", err)
	}
	it, err := svc.Record(numbers[0], api.FollowUpVerified, "电话回访：上午人多，等了四十分钟", head)
	if err != nil || it.Next != api.FollowUpRectified {
		t.Fatalf("verified: %+v %v", it, err)
	}
	clk.Advance(8 * 24 * time.Hour) // Tuesday 10 March: past due
	list, _ = svc.List()
	if !list[0].Overdue {
		t.Fatalf("past due and not flagged: %+v", list[0])
	}
	if _, err := svc.Record(numbers[0], api.FollowUpRectified, "上午加开一个综合窗口", head); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Record(numbers[0], api.FollowUpRectified, "again", head); !errors.Is(err, followup.ErrDone) {
		t.Fatalf("a finished follow-up: %v", err)
	}
	list, _ = svc.List()
	if list[0].Next != "" || list[0].Overdue {
		t.Fatalf("finished: %+v", list[0])
	}
	ctx := context.Background()
	loop.Round(ctx)
	loop.Round(ctx)
	if q, _ := st.DB.Stats(); q.Depth != 0 || q.Quarantined != 0 {
		t.Fatalf("uploads left or refused: %+v", q)
	}
	rs, err := tw.Store.Ratings("王上村")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Case != numbers[0] {
			continue
		}
		if len(r.FollowUps) != 2 || r.FollowUps[0].Step != "verified" || r.FollowUps[1].Step != "rectified" || r.FollowUps[1].Actor != "S00" {
			t.Fatalf("at the township: %+v", r.FollowUps)
		}
		return
	}
	t.Fatalf("the rating of %s is not at the township: %+v", numbers[0], rs)
}

func TestCheckDays(t *testing.T) {
	for _, n := range []int{1, 5, 15} {
		if followup.CheckDays(n) != nil {
			t.Errorf("%d refused", n)
		}
	}
	for _, n := range []int{0, 16, -1} {
		if followup.CheckDays(n) == nil {
			t.Errorf("%d allowed", n)
		}
	}
}

func mustCheck(first17 string) byte { c, _ := api.IDCheckDigit(first17); return c }
