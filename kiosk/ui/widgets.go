package ui

import (
	"image/color"
	"strconv"
	"strings"

	"hallkiosk/kiosk/text"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"
)

// Text makes a canvas text at a multiple of the body size, so screens scale with elder mode.
// Titles differ by size and colour, not weight: the bundled face has one weight, and each extra
// text style makes Fyne parse the font again at start-up.
func (s *Shell) Text(str string, scale float32, col color.Color) *canvas.Text {
	t := canvas.NewText(str, col)
	t.TextSize = s.theme.Size(theme.SizeNameText) * scale
	return t
}

// Para is wrapped body text that never needs sideways scrolling.
func Para(str string) *widget.Label {
	l := widget.NewLabel(str)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// Warn is a problem the person must see: wrapped, in the danger colour, and marked with ⚠ so
// colour is not the only signal. No space after the mark: Fyne wraps at spaces first, and a
// Chinese sentence has no other, so "⚠ " would leave the mark alone on its line.
func Warn(str string) *widget.Label {
	l := Para("⚠" + str)
	l.Importance = widget.DangerImportance
	return l
}

// Info is a neutral line that stands out (a notice after an idle reset, a hint).
func Info(str string) *widget.Label {
	l := Para("ⓘ" + str)
	l.Importance = widget.HighImportance
	return l
}

// Button is the kiosk's one kind of push button: large, labelled in words, and counted as
// activity for the idle timeout.
func (s *Shell) Button(label string, icon fyne.Resource, important bool, tapped func()) *widget.Button {
	b := widget.NewButtonWithIcon(label, icon, func() {
		s.Touch()
		tapped()
	})
	if important {
		b.Importance = widget.HighImportance
	}
	return b
}

// Pick is an option button: a picked one is filled and carries a check-mark icon, so the choice
// shows without relying on colour.
func (s *Shell) Pick(label string, picked bool, tapped func()) *widget.Button {
	var icon fyne.Resource
	if picked {
		icon = theme.ConfirmIcon()
	}
	return s.Button(label, icon, picked, tapped)
}

// PickList lays option buttons out two or three to a row, tall enough for a finger.
func PickList(bs []fyne.CanvasObject) fyne.CanvasObject {
	cols := 2
	if len(bs) > 4 {
		cols = 3
	}
	rows := (len(bs) + cols - 1) / cols
	for len(bs) < rows*cols {
		bs = append(bs, layout.NewSpacer())
	}
	return container.NewVBox(container.NewGridWithColumns(cols, bs...))
}

// Mark is a large drawn check mark (Fyne's confirm icon in the primary colour): "done" at a
// glance, without a font glyph that may look like a square root.
func Mark(size float32) fyne.CanvasObject {
	img := canvas.NewImageFromResource(theme.NewPrimaryThemedResource(theme.ConfirmIcon()))
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(size, size))
	return img
}

// Icon draws a pictogram at size.
func Icon(res fyne.Resource, size float32) fyne.CanvasObject {
	img := canvas.NewImageFromResource(res)
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(size, size))
	return img
}

// Tile is a big tappable card: an optional pictogram, a title and lines under it, with a visible
// border so it reads as a button without relying on colour.
func (s *Shell) Tile(title string, big bool, icon fyne.Resource, lines []string, tapped func()) fyne.CanvasObject {
	btn := s.Button("", nil, false, tapped)
	border := canvas.NewRectangle(color.Transparent)
	border.StrokeColor = ColPrimary
	border.StrokeWidth = 3
	border.CornerRadius = 8
	scale := float32(1.25) // item names: at most ~22 characters, one line even in a half-width list
	if big {
		scale = 1.5
	}
	if s.theme.Elder { // elder text is already 30 pt
		scale = 1
		if big {
			scale = 1.25
		}
	}
	content := []fyne.CanvasObject{s.Text(title, scale, ColPrimary)}
	for _, l := range lines {
		switch {
		case l == "":
		case big: // home tiles are tall: their summaries may wrap
			content = append(content, Para(l))
		default:
			content = append(content, s.Text(l, 1, ColText))
		}
	}
	inner := fyne.CanvasObject(container.NewVBox(content...))
	if icon != nil {
		side := s.theme.Size(theme.SizeNameText) * 2.6
		inner = container.NewBorder(nil, nil, container.NewCenter(Icon(icon, side)), nil, inner)
	}
	return container.NewStack(btn, border, container.NewPadded(inner))
}

// EvenRows lays out n rows of equal height filling the space it is given, whatever the rows' own
// minimum heights, so a page of tiles always fits the screen; pages hold few enough tiles that
// their text fits.
type EvenRows struct{ N int }

// Layout places the rows.
func (l EvenRows) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	h := (size.Height - pad*float32(l.N-1)) / float32(l.N)
	for i, o := range objs {
		o.Move(fyne.NewPos(0, float32(i)*(h+pad)))
		o.Resize(fyne.NewSize(size.Width, h))
	}
}

// MinSize is as wide as the widest row and asks for no height: the rows share what there is.
func (l EvenRows) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w float32
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	return fyne.NewSize(w, 0)
}

