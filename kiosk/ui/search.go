package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/text"
)

// ShowSearch lets a resident find an item with no keyboard and no input method: tap everyday words,
// or tap the pinyin initials on large letter keys (alphabetical, easier to find than QWERTY).
func (u *UI) ShowSearch() {
	s := u.s.Search
	typed := u.s.Search.NothingTyped
	if u.query != "" {
		typed = spaced(u.query)
	}
	redraw := func() { u.pageIndex = 0; u.ShowSearch() }
	setQuery := func(q string) func() { return func() { u.query = q; redraw() } }

	var keys []fyne.CanvasObject
	for r := 'A'; r <= 'Z'; r++ {
		letter := string(r)
		keys = append(keys, u.button(letter, nil, false, func() {
			if isAllLetters(u.query) {
				u.query += strings.ToLower(letter)
			} else {
				u.query = strings.ToLower(letter)
			}
			redraw()
		}))
	}
	del := u.button(s.Delete, nil, false, func() {
		if r := []rune(u.query); len(r) > 0 {
			u.query = string(r[:len(r)-1])
		}
		redraw()
	})
	nwords := 12
	if u.theme.Elder {
		nwords = 8
	}
	var words []fyne.CanvasObject
	for _, k := range u.idx.Keywords(nwords) {
		words = append(words, u.button(k, nil, false, setQuery(k)))
	}
	typedRow := container.NewBorder(nil, nil, widget.NewLabel(s.Typed),
		container.NewHBox(del, u.button(s.Clear, nil, false, setQuery(""))), u.text(typed, 1.25, colPrimary))
	section := func(title string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{})
	}
	left := container.NewVBox(typedRow, section(s.Letters), container.NewGridWithColumns(9, keys...),
		section(s.Keywords), container.NewGridWithColumns(4, words...))
	if u.theme.Elder { // at 30 pt the keys speak for themselves; the section titles would not fit
		left = container.NewVBox(typedRow, container.NewGridWithColumns(9, keys...), container.NewGridWithColumns(4, words...))
	}
	var right fyne.CanvasObject
	switch results := u.idx.Search(u.query); {
	case u.query == "":
		right = para(s.Prompt)
	case len(results) == 0:
		right = para(s.NoResult)
	default:
		head := widget.NewLabel(text.N(s.Results, len(results)))
		right = container.NewBorder(head, nil, nil, nil, u.itemPage(results, func(it catalog.Item) string {
			return u.d.Catalog.WindowName(it.Window) + "  " + u.itemSummary(it)
		}, u.ShowSearch))
	}
	u.show(ScreenSearch, s.Title, container.NewGridWithColumns(2, left, right), u.ShowSearch)
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
