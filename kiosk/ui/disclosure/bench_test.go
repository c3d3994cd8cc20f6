package disclosure

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/software"

	"hallkiosk/kiosk/ui"
	"hallkiosk/kiosk/wall"
)

// thousandRows is a roster of 1,000 households.
func thousandRows() []wall.Item {
	it := sample()[3]
	it.ID, it.Table.Rows = "db-1000", nil
	for i := range 1000 {
		it.Table.Rows = append(it.Table.Rows, []string{"王*", fmt.Sprintf("6104**********%04d", i), fmt.Sprint(1 + i%4), fmt.Sprintf("%d.00", 480+i%7*130)})
	}
	return []wall.Item{it}
}

func p95(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)*95/100]
}

// BenchmarkTablePage is the cost of turning to a page of a 1,000-row roster and drawing it (the
// rotation picks the page, the wall lays it out, the software renderer paints the 1920x1080
// frame), beside drawing a page of one label in the same process. It reports both p95s and their
// ratio. Run with
//
//	go test -run '^$' -bench TablePage -benchtime 200x ./kiosk/ui/disclosure
func BenchmarkTablePage(b *testing.B) {
	h := newHarness(b, wallSizes[0], thousandRows())
	th := ui.NewTheme(96, false)
	label := canvas.NewText("王上村便民服务站", ui.ColText)
	label.TextSize = h.w.Body()
	var table, one []time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		h.w.Turn()
		software.RenderCanvas(h.win.Canvas(), th)
		table = append(table, time.Since(t0))
		t0 = time.Now()
		label.Text = fmt.Sprint("王上村便民服务站 ", len(one))
		h.win.SetContent(label)
		software.RenderCanvas(h.win.Canvas(), th)
		one = append(one, time.Since(t0))
	}
	b.StopTimer()
	pt, po := p95(table), p95(one)
	b.ReportMetric(float64(pt.Microseconds())/1000, "table-p95-ms")
	b.ReportMetric(float64(po.Microseconds())/1000, "label-p95-ms")
	b.ReportMetric(float64(pt)/float64(po), "ratio")
}

// BenchmarkWallMemory turns 100,000 pages (no painting: the layout and Fyne's objects, which is
// where a wall that runs for months could leak) and reports the live heap after 1,000 and after
// 100,000, and the difference; the goal is within 5 MB. The top band's clock is held to one
// string: Fyne keeps measured text for a minute of real time, and 100,000 pages on the fake clock
// are 23 days, which would put 30,000 clock strings in that cache within the run's 100 seconds where
// a real wall adds one a minute and drops it a minute later (measured: 7 MB, and 25 times slower).
// Run with
//
//	go test -run '^$' -bench WallMemory -benchtime 1x ./kiosk/ui/disclosure
func BenchmarkWallMemory(b *testing.B) {
	h := newHarness(b, wallSizes[0], append(sample(), thousandRows()...))
	s := *h.w.d.Strings
	s.Wall.TimeFormat = "1月2日"
	h.w.d.Strings = &s
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	h.w.Turn()
	turns := func(n int) {
		for range n {
			h.clk.Advance(h.w.Page().Until.Sub(h.clk.Now()))
		}
		if h.w.Page().Until.Before(day) {
			b.Fatal("the wall stopped turning")
		}
	}
	for range b.N {
		turns(1000)
		at1k := heap()
		turns(99000)
		at100k := heap()
		b.ReportMetric(float64(at1k)/(1<<20), "heap-1k-MB")
		b.ReportMetric(float64(at100k)/(1<<20), "heap-100k-MB")
		b.ReportMetric((float64(at100k)-float64(at1k))/(1<<20), "growth-MB")
	}
}