// TileGrid arranges tiles in rows of cols, each row an equal share of the height.
func TileGrid(cols int, tiles []fyne.CanvasObject) fyne.CanvasObject {
	var rows []fyne.CanvasObject
	for i := 0; i < len(tiles); i += cols {
		row := append([]fyne.CanvasObject{}, tiles[i:min(i+cols, len(tiles))]...)
		for len(row) < cols {
			row = append(row, layout.NewSpacer())
		}
		rows = append(rows, container.NewGridWithColumns(cols, row...))
	}
	return container.New(EvenRows{N: len(rows)}, rows...)
}

// Bar is a full-width coloured band with left and right content.
func Bar(bg color.Color, left, right fyne.CanvasObject) fyne.CanvasObject {
	rect := canvas.NewRectangle(bg)
	row := container.NewBorder(nil, nil, left, right, layout.NewSpacer())
	return container.NewStack(rect, container.NewPadded(row))
}

// Keypad is 1-9, then extra keys, 0 and 退格 in big keys, cols to a row (3 like a phone; 4 when
// extra keys would make a fifth row); each key reports itself. extra keys come before 0 (清空 for a
// plain number pad; K, X, - for case numbers).
func (s *Shell) Keypad(cols int, key func(string), del func(), extra ...string) fyne.CanvasObject {
	var keys []fyne.CanvasObject
	for _, d := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"} {
		d := d
		keys = append(keys, s.Button(d, nil, false, func() { key(d) }))
	}
	for _, k := range extra {
		k := k
		keys = append(keys, s.Button(k, nil, false, func() { key(k) }))
	}
	keys = append(keys, s.Button("0", nil, false, func() { key("0") }),
		s.Button(s.S.Apply.KeypadDelete, nil, false, del))
	for len(keys)%cols != 0 {
		keys = append(keys, layout.NewSpacer())
	}
	var rows []fyne.CanvasObject
	for i := 0; i < len(keys); i += cols {
		rows = append(rows, container.NewGridWithColumns(cols, keys[i:i+cols]...))
	}
	return container.NewGridWithRows(len(rows), rows...)
}

// Pager shows one page of rows with 上一页 / 第 n / m 页 / 下一页 under it when there is more
// than one page (no drag-scrolling on a kiosk). page is the page index, kept by the caller's
// flow or page; changed is called after it moves.
func (s *Shell) Pager(rows []fyne.CanvasObject, per int, page *int, changed func()) fyne.CanvasObject {
	pages := max(1, (len(rows)+per-1)/per)
	*page = max(0, min(*page, pages-1))
	from, to := *page*per, min(len(rows), (*page+1)*per)
	shown := append([]fyne.CanvasObject{}, rows[from:to]...)
	for len(shown) < per { // keep rows the same height on the last page
		shown = append(shown, layout.NewSpacer())
	}
	grid := container.New(EvenRows{N: per}, shown...)
	if pages <= 1 {
		return grid
	}
	prev := s.Button(s.S.App.PageUp, theme.MoveUpIcon(), false, func() { *page--; changed() })
	next := s.Button(s.S.App.PageDown, theme.MoveDownIcon(), false, func() { *page++; changed() })
	if *page == 0 {
		prev.Disable()
	}
	if *page == pages-1 {
		next.Disable()
	}
	bar := container.NewGridWithColumns(3, prev, widget.NewLabelWithStyle(
		strings.ReplaceAll(text.N(s.S.App.PageOf, *page+1), "{m}", strconv.Itoa(pages)), fyne.TextAlignCenter, fyne.TextStyle{}), next)
	return container.NewBorder(nil, bar, nil, nil, grid)
}

// QR draws a QR code for a phone to scan.
func QR(data string, size float32) fyne.CanvasObject {
	q, err := qrcode.New(data, qrcode.Medium)
	if err != nil {
		return layout.NewSpacer()
	}
	img := canvas.NewImageFromImage(q.Image(512))
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScalePixels
	img.SetMinSize(fyne.NewSize(size, size))
	return img
}

// FixedWidth caps a column of text at w so long lines wrap at a readable measure.
func FixedWidth(w float32, o fyne.CanvasObject) fyne.CanvasObject {
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

// Placeholder is the honest screen of a mode that later work will fill.
func (s *Shell) Placeholder(name, title, body string) Page {
	return PageFunc(func() Screen {
		box := container.NewVBox(s.Text(title, 2, ColPrimary), Para(body))
		return Screen{Name: name, Title: title, Bare: true, Body: container.NewCenter(FixedWidth(1400, box))}
	})
}

// Failure tells the person in Chinese and the technician in English what is wrong.
func (s *Shell) Failure(name, msg string, err error) Page {
	s.Log.Error("kiosk cannot serve", "err", err)
	return PageFunc(func() Screen {
		tech := widget.NewLabel(err.Error())
		tech.Wrapping = fyne.TextWrapBreak
		box := container.NewVBox(s.Text(msg, 1.5, ColError), Para(s.S.Home.Help), tech)
		return Screen{Name: name, Title: s.S.App.Title, Bare: true, Body: container.NewCenter(FixedWidth(1400, box))}
	})
}
