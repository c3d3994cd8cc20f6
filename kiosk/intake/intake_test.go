package intake

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/lifecycle"
	"hallkiosk/kiosk/staff"
	"hallkiosk/kiosk/upload"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

const (
	dibao   = "61040300MZ-JF-0001" // 承诺件, 20 working days, 容缺受理
	pension = "61040300RS-GG-0001" // 城乡居民基本养老保险参保登记: 即办件
	party   = "61040300ZZ-QT-0001" // 党员组织关系转接: no 容缺受理
)

var (
	worker = staff.Session{ID: "S01", Name: "王秀英", Role: staff.RoleWorker}
	head   = staff.Session{ID: "S00", Name: "李建国", Role: staff.RoleHead}
	agent  = staff.Session{ID: "S07", Name: "赵网格", Role: staff.RoleAgent}
)

type fixture struct {
	t   *testing.T
	svc *Service
	db  *localdb.DB
	clk *clock.Fake
	cat *catalog.Catalog
	prn *kiosktest.Printer
	// path is the store's file, for reading it as bytes.
	path string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clk := kiosktest.Clock()
	st := kiosktest.NewStore(t, clk)
	cat := kiosktest.Catalog(t)
	prn := kiosktest.NewPrinter(t)
	a := &apply.Service{DB: st.DB, Catalog: cat, Calendar: kiosktest.Calendar(t), Clock: clk, Printer: prn.Device,
		Text: kiosktest.Strings(t), Log: slog.New(slog.DiscardHandler),
		Cfg: apply.Config{Hall: "王上村便民服务站", KioskCode: "K007", Paper: printer.Paper58}}
	return &fixture{t: t, svc: &Service{Apply: a}, db: st.DB, clk: clk, cat: cat, prn: prn, path: st.Path}
}

func (f *fixture) item(code string) catalog.Item {
	it, ok := f.cat.Item(code)
	if !ok {
		f.t.Fatalf("no item %s", code)
	}
	return it
}

func typed(t *testing.T) *Resident {
	r, err := Typed(" 李淼喆 ", "61040319520304123"+string(check("61040319520304123")))
	if err != nil {
		t.Fatal(err)
	}
	return &r
}

func check(first17 string) byte { c, _ := api.IDCheckDigit(first17); return c }

// dibaoDraft is a 低保 case with good answers and every material handed in.
func (f *fixture) dibaoDraft() *Draft {
	d := NewDraft(f.item(dibao))
	d.Resident = typed(f.t)
	d.Answers = map[string]string{"household": "3", "income": "800", "reasons": "疾病、残疾", "disabled_member": "是", "phone": "13912345678"}
	for i := range d.Item.Materials {
		d.Received[i] = true
	}
	return d
}

func fields(ps []Problem) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Field)
	}
	return strings.Join(out, ",")
}

