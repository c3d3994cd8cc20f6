package selfservice

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"hallkiosk/drivers/idcard"
)

// TestSoak drives HALLKIOSK_SOAK resident sessions (make soak: 10,000) through the real widgets in
// one process, in a mix: apply (card, questions, materials, consent, submit with its receipt on
// the pty printer, rating), lookup by number, ticket, message, and an application abandoned to
// the idle timeout. Heap in use and goroutines after the last session must be within 5 MB and 0 of
// what they were after session 100: a kiosk runs for weeks, and Fyne has open reports of memory
// growing with every refresh.
func TestSoak(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("HALLKIOSK_SOAK"))
	if n == 0 {
		t.Skip("set HALLKIOSK_SOAK=N (make soak runs 10000)")
	}
	if os.Getenv("FYNE_CACHE") == "" {
		t.Skip("set FYNE_CACHE=1ms (make soak does): see settle below")
	}
	h := newHarness(t, opts{})
	h.sh.OnScreen = nil // the per-screen layout checks are the other tests' job
	cards := idcard.SampleCards()
	var baseHeap, baseLive uint64
	var baseG int
	start := time.Now()
	lastCase := ""
	only, _ := strconv.Atoi(os.Getenv("HALLKIOSK_SOAK_ONLY")) // 0-4: one kind of session only (to find a leak)
	if os.Getenv("HALLKIOSK_SOAK_ONLY") == "2" {              // lookups need a case to look up
		h.toCard()
		h.lay(cards[0])
		h.answerDibao()
		h.tickAll()
		h.submit()
		lastCase = h.flow().Case.Number
		h.tapText(h.s.Apply.Finish)
	}
	for i := 1; i <= n; i++ {
		kind := i % 5
		if os.Getenv("HALLKIOSK_SOAK_ONLY") != "" {
			kind = only
		}
		switch kind {
		case 0, 1:
			h.toCard()
			h.lay(cards[i%2])
			h.answerDibao()
			h.tickAll()
			h.submit()
			lastCase = h.flow().Case.Number
			h.tapText(h.s.Apply.Rate)
			h.tapText("★★★★☆  " + h.s.Lists.Grades[3])
			h.tapText(h.s.Apply.Finish)
		case 2:
			h.tapText(h.s.Tasks.Lookup)
			if lastCase != "" {
				h.typeCase(lastCase)
				h.tapText(h.s.Tasks.LookupSearch)
			}
			h.tapText(h.s.App.Home)
		case 3:
			if i%10 == 3 {
				h.tapText(h.s.Tasks.Ticket)
				h.tapText(h.s.Lists.Businesses[i%len(h.s.Lists.Businesses)])
				h.await()
			} else {
				h.tapText(h.s.Tasks.Message)
				h.tapText(h.s.Lists.Topics[0])
				h.tapText(h.s.Lists.Phrases[1])
				h.tapText(h.s.Apply.NextStep)
				h.tapText(h.s.Tasks.MessageSkipPhone)
			}
			h.tapText(h.s.Apply.Finish)
		case 4: // walks away mid-form
			h.toCard()
			h.lay(cards[0])
			h.tapText("2")
			h.clock.Advance(h.sh.Idle.Timeout() + time.Second)
			h.await()
		}
		h.settle()
		h.want(ScreenHome)
		h.prn.TakeJobs() // the resident takes the paper
		if i%50 == 0 {
			// A frame, as the GL driver paints sixty a second: painting is when Fyne drops the
			// renderers of widgets no longer shown (at most every 10 s, those unused for FYNE_CACHE).
			h.win.Canvas().Capture()
		}
		if i%1000 == 0 {
			heap, g := memNow()
			t.Logf("session %d: heap in use %.1f MB, %d goroutines, %.0f s", i, float64(heap)/(1<<20), g, time.Since(start).Seconds())
		}
		if i == min(100, n) {
			baseHeap, baseG = h.memAfterClean()
			baseLive = liveHeap()
			heapProfile(t, "soak-100.prof")
		}
	}
	heap, g := h.memAfterClean()
	live := liveHeap()
	heapProfile(t, "soak-end.prof")
	growth := float64(int64(heap)-int64(baseHeap)) / (1 << 20)
	msg := fmt.Sprintf("after session 100: heap in use %.1f MB (live objects %.1f MB), %d goroutines; after session %d: %.1f MB (%+.1f MB; live %.1f MB, %+.1f MB), %d goroutines (%+d); %.0f s",
		float64(baseHeap)/(1<<20), float64(baseLive)/(1<<20), baseG, n, float64(heap)/(1<<20), growth,
		float64(live)/(1<<20), float64(int64(live)-int64(baseLive))/(1<<20), g, g-baseG, time.Since(start).Seconds())
	t.Log(msg)
	fmt.Println("soak:", msg)
	if growth > 5 || g > baseG {
		t.Errorf("the kiosk grows: %s", msg)
	}
}

// memAfterClean measures once Fyne's renderer cache has had its clean: Fyne cleans at most every
// 10 s of wall time during a paint, and only renderers unused for FYNE_CACHE, so the measurement
// waits those 10 s and paints. Without it the figure would count whichever screens happened to be
// built since the last clean, not what the kiosk keeps.
func (h *harness) memAfterClean() (uint64, int) {
	time.Sleep(11 * time.Second)
	h.win.Canvas().Capture()
	return memNow()
}

// heapProfile writes a heap profile into $HALLKIOSK_SOAK_PROF when set, to compare with
// go tool pprof -diff_base.
func heapProfile(t *testing.T, name string) {
	dir := os.Getenv("HALLKIOSK_SOAK_PROF")
	if dir == "" {
		return
	}
	runtime.GC()
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		t.Fatal(err)
	}
}

// liveHeap is the bytes of live objects after a collection (HeapAlloc), beside HeapInuse, which
// also counts the free room in spans that hold any live object.
func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func memNow() (uint64, int) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse, runtime.NumGoroutine()
}
