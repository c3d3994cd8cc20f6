// Package ui is the kiosk's Fyne front: it lays out screens and hands every decision to the UI-free
// packages (catalog, idle, config). It never imports fyne.io/fyne/v2/app, so it is tested with the
// Fyne test driver; kiosk/cmd/hallkiosk wires it to a real window.
package ui

import (
	"fmt"
	"log/slog"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/config"
	"hallkiosk/kiosk/idle"
	"hallkiosk/kiosk/text"
	"hallkiosk/localdb"
)

// Screen names, for tests and logs.
const (
	ScreenHome        = "home"
	ScreenWindow      = "window"
	ScreenGuide       = "guide"
	ScreenSearch      = "search"
	ScreenPlaceholder = "placeholder"
	ScreenError       = "error"
)

// Deps is what the UI needs from the program that starts it.
type Deps struct {
	App     fyne.App
	Window  fyne.Window
	Config  *config.Config
	Catalog *catalog.Catalog // nil when it could not be loaded
	Strings *text.Strings
	Clock   clock.Clock
	Log     *slog.Logger
	// StartupError, when set, is shown instead of the mode's screens (a store that will not open).
	StartupError error
	// Overlay, when set, is kept on every screen at the top-left corner (the first-frame probe).
	Overlay fyne.CanvasObject
	// Apply runs the self-service tasks; nil shows the guide only (apply at the window).
	Apply *apply.Service
	// NoCardReader is a kiosk configured without an ID-card reader: screens that need a card say
	// so instead of waiting for one.
	NoCardReader bool
}

// UI is one kiosk screen set bound to a window.
type UI struct {
	d     Deps
	s     *text.Strings
	theme *Theme
	idx   *catalog.Index
	idle  *idle.Tracker

	screen  string
	history []func() // screens to go back to, most recent last
	render  func()   // redraws the current screen (after an elder-mode switch)
	notice  string   // one-off line on the home screen (after an idle reset)

	// Resident input that the idle reset must forget.
	query     string
	pageIndex int
	sess      *apply.Session        // the resident applying, nil when nobody is
	onCard    func(ev idcard.Event) // set while a screen waits for a card
	// Flow state: the question on show, what the keypad holds, the case just submitted, and the
	// picks of the rating and task screens.
	fieldIndex   int
	keypad       string
	lastCase     localdb.Case
	picked       []string
	problem      string
	printed      bool
	printProblem string
	grade        int
	task         taskState
	// prev and next, when set before show, replace the bottom bar's back button and add a
	// forward button (flow steps).
	prev, next *widget.Button
	// OnScreen is called after every screen change, for tests and the startup probe.
	OnScreen func(name string)
}

// New binds the UI to its window and sets the theme; Start shows the first screen.
func New(d Deps) *UI {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	u := &UI{d: d, s: d.Strings, theme: NewTheme(d.Config.UI.ScreenDPI, d.Config.UI.ElderMode)}
	if d.Catalog != nil {
		u.idx = catalog.NewIndex(d.Catalog)
	}
	u.idle = idle.New(d.Clock, d.Config.UI.IdleTimeout.Duration, func() {
		fyne.Do(u.idleReset)
	})
	d.App.Settings().SetTheme(u.theme)
	d.Window.SetTitle(d.Strings.App.Title + " - " + d.Config.Hall.Name)
	return u
}

// Start shows the first screen of the configured mode.
func (u *UI) Start() {
	switch {
	case u.d.StartupError != nil:
		u.showError(u.s.Error.Store, u.d.StartupError)
	case u.d.Config.Mode == config.ModeWindow:
		u.showPlaceholder(u.s.Mode.WindowTitle, u.s.Mode.WindowBody)
	case u.d.Config.Mode == config.ModeDisclosure:
		u.showPlaceholder(u.s.Mode.DisclosureTitle, u.s.Mode.DisclosureBody)
	case u.d.Catalog == nil:
		u.showError(u.s.Error.Catalog, fmt.Errorf("no usable catalog"))
	default:
		u.ShowHome()
	}
}

// Screen is the name of the screen on show.
func (u *UI) Screen() string { return u.screen }

// Theme is the theme in force.
func (u *UI) Theme() *Theme { return u.theme }

// Query is what the resident has typed into search; tests check it is forgotten.
func (u *UI) Query() string { return u.query }

// Idle exposes the idle tracker so tests can see whether it is armed.
func (u *UI) Idle() *idle.Tracker { return u.idle }

func (u *UI) touch() {
	if u.screen != ScreenHome {
		u.idle.Touch()
	}
}

// idleReset returns home and forgets everything the resident entered, elder mode included.
func (u *UI) idleReset() {
	if u.screen == ScreenHome || u.screen == ScreenPlaceholder || u.screen == ScreenError {
		return
	}
	u.d.Log.Info("idle timeout: back to home", "after", u.idle.Timeout(), "from", u.screen)
	u.wipe()
	u.query = ""
	u.pageIndex = 0
	u.history = nil
	u.setElder(u.d.Config.UI.ElderMode)
	u.notice = u.s.App.IdleNotice
	u.ShowHome()
}

