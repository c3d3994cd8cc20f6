// Package disclosure is the village affairs wall (村务公开) on a large screen: the page kiosk/wall's
// rotation puts up now (a notice, a table or roster page, a major matter's record, an urgent
// notice with its banner, the dark screen outside its hours), drawn in type sized for reading
// across the hall, with the hall's now-serving line along the bottom. It draws into a window of
// its own, so the window PC can drive the wall as its second full-screen window.
package disclosure

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/queue"
	"hallkiosk/kiosk/text"
	"hallkiosk/kiosk/wall"
)

// emptyRecheck is how soon an empty wall looks again for content and a trusted clock.
const emptyRecheck = 5 * time.Second

// ScreenWall is the name of the wall's one screen, for logs and the frame probe.
const ScreenWall = "wall"

// Queue is the hall's queue as the wall follows it (*hall.Client is one).
type Queue interface {
	Subscribe(ctx context.Context, onEvent func(queue.Event), onConnected func(bool))
}

// Deps is what the wall needs.
type Deps struct {
	Window  fyne.Window
	Strings *text.Strings
	Clock   clock.Clock
	Log     *slog.Logger
	Hall    string
	// Items reads the content the wall may show (wall.Items over the store).
	Items func() ([]wall.Item, error)
	// Trusted says whether the clock may decide display periods now (wall.Trust over the last
	// check against the township).
	Trusted func(now time.Time) bool
	// Known is what was last known current, kept across restarts; Keep stores it when it changes.
	Known []string
	Keep  func(ids []string)
	// Schedule turns the pages; its RowsPerPage is set from the screen.
	Schedule wall.Schedule
	// Inches and Distance size the type: the screen's diagonal and the reading distance in metres.
	Inches, Distance float64
	// Queue is the hall's queue for the now-serving line; nil: no line. (The calls are spoken by
	// the device with [voice] calls, whatever its mode: on a wall with the hall's speakers, set it.)
	Queue Queue
	// Show puts the drawn page up; nil sets the window's content (a window of the wall's own).
	Show func(fyne.CanvasObject)
	// Proof is the proof of display, going on from what a previous run left open; Record keeps
	// the spans that closed (uploaded) and the open ones, in one go. Nil: no proof kept.
	Proof  *wall.Proof
	Record func(closed []wall.Span, open []byte)
	// Do runs f on the UI goroutine (fyne.Do; tests pass their own).
	Do func(f func())
}

// Wall is the disclosure mode.
type Wall struct {
	d       Deps
	rot     *wall.Rotation
	mu      sync.Mutex
	serving map[string]queue.Call // window -> the call being served
	page    wall.Page
	known   string
	timer   clock.Timer
	drawn   fyne.CanvasObject
	// kept is when the open spans were last recorded, and what was open then.
	kept     time.Time
	keptOpen string
}

// keepOpenEvery is how often the open spans are written while nothing opens or closes: after a
// crash a span closes at the last moment written, so the record can only under-state a display.
const keepOpenEvery = 5 * time.Minute

// New builds the wall on its window.
func New(d Deps) *Wall {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Do == nil {
		d.Do = fyne.Do
	}
	if d.Inches <= 0 {
		d.Inches = 55
	}
	if d.Distance <= 0 {
		d.Distance = 5
	}
	w := &Wall{d: d, serving: map[string]queue.Call{}}
	w.rot = wall.NewRotation(d.Schedule, d.Known)
	return w
}

// Body is the body text's height in pixels on the wall's window now.
func (w *Wall) Body() float32 {
	s := w.d.Window.Canvas().Size()
	return wall.BodyPixels(w.d.Inches, int(s.Width), int(s.Height), w.d.Distance)
}

// Start puts up the first page, turns the pages on the clock, and follows the hall's calls.
func (w *Wall) Start(ctx context.Context) {
	if w.d.Queue != nil {
		go w.d.Queue.Subscribe(ctx, func(e queue.Event) {
			if e.State == nil && e.Call == nil {
				return
			}
			ev := e
			w.d.Do(func() { w.hear(ev) })
		}, func(bool) {})
	}
	w.Turn()
}

// hear takes the queue's news: the whole state names what each window serves; a call is spoken.
func (w *Wall) hear(e queue.Event) {
	if e.State != nil {
		w.serving = map[string]queue.Call{}
		for _, win := range e.State.Windows {
			if win.Current != nil {
				w.serving[win.Window] = queue.Call{Number: win.Current.Number, Business: win.Current.Business, Window: win.Window}
			}
		}
	}
	if e.Call != nil {
		w.serving[e.Call.Window] = *e.Call
	}
	w.Draw()
}

// Turn moves to the next page now and sets the clock for the one after.
func (w *Wall) Turn() {
	now := w.d.Clock.Now()
	items, err := w.d.Items()
	if err != nil {
		w.d.Log.Error("wall content unreadable; keeping the page on show", "err", err)
	} else {
		trusted := w.d.Trusted != nil && w.d.Trusted(now)
		size, body := w.d.Window.Canvas().Size(), w.Body()
		w.rot.S.RowsPerPage = LayoutFor(size, body).RowsPerPage
		w.rot.S.NoticePages = func(it wall.Item) int { return NoticePages(w.d.Strings, size, body, it) }
		w.page = w.rot.Next(items, now, trusted)
		w.prove(now, trusted && !w.page.Off)
		if k := strings.Join(w.rot.Known(), "\x00"); k != w.known && trusted {
			w.known = k
			if w.d.Keep != nil {
				w.d.Keep(w.rot.Known())
			}
		}
	}
	w.Draw()
	until := w.page.Until
	if until.IsZero() || !until.After(now) {
		until = now.Add(20 * time.Second)
	}
	if w.page.Item == nil && !w.page.Off && until.Sub(now) > emptyRecheck {
		// Nothing to show yet (a first start before the clock is checked or the content came):
		// look again soon rather than a page's whole dwell later.
		until = now.Add(emptyRecheck)
	}
	if w.timer != nil {
		w.timer.Stop()
	}
	w.timer = w.d.Clock.AfterFunc(until.Sub(now), func() { w.d.Do(w.Turn) })
}

// prove notes what stands on the wall for the proof of display, and records what closed.
func (w *Wall) prove(now time.Time, trusted bool) {
	if w.d.Proof == nil || w.d.Record == nil {
		return
	}
	showing := w.rot.Showing()
	closed := w.d.Proof.Observe(now, showing, trusted)
	open := w.d.Proof.Open()
	ids := strings.Join(showing, "\x00")
	if !trusted {
		ids = ""
	}
	if len(closed) > 0 || ids != w.keptOpen || now.Sub(w.kept) >= keepOpenEvery {
		w.d.Record(closed, open)
		w.kept, w.keptOpen = now, ids
	}
}

// Page is the page on show, for tests and the proof-of-display log.
func (w *Wall) Page() wall.Page { return w.page }

// Draw redraws the page on show (a call came, the window was resized).
func (w *Wall) Draw() {
	var calls []queue.Call
	for _, c := range w.serving {
		calls = append(calls, c)
	}
	sort.Slice(calls, func(i, j int) bool { return calls[i].Window < calls[j].Window })
	cw := &canvasWall{s: w.d.Strings, size: w.d.Window.Canvas().Size(), body: w.Body()}
	now := w.d.Clock.Now()
	w.drawn = cw.draw(Frame{Page: w.page, Serving: calls, Now: now.Format(w.d.Strings.Wall.TimeFormat), Hall: w.d.Hall})
	if w.d.Show != nil {
		w.d.Show(w.drawn)
	} else {
		w.d.Window.SetContent(w.drawn)
	}
}
