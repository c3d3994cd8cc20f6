package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// text makes a canvas text at a multiple of the body size, so screens scale with elder mode.
// Titles differ by size and colour, not weight: the bundled face has one weight, and each extra
// text style makes Fyne parse the font again at start-up.
func (u *UI) text(s string, scale float32, col color.Color) *canvas.Text {
	t := canvas.NewText(s, col)
	t.TextSize = u.theme.Size(theme.SizeNameText) * scale
	return t
}

// para is wrapped body text that never needs sideways scrolling.
func para(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// warn is a problem the resident must see: wrapped, in the danger colour, and marked with ⚠ so
// colour is not the only signal.
func warn(s string) *widget.Label {
	l := para("⚠ " + s)
	l.Importance = widget.DangerImportance
	return l
}

// takeProblem shows the pending problem once (as a warn line) and forgets it.
func (u *UI) takeProblem() []fyne.CanvasObject {
	if u.problem == "" {
		return nil
	}
	p := u.problem
	u.problem = ""
	return []fyne.CanvasObject{warn(p)}
}

// pick is an option button: picked ones are filled and ticked (√), so the choice shows without
// relying on colour.
func (u *UI) pick(label string, picked bool, tapped func()) *widget.Button {
	if picked {
		label = "√ " + label
	}
	return u.button(label, nil, picked, tapped)
}

// button is the kiosk's one kind of push button: large, labelled in words, and counted as activity
// for the idle timeout.
func (u *UI) button(label string, icon fyne.Resource, important bool, tapped func()) *widget.Button {
	b := widget.NewButtonWithIcon(label, icon, func() {
		u.touch()
		tapped()
	})
	if important {
		b.Importance = widget.HighImportance
	}
	return b
}

// tile is a big tappable card: a wrapped title and lines under it, with a visible border so it
// reads as a button without relying on colour.
func (u *UI) tile(title string, big bool, lines []string, tapped func()) fyne.CanvasObject {
	btn := u.button("", nil, false, tapped)
	border := canvas.NewRectangle(color.Transparent)
	border.StrokeColor = colPrimary
	border.StrokeWidth = 3
	border.CornerRadius = 8
	scale := float32(1.25) // item names: at most ~22 characters, one line even in a half-width list
	if big {
		scale = 1.5
	}
	if u.theme.Elder { // elder text is already 30 pt
		scale = 1
		if big {
			scale = 1.25
		}
	}
	content := []fyne.CanvasObject{u.text(title, scale, colPrimary)}
	for _, l := range lines {
		switch {
		case l == "":
		case big: // home tiles are tall: their summaries may wrap
			content = append(content, para(l))
		default:
			content = append(content, u.text(l, 1, colText))
		}
	}
	return container.NewStack(btn, border, container.NewPadded(container.NewVBox(content...)))
}

// evenRows lays out n rows of equal height filling the space it is given, whatever the rows' own
// minimum heights, so a page of tiles always fits the screen; pages hold few enough tiles that
// their text fits.
type evenRows struct{ n int }

func (l evenRows) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	h := (size.Height - pad*float32(l.n-1)) / float32(l.n)
	for i, o := range objs {
		o.Move(fyne.NewPos(0, float32(i)*(h+pad)))
		o.Resize(fyne.NewSize(size.Width, h))
	}
}

func (l evenRows) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w float32
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	return fyne.NewSize(w, 0)
}

// tileGrid arranges tiles in rows of cols, each row an equal share of the height.
func tileGrid(cols int, tiles []fyne.CanvasObject) fyne.CanvasObject {
	var rows []fyne.CanvasObject
	for i := 0; i < len(tiles); i += cols {
		row := append([]fyne.CanvasObject{}, tiles[i:min(i+cols, len(tiles))]...)
		for len(row) < cols {
			row = append(row, layout.NewSpacer())
		}
		rows = append(rows, container.NewGridWithColumns(cols, row...))
	}
	return container.New(evenRows{n: len(rows)}, rows...)
}

// bar is a full-width coloured band with left and right content.
func bar(bg color.Color, left, right fyne.CanvasObject) fyne.CanvasObject {
	rect := canvas.NewRectangle(bg)
	row := container.NewBorder(nil, nil, left, right, layout.NewSpacer())
	return container.NewStack(rect, container.NewPadded(row))
}
