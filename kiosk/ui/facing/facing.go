// Package facing is the window PC's second, small touch screen that faces the resident: it shows
// the window's welcome, and when staff press 邀请评价 it asks the resident for 好差评 in large type.
// The rating is the resident's: it is stored and uploaded from here, and the staff screen only
// learns that the case was rated, never the grade. It draws in its own large theme (the staff
// window's desk theme is small), through a theme override, since a Fyne app has one theme.
package facing

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/flow"
	"hallkiosk/kiosk/text"
	"hallkiosk/kiosk/ui"
)

// Screen names, for tests.
const (
	ScreenWelcome = "facing-welcome"
	ScreenRating  = "facing-rating"
	ScreenReasons = "facing-reasons"
	ScreenThanks  = "facing-thanks"
)

// How long an unanswered invitation waits, and how long the thanks stay up.
const (
	InviteFor = 3 * time.Minute
	ThanksFor = 8 * time.Second
)

// Deps is what the facing screen needs.
type Deps struct {
	Window  fyne.Window
	Strings *text.Strings
	Clock   clock.Clock
	Log     *slog.Logger
	Hall    string
	// Desk is this window's number ("1"), for the welcome.
	Desk string
	// Rate stores and uploads a rating (apply.Service.Rate).
	Rate func(caseNumber string, grade int, reasons []string) error
	// Rated tells the staff window a case was rated (not how); it runs on the UI goroutine.
	Rated func(caseNumber string)
	// Do runs f on the UI goroutine (fyne.Do; tests pass their own).
	Do func(f func())
}

// Facing is the resident's screen.
type Facing struct {
	d     Deps
	th    *ui.Theme
	r     *flow.Rating // the invitation in hand; nil on the welcome
	done  bool         // the rating in hand is stored: thanks on show
	fail  bool         // the rating in hand could not be stored
	name  string
	gen   int
	timer clock.Timer
}

// New draws the welcome on d.Window. dpi sizes the type for the facing screen.
func New(d Deps, dpi float32) *Facing {
	if d.Do == nil {
		d.Do = fyne.Do
	}
	f := &Facing{d: d, th: ui.NewTheme(dpi, true)}
	f.draw()
	return f
}

// Current is the screen on show.
func (f *Facing) Current() string { return f.name }

// Invite asks the resident to rate a case; a new invitation replaces one not answered. Call on the
// UI goroutine.
func (f *Facing) Invite(caseNumber string) {
	f.r, f.done, f.fail = &flow.Rating{Case: caseNumber}, false, false
	f.d.Log.Info("rating invited", "case", caseNumber)
	f.after(InviteFor, func() {
		f.d.Log.Info("rating invitation not answered", "case", f.r.Case)
		f.r = nil
	})
	f.draw()
}

// after returns to the welcome (running first) after d, unless something else happens first.
func (f *Facing) after(d time.Duration, first func()) {
	if f.timer != nil {
		f.timer.Stop()
	}
	f.gen++
	gen := f.gen
	f.timer = f.d.Clock.AfterFunc(d, func() {
		f.d.Do(func() {
			if gen != f.gen {
				return
			}
			if first != nil {
				first()
			}
			f.r, f.done, f.fail = nil, false, false
			f.draw()
		})
	})
}

func (f *Facing) text(s string, scale float32) *canvas.Text {
	t := canvas.NewText(s, ui.ColText)
	t.TextSize = f.th.Size(theme.SizeNameText) * scale
	t.Alignment = fyne.TextAlignCenter
	return t
}

func (f *Facing) button(label string, important bool, tapped func()) fyne.CanvasObject {
	b := widget.NewButton(label, tapped)
	if important {
		b.Importance = widget.HighImportance
	}
	return b
}

// draw shows the screen for the state in hand.
func (f *Facing) draw() {
	s := f.d.Strings
	var body fyne.CanvasObject
	switch {
	case f.r == nil:
		f.name = ScreenWelcome
		body = container.NewCenter(container.NewVBox(f.text(f.d.Hall, 1.2), f.text(fmt.Sprintf(s.Desk.WindowN, f.d.Desk), 2.5),
			f.text(s.Facing.Welcome, 1.5)))
	case f.done || f.fail:
		f.name = ScreenThanks
		msg := f.thanks()
		if f.fail {
			msg = s.Facing.Failed
		}
		body = container.NewCenter(container.NewVBox(container.NewCenter(ui.Mark(f.th.Size(theme.SizeNameText)*4)), f.text(msg, 1.4)))
	case f.r.Grade == 0 || !f.r.Bad():
		f.name = ScreenRating
		var bs []fyne.CanvasObject
		for g := 5; g >= 1; g-- {
			stars := strings.Repeat("★", g) + strings.Repeat("☆", 5-g)
			bs = append(bs, f.button(stars+"  "+s.Lists.Grades[g-1], false, func() { f.grade(g) }))
		}
		body = container.NewBorder(f.text(s.Apply.RatePrompt, 1.4), nil, nil, nil, container.New(ui.EvenRows{N: 5}, bs...))
	default:
		f.name = ScreenReasons
		var bs []fyne.CanvasObject
		for _, reason := range s.Lists.BadReasons {
			mark := "☐ "
			if f.r.Picked(reason) {
				mark = "☑ "
			}
			bs = append(bs, f.button(mark+reason, f.r.Picked(reason), func() { f.r.ToggleReason(reason); f.draw() }))
		}
		send := widget.NewButton(s.Apply.RateSend, f.send)
		send.Importance = widget.HighImportance
		if !f.r.Ready() {
			send.Disable()
		}
		back := widget.NewButton(s.Facing.Back, func() { f.r.SetGrade(0); f.draw() })
		body = container.NewBorder(f.text(s.Apply.RateWhy, 1.2), container.NewGridWithColumns(2, back, send), nil, nil,
			container.NewGridWithColumns(2, bs...))
	}
	bg := canvas.NewRectangle(ui.ColBackground)
	f.d.Window.SetContent(container.NewThemeOverride(container.NewStack(bg, container.NewPadded(body)), f.th))
}

func (f *Facing) thanks() string {
	if f.r != nil && f.r.Bad() {
		return f.d.Strings.Apply.RateThanks
	}
	return f.d.Strings.Apply.RateDone
}

func (f *Facing) grade(g int) {
	if f.r == nil {
		return
	}
	f.r.SetGrade(g)
	if f.r.Ready() {
		f.send()
		return
	}
	f.after(InviteFor, nil) // choosing reasons: the resident is still there
	f.draw()
}

// send stores the rating (durable before the thanks show) and tells the staff window it is done.
func (f *Facing) send() {
	if f.r == nil || !f.r.Ready() {
		return
	}
	r := *f.r
	if err := f.d.Rate(r.Case, r.Grade, r.Reasons); err != nil {
		f.d.Log.Error("rating not stored", "case", r.Case, "err", err)
		f.fail = true
	} else {
		f.done = true
		if f.d.Rated != nil {
			f.d.Rated(r.Case)
		}
	}
	f.after(ThanksFor, nil)
	f.draw()
}