func (u *UI) setElder(on bool) {
	if u.theme.Elder == on {
		return
	}
	u.theme = NewTheme(u.theme.DPI, on)
	u.d.App.Settings().SetTheme(u.theme)
}

// ToggleElder switches 长辈版 on or off and redraws the current screen at the new size.
func (u *UI) ToggleElder() {
	u.setElder(!u.theme.Elder)
	if u.render != nil {
		u.render()
	}
}

// show puts a screen up. body is the middle; screens other than home get the bottom bar with the
// large 返回首页 button, so no screen is a dead end.
func (u *UI) show(name, title string, body fyne.CanvasObject, render func()) {
	u.screen, u.render = name, render
	right := fyne.CanvasObject(layout.NewSpacer())
	if name == ScreenHome {
		label := u.s.App.ElderOn
		if u.theme.Elder {
			label = u.s.App.ElderOff
		}
		eb := u.button(label, theme.ZoomInIcon(), false, u.ToggleElder) // light button on the blue bar
		right = eb
		if !u.theme.Elder {
			right = container.NewHBox(container.NewCenter(u.text(u.s.App.ElderHint, 1, colOnPrimary)), eb)
		}
	}
	heading := u.text(u.d.Config.Hall.Name+"  "+title, 1.25, colOnPrimary)
	top := bar(colHeader, heading, right)
	var bottom fyne.CanvasObject
	if name != ScreenHome && name != ScreenPlaceholder && name != ScreenError {
		home := u.button(u.s.App.Home, theme.HomeIcon(), u.next == nil, u.goHome)
		back := u.button(u.s.App.Back, theme.NavigateBackIcon(), false, u.goBack)
		if u.prev != nil {
			back = u.prev
		}
		if u.next != nil {
			// A step of a flow: back, home, and the step's own way forward, all in one row at the
			// bottom where the finger expects them.
			bottom = container.NewPadded(container.NewGridWithColumns(3, back, home, u.next))
		} else {
			bottom = container.NewPadded(container.NewGridWithColumns(2, back, home))
		}
	}
	u.prev, u.next = nil, nil
	content := fyne.CanvasObject(container.NewBorder(top, bottom, nil, nil, container.NewPadded(body)))
	if u.d.Overlay != nil {
		u.d.Overlay.Resize(u.d.Overlay.MinSize())
		content = container.NewStack(content, container.NewWithoutLayout(u.d.Overlay))
	}
	u.d.Window.SetContent(content)
	if name == ScreenHome {
		u.idle.Disarm()
	} else {
		u.idle.Touch()
	}
	if u.OnScreen != nil {
		u.OnScreen(name)
	}
}

// push records how to come back to the current screen before moving on.
func (u *UI) push() {
	if u.render != nil {
		u.history = append(u.history, u.render)
	}
}

func (u *UI) goBack() {
	if len(u.history) == 0 {
		u.goHome()
		return
	}
	prev := u.history[len(u.history)-1]
	u.history = u.history[:len(u.history)-1]
	prev()
}

func (u *UI) goHome() {
	u.wipe()
	u.history = nil
	u.query = ""
	u.pageIndex = 0
	u.ShowHome()
}

// ShowHome is the self-service home: a tile per window from the catalog and a search tile.
func (u *UI) ShowHome() {
	c := u.d.Catalog
	var tiles []fyne.CanvasObject
	for _, w := range c.Windows {
		w := w
		lines := []string{w.Summary, text.N(u.s.Home.ItemsCount, len(c.ItemsIn(w.ID)))}
		if u.d.Apply != nil && !u.theme.Elder {
			lines = lines[:1] // with the task tiles there are four rows: the summary says enough
		}
		if u.theme.Elder {
			lines = lines[1:] // big type: the window name and how many items it has
			if u.d.Apply != nil {
				lines = nil // four rows of tiles: the name alone fits at 30 pt
			}
		}
		tiles = append(tiles, u.tile(w.Name, true, lines, func() {
			u.push()
			u.pageIndex = 0
			u.ShowWindow(w.ID)
		}))
	}
	hint := u.s.Home.SearchHint
	if u.theme.Elder {
		hint = ""
	}
	tiles = append(tiles, u.tile(u.s.Home.Search, true, []string{hint}, func() {
		u.push()
		u.ShowSearch()
	}))
	if u.d.Apply != nil {
		tiles = append(u.taskTiles(), tiles...)
	}
	cols := 4
	if u.theme.Elder {
		cols = 3
	}
	scale := float32(1.5)
	if u.d.Apply != nil {
		scale = 1.25 // four rows of tiles need the height
	}
	greeting := u.text(u.s.Home.Greeting, scale, colText)
	var head []fyne.CanvasObject
	if u.notice != "" {
		n := widget.NewLabel("ⓘ" + u.notice)
		n.Wrapping = fyne.TextWrapWord
		n.Importance = widget.WarningImportance
		head = append(head, n)
		u.notice = ""
	}
	head = append(head, greeting)
	body := container.NewBorder(container.NewVBox(head...), para(u.s.Home.Help), nil, nil,
		tileGrid(cols, tiles))
	u.show(ScreenHome, u.s.App.Title, body, u.ShowHome)
}

