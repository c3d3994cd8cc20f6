package selfservice

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/assets"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/text"
	"hallkiosk/kiosk/ui"
)

// icon is the pictogram of a home tile (a window's ID or a task's name), nil when none is bundled.
func icon(name string) fyne.Resource {
	data, ok := assets.Icon(name)
	if !ok {
		return nil
	}
	return fyne.NewStaticResource(name+".svg", data)
}

// homePage is the self-service home: the tasks, a tile per window from the catalog, and search.
type homePage struct{ a *App }

func (p *homePage) Screen() ui.Screen {
	a, sh, s := p.a, p.a.sh, p.a.sh.S
	c := a.d.Catalog
	elder := sh.Elder()
	var tiles []fyne.CanvasObject
	if a.d.Service != nil {
		t := s.Tasks
		task := func(name, title, hint string, open func() ui.Page) fyne.CanvasObject {
			lines := []string{hint}
			if elder {
				lines = nil
			}
			return sh.Tile(title, true, icon(name), lines, func() { sh.Show(open()) })
		}
		tiles = append(tiles,
			task("lookup", t.Lookup, t.LookupHint, func() ui.Page { return newLookupPage(a) }),
			task("ticket", t.Ticket, t.TicketHint, func() ui.Page { return newTicketPage(a) }),
			task("message", t.Message, t.MessageHint, func() ui.Page { return newMessagePage(a) }),
			task("poll", t.Poll, t.PollHint, func() ui.Page { return newPollPage(a) }))
	}
	for _, w := range c.Windows {
		w := w
		lines := []string{w.Summary, text.N(s.Home.ItemsCount, len(c.ItemsIn(w.ID)))}
		if a.d.Service != nil && !elder {
			lines = lines[:1] // with the task tiles there are four rows: the summary says enough
		}
		if elder {
			lines = lines[1:] // big type: the window name and how many items it has
			if a.d.Service != nil {
				lines = nil // four rows of tiles: the name alone fits at 30 pt
			}
		}
		tiles = append(tiles, sh.Tile(w.Name, true, icon(w.ID), lines, func() { sh.Show(&windowPage{a: a, id: w.ID}) }))
	}
	hint := s.Home.SearchHint
	if elder {
		hint = ""
	}
	tiles = append(tiles, sh.Tile(s.Home.Search, true, icon("search"), []string{hint}, func() { sh.Show(&searchPage{a: a}) }))
	cols := 4
	if elder {
		cols = 3
	}
	scale := float32(1.5)
	if a.d.Service != nil {
		scale = 1.25 // four rows of tiles need the height
	}
	var head []fyne.CanvasObject
	if n := sh.TakeNotice(); n != "" {
		l := ui.Para("ⓘ" + n)
		l.Importance = widget.WarningImportance
		head = append(head, l)
	}
	head = append(head, sh.Text(s.Home.Greeting, scale, ui.ColText))
	body := container.NewBorder(container.NewVBox(head...), ui.Para(s.Home.Help), nil, nil, ui.TileGrid(cols, tiles))
	return ui.Screen{Name: ScreenHome, Title: s.App.Title, Body: body, Home: true}
}

// itemRows are the tiles of a list of items; sub is the line under each name.
func (a *App) itemRows(items []catalog.Item, sub func(catalog.Item) string) []fyne.CanvasObject {
	var rows []fyne.CanvasObject
	for _, it := range items {
		it := it
		var lines []string
		if !a.sh.Elder() { // at 30 pt a tile holds the name; the guide has the rest
			lines = []string{sub(it)}
		}
		rows = append(rows, a.sh.Tile(it.Name, false, nil, lines, func() { a.sh.Show(&guidePage{a: a, code: it.Code}) }))
	}
	return rows
}

// itemsPerPage is how many item tiles a page holds: six with their summaries, five names at the
// elder size (one full-width row each, so the longest names fit at 30 pt).
func (a *App) itemsPerPage() int {
	if a.sh.Elder() {
		return 5
	}
	return 6
}

func (a *App) itemSummary(it catalog.Item) string {
	s := a.sh.S
	limit := s.Guide.OnTheSpot
	if it.PromisedLimitDays > 0 {
		limit = text.N(s.Guide.WorkingDays, it.PromisedLimitDays)
	}
	return fmt.Sprintf("%s：%s    %s：%s", s.Guide.PromisedLimit, limit, s.Guide.Visits, text.N(s.Guide.VisitsN, it.Visits))
}

// windowPage lists one window's items, a page at a time: no drag-scrolling on a kiosk.
type windowPage struct {
	a    *App
	id   string
	page int
}

func (p *windowPage) Screen() ui.Screen {
	a, sh := p.a, p.a.sh
	title := a.d.Catalog.WindowName(p.id)
	items := a.d.Catalog.ItemsIn(p.id)
	if len(items) == 0 {
		return ui.Screen{Name: ScreenWindow, Title: title, Body: ui.Para(sh.S.Window.Empty)}
	}
	list := sh.Pager(a.itemRows(items, a.itemSummary), a.itemsPerPage(), &p.page, sh.Refresh)
	head := sh.Text(sh.S.Window.ChooseItem, 1.25, ui.ColText)
	return ui.Screen{Name: ScreenWindow, Title: title, Body: container.NewBorder(head, nil, nil, nil, list)}
}

// searchPage finds an item with no keyboard and no input method: everyday words, or pinyin
// initials on large letter keys (alphabetical, easier to find than QWERTY).
type searchPage struct {
	a     *App
	query string
	page  int
}

