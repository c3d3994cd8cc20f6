package window

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/kiosk/pinyin"
	"hallkiosk/kiosk/text"
)

// PinyinField is a text field that types Chinese: with 中 on, letters compose pinyin and the row
// under the field offers candidates, picked with 1-9, space (the first), a click, and paged with
// - and =; Backspace takes a letter back, Esc drops the letters, Enter keeps them as letters.
// With 英 on it is a plain field. The decisions are pinyin.Composer's.
type PinyinField struct {
	widget.Entry
	s    *text.Strings
	dict func() (*pinyin.Dict, error)
	comp *pinyin.Composer
	on   bool
	// bar is the candidate row; the field's container holds it under the entry.
	bar    *fyne.Container
	toggle *widget.Button
	view   fyne.CanvasObject
	// OnTouch is told of every key (the staff session's idle timer).
	OnTouch func()
	// OnComposing is told of the letters being composed after each change (a search may use
	// them as pinyin initials before anything is picked).
	OnComposing func(typed string)
}

// NewPinyinField makes a field with 中 on; dict gives the dictionary (loaded once, in the
// background, by the window).
func NewPinyinField(s *text.Strings, dict func() (*pinyin.Dict, error)) *PinyinField {
	// The candidate row wraps: a field in half of a 1366-pixel screen has no room for nine
	// candidates and the pager in one line.
	f := &PinyinField{s: s, dict: dict, on: true, bar: container.New(layout.NewRowWrapLayout())}
	f.ExtendBaseWidget(f)
	f.Wrapping = fyne.TextWrapOff
	f.toggle = widget.NewButton(s.Desk.PinyinOn, func() {
		f.on = !f.on
		if f.comp != nil {
			f.comp.Cancel()
		}
		f.refresh()
	})
	f.view = container.NewBorder(nil, f.bar, nil, f.toggle, f)
	return f
}

// View is the field with its 中/英 switch and candidate row, to put on a screen.
func (f *PinyinField) View() fyne.CanvasObject { return f.view }

// Composing is the pinyin being composed ("" when none), for tests and the screen.
func (f *PinyinField) Composing() string {
	if f.comp == nil {
		return ""
	}
	return f.comp.Typed()
}

func (f *PinyinField) composer() *pinyin.Composer {
	if f.comp == nil {
		d, err := f.dict()
		if err != nil || d == nil {
			return nil
		}
		f.comp = pinyin.NewComposer(d)
	}
	return f.comp
}

// TypedRune composes letters while 中 is on and picks candidates while composing.
func (f *PinyinField) TypedRune(r rune) {
	if f.OnTouch != nil {
		f.OnTouch()
	}
	letter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
	if !f.on || (!letter && (f.comp == nil || !f.comp.Active())) {
		f.Entry.TypedRune(r)
		return
	}
	c := f.composer()
	if c == nil {
		f.bar.Objects = []fyne.CanvasObject{widget.NewLabel(f.s.Desk.PinyinLoading)}
		f.bar.Refresh()
		return
	}
	switch {
	case letter || r == '\'':
		c.Letter(r)
	case r >= '1' && r <= '9':
		f.pick(int(r - '0'))
		return
	case r == ' ':
		f.pick(1)
		return
	case r == '=' || r == '.':
		c.NextPage()
	case r == '-' || r == ',':
		c.PrevPage()
	}
	f.refresh()
}

// TypedKey edits the composition while there is one, and the text otherwise.
func (f *PinyinField) TypedKey(k *fyne.KeyEvent) {
	if f.OnTouch != nil {
		f.OnTouch()
	}
	if f.comp == nil || !f.comp.Active() {
		f.Entry.TypedKey(k)
		return
	}
	switch k.Name {
	case fyne.KeyBackspace:
		f.comp.Backspace()
	case fyne.KeyEscape:
		f.comp.Cancel()
	case fyne.KeyReturn, fyne.KeyEnter:
		f.insert(f.comp.Raw())
	case fyne.KeySpace:
		f.pick(1)
		return
	}
	f.refresh()
}

func (f *PinyinField) pick(n int) {
	if t, ok := f.comp.Pick(n); ok {
		f.insert(t)
	}
	f.refresh()
}

func (f *PinyinField) insert(t string) {
	for _, r := range t {
		f.Entry.TypedRune(r)
	}
}

// refresh redraws the candidate row: the letters, the candidates numbered, the page, or why the
// letters give nothing.
func (f *PinyinField) refresh() {
	label := f.s.Desk.PinyinOff
	if f.on {
		label = f.s.Desk.PinyinOn
	}
	f.toggle.SetText(label)
	var row []fyne.CanvasObject
	if c := f.comp; c != nil && c.Active() {
		row = append(row, widget.NewLabelWithStyle(c.Typed(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		if c.Err != nil {
			row = append(row, widget.NewLabel(fmt.Sprintf(f.s.Desk.PinyinBad, c.Typed())))
		} else {
			on, page, pages := c.Page()
			for i, cand := range on {
				n := i + 1
				row = append(row, widget.NewButton(fmt.Sprintf("%d %s", n, cand.Text), func() { f.pick(n) }))
			}
			if pages > 1 {
				row = append(row, widget.NewButton("◀", func() { c.PrevPage(); f.refresh() }),
					widget.NewLabel(fmt.Sprintf(f.s.Desk.PinyinPage, page, pages)),
					widget.NewButton("▶", func() { c.NextPage(); f.refresh() }))
			}
		}
	}
	f.bar.Objects = row
	f.bar.Refresh()
	if f.OnComposing != nil {
		f.OnComposing(f.Composing())
	}
}
