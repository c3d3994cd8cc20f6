package hall

import (
	"context"
	"slices"
	"testing"
	"time"

	"hallkiosk/kiosk/queue"
)

// BenchmarkCallToDelivery is the hall's promise that a call reaches the wall: a kiosk takes a
// ticket, a window calls it, and three displays subscribed to the service over 127.0.0.1 (the wall
// screen, a second wall, the window's own) each receive it. It reports the p95 and the worst time
// from the window's 叫下一位 to the last display holding the call, and the same p95 divided by the
// p95 of a plain signed state request to the same service in the same run (the baseline: what one
// round trip on this machine costs). Goal: p95 under 500 ms on a hall's LAN; run with
//
//	go test -run '^$' -bench CallToDelivery -benchtime 200x ./kiosk/queue/hall
func BenchmarkCallToDelivery(b *testing.B) {
	r := newRig(b)
	ctx := context.Background()
	kiosk, window := r.client("K001", r.key), r.client("K002", r.key)
	var displays []<-chan queue.Event
	for _, d := range []string{"K101", "K102", "K103"} {
		events, links := r.follow(r.client(d, r.key))
		if up := <-links; !up {
			b.Fatal("display not connected")
		}
		displays = append(displays, events)
	}
	waitCall := func(events <-chan queue.Event, number string) {
		for {
			select {
			case e := <-events:
				if e.Call != nil && e.Call.Number == number {
					return
				}
			case <-time.After(10 * time.Second):
				b.Fatalf("call %s never reached a display", number)
			}
		}
	}
	var calls, base []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := kiosk.Take(ctx, "社会救助"); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if _, err := window.State(ctx); err != nil {
			b.Fatal(err)
		}
		base = append(base, time.Since(t0))
		t0 = time.Now()
		called, err := window.CallNext(ctx, "1", nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range displays {
			waitCall(d, called.Number)
		}
		calls = append(calls, time.Since(t0))
		if _, err := window.Finish(ctx, "1"); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	p95 := func(ds []time.Duration) time.Duration {
		s := slices.Clone(ds)
		slices.Sort(s)
		return s[(len(s)*95+99)/100-1]
	}
	b.ReportMetric(float64(p95(calls).Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(slices.Max(calls).Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(p95(calls))/float64(p95(base)), "p95/state-p95")
}
