package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/text"
	"hallkiosk/kiosk/ui"
	"hallkiosk/kiosk/ui/selfservice"
)

// screenBench walks the resident's screens in the real binary, as a finger would (each step calls
// the tapped widget's handler on the UI goroutine), and times each change from the tap to the
// next frame painted, found by the frame probe. After every step it changes one label the same
// way, the baseline: the cost of a frame that shows a trivial change, in the same process.
type screenBench struct {
	sh     *ui.Shell
	app    *selfservice.App
	win    fyne.Window
	strs   *text.Strings
	probe  *canvas.Raster
	frames <-chan struct{}
	label  *widget.Label
	rounds int
	out    io.Writer
}

type benchStep struct {
	name string
	do   func() bool // on the UI goroutine; false when the widget to tap is not on screen
}

// benchScreens runs the walk rounds times in both sizes and prints p50 and p95 per step and for
// the baseline; it returns 1 if a step could not be taken.
func benchScreens(b screenBench) int {
	if b.app == nil {
		fmt.Fprintln(b.out, "bench-screens: needs the self-service mode with a working store")
		return 2
	}
	times := map[string][]time.Duration{}
	var order []string
	n := 0
	for round := 0; round < b.rounds; round++ {
		for _, st := range b.steps() {
			d, ok := b.measure(st.do)
			if !ok {
				fmt.Fprintf(b.out, "bench-screens: round %d: step %q: nothing to tap (on screen %s)\n", round, st.name, b.sh.Current().Name)
				return 1
			}
			if _, seen := times[st.name]; !seen {
				order = append(order, st.name)
			}
			times[st.name] = append(times[st.name], d)
			n++
			bd, _ := b.measure(func() bool { b.label.SetText(strconv.Itoa(n)); return true })
			times["baseline"] = append(times["baseline"], bd)
		}
	}
	base50, base95 := pct(times["baseline"], 50), pct(times["baseline"], 95)
	fmt.Fprintf(b.out, "%-34s %8s %8s %8s\n", "step (tap -> next frame)", "p50 ms", "p95 ms", "p95/base")
	fmt.Fprintf(b.out, "%-34s %8.1f %8.1f %8s\n", "baseline: one label changes", ms(base50), ms(base95), "1.00")
	worst := 0.0
	for _, name := range order {
		p50, p95 := pct(times[name], 50), pct(times[name], 95)
		r := float64(p95) / float64(base95)
		worst = max(worst, r)
		fmt.Fprintf(b.out, "%-34s %8.1f %8.1f %8.2f\n", name, ms(p50), ms(p95), r)
	}
	fmt.Fprintf(b.out, "bench-screens: %d steps x %d rounds; worst p95 %.2fx the baseline\n", len(order), b.rounds, worst)
	return 0
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, (len(s)*p+99)/100-1)]
}

// measure runs do on the UI goroutine, refreshes the probe so the frame that shows the change
// paints it, and waits for that frame.
func (b screenBench) measure(do func() bool) (time.Duration, bool) {
	select { // a signal of an earlier frame is not this one
	case <-b.frames:
	default:
	}
	ok := make(chan bool, 1)
	t0 := time.Now()
	fyne.Do(func() {
		r := do()
		b.probe.Refresh()
		ok <- r
	})
	if !<-ok {
		return 0, false
	}
	select {
	case <-b.frames:
		return time.Since(t0), true
	case <-time.After(5 * time.Second):
		return 0, false
	}
}

