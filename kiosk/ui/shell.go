// Package ui is the shell every mode of the kiosk shares: the theme, the shared widgets (digit
// keypad, pager, pick list, big tile, bottom bar), the idle timer, and a small router over Screen.
// Each mode (selfservice, window, disclosure) is its own package of screens built on it. It never
// imports fyne.io/fyne/v2/app, so it is tested with the Fyne test driver; kiosk/cmd/hallkiosk
// wires it to a real window.
package ui

import (
	"log/slog"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/idle"
	"hallkiosk/kiosk/text"
)

// Screen is what one screen shows: the router draws the title bar, the body, and the bottom bar
// with back, home and the screen's own way forward.
type Screen struct {
	Name  string // for tests, logs and the frame probe
	Title string
	Body  fyne.CanvasObject
	// Home marks the mode's home screen: no bottom bar, the 长辈版 switch in the title bar, and
	// the idle timer at rest.
	Home bool
	// Bare is a screen with nowhere to go (placeholders, a broken store): no bottom bar.
	Bare bool
	// Full is a screen that draws the whole window itself (the wall): no title bar, no padding;
	// it is Bare too.
	Full bool
	// Back replaces the bottom bar's 返回上一步 (a flow's previous question); nil goes back in
	// the router's history. NoBack leaves the back button out (after a submission).
	Back   func()
	NoBack bool
	// HomeLabel replaces 返回首页 where going home is how a task ends (完成).
	HomeLabel string
	// Right is drawn at the right of the title bar (the staff window's signed-in name and 退出).
	Right fyne.CanvasObject
	// Next is the step's way forward, drawn at the bottom right where the finger expects it.
	Next *widget.Button
}

// Page is anything that can draw itself as a Screen from its current state; the router redraws
// the page on top after a change (a tap, the elder switch, a printer's answer).
type Page interface {
	Screen() Screen
}

// PageFunc makes a Page of a function.
type PageFunc func() Screen

// Screen calls f.
func (f PageFunc) Screen() Screen { return f() }

// Deps is what the shell needs from the program that starts it.
type Deps struct {
	App     fyne.App
	Window  fyne.Window
	Strings *text.Strings
	Clock   clock.Clock
	Log     *slog.Logger
	Hall    string // shown in every title bar
	DPI     float32
	Elder   bool // the configured size; the idle reset returns to it
	// IdleTimeout is how long a screen other than home waits for a touch before the idle reset.
	IdleTimeout time.Duration
	// Overlay, when set, is kept on every screen at the top-left corner (the first-frame probe).
	Overlay fyne.CanvasObject
	// Desk is the staff window: denser type for keyboard and mouse, no 长辈版 switch.
	Desk bool
	// Do runs f on the UI goroutine; nil is fyne.Do. Tests pass their own, so callbacks from
	// device goroutines run in step with the test.
	Do func(f func())
}

// Shell is one window's screens: the router, the theme in force and the idle timer.
type Shell struct {
	d     Deps
	S     *text.Strings
	Log   *slog.Logger
	Clock clock.Clock
	Idle  *idle.Tracker
	theme *Theme

	stack   []Page // the page on show is last; those before it are where 返回上一步 goes
	current Screen
	notice  string
	// Home draws the mode's home page; Reset drops everything the mode holds of the person at
	// the screen. Both are set by the mode before Start.
	Home  func() Page
	Reset func()
	// OnScreen is called after every screen change, for tests and the frame probe.
	OnScreen func(name string)
	// OnFlow hears when someone enters a flow (a screen other than home) and leaves it again: an
	// unattended update waits until nobody is in one.
	OnFlow func(inFlow bool)

	inFlow bool
	held   string // the message of the cover that holds every screen; "" when not held
}

// Hold covers every screen with msg and takes no input until Release: a version on trial after an
// update shows its screens but takes nothing from a resident before it has reported healthy.
func (s *Shell) Hold(msg string) {
	s.held = msg
	s.Refresh()
}

// Release takes the cover away.
func (s *Shell) Release() {
	if s.held != "" {
		s.held = ""
		s.Refresh()
	}
}

