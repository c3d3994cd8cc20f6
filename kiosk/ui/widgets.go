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
func (u *UI) text(s string, scale float32, bold bool, col color.Color) *canvas.Text {
	t := canvas.NewText(s, col)
	t.TextSize = u.theme.Size(theme.SizeNameText) * scale
	t.TextStyle.Bold = bold
	return t
}

// para is wrapped body text that never needs sideways scrolling.
func para(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
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

// tile is a big tappable card: a title line and lines under it, with a visible border so it reads
// as a button without relying on colour.
func (u *UI) tile(title string, lines []string, tapped func()) fyne.CanvasObject {
	btn := u.button("", nil, false, tapped)
	border := canvas.NewRectangle(color.Transparent)
	border.StrokeColor = colPrimary
	border.StrokeWidth = 3
	border.CornerRadius = 8
	content := []fyne.CanvasObject{u.text(title, 1.5, true, colPrimary)}
	for _, l := range lines {
		lab := para(l)
		content = append(content, lab)
	}
	box := container.NewVBox(content...)
	return container.NewStack(btn, border, container.NewPadded(box))
}

// fixedHeight keeps an object at least h tall whatever its content.
func fixedHeight(h float32, o fyne.CanvasObject) fyne.CanvasObject {
	spacer := canvas.NewRectangle(color.Transparent)
	spacer.SetMinSize(fyne.NewSize(1, h))
	return container.NewStack(spacer, o)
}

// bar is a full-width coloured band with left and right content.
func bar(bg color.Color, left, right fyne.CanvasObject) fyne.CanvasObject {
	rect := canvas.NewRectangle(bg)
	row := container.NewBorder(nil, nil, left, right, layout.NewSpacer())
	return container.NewStack(rect, container.NewPadded(row))
}
