package upload

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"hallkiosk/township/api"
)

// BenchmarkDrain10k: one kiosk drains a 10,000-item backlog to the township on 127.0.0.1 (signed
// batches, every one durable at the township, items removed from the kiosk's outbox in fsynced
// transactions). Baseline in the same run: the same batches posted to a handler that only reads
// them. Goal: under 5 s.
func BenchmarkDrain10k(b *testing.B) {
	const backlog = 10000
	for range b.N {
		b.StopTimer()
		tw := newInproc(b)
		k := newKiosk(b, tw.enrol(b, "王上村"))
		k.submit(b, backlog)
		due, _ := k.db.Due(time.Now(), 0)
		floor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
		}))
		start := time.Now()
		for i := 0; i < len(due); i += 500 {
			items := make([]api.Item, 0, 500)
			for _, it := range due[i:min(i+500, len(due))] {
				items = append(items, api.Item{Key: it.Key, Kind: it.Kind, Payload: it.Payload})
			}
			body, _ := json.Marshal(api.Batch{Items: items})
			resp, err := http.Post(floor.URL, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
		}
		base := time.Since(start)
		floor.Close()
		b.StartTimer()
		start = time.Now()
		k.loop.Round(context.Background())
		took := time.Since(start)
		b.StopTimer()
		if d := k.depth(b); d != 0 {
			b.Fatalf("%d left", d)
		}
		b.ReportMetric(took.Seconds(), "drain-s")
		b.ReportMetric(took.Seconds()/base.Seconds(), "x-floor")
	}
}