// Held reports whether the screens are covered.
func (s *Shell) Held() bool { return s.held != "" }

// New binds a shell to its window and sets the theme.
func New(d Deps) *Shell {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Do == nil {
		d.Do = fyne.Do
	}
	s := &Shell{d: d, S: d.Strings, Log: d.Log, Clock: d.Clock, theme: NewTheme(d.DPI, d.Elder)}
	s.theme.Desk = d.Desk
	s.Idle = idle.New(d.Clock, d.IdleTimeout, func() { d.Do(s.idleReset) })
	d.App.Settings().SetTheme(s.theme)
	d.Window.SetTitle(d.Strings.App.Title + " - " + d.Hall)
	return s
}

// Do runs f on the UI goroutine: the one way device and network goroutines change a screen.
func (s *Shell) Do(f func()) { s.d.Do(f) }

// Window is the window the shell draws in (for focus).
func (s *Shell) Window() fyne.Window { return s.d.Window }

// Theme is the theme in force.
func (s *Shell) Theme() *Theme { return s.theme }

// Elder reports whether 长辈版 is on.
func (s *Shell) Elder() bool { return s.theme.Elder }

// Current is the screen on show.
func (s *Shell) Current() Screen { return s.current }

// Pages are the pages in the history, oldest first (the mode wipes them on a reset).
func (s *Shell) Pages() []Page { return append([]Page(nil), s.stack...) }

// Top is the page on show, nil before the first.
func (s *Shell) Top() Page {
	if len(s.stack) == 0 {
		return nil
	}
	return s.stack[len(s.stack)-1]
}

// Depth is how many pages 返回上一步 can go back through (tests check history is dropped).
func (s *Shell) Depth() int { return max(0, len(s.stack)-1) }

// Notice sets a one-off line the next home screen shows (after an idle reset).
func (s *Shell) Notice(n string) { s.notice = n }

// TakeNotice returns the pending notice once.
func (s *Shell) TakeNotice() string { n := s.notice; s.notice = ""; return n }

// Show puts p on top of the history and draws it.
func (s *Shell) Show(p Page) {
	s.stack = append(s.stack, p)
	s.draw(p.Screen())
}

// Replace draws p in place of the page on top (a step that should not be gone back to).
func (s *Shell) Replace(p Page) {
	if len(s.stack) > 0 {
		s.stack = s.stack[:len(s.stack)-1]
	}
	s.Show(p)
}

// Root drops the whole history and draws p as its only page.
func (s *Shell) Root(p Page) {
	s.stack = nil
	s.Show(p)
}

// Refresh redraws the page on top after its state changed.
func (s *Shell) Refresh() {
	if len(s.stack) > 0 {
		s.draw(s.stack[len(s.stack)-1].Screen())
	}
}

// Back returns to the page before; with none, home.
func (s *Shell) Back() {
	if len(s.stack) <= 1 {
		s.GoHome()
		return
	}
	s.stack = s.stack[:len(s.stack)-1]
	s.Refresh()
}

// GoHome drops what the mode holds of the person and the history, and draws home.
func (s *Shell) GoHome() {
	if s.Reset != nil {
		s.Reset()
	}
	if s.Home != nil {
		s.Root(s.Home())
	}
}

// idleReset returns home after the idle timeout and forgets everything, elder mode included.
func (s *Shell) idleReset() {
	if s.current.Home || s.current.Bare {
		return
	}
	s.Log.Info("idle timeout: back to home", "after", s.Idle.Timeout(), "from", s.current.Name)
	s.setElder(s.d.Elder)
	s.notice = s.S.App.IdleNotice
	s.GoHome()
}

// setElder sets the theme of the other size. The old screen is taken down first: setting a theme
// makes Fyne re-measure everything on screen at the new size, and the old screen is about to be
// replaced anyway (that re-measuring was the slowest screen change there was). The caller draws
// the page again.
func (s *Shell) setElder(on bool) {
	if s.theme.Elder == on {
		return
	}
	s.d.Window.SetContent(canvas.NewRectangle(ColBackground))
	s.theme = &Theme{DPI: s.theme.DPI, Elder: on, Desk: s.theme.Desk}
	s.d.App.Settings().SetTheme(s.theme)
}