// ShowWindow lists one window's items, a page at a time: no drag-scrolling on a kiosk.
func (u *UI) ShowWindow(id string) {
	items := u.d.Catalog.ItemsIn(id)
	render := func() { u.ShowWindow(id) }
	if len(items) == 0 {
		u.show(ScreenWindow, u.d.Catalog.WindowName(id), para(u.s.Window.Empty), render)
		return
	}
	list := u.itemPage(items, u.itemSummary, render)
	head := u.text(u.s.Window.ChooseItem, 1.25, colText)
	u.show(ScreenWindow, u.d.Catalog.WindowName(id), container.NewBorder(head, nil, nil, nil, list), render)
}

// itemPage shows the current page of items as large buttons with page buttons when needed.
func (u *UI) itemPage(items []catalog.Item, sub func(catalog.Item) string, redraw func()) fyne.CanvasObject {
	per := 6
	if u.theme.Elder {
		per = 3
	}
	pages := (len(items) + per - 1) / per
	if u.pageIndex >= pages {
		u.pageIndex = pages - 1
	}
	if u.pageIndex < 0 {
		u.pageIndex = 0
	}
	from, to := u.pageIndex*per, min(len(items), (u.pageIndex+1)*per)
	var rows []fyne.CanvasObject
	for _, it := range items[from:to] {
		it := it
		var lines []string
		if !u.theme.Elder { // at 30 pt a tile holds the name; the guide has the rest
			lines = []string{sub(it)}
		}
		rows = append(rows, u.tile(it.Name, false, lines, func() {
			u.push()
			u.ShowGuide(it.Code)
		}))
	}
	for len(rows) < per { // keep rows the same height on the last page
		rows = append(rows, layout.NewSpacer())
	}
	grid := container.New(evenRows{n: per}, rows...)
	if pages <= 1 {
		return grid
	}
	prev := u.button(u.s.App.PageUp, theme.MoveUpIcon(), false, func() { u.pageIndex--; redraw() })
	next := u.button(u.s.App.PageDown, theme.MoveDownIcon(), false, func() { u.pageIndex++; redraw() })
	if u.pageIndex == 0 {
		prev.Disable()
	}
	if u.pageIndex == pages-1 {
		next.Disable()
	}
	pager := container.NewGridWithColumns(3, prev, widget.NewLabelWithStyle(
		fmt.Sprintf("第 %d / %d 页", u.pageIndex+1, pages), fyne.TextAlignCenter, fyne.TextStyle{}), next)
	return container.NewBorder(nil, pager, nil, nil, grid)
}

func (u *UI) itemSummary(it catalog.Item) string {
	limit := u.s.Guide.OnTheSpot
	if it.PromisedLimitDays > 0 {
		limit = text.N(u.s.Guide.WorkingDays, it.PromisedLimitDays)
	}
	return fmt.Sprintf("%s：%s    %s：%s", u.s.Guide.PromisedLimit, limit, u.s.Guide.Visits, text.N(u.s.Guide.VisitsN, it.Visits))
}

// showPlaceholder is the honest screen of a mode that later work will fill.
func (u *UI) showPlaceholder(title, body string) {
	box := container.NewVBox(u.text(title, 2, colPrimary), para(body))
	u.show(ScreenPlaceholder, title, container.NewCenter(fixedWidth(1400, box)), func() { u.showPlaceholder(title, body) })
}

// showError tells the resident in Chinese and the technician in English what is wrong.
func (u *UI) showError(msg string, err error) {
	u.d.Log.Error("kiosk cannot serve", "err", err)
	tech := widget.NewLabel(err.Error())
	tech.Wrapping = fyne.TextWrapBreak
	box := container.NewVBox(u.text(msg, 1.5, colError), para(u.s.Home.Help), tech)
	u.show(ScreenError, u.s.App.Title, container.NewCenter(fixedWidth(1400, box)), func() { u.showError(msg, err) })
}

// fixedWidth caps a column of text at w so long lines wrap at a readable measure.
func fixedWidth(w float32, o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(&widthLayout{w: w}, o)
}

type widthLayout struct{ w float32 }

func (l *widthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(fyne.NewSize(min(size.Width, l.w), size.Height))
	}
}

// MinSize sizes the wrapped text to the column width first: a wrapping label's minimum height is
// only meaningful once it knows its width, and the centring container asks for it before Layout.
func (l *widthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		o.Resize(fyne.NewSize(l.w, o.MinSize().Height))
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(l.w, h)
}

// joinLines renders a list as numbered lines.
func joinLines(items []string) string {
	var b strings.Builder
	for i, s := range items {
		if i > 0 {
			b.WriteString("\n")
		}
		if len(items) > 1 {
			fmt.Fprintf(&b, "%d. ", i+1)
		}
		b.WriteString(s)
	}
	return b.String()
}
