package wall

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"hallkiosk/township/api"
)

func spans(ss []Span) string {
	var out []string
	for _, s := range ss {
		out = append(out, fmt.Sprintf("%s %s-%s", s.Item, s.From.Format("01-02 15:04"), s.To.Format("01-02 15:04")))
	}
	return strings.Join(out, "; ")
}

// A notice stands for two days with a power cut in between: the record shows the spans, the
// gap, and a break at each midnight; a withdrawn item's span closes; an untrusted clock records
// nothing; open spans survive a restart.
func TestProofOfDisplay(t *testing.T) {
	p := NewProof(nil)
	t0 := time.Date(2026, 11, 24, 20, 0, 0, 0, day.Location())
	var closed []Span
	look := func(at time.Time, ids ...string) { closed = append(closed, p.Observe(at, ids, true)...) }
	for m := 0; m <= 60; m++ { // 20:00-21:00, a look a minute
		look(t0.Add(time.Duration(m)*time.Minute), "tz-fire", "db-q4")
	}
	look(t0.Add(61*time.Minute), "tz-fire") // the roster is withdrawn
	if got := spans(closed); got != "db-q4 11-24 20:00-11-24 21:00" {
		t.Fatalf("after the withdrawal: %s", got)
	}
	// The power goes at 21:01 and comes back at 22:30.
	closed = nil
	p = NewProof(p.Open())
	look(time.Date(2026, 11, 24, 22, 30, 0, 0, day.Location()), "tz-fire")
	if got := spans(closed); got != "tz-fire 11-24 20:00-11-24 21:01" {
		t.Fatalf("after the power cut: %s", got)
	}
	// Over midnight the span breaks at the day's end and goes on.
	closed = nil
	for m := 0; m <= 100; m++ {
		look(time.Date(2026, 11, 24, 22, 30, 0, 0, day.Location()).Add(time.Duration(m)*time.Minute), "tz-fire")
	}
	if got := spans(closed); got != "tz-fire 11-24 22:30-11-24 23:59" {
		t.Fatalf("at midnight: %s", got)
	}
	// The clock cannot be trusted: the open span closes where it was last seen, nothing new opens.
	closed = nil
	last := time.Date(2026, 11, 25, 0, 10, 0, 0, day.Location())
	closed = append(closed, p.Observe(last.Add(time.Minute), []string{"tz-fire"}, false)...)
	if got := spans(closed); got != "tz-fire 11-25 00:00-11-25 00:10" {
		t.Fatalf("untrusted: %s", got)
	}
	if p.Observe(last.Add(2*time.Minute), []string{"tz-fire"}, false) != nil || string(p.Open()) != "[]" {
		t.Fatalf("untrusted still records: %s", p.Open())
	}
	raw, err := closed[0].Payload()
	if err != nil {
		t.Fatal(err)
	}
	var pl api.DisplayPayload
	_ = json.Unmarshal(raw, &pl)
	if pl.Item != "tz-fire" || pl.From.Location() != time.UTC {
		t.Fatalf("payload: %s", raw)
	}
}
