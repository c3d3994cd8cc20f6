package localdb

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"
)

// BenchmarkDurableSubmit measures a resident's submit (record + outbox item, durable when Submit
// returns) against the raw latency of writing 4 KB and fsyncing it on the same disk. They are
// interleaved, one of each per round, so both see the same disk weather, and the reported ratio is
// of the medians (goal clearly under 2.5x). The Bolt commit that follows each submit in the
// background is waited for, untimed, before the next measurement, so it cannot slow the raw
// fsync; its own time is reported as apply-x-fsync, and floor-x-fsync is what a submit committed
// straight to Bolt could at best cost (two syncs: bbolt's pages, then its meta page).
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
	// floor is bbolt's commit pattern by hand: five scattered pages, fdatasync, the meta page,
	// fdatasync. No Bolt commit can be cheaper on this disk.
	g, err := os.OpenFile(filepath.Join(dir, "floor.bin"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	buf := make([]byte, 4096)
	for i := range 1024 {
		if _, err := g.WriteAt(buf, int64(i)*4096); err != nil {
			b.Fatal(err)
		}
	}
	_ = g.Sync()
	rec := make([]byte, 600)
	raw := make([]time.Duration, 0, b.N)
	sub := make([]time.Duration, 0, b.N)
	floor := make([]time.Duration, 0, b.N)
	apply := make([]time.Duration, 0, b.N)
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
		t2 := time.Now()
		db.settle()
		t3 := time.Now()
		for p := range 5 {
			_, _ = g.WriteAt(buf, int64(1+(i*37+p*211)%1023)*4096)
		}
		_ = syscall.Fdatasync(int(g.Fd()))
		_, _ = g.WriteAt(buf, 0)
		_ = syscall.Fdatasync(int(g.Fd()))
		raw = append(raw, t1.Sub(t0))
		sub = append(sub, t2.Sub(t1))
		floor = append(floor, time.Since(t3))
		apply = append(apply, t3.Sub(t2))
	}
	b.StopTimer()
	mr, ms, mf := median(raw), median(sub), median(floor)
	b.ReportMetric(float64(mr.Microseconds()), "fsync-us")
	b.ReportMetric(float64(ms.Microseconds()), "submit-us")
	b.ReportMetric(float64(ms)/float64(mr), "x-fsync")
	b.ReportMetric(float64(mf)/float64(mr), "floor-x-fsync")
	b.ReportMetric(float64(median(apply))/float64(mr), "apply-x-fsync")
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
