package localdb

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// BenchmarkDurableSubmit measures a resident's submit (record + outbox item, one fsynced bbolt
// transaction) against the raw latency of writing 4 KB and fsyncing it on the same disk. The two are
// interleaved, one of each per round, so both see the same disk weather, and the reported ratio is
// of the medians (goal under 2.5x; bbolt syncs twice per transaction, so 2x is its floor).
func BenchmarkDurableSubmit(b *testing.B) {
	dir := b.TempDir()
	db, err := Open(filepath.Join(dir, "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	f, err := os.OpenFile(filepath.Join(dir, "fsync.bin"), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	rec := make([]byte, 600)
	raw := make([]time.Duration, 0, b.N)
	sub := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := f.WriteAt(buf, int64(i%16)*4096); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := db.Submit(Record{Bucket: "cases", Key: []byte(fmt.Sprint(i)), Value: rec}, "case", []byte(`{"n":1}`)); err != nil {
			b.Fatal(err)
		}
		raw = append(raw, t1.Sub(t0))
		sub = append(sub, time.Since(t1))
	}
	b.StopTimer()
	mr, ms := median(raw), median(sub)
	b.ReportMetric(float64(mr.Microseconds()), "fsync-us")
	b.ReportMetric(float64(ms.Microseconds()), "submit-us")
	b.ReportMetric(float64(ms)/float64(mr), "x-fsync")
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