// ToggleElder switches 长辈版 on or off and redraws the page at the new size.
func (s *Shell) ToggleElder() {
	s.setElder(!s.theme.Elder)
	s.Refresh()
}

// Touch counts a tap as activity for the idle timer.
func (s *Shell) Touch() {
	if !s.current.Home {
		s.Idle.Touch()
	}
}

// draw lays out the title bar, body and bottom bar of a screen.
func (s *Shell) draw(sc Screen) {
	s.current = sc
	right := fyne.CanvasObject(layout.NewSpacer())
	if sc.Right != nil {
		right = sc.Right
	} else if sc.Home && !s.d.Desk {
		label := s.S.App.ElderOn
		if s.theme.Elder {
			label = s.S.App.ElderOff
		}
		eb := s.Button(label, theme.ZoomInIcon(), false, s.ToggleElder)
		right = eb
		if !s.theme.Elder {
			right = container.NewHBox(container.NewCenter(s.Text(s.S.App.ElderHint, 1, ColOnPrimary)), eb)
		}
	}
	heading := s.Text(s.d.Hall+"  "+sc.Title, 1.25, ColOnPrimary)
	top := Bar(ColHeader, heading, right)
	var bottom fyne.CanvasObject
	if !sc.Home && !sc.Bare {
		bottom = s.BottomBar(sc)
	}
	if sc.Full {
		sc.Bare = true
		s.current = sc
	}
	content := fyne.CanvasObject(container.NewBorder(top, bottom, nil, nil, container.NewPadded(sc.Body)))
	if sc.Full {
		content = sc.Body
	}
	if s.held != "" {
		content = container.NewStack(content, newCover(s, s.held))
	}
	if o := s.d.Overlay; o != nil {
		o.Resize(o.MinSize())
		content = container.NewStack(content, container.NewWithoutLayout(o))
	}
	s.d.Window.SetContent(content)
	if in := !sc.Home && !sc.Bare; in != s.inFlow {
		s.inFlow = in
		if s.OnFlow != nil {
			s.OnFlow(in)
		}
	}
	if sc.Home || sc.Bare { // nothing to walk away from
		s.Idle.Disarm()
	} else {
		s.Idle.Touch()
	}
	if s.OnScreen != nil {
		s.OnScreen(sc.Name)
	}
}

// BottomBar is back, home and the step's way forward in one row at the bottom.
func (s *Shell) BottomBar(sc Screen) fyne.CanvasObject {
	back := sc.Back
	if back == nil {
		back = s.Back
	}
	var row []fyne.CanvasObject
	if !sc.NoBack {
		row = append(row, s.Button(s.S.App.Back, theme.NavigateBackIcon(), false, back))
	}
	home := s.S.App.Home
	if sc.HomeLabel != "" {
		home = sc.HomeLabel
	}
	row = append(row, s.Button(home, theme.HomeIcon(), sc.Next == nil, s.GoHome))
	if sc.Next != nil {
		row = append(row, sc.Next)
	}
	return container.NewPadded(container.NewGridWithColumns(len(row), row...))
}

// cover lies over a held screen: the screen shows through, taps stop here.
type cover struct {
	widget.BaseWidget
	content fyne.CanvasObject
}

func newCover(s *Shell, msg string) *cover {
	bg := canvas.NewRectangle(ColCover)
	panel := container.NewStack(canvas.NewRectangle(ColPrimary), container.NewPadded(container.NewPadded(s.Text(msg, 1.75, ColOnPrimary))))
	c := &cover{content: container.NewStack(bg, container.NewCenter(panel))}
	c.ExtendBaseWidget(c)
	return c
}

// Tapped takes the tap so that nothing under the cover gets it.
func (c *cover) Tapped(*fyne.PointEvent) {}

// CreateRenderer draws the veil and the message.
func (c *cover) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(c.content) }