func (p *searchPage) Screen() ui.Screen {
	a, sh := p.a, p.a.sh
	s := sh.S.Search
	typed := s.NothingTyped
	if p.query != "" {
		typed = spaced(p.query)
	}
	redraw := func() { p.page = 0; sh.Refresh() }
	setQuery := func(q string) func() { return func() { p.query = q; redraw() } }
	var keys []fyne.CanvasObject
	for r := 'A'; r <= 'Z'; r++ {
		letter := string(r)
		keys = append(keys, sh.Button(letter, nil, false, func() {
			if isAllLetters(p.query) {
				p.query += strings.ToLower(letter)
			} else {
				p.query = strings.ToLower(letter)
			}
			redraw()
		}))
	}
	del := sh.Button(s.Delete, nil, false, func() {
		if r := []rune(p.query); len(r) > 0 {
			p.query = string(r[:len(r)-1])
		}
		redraw()
	})
	nwords := 12
	if sh.Elder() {
		nwords = 8
	}
	var words []fyne.CanvasObject
	for _, k := range a.idx.Keywords(nwords) {
		words = append(words, sh.Button(k, nil, false, setQuery(k)))
	}
	typedRow := container.NewBorder(nil, nil, widget.NewLabel(s.Typed),
		container.NewHBox(del, sh.Button(s.Clear, nil, false, setQuery(""))), sh.Text(typed, 1.25, ui.ColPrimary))
	section := func(title string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{})
	}
	left := container.NewVBox(typedRow, section(s.Letters), container.NewGridWithColumns(9, keys...),
		section(s.Keywords), container.NewGridWithColumns(4, words...))
	if sh.Elder() { // at 30 pt the keys speak for themselves; the section titles would not fit
		left = container.NewVBox(typedRow, container.NewGridWithColumns(9, keys...), container.NewGridWithColumns(4, words...))
	}
	var right fyne.CanvasObject
	switch results := a.idx.Search(p.query); {
	case p.query == "":
		right = ui.Para(s.Prompt)
	case len(results) == 0:
		right = ui.Para(s.NoResult)
	default:
		head := widget.NewLabel(text.N(s.Results, len(results)))
		rows := a.itemRows(results, func(it catalog.Item) string {
			return a.d.Catalog.WindowName(it.Window) + "  " + a.itemSummary(it)
		})
		per := a.itemsPerPage()
		if sh.Elder() {
			per = 4 // beside the letter keys the list has less height
		}
		right = container.NewBorder(head, nil, nil, nil, sh.Pager(rows, per, &p.page, sh.Refresh))
	}
	return ui.Screen{Name: ScreenSearch, Title: s.Title, Body: container.NewGridWithColumns(2, left, right)}
}

func spaced(q string) string {
	if !isAllLetters(q) {
		return q
	}
	return strings.Join(strings.Split(strings.ToUpper(q), ""), " ")
}

func isAllLetters(q string) bool {
	for _, r := range q {
		if r > 127 {
			return false
		}
	}
	return true
}

// guidePage shows an item's 办事指南: all fields, wrapped to the screen width, with large page
// buttons beside a wide scroll bar because there is no drag-to-scroll on a kiosk.
type guidePage struct {
	a    *App
	code string
}

func (p *guidePage) Screen() ui.Screen {
	a, sh, s := p.a, p.a.sh, p.a.sh.S
	it, _ := a.d.Catalog.Item(p.code)
	var rows []fyne.CanvasObject
	rows = append(rows, sh.Text(it.Name, 1.5, ui.ColText))
	if a.d.Service == nil {
		rows = append(rows, ui.Info(s.Guide.ApplyLater))
	}
	for _, sec := range GuideSections(s, a.d.Catalog, it) {
		mark := canvas.NewRectangle(ui.ColPrimary)
		mark.SetMinSize(fyne.NewSize(8, 1))
		head := container.NewBorder(nil, nil, mark, nil, sh.Text(sec[0], 1.1, ui.ColPrimary))
		rows = append(rows, widget.NewSeparator(), head, ui.Para(sec[1]))
	}
	scroll := container.NewVScroll(container.NewVBox(rows...))
	scroll.OnScrolled = func(fyne.Position) { sh.Touch() }
	pageBy := func(dir float32) func() {
		return func() {
			off := scroll.Offset
			off.Y += dir * scroll.Size().Height * 0.85
			scroll.ScrollToOffset(off)
		}
	}
	up := sh.Button(s.App.PageUp, theme.MoveUpIcon(), false, pageBy(-1))
	down := sh.Button(s.App.PageDown, theme.MoveDownIcon(), false, pageBy(1))
	side := fyne.CanvasObject(container.NewGridWithRows(2, up, down))
	sc := ui.Screen{Name: ScreenGuide, Title: s.Guide.Title}
	if a.d.Service != nil {
		// 我要办理 is the way forward, at the bottom right like every step's. The QR and its hint
		// stay in 长辈版, as large as in the standard size: the column widens so the hint wraps
		// into two lines.
		sc.Next = sh.Button(s.Apply.Start, theme.ConfirmIcon(), true, func() { sh.Show(newApplyPage(a, it)) })
		width := float32(260)
		if sh.Elder() {
			width = 420
		}
		hint := widget.NewLabelWithStyle(s.Apply.QrHint, fyne.TextAlignCenter, fyne.TextStyle{})
		hint.Wrapping = fyne.TextWrapWord
		qrBox := container.NewVBox(container.NewCenter(ui.QR(a.d.Service.GuideLink(p.code), 240)), hint)
		side = ui.FixedWidth(width, container.NewBorder(qrBox, nil, nil, nil, side))
	}
	sc.Body = container.NewBorder(nil, nil, nil, side, scroll)
	return sc
}
