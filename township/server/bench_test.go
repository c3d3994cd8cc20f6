package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hallkiosk/township/api"
	"hallkiosk/township/api/casenum"
	"hallkiosk/township/store"
)

const (
	benchKiosks    = 50
	benchBatchSize = 100
)

// batchBody is a batch of n cases with keys and case numbers unique to (kiosk, batch).
func batchBody(kiosk int, code string, batch, n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"items":[`)
	id := idNumber("61040319520304123")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"key":"k-%d-%d-%d","kind":"case","payload":{"number":"%s","item_code":"61040300MZ-JF-0001","item_name":"低保申请","applicant":{"name":"李淼喆","id_number":"%s","phone":"13912345678"},"form":{"家庭人口":"3","月收入":"800"},"submitted_at":"2026-03-02T09:00:00Z","promised_by":"2026-03-20T00:00:00Z"}}`,
			kiosk, batch, i, casenum.Format(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), code, batch*benchBatchSize+i), id)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// BenchmarkIntake50Kiosks: 50 simulated kiosks post signed batches of 100 cases at once to the
// service on 127.0.0.1; every batch is durable (group-committed fsync) before its answer. In the
// same run, the same clients post the same bodies to a handler that only reads them: the HTTP and
// JSON floor of this machine. Goal: over 20,000 records/s.
func BenchmarkIntake50Kiosks(b *testing.B) {
	dir := b.TempDir()
	st, err := store.Open(filepath.Join(dir, "t.db"), filepath.Join(dir, "t.key"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(New(Config{Store: st, MaxBatchItems: 500}))
	defer srv.Close()
	floor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte(`{"results":[]}`))
	}))
	defer floor.Close()
	type dev struct {
		id     string
		secret []byte
		code   string
	}
	devs := make([]dev, benchKiosks)
	for i := range devs {
		c, _, _ := st.NewCode("王上村", "", time.Hour)
		d, _, err := st.Enrol(c, "", "")
		if err != nil {
			b.Fatal(err)
		}
		devs[i] = dev{d.ID, d.Secret, d.Code}
	}
	tr := &http.Transport{MaxIdleConnsPerHost: benchKiosks}
	hc := &http.Client{Transport: tr}
	run := func(url string, n int, signed bool) time.Duration {
		var next, seq atomic.Int64
		next.Store(int64(n))
		start := time.Now()
		done := make(chan error, benchKiosks)
		for k := range benchKiosks {
			go func() {
				for next.Add(-1) >= 0 {
					body := batchBody(k, devs[k].code, int(seq.Add(1)), benchBatchSize)
					req, _ := http.NewRequest("POST", url+api.PathBatch, bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					if signed {
						api.Sign(req, devs[k].id, devs[k].secret, body, time.Now(), fmt.Sprintf("%d-%d", k, seq.Add(1)))
					}
					resp, err := hc.Do(req)
					if err != nil {
						done <- err
						return
					}
					out, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 || (signed && strings.Count(string(out), `"accepted"`) != benchBatchSize) {
						done <- fmt.Errorf("%d %.200s", resp.StatusCode, out)
						return
					}
				}
				done <- nil
			}()
		}
		for range benchKiosks {
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	batches := max(b.N, benchKiosks*4)
	base := run(floor.URL, batches, false)
	b.ResetTimer()
	took := run(srv.URL, batches, true)
	b.StopTimer()
	recs := float64(batches * benchBatchSize)
	b.ReportMetric(recs/took.Seconds(), "records/s")
	b.ReportMetric(recs/base.Seconds(), "floor-records/s")
	b.ReportMetric(took.Seconds()/base.Seconds(), "x-floor")
	if n, _ := st.ItemCount("case"); n != batches*benchBatchSize {
		b.Fatalf("township holds %d of %d", n, batches*benchBatchSize)
	}
}
