package lifecycle

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

var at = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func ev(to Status, role string) Event {
	return Event{To: to, Actor: "S02", Role: role, At: at}
}

// A 承诺件 from received to closed through the township, hand-over and follow-up.
func TestWholeLife(t *testing.T) {
	c := Case{Number: "261124-K001-007", Status: Received}
	var err error
	steps := []Event{
		ev(Accepted, "worker"),
		ev(Forwarded, "agent"),
		{To: ResultBack, Role: ActorTownship, At: at},
		ev(Ready, "worker"),
		{To: HandedOver, Actor: "A05", Role: "agent", At: at, HandOver: &HandOver{To: "李淼喆本人", How: Delivered, At: at}},
		{To: FollowedUp, Actor: "S02", Role: "worker", At: at, FollowUp: &FollowUp{Result: "已收到，满意", At: at}},
		ev(Closed, "worker"),
	}
	for _, e := range steps {
		if c, err = Apply(c, e); err != nil {
			t.Fatal(err)
		}
	}
	if c.Status != Closed || len(c.History) != 7 || c.HandOver.How != Delivered || c.FollowUp.Result != "已收到，满意" {
		t.Fatalf("%+v", c)
	}
	if _, err := Apply(c, ev(Received, "head")); !errors.Is(err, ErrRefused) {
		t.Fatalf("a closed case moved: %v", err)
	}
}

// Every refusal leaves the case as it was and says why.
func TestRefusals(t *testing.T) {
	base := Case{Number: "n", Status: Received, History: []Entry{{To: Received}}}
	cases := []struct {
		name string
		c    Case
		e    Event
		want string
	}{
		{"skip acceptance", base, ev(Forwarded, "worker"), "cannot go to forwarded"},
		{"technician accepts", base, ev(Accepted, "technician"), "for worker or head"},
		{"agent accepts", base, ev(Accepted, "agent"), "for worker or head"},
		{"return without reason", base, ev(Returned, "worker"), "needs a reason"},
		{"refuse with blank reason", base, Event{To: Refused, Actor: "S02", Role: "worker", Reason: "  ", At: at}, "needs a reason"},
		{"staff claims the township's result", Case{Status: Forwarded}, ev(ResultBack, "head"), "for township"},
		{"hand-over without details", Case{Status: Ready}, ev(HandedOver, "worker"), "to whom, how"},
		{"hand-over by pigeon", Case{Status: Ready}, Event{To: HandedOver, Actor: "S02", Role: "worker", At: at, HandOver: &HandOver{To: "本人", How: "pigeon", At: at}}, "to whom, how"},
		{"follow-up without result", Case{Status: HandedOver}, ev(FollowedUp, "worker"), "result"},
		{"worker closes without follow-up", Case{Status: HandedOver}, Event{To: Closed, Actor: "S02", Role: "worker", Reason: "联系不上", At: at}, "for head"},
		{"no actor", base, Event{To: Accepted, Role: "worker", At: at}, "staff member"},
		{"no time", base, Event{To: Accepted, Actor: "S02", Role: "worker"}, "time"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := c.c
			got, err := Apply(c.c, c.e)
			var re *RefusedError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want a refusal naming %q", err, c.want)
			}
			if !reflect.DeepEqual(got, before) {
				t.Fatalf("a refused step changed the case: %+v", got)
			}
		})
	}
}

func TestNextOffersOnlyAllowedSteps(t *testing.T) {
	if got := Next(Received, "worker"); !reflect.DeepEqual(got, []Status{Accepted, Returned, Refused}) {
		t.Fatalf("worker at received: %v", got)
	}
	if got := Next(Received, "technician"); len(got) != 0 {
		t.Fatalf("technician at received: %v", got)
	}
	if got := Next(HandedOver, "head"); !reflect.DeepEqual(got, []Status{FollowedUp, Closed}) {
		t.Fatalf("head at handed over: %v", got)
	}
	// Every offered step is one Apply takes (with what it needs).
	for _, s := range []Status{Received, Accepted, Forwarded, ResultBack, Ready, HandedOver, FollowedUp, Returned, Refused} {
		for _, role := range []string{"worker", "head", "agent", ActorTownship} {
			for _, to := range Next(s, role) {
				e := Event{To: to, Actor: "x", Role: role, Reason: "原因", At: at,
					HandOver: &HandOver{To: "本人", How: Collected, At: at}, FollowUp: &FollowUp{Result: "满意", At: at}}
				if _, err := Apply(Case{Status: s}, e); err != nil {
					t.Errorf("%s offered %s -> %s but Apply refused: %v", role, s, to, err)
				}
			}
		}
	}
}

func TestFromTownshipAndDue(t *testing.T) {
	if s, ok := FromTownship("done"); !ok || s != ResultBack {
		t.Fatal("done")
	}
	if s, ok := FromTownship("rejected"); !ok || s != Refused {
		t.Fatal("rejected")
	}
	if _, ok := FromTownship("accepted"); ok {
		t.Fatal("accepted moves nothing")
	}
	day := func(d int) time.Time { return at.AddDate(0, 0, d) }
	cases := []Dated{{"a", Accepted, day(-2)}, {"b", Forwarded, day(1)}, {"c", Closed, day(-5)}, {"d", Received, day(-1)}, {"e", Ready, day(3)}, {"f", HandedOver, day(-9)}}
	var got []string
	for _, c := range Overdue(cases, at) {
		got = append(got, c.Number)
	}
	if strings.Join(got, ",") != "a,d" {
		t.Fatalf("overdue %v", got)
	}
	got = nil
	for _, c := range DueSoon(cases, at, day(2)) {
		got = append(got, c.Number)
	}
	if strings.Join(got, ",") != "b" {
		t.Fatalf("due soon %v", got)
	}
}

func TestNeeds(t *testing.T) {
	for _, c := range []struct {
		from, to                   Status
		reason, handOver, followUp bool
	}{
		{Received, Returned, true, false, false},
		{Ready, HandedOver, false, true, false},
		{HandedOver, FollowedUp, false, false, true},
		{HandedOver, Closed, true, false, false},
		{FollowedUp, Closed, false, false, false},
		{Closed, Received, false, false, false}, // no such step
	} {
		r, h, f := Needs(c.from, c.to)
		if r != c.reason || h != c.handOver || f != c.followUp {
			t.Errorf("Needs(%s, %s) = %v %v %v", c.from, c.to, r, h, f)
		}
	}
}
