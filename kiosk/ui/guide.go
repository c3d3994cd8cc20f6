package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/text"
)

// GuideSections turns an item into the labelled sections of its 办事指南, every field the catalog
// holds, in the order residents ask about them. Kept apart from layout so tests can check that
// nothing is dropped.
func GuideSections(s *text.Strings, c *catalog.Catalog, it catalog.Item) [][2]string {
	g := s.Guide
	limit := g.OnTheSpot
	if it.PromisedLimitDays > 0 {
		limit = text.N(g.WorkingDays, it.PromisedLimitDays)
	}
	legal := g.NoLegalLimit
	if it.LegalLimitDays != nil {
		legal = text.N(g.WorkingDays, *it.LegalLimitDays)
		if *it.LegalLimitDays == 0 {
			legal = g.OnTheSpot
		}
	}
	var mats []string
	for _, m := range it.Materials {
		need := g.MaterialRequired
		if !m.Required {
			need = g.MaterialConditional + "：" + m.Condition
		}
		line := fmt.Sprintf("%s（%s，%s；%s）\n   %s：%s", m.Name, m.Form, text.N(g.MaterialCopies, m.Copies), need, g.MaterialSource, m.Source)
		if m.Notes != "" {
			line += fmt.Sprintf("\n   %s：%s", g.MaterialNotes, m.Notes)
		}
		mats = append(mats, line)
	}
	var faq []string
	for _, q := range it.FAQ {
		faq = append(faq, g.FAQQ+q.Q+"\n   "+g.FAQA+q.A)
	}
	fee := it.Fee
	if it.FeeBasis != "" {
		fee += "\n" + g.FeeBasis + "：" + it.FeeBasis
	}
	out := [][2]string{
		{g.Conditions, joinLines(it.Conditions)},
		{g.Materials, joinLines(mats)},
		{g.Steps, joinLines(it.Steps)},
		{g.PromisedLimit, limit},
		{g.LegalLimit, legal},
		{g.Visits, text.N(g.VisitsN, it.Visits)},
		{g.Fee, fee},
		{g.Place, it.Place},
		{g.Hours, it.Hours},
		{g.Phone, it.Phone},
		{g.ComplaintPhone, it.ComplaintPhone},
		{g.Delivery, strings.Join(it.Delivery, "、")},
		{g.Scope, it.Scope},
		{g.Body, it.Body},
		{g.Department, it.Department},
		{g.Basis, joinLines(it.Basis)},
		{g.Type, it.Type},
		{g.Window, c.WindowName(it.Window)},
		{g.Code, it.Code},
	}
	if len(faq) > 0 {
		out = append(out, [2]string{g.FAQ, joinLines(faq)})
	}
	return out
}

// ShowGuide shows an item's 办事指南: all fields, wrapped to the screen width, with large page
// buttons beside a wide scroll bar because there is no drag-to-scroll on a kiosk.
func (u *UI) ShowGuide(code string) {
	it, ok := u.d.Catalog.Item(code)
	if !ok {
		u.goHome()
		return
	}
	var rows []fyne.CanvasObject
	rows = append(rows, u.text(it.Name, 1.5, colText))
	if u.d.Apply == nil {
		note := widget.NewLabel("ⓘ" + u.s.Guide.ApplyLater)
		note.Wrapping = fyne.TextWrapWord
		note.Importance = widget.HighImportance
		rows = append(rows, note)
	}
	for _, sec := range GuideSections(u.s, u.d.Catalog, it) {
		mark := canvas.NewRectangle(colPrimary)
		mark.SetMinSize(fyne.NewSize(8, 1))
		head := container.NewBorder(nil, nil, mark, nil, u.text(sec[0], 1.1, colPrimary))
		rows = append(rows, widget.NewSeparator(), head, para(sec[1]))
	}
	scroll := container.NewVScroll(container.NewVBox(rows...))
	scroll.OnScrolled = func(fyne.Position) { u.touch() }
	pageBy := func(dir float32) func() {
		return func() {
			off := scroll.Offset
			off.Y += dir * scroll.Size().Height * 0.85
			scroll.ScrollToOffset(off)
		}
	}
	up := u.button(u.s.App.PageUp, theme.MoveUpIcon(), false, pageBy(-1))
	down := u.button(u.s.App.PageDown, theme.MoveDownIcon(), false, pageBy(1))
	side := fyne.CanvasObject(container.NewGridWithRows(2, up, down))
	if u.d.Apply != nil {
		start := u.button(u.s.Apply.Start, theme.ConfirmIcon(), true, func() { u.push(); u.startApply(code) })
		qrBox := container.NewVBox(qrImage(u.d.Apply.GuideLink(code), 220), widget.NewLabelWithStyle(u.s.Apply.QrHint, fyne.TextAlignCenter, fyne.TextStyle{}))
		qrBox.Objects[1].(*widget.Label).Wrapping = fyne.TextWrapWord
		if u.theme.Elder { // at 30 pt the hint would wrap into a tall column; the code alone fits
			qrBox = container.NewVBox(qrImage(u.d.Apply.GuideLink(code), 180))
		}
		side = container.NewBorder(container.NewVBox(start, qrBox), nil, nil, nil, side)
	}
	u.show(ScreenGuide, u.s.Guide.Title, container.NewBorder(nil, nil, nil, side, scroll), func() { u.ShowGuide(code) })
}
