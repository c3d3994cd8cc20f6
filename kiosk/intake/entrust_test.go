package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/lifecycle"
	"hallkiosk/kiosk/upload"
	"hallkiosk/township/api"
)

// son is the resident's son, who brings the case with his own card.
func son(t *testing.T) *Resident {
	r, err := Typed("李明", "61040319800101123"+string(check("61040319800101123")))
	if err != nil {
		t.Fatal(err)
	}
	r.FromCard = true
	return &r
}

func TestEntrustmentNamesWhatIsMissing(t *testing.T) {
	f := newFixture(t)
	d := f.dibaoDraft()
	d.Entrust = &Entrustment{}
	tx := f.svc.Apply.Text.Intake
	probs := f.svc.Check(d)
	var msgs []string
	for _, p := range probs {
		if p.Field == FieldProxy {
			msgs = append(msgs, p.Text)
		}
	}
	want := []string{tx.NoProxy, tx.NoRelation, tx.NoConsent, tx.NoWritten}
	if !slices.Equal(msgs, want) {
		t.Fatalf("problems of an empty entrustment:\n got %q\nwant %q", msgs, want)
	}
	// The resident cannot be their own proxy.
	self := *d.Resident
	d.Entrust = &Entrustment{Proxy: &self, Relation: "child", Consent: true, Written: true}
	if probs := f.svc.Check(d); len(probs) != 1 || probs[0].Text != tx.ProxyIsResident {
		t.Fatalf("resident as proxy: %+v", probs)
	}
	if _, err := f.svc.Accept(d, worker); err == nil {
		t.Fatal("accepted with the resident as their own proxy")
	}
	if cs, _ := f.db.Cases(); len(cs) != 0 {
		t.Fatalf("a refused case was stored: %d", len(cs))
	}
}

func TestProxyCaseTravelsSealedAndPrintsTheProxyMasked(t *testing.T) {
	f := newFixture(t)
	tw := kiosktest.NewTownship(t)
	client, _ := tw.Enrol(t, "王上村")
	f.svc.Apply.Cfg.KioskCode = client.Cred.KioskCode
	d := f.dibaoDraft()
	d.Entrust = &Entrustment{Proxy: son(t), Relation: "child", Consent: true, Written: true}
	c, err := f.svc.Accept(d, worker)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(c.Received, f.svc.Apply.Text.Intake.WrittenMaterial) {
		t.Fatalf("the written entrustment is not among the materials: %q", c.Received)
	}
	stored, _ := f.db.Case(c.Number)
	if !stored.Proxy || stored.Entrust == nil || stored.Entrust.Relation != "child" || stored.Person.ProxyName != "李明" {
		t.Fatalf("stored: %+v %+v", stored.Entrust, stored.Person)
	}
	// The proxy's name and number are sealed in the file like the applicant's.
	raw, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("李明")) || bytes.Contains(raw, []byte(son(t).IDNumber)) {
		t.Fatal("the proxy is in the store in the clear")
	}
	loop := &upload.Loop{DB: f.db, Client: client, Clock: f.clk, BackoffBase: time.Millisecond, BackoffCap: 10 * time.Millisecond,
		Log: slog.New(slog.DiscardHandler)}
	loop.Round(context.Background())
	got, err := tw.Store.Case(c.Number)
	if err != nil || !got.Proxy || got.Relation != "child" {
		t.Fatalf("at the township: %+v %v", got, err)
	}
	if st, _ := f.db.Stats(); st.Depth != 0 || st.Quarantined != 0 {
		t.Fatalf("uploads left: %+v", st)
	}
	job, err := f.svc.Slip(stored, worker)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := simplifiedchinese.GB18030.NewDecoder().String(string(job))
	if !strings.Contains(text, "李*") || strings.Contains(text, "李明") {
		t.Fatalf("the slip does not name the proxy masked:\n%s", text)
	}
}

func TestCollectOnAHomeVisit(t *testing.T) {
	f := newFixture(t)
	f.svc.ForwardDays = 3
	d := f.dibaoDraft()
	d.Entrust = &Entrustment{StaffID: agent.ID, StaffName: agent.Name, Relation: RelationStaff(agent.Role), Consent: true, Written: true,
		Visit: &HomeVisit{On: f.clk.Now().AddDate(0, 0, 1), Place: "三组王家"}}
	if probs := f.svc.Check(d); fields(probs) != FieldVisit {
		t.Fatalf("a visit tomorrow: %+v", probs)
	}
	d.Entrust.Visit.On = f.clk.Now()
	d.Entrust.Visit.Place = " "
	if probs := f.svc.Check(d); fields(probs) != FieldVisit {
		t.Fatalf("a visit nowhere: %+v", probs)
	}
	d.Entrust.Visit.Place = "三组王家"
	if _, err := f.svc.Accept(d, agent); err == nil {
		t.Fatal("a home visit taken as a window acceptance")
	}
	c, err := f.svc.Collect(d, agent)
	if err != nil {
		t.Fatal(err)
	}
	if c.Life != string(lifecycle.Received) || c.OnTheSpot || c.Entrust.Staff != agent.ID || c.Entrust.Relation != "grid" {
		t.Fatalf("collected: %+v %+v", c, c.Entrust)
	}
	want := f.svc.Apply.Calendar.Add(endOfDay(f.clk.Now()), 3)
	if !c.Entrust.ForwardBy.Equal(want.UTC()) {
		t.Fatalf("forward by %v, want %v", c.Entrust.ForwardBy, want)
	}
	// The upload carries the visit and the date; no step yet (received is where a case starts).
	out, _ := f.db.Due(f.clk.Now(), 0)
	if len(out) != 1 || out[0].Kind != api.KindCase {
		t.Fatalf("uploads: %+v", out)
	}
	var p api.CasePayload
	_ = json.Unmarshal(out[0].Payload, &p)
	if p.Entrustment == nil || p.Entrustment.VisitPlace != "三组王家" || p.Entrustment.ProxyStaff != agent.ID || p.Entrustment.ForwardBy.IsZero() {
		t.Fatalf("payload: %+v", p.Entrustment)
	}
	l, _ := f.svc.Worklists(2)
	if len(l.ToForward) != 1 || len(l.Overdue) != 0 {
		t.Fatalf("to forward: %d, overdue %d", len(l.ToForward), len(l.Overdue))
	}
	// The agent cannot take it on (受理 is a worker's); past the date it is overdue.
	if _, err := f.svc.Step(c.Number, agent, lifecycle.Event{To: lifecycle.Accepted}); err == nil {
		t.Fatal("the 网格员 accepted their own collection")
	}
	f.clk.Advance(want.Add(time.Minute).Sub(f.clk.Now()))
	l, _ = f.svc.Worklists(2)
	if len(l.Overdue) != 1 || l.Overdue[0].Number != c.Number {
		t.Fatalf("after the forwarding date: overdue %+v", l.Overdue)
	}
	if _, late := Due(l.Overdue[0], f.clk.Now()); !late {
		t.Fatal("not late by Due")
	}
	for _, to := range []lifecycle.Status{lifecycle.Accepted, lifecycle.Forwarded} {
		if _, err := f.svc.Step(c.Number, worker, lifecycle.Event{To: to}); err != nil {
			t.Fatalf("step to %s: %v", to, err)
		}
	}
	l, _ = f.svc.Worklists(2)
	if len(l.ToForward) != 0 || len(l.Overdue) != 0 {
		t.Fatalf("forwarded, still listed: %d to forward, %d overdue", len(l.ToForward), len(l.Overdue))
	}
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 23, 59, 59, 0, t.Location())
}