func TestTypedResident(t *testing.T) {
	good := "61040319520304123" + string(check("61040319520304123"))
	r, err := Typed("  李淼喆", strings.ToLower(good))
	if err != nil || r.IDNumber != good || r.Name != "李淼喆" || r.FromCard {
		t.Fatalf("typed resident: %+v %v", r, err)
	}
	bad := good[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", good[17])+1)%11])
	for _, c := range []struct{ name, id string }{{"李淼喆", bad}, {"李淼喆", good[:17]}, {"李淼喆", "61040319520304123Y"}} {
		if _, err := Typed(c.name, c.id); !errors.Is(err, ErrIDNumber) {
			t.Errorf("Typed(%q, %q): %v, want ErrIDNumber", c.name, c.id, err)
		}
	}
	for _, name := range []string{"", "  ", "李\u202e淼喆"} {
		if _, err := Typed(name, good); !errors.Is(err, ErrName) {
			t.Errorf("Typed(%q): %v, want ErrName", name, err)
		}
	}
	card := FromCard(idcard.Card{Name: "张三", IDNumber: good, Address: "陕西省", Type: idcard.CardResident})
	if !card.FromCard || card.IDType != "" || card.Name != "张三" {
		t.Fatalf("from card: %+v", card)
	}
}

// What stops acceptance is named field by field, and Accept refuses with the same list, storing
// nothing.
func TestCheckNamesWhatStopsAcceptance(t *testing.T) {
	f := newFixture(t)
	d := NewDraft(f.item(party))
	if got := fields(f.svc.Check(d)); got != "resident,phone,materials" {
		t.Fatalf("empty party draft: %q", got)
	}
	if ps := f.svc.Check(d); !strings.Contains(ps[2].Text, "不能容缺受理") || !strings.Contains(ps[2].Text, d.Item.Materials[0].Name) {
		t.Fatalf("materials problem: %q", ps[2].Text)
	}
	d.Resident = typed(t)
	d.Answers["phone"] = "1391234"
	if got := fields(f.svc.Check(d)); got != "phone,materials" {
		t.Fatalf("short phone: %q", got)
	}
	_, err := f.svc.Accept(d, worker)
	var nr *NotReadyError
	if !errors.As(err, &nr) || len(nr.Problems) != 2 {
		t.Fatalf("accept of a draft with problems: %v", err)
	}
	if cs, _ := f.db.Cases(); len(cs) != 0 {
		t.Fatal("a refused acceptance stored a case")
	}
	if st, _ := f.db.Stats(); st.Depth != 0 {
		t.Fatalf("a refused acceptance queued %d uploads", st.Depth)
	}
	// Typed text with a control character cannot go to the township: refused here, field named.
	x := NewDraft(f.item("61040300XF-GG-0001"))
	x.Resident = typed(t)
	x.Answers = map[string]string{"topic": x.Item.Form[0].Options[0], "summary": "村道\u0007坏了", "phone": "13912345678"}
	for i := range x.Item.Materials {
		x.Received[i] = true
	}
	if ps := f.svc.Check(x); fields(ps) != "summary" || !strings.Contains(ps[0].Text, "看不见的字符") {
		t.Fatalf("text with a control character: %+v", ps)
	}
	// 容缺受理: a missing material does not stop a 低保 case.
	dd := f.dibaoDraft()
	dd.Received[0] = false
	if ps := f.svc.Check(dd); len(ps) != 0 {
		t.Fatalf("低保 with one material short: %+v", ps)
	}
}

// A 承诺件 is received, accepted and forwarded in one action; the case and its steps are one
// transaction with two uploads, and the slip prints the materials received and the promised date.
func TestAcceptPromisedCase(t *testing.T) {
	f := newFixture(t)
	d := f.dibaoDraft()
	d.Received[6] = false // the last material is not required (see catalog): not on the slip as missing
	c, err := f.svc.Accept(d, worker)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Number, "260302-K007-") || c.Life != string(lifecycle.Forwarded) || c.OnTheSpot || c.Channel != Channel {
		t.Fatalf("accepted: %+v", c)
	}
	if want := f.svc.Apply.Promised(d.Item, f.clk.Now()); !c.PromisedBy.Equal(want) {
		t.Fatalf("promised %v, want %v (20 working days)", c.PromisedBy, want)
	}
	stored, err := f.db.Case(c.Number)
	if err != nil || len(stored.Steps) != 2 || stored.Steps[0].To != "accepted" || stored.Steps[1].To != "forwarded" || stored.Steps[0].Actor != "S01" {
		t.Fatalf("stored: %+v %v", stored, err)
	}
	if stored.Person == nil || stored.Person.Name != "李淼喆" {
		t.Fatal("the applicant is not stored (sealed) with the case")
	}
	due, err := f.db.Due(f.clk.Now(), 0)
	if err != nil || len(due) != 2 || due[0].Kind != api.KindCase || due[1].Kind != api.KindCaseStep {
		t.Fatalf("uploads: %+v %v", due, err)
	}
	if !strings.Contains(string(due[0].Payload), `"channel":"window"`) {
		t.Fatalf("case payload does not say window: %s", due[0].Payload)
	}
	job, err := f.svc.Slip(stored, worker)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Apply.Print(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	jobs := f.prn.Sim.Jobs()
	if len(jobs) != 1 {
		t.Fatalf("%d jobs printed", len(jobs))
	}
	text, _ := simplifiedchinese.GB18030.NewDecoder().String(string(jobs[0]))
	for _, want := range []string{"受 理 单", c.Number, "李*喆", "6104**********", "[√] 已收", "受理人：S01 王秀英", "承诺办结："} {
		if !strings.Contains(text, want) {
			t.Errorf("slip lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "李淼喆") || strings.Contains(text, "195203041") {
		t.Errorf("slip shows the name or ID number whole:\n%s", text)
	}
	audit, _ := f.db.AuditLog()
	if len(audit) != 1 || audit[0].Action != "case.accept" || audit[0].Subject != c.Number {
		t.Fatalf("audit: %+v", audit)
	}
}

// A 即办件 is accepted and finished at the window: result, ready, handed over to the applicant.
// The steps the rules refuse change nothing.
func TestOnTheSpot(t *testing.T) {
	f := newFixture(t)
	d := NewDraft(f.item(pension))
	if !d.OnTheSpot {
		t.Fatal("an item with 承诺时限 0 starts as 即办件")
	}
	d.Resident = typed(t)
	d.Answers = map[string]string{"grade": d.Item.Form[0].Options[0], "phone": "13912345678"}
	for i := range d.Item.Materials {
		d.Received[i] = true
	}
	c, err := f.svc.Accept(d, worker)
	if err != nil {
		t.Fatal(err)
	}
	if c.Life != string(lifecycle.Accepted) || !c.OnTheSpot {
		t.Fatalf("accepted 即办件: %+v", c)
	}
	if _, err := f.svc.Complete(c.Number, worker, "  "); !errors.Is(err, lifecycle.ErrRefused) {
		t.Fatalf("complete without a result: %v", err)
	}
	if _, err := f.svc.Complete(c.Number, agent, "已参保"); !errors.Is(err, lifecycle.ErrRefused) {
		t.Fatalf("an agent completes a 即办件: %v", err)
	}
	before, _ := f.db.Case(c.Number)
	pending, _ := f.db.Stats()
	f.clk.Advance(3 * time.Minute)
	done, err := f.svc.Complete(c.Number, worker, "已参保，缴费档次200元")
	if err != nil {
		t.Fatal(err)
	}
	if done.Life != string(lifecycle.HandedOver) || done.Result != "已参保，缴费档次200元" || len(done.Steps) != len(before.Steps)+3 {
		t.Fatalf("completed: %+v", done)
	}
	if last := done.Steps[len(done.Steps)-1]; last.How != "collected" || last.Actor != "S01" {
		t.Fatalf("hand-over step: %+v", last)
	}
	after, _ := f.db.Stats()
	if after.Depth != pending.Depth+1 {
		t.Fatalf("completing is one upload, queued %d", after.Depth-pending.Depth)
	}
	// A 承诺件 cannot be completed on the spot.
	p, err := f.svc.Accept(f.dibaoDraft(), worker)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Complete(p.Number, worker, "好"); !errors.Is(err, lifecycle.ErrRefused) {
		t.Fatalf("complete of a 承诺件: %v", err)
	}
	// Closing without a follow-up is the head's, with a reason.
	if _, err := f.svc.Step(done.Number, worker, lifecycle.Event{To: lifecycle.Closed, Reason: "电话打不通"}); !errors.Is(err, lifecycle.ErrRefused) {
		t.Fatalf("worker closes without follow-up: %v", err)
	}
	closed, err := f.svc.Step(done.Number, head, lifecycle.Event{To: lifecycle.Closed, Reason: "电话打不通"})
	if err != nil || closed.ClosedAt.IsZero() || closed.Life != "closed" {
		t.Fatalf("head closes: %+v %v", closed, err)
	}
}

// End to end with the real township on 127.0.0.1: a window case arrives once with its steps, the
// township's result comes back down and moves it on, and it goes on through hand-over to someone
// else (kept sealed), follow-up and closing, each step arriving at the township.
func TestWindowCaseThroughTheTownship(t *testing.T) {
	f := newFixture(t)
	tw := kiosktest.NewTownship(t)
	client, _ := tw.Enrol(t, "王上村")
	f.svc.Apply.Cfg.KioskCode = client.Cred.KioskCode
	loop := &upload.Loop{DB: f.db, Client: client, Clock: f.clk, BackoffBase: time.Millisecond, BackoffCap: 10 * time.Millisecond,
		Log: slog.New(slog.DiscardHandler)}
	ctx := context.Background()
	c, err := f.svc.Accept(f.dibaoDraft(), worker)
	if err != nil {
		t.Fatal(err)
	}
	loop.Round(ctx)
	loop.Round(ctx) // a second round sends nothing again
	got, err := tw.Store.Case(c.Number)
	if err != nil || got.Life != "forwarded" || len(got.Steps) != 2 || got.Channel != "window" {
		t.Fatalf("at the township: %+v %v", got, err)
	}
	if n, _ := tw.Store.ItemCount(api.KindCase); n != 1 {
		t.Fatalf("township holds %d cases, want exactly 1", n)
	}
	if n, err := f.svc.Settle(); n != 0 || err != nil {
		t.Fatalf("settle before a result: %d %v", n, err)
	}
	if err := tw.Store.SetStatus(c.Number, "done", "审批通过，12月起发放"); err != nil {
		t.Fatal(err)
	}
	loop.Round(ctx)
	if n, err := f.svc.Settle(); n != 1 || err != nil {
		t.Fatalf("settle after the result: %d %v", n, err)
	}
	back, _ := f.db.Case(c.Number)
	if back.Life != "result_back" || back.Result != "审批通过，12月起发放" || back.Steps[len(back.Steps)-1].Actor != "township" {
		t.Fatalf("after the township's result: %+v", back)
	}
	for _, step := range []lifecycle.Event{
		{To: lifecycle.Ready},
		{To: lifecycle.HandedOver, HandOver: &lifecycle.HandOver{To: "李小明", How: lifecycle.Delivered}},
		{To: lifecycle.FollowedUp, FollowUp: &lifecycle.FollowUp{Result: "已收到，满意"}},
		{To: lifecycle.Closed},
	} {
		if _, err := f.svc.Step(c.Number, worker, step); err != nil {
			t.Fatalf("step to %s: %v", step.To, err)
		}
	}
	closed, _ := f.db.Case(c.Number)
	if closed.Person.HandOverTo != "李小明" {
		t.Fatalf("hand-over recipient not kept: %+v", closed.Person)
	}
	loop.Round(ctx)
	got, _ = tw.Store.Case(c.Number)
	// The township's result was its own step (not sent back up); the hall's steps go on from it.
	if got.Life != "closed" {
		t.Fatalf("township sees the case at %q, want closed; steps %+v", got.Life, got.Steps)
	}
	if st, _ := f.db.Stats(); st.Depth != 0 || st.Quarantined != 0 {
		t.Fatalf("uploads left: %+v", st)
	}
	for _, s := range got.Steps {
		if strings.Contains(s.Reason+s.Result, "李小明") {
			t.Fatal("a name travelled in a step")
		}
	}
}

func TestFindAndWorklists(t *testing.T) {
	f := newFixture(t)
	a, err := f.svc.Accept(f.dibaoDraft(), worker)
	if err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(24 * time.Hour)
	b, err := f.svc.Accept(f.dibaoDraft(), worker)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{a.Number, " " + strings.ToLower(a.Number) + " "} {
		cs, err := f.svc.Find(q)
		if err != nil || len(cs) != 1 || cs[0].Number != a.Number {
			t.Fatalf("find %q: %v %v", q, cs, err)
		}
	}
	cs, err := f.svc.Find(typed(t).IDNumber)
	if err != nil || len(cs) != 2 || cs[0].Number != b.Number {
		t.Fatalf("find by ID number, newest first: %v %v", cs, err)
	}
	if cs, err := f.svc.Find("260302-K007-999"); err != nil || len(cs) != 0 {
		t.Fatalf("find a number that is not there: %v %v", cs, err)
	}
	if _, err := f.svc.Find("张三"); !errors.Is(err, ErrQuery) {
		t.Fatalf("find nonsense: %v", err)
	}
	l, err := f.svc.Worklists(2)
	if err != nil || len(l.Open) != 2 || len(l.Overdue) != 0 || len(l.DueSoon) != 0 || l.Open[0].Number != a.Number {
		t.Fatalf("worklists now: %+v %v", l, err)
	}
	// 19 working days after the first: the first is due within 2 working days, none overdue.
	f.clk.Advance(f.svc.Apply.Calendar.Add(a.CreatedAt, 19).Sub(f.clk.Now()))
	l, _ = f.svc.Worklists(2)
	if len(l.DueSoon) != 2 || len(l.Overdue) != 0 {
		t.Fatalf("worklists near the promise: due soon %d, overdue %d", len(l.DueSoon), len(l.Overdue))
	}
	f.clk.Advance(a.PromisedBy.Add(time.Hour).Sub(f.clk.Now()))
	l, _ = f.svc.Worklists(2)
	if len(l.Overdue) != 1 || l.Overdue[0].Number != a.Number {
		t.Fatalf("worklists after the first promise: %+v", l.Overdue)
	}
}