// steps is one walk through every resident screen, in the standard size and then in 长辈版.
func (b screenBench) steps() []benchStep {
	s := b.strs
	a := s.Apply
	card := idcard.SampleCards()[0]
	var steps []benchStep
	tap := func(name, label string) {
		steps = append(steps, benchStep{name, func() bool { return b.tapButton(label) }})
	}
	tile := func(name, title string) {
		steps = append(steps, benchStep{name, func() bool { return b.tapTile(title) }})
	}
	walk := func(size string) {
		tile(size+"window list", "社会救助")
		tap(size+"window list: next page", s.App.PageDown)
		tap(size+"window list: previous page", s.App.PageUp)
		tile(size+"guide", "最低生活保障申请")
		tap(size+"card", a.Start)
		steps = append(steps, benchStep{size + "form: card read", func() bool { b.app.CardEvent(idcard.Event{Card: card}); return true }})
		tap(size+"form: keypad digit", "3")
		tap(size+"form: next question", a.Next)
		tap(size+"form: keypad digit", "8")
		tap(size+"form: next question", a.Next)
		tap(size+"form: pick an option", "疾病")
		tap(size+"form: next question", a.Next)
		tap(size+"form: yes/no", a.No)
		tap(size+"form: next question", a.Next)
		for _, d := range "13912345678" {
			tap(size+"form: keypad digit", string(d))
		}
		tap(size+"materials", a.Next)
		for range 7 {
			steps = append(steps, benchStep{size + "materials: tick a row", func() bool {
				if b.tapTile(a.HaveNot) {
					return true
				}
				return b.tapButton(s.App.PageDown) // the next page of rows (长辈版)
			}})
		}
		tap(size+"consent", a.NextStep)
		tap(size+"confirm", a.Agree)
		tap(size+"submitted (stored, fsynced)", a.Submit)
		tap(size+"rating", a.Rate)
		tap(size+"thanks", "★★★★★  "+s.Lists.Grades[4])
		tap(size+"home", a.Finish)
		tile(size+"lookup", s.Tasks.Lookup)
		tap(size+"lookup: keypad", "2")
		tap(size+"home", s.App.Home)
		tile(size+"ticket", s.Tasks.Ticket)
		tap(size+"ticket taken", s.Lists.Businesses[0])
		tap(size+"home", a.Finish)
		tile(size+"message: topic", s.Tasks.Message)
		tap(size+"message: phrases", s.Lists.Topics[0])
		tap(size+"message: pick a phrase", s.Lists.Phrases[0])
		tap(size+"message: phone", a.NextStep)
		tap(size+"thanks", s.Tasks.MessageSkipPhone)
		tap(size+"home", a.Finish)
		tile(size+"poll list", s.Tasks.Poll)
		tap(size+"home", s.App.Home)
		tile(size+"search", s.Home.Search)
		tap(size+"search: letter", "D")
		tap(size+"search: letter", "B")
		tap(size+"home", s.App.Home)
	}
	walk("")
	tap("elder: switch on", s.App.ElderOn)
	walk("elder: ")
	tap("elder: switch off", s.App.ElderOff)
	return steps
}

// tapButton taps the enabled button labelled label.
func (b screenBench) tapButton(label string) bool {
	var hit *widget.Button
	walkObjects(b.win.Content(), func(o fyne.CanvasObject) {
		if bt, ok := o.(*widget.Button); ok && hit == nil && bt.Visible() && bt.Text == label && !bt.Disabled() {
			hit = bt
		}
	})
	if hit == nil {
		return false
	}
	hit.OnTapped()
	return true
}

// tapTile taps the first tile (a stack led by an unlabelled button) that draws title.
func (b screenBench) tapTile(title string) bool {
	var hit *widget.Button
	walkObjects(b.win.Content(), func(o fyne.CanvasObject) {
		c, ok := o.(*fyne.Container)
		if !ok || hit != nil || len(c.Objects) == 0 {
			return
		}
		bt, ok := c.Objects[0].(*widget.Button)
		if !ok || bt.Text != "" {
			return
		}
		walkObjects(c, func(o fyne.CanvasObject) {
			if t, ok := o.(*canvas.Text); ok && t.Text == title && hit == nil {
				hit = bt
			}
		})
	})
	if hit == nil {
		return false
	}
	hit.OnTapped()
	return true
}

// walkObjects visits o and what containers and scroll containers hold (the screens put every
// tappable widget in containers, so no widget renderer needs to be opened).
func walkObjects(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	fn(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walkObjects(c, fn)
		}
	case *container.Scroll:
		walkObjects(v.Content, fn)
	}
}
