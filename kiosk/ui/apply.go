package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/devtext"
	"hallkiosk/kiosk/form"
	"hallkiosk/kiosk/text"
	"hallkiosk/localdb"
	"hallkiosk/township/api/mask"
)

// Screens of the resident's flow.
const (
	ScreenCard      = "card"
	ScreenForm      = "form"
	ScreenMaterials = "materials"
	ScreenConsent   = "consent"
	ScreenConfirm   = "confirm"
	ScreenDone      = "done"
	ScreenRating    = "rating"
)

// Session is the resident session on the kiosk (nil when nobody is applying); tests look into it
// to prove the idle timeout and "home" leave nothing behind.
func (u *UI) Session() *apply.Session { return u.sess }

// wipe forgets the resident: card, answers, ticks, consent, and any screen state built from them.
func (u *UI) wipe() {
	if u.sess != nil {
		u.sess.Wipe()
	}
	u.sess = nil
	u.onCard = nil
	u.fieldIndex = 0
	u.keypad = ""
	u.lastCase = localdb.Case{}
	u.picked = nil
}

// CardEvent takes a card laid on the reader. Only a screen waiting for a card uses it; at any other
// moment a card is ignored (a resident resting a card on the reader reads nothing).
func (u *UI) CardEvent(ev idcard.Event) {
	if u.onCard != nil {
		u.touch()
		u.onCard(ev)
	}
}

// step is the "第 2 步，共 6 步：填写信息" title of each screen of the flow, shown in the title bar.
func (u *UI) step(n int, title string) string {
	return text.N(u.s.Apply.Step, n) + "：" + title
}

// qrImage draws a QR code for a phone to scan.
func qrImage(data string, size float32) fyne.CanvasObject {
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

// startApply begins a session for an item and asks for the card.
func (u *UI) startApply(code string) {
	u.wipe()
	u.sess = apply.NewSession(code)
	u.ShowCard()
}

// ShowCard asks for the ID card and waits for the reader.
func (u *UI) ShowCard() {
	a := u.s.Apply
	status := para(a.CardPrompt)
	var problem string
	render := func() { u.ShowCard() }
	u.onCard = func(ev idcard.Event) {
		var se *idcard.StatusError
		switch {
		case errors.As(ev.Err, &se):
			problem = devtext.Card(u.s, ev.Err)
		case ev.Err != nil:
			problem = a.CardRetry
		default:
			if p := apply.CardProblem(u.s, ev.Card, u.d.Clock.Now()); p != "" {
				problem = p
			} else if u.sess != nil {
				u.sess.SetCard(ev.Card)
				u.onCard = nil
				u.fieldIndex = 0
				u.push()
				u.ShowForm()
				return
			}
		}
		u.d.Log.Info("card not usable", "reason", logReason(ev.Err))
		u.showCardScreen(status, problem, render)
	}
	u.showCardScreen(status, problem, render)
}

func logReason(err error) string {
	if err == nil {
		return "card refused (expired or incomplete)"
	}
	return err.Error()
}

func (u *UI) showCardScreen(prompt *widget.Label, problem string, render func()) {
	a := u.s.Apply
	it, _ := u.d.Catalog.Item(u.sessCode())
	arrow := u.text("▼", 4, colPrimary)
	rows := []fyne.CanvasObject{u.text(it.Name, 1.5, colText)}
	switch {
	case u.d.NoCardReader:
		rows = append(rows, warn(a.CardNoReader))
	default:
		rows = append(rows, prompt)
		if problem != "" {
			rows = append(rows, warn(problem))
		}
		rows = append(rows, para(a.CardTypes), container.NewCenter(arrow))
	}
	u.show(ScreenCard, u.step(1, a.CardTitle), container.NewCenter(fixedWidth(1300, container.NewVBox(rows...))), render)
}

func (u *UI) sessCode() string {
	if u.sess == nil {
		return ""
	}
	return u.sess.ItemCode
}

func (u *UI) applicantLine() fyne.CanvasObject {
	return u.text(u.s.Apply.Applicant+"："+u.sess.MaskedName()+"   "+u.sess.MaskedID(), 1, colText)
}

// ShowForm asks the item's questions one at a time: one decision per screen, large choices.
func (u *UI) ShowForm() {
	a := u.s.Apply
	it, ok := u.d.Catalog.Item(u.sessCode())
	if !ok || u.sess == nil || u.sess.Card() == nil {
		u.goHome()
		return
	}
	if len(it.Form) == 0 || u.fieldIndex >= len(it.Form) {
		u.ShowMaterials()
		return
	}
	f := it.Form[u.fieldIndex]
	render := func() { u.ShowForm() }
	value := u.sess.Answers[f.ID]
	set := func(v string) { u.sess.Answers[f.ID] = v; render() }
	var head []fyne.CanvasObject
	head = append(head, u.text(fmt.Sprintf("%d/%d  %s", u.fieldIndex+1, len(it.Form), f.Label), 1.25, colText))
	if f.Hint != "" && !u.theme.Elder {
		head = append(head, para(f.Hint))
	}
	head = append(head, u.takeProblem()...)
	var input fyne.CanvasObject
	switch f.Type {
	case catalog.FieldChoice, catalog.FieldYesNo:
		values, labels := f.Options, f.Options
		if f.Type == catalog.FieldYesNo {
			values, labels = []string{form.Yes, form.No}, []string{a.Yes, a.No}
		}
		var bs []fyne.CanvasObject
		for i, v := range values {
			bs = append(bs, u.pick(labels[i], value == v, func() { set(v) }))
		}
		input = u.choiceGrid(bs)
	case catalog.FieldMulti, catalog.FieldText:
		var bs []fyne.CanvasObject
		for _, o := range f.Options {
			bs = append(bs, u.pick(o, form.Picked(value, o), func() { set(form.Toggle(f, value, o)) }))
		}
		input = u.choiceGrid(bs)
	case catalog.FieldNumber, catalog.FieldPhone:
		input = u.numberInput(f, value, set)
	case catalog.FieldDate:
		input = u.dateInput(value, set)
	}
	prev := u.button(a.Prev, theme.NavigateBackIcon(), false, func() {
		if u.fieldIndex == 0 {
			u.goBack()
			return
		}
		u.fieldIndex--
		render()
	})
	next := u.button(a.Next, theme.NavigateNextIcon(), true, func() {
		if msg := form.Check(u.s, f, u.sess.Answers[f.ID], u.d.Clock.Now()); msg != "" {
			u.problem = msg
			render()
			return
		}
		u.fieldIndex++
		render()
	})
	body := container.NewBorder(container.NewVBox(head...), nil, nil, nil, input)
	u.prev, u.next = prev, next
	u.show(ScreenForm, u.step(2, a.FormTitle)+"   "+a.Applicant+"："+u.sess.MaskedName(), body, render)
}

// choiceGrid lays big option buttons out two (elder: one or two) to a row, tall enough for a finger.
func (u *UI) choiceGrid(bs []fyne.CanvasObject) fyne.CanvasObject {
	cols := 2
	if len(bs) > 4 {
		cols = 3
	}
	rows := (len(bs) + cols - 1) / cols
	for len(bs) < rows*cols {
		bs = append(bs, layout.NewSpacer())
	}
	grid := container.NewGridWithColumns(cols, bs...)
	return container.NewVBox(grid)
}

// numberInput is the numeric keypad with the value shown large above it.
func (u *UI) numberInput(f catalog.Field, value string, set func(string)) fyne.CanvasObject {
	a := u.s.Apply
	shown := value
	if shown == "" {
		shown = a.NothingYet
	} else if f.Unit != "" {
		shown += " " + f.Unit
	}
	display := u.text(shown, 1.5, colPrimary)
	max := form.KeypadMax(f)
	pad := u.keypadGrid(func(d string) {
		if len(value) < max {
			set(value + d)
		}
	}, func() {
		if value != "" {
			set(value[:len(value)-1])
		}
	}, func() { set("") })
	// The value beside the keypad, not above it: the screen is wide, and in elder mode not tall.
	return container.NewGridWithColumns(2, container.NewCenter(display), pad)
}

// keypadGrid is 1-9, 清空, 0, 退格 in big keys.
func (u *UI) keypadGrid(digit func(string), del, clear func()) fyne.CanvasObject {
	var keys []fyne.CanvasObject
	for _, d := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"} {
		d := d
		keys = append(keys, u.button(d, nil, false, func() { digit(d) }))
	}
	keys = append(keys, u.button(u.s.Apply.KeypadClear, nil, false, clear),
		u.button("0", nil, false, func() { digit("0") }),
		u.button(u.s.Apply.KeypadDelete, nil, false, del))
	return container.NewGridWithRows(4, rowsOf(3, keys)...)
}

// hcenter centres o across and lets it take the whole height, unlike container.NewCenter, which
// shrinks it to its minimum.
func hcenter(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewHBox(layout.NewSpacer(), o, layout.NewSpacer())
}

func rowsOf(n int, objs []fyne.CanvasObject) []fyne.CanvasObject {
	var rows []fyne.CanvasObject
	for i := 0; i < len(objs); i += n {
		rows = append(rows, container.NewGridWithColumns(n, objs[i:min(i+n, len(objs))]...))
	}
	return rows
}

// dateInput picks a date with plus and minus buttons for year, month and day: no typing.
func (u *UI) dateInput(value string, set func(string)) fyne.CanvasObject {
	a := u.s.Apply
	now := u.d.Clock.Now()
	d, err := time.ParseInLocation("2006-01-02", value, now.Location())
	if err != nil {
		d = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	}
	if value == "" {
		u.sess.Answers[u.currentFieldID()] = d.Format("2006-01-02")
	}
	col := func(label string, shown int, step func(int) time.Time) fyne.CanvasObject {
		plus := u.button("＋ "+label, nil, false, func() { set(step(1).Format("2006-01-02")) })
		minus := u.button("－ "+label, nil, false, func() { set(step(-1).Format("2006-01-02")) })
		return container.NewVBox(plus, container.NewCenter(u.text(strconv.Itoa(shown)+label, 1.75, colPrimary)), minus)
	}
	return container.NewCenter(container.NewGridWithColumns(3,
		col(a.DateYear, d.Year(), func(n int) time.Time { return d.AddDate(n, 0, 0) }),
		col(a.DateMonth, int(d.Month()), func(n int) time.Time { return d.AddDate(0, n, 0) }),
		col(a.DateDay, d.Day(), func(n int) time.Time { return d.AddDate(0, 0, n) })))
}

func (u *UI) currentFieldID() string {
	it, _ := u.d.Catalog.Item(u.sessCode())
	if u.fieldIndex < len(it.Form) {
		return it.Form[u.fieldIndex].ID
	}
	return ""
}

// ShowMaterials asks, material by material, "did you bring it?"; missing ones can be printed as a
// list to bring (预审).
func (u *UI) ShowMaterials() {
	a := u.s.Apply
	it, ok := u.d.Catalog.Item(u.sessCode())
	if !ok || u.sess == nil {
		u.goHome()
		return
	}
	render := func() { u.ShowMaterials() }
	per := 5
	if u.theme.Elder {
		per = 2
	}
	pages := (len(it.Materials) + per - 1) / per
	u.pageIndex = max(0, min(u.pageIndex, pages-1))
	var rows []fyne.CanvasObject
	for i := u.pageIndex * per; i < min(len(it.Materials), (u.pageIndex+1)*per); i++ {
		i, m := i, it.Materials[i]
		name := m.Name
		if m.Required {
			name = "【" + a.Required + "】" + name
		} else if m.Condition != "" {
			name = a.Conditional + m.Condition + "：" + m.Name
		}
		have := u.sess.Have[i]
		label := a.HaveNot
		if have {
			label = a.Have
		}
		b := u.button(label, nil, have, func() { u.sess.Have[i] = !have; render() })
		rows = append(rows, container.NewBorder(nil, nil, nil, fixedWidth(260, b), para(name)))
	}
	list := container.NewVBox(rows...)
	var pager fyne.CanvasObject = layout.NewSpacer()
	if pages > 1 {
		prev := u.button(u.s.App.PageUp, theme.MoveUpIcon(), false, func() { u.pageIndex--; render() })
		next := u.button(u.s.App.PageDown, theme.MoveDownIcon(), false, func() { u.pageIndex++; render() })
		if u.pageIndex == 0 {
			prev.Disable()
		}
		if u.pageIndex == pages-1 {
			next.Disable()
		}
		pager = container.NewGridWithColumns(3, prev, widget.NewLabelWithStyle(
			fmt.Sprintf("第 %d / %d 页", u.pageIndex+1, pages), fyne.TextAlignCenter, fyne.TextStyle{}), next)
	}
	missing := u.sess.Missing(it)
	var foot []fyne.CanvasObject
	foot = append(foot, u.takeProblem()...)
	if u.notice != "" {
		foot = append(foot, u.text("√ "+u.notice, 1, colPrimary))
		u.notice = ""
	}
	nextStep := u.button(a.NextStep, theme.NavigateNextIcon(), true, func() { u.pageIndex = 0; u.push(); u.ShowConsent() })
	printList := u.button(a.PrintChecklist, nil, false, func() { u.printChecklist(it, missing) })
	switch {
	case len(missing) == 0:
	case it.AllowIncomplete:
		foot = append(foot, container.NewBorder(nil, nil, nil, printList, para(text.N(a.MissingCanSubmit, len(missing)))))
	default:
		foot = append(foot, warn(text.N(a.MissingCannotSubmit, len(missing))), printList)
		nextStep.Disable()
	}
	var head fyne.CanvasObject = layout.NewSpacer()
	if !u.theme.Elder {
		head = para(a.MaterialsPrompt)
	}
	body := container.NewBorder(head, container.NewVBox(append([]fyne.CanvasObject{pager}, foot...)...), nil, nil, list)
	u.next = nextStep
	u.show(ScreenMaterials, u.step(3, a.MaterialsTitle), body, render)
}

// printChecklist prints what the resident still has to bring (预审 list) on the receipt printer.
func (u *UI) printChecklist(it catalog.Item, missing []string) {
	job, err := u.d.Apply.Checklist(it, missing)
	if problem := u.printJob(job, err); problem != "" {
		u.problem = problem
	} else {
		u.notice = u.s.Apply.ChecklistPrinted
	}
	u.ShowMaterials()
}

// ShowConsent says what is collected, why, who receives it and for how long, before anything is
// stored. Refusing goes home and keeps nothing.
func (u *UI) ShowConsent() {
	a := u.s.Apply
	it, ok := u.d.Catalog.Item(u.sessCode())
	if !ok || u.sess == nil {
		u.goHome()
		return
	}
	days := int(u.d.Config.Store.Retention.Duration / (24 * time.Hour))
	body := strings.NewReplacer("{item}", it.Name, "{township}", u.d.Config.Hall.Township, "{body}", it.Body,
		"{days}", strconv.Itoa(days)).Replace(a.ConsentBody)
	agree := u.button(a.Agree, theme.ConfirmIcon(), true, func() {
		u.sess.Consented = true
		u.push()
		u.ShowConfirm()
	})
	// Refusing is the home button beside 同意 (goHome wipes the session); the line above says so.
	refuse := para(a.Refuse)
	refuse.Importance = widget.HighImportance
	content := container.NewBorder(nil, refuse, nil, nil, container.NewVScroll(para(body)))
	u.next = agree
	u.show(ScreenConsent, u.step(4, a.ConsentTitle), content, func() { u.ShowConsent() })
}

// ShowConfirm shows what will be submitted, masked, with one button to submit.
func (u *UI) ShowConfirm() {
	a := u.s.Apply
	it, ok := u.d.Catalog.Item(u.sessCode())
	if !ok || u.sess == nil || !u.sess.Consented {
		u.goHome()
		return
	}
	lines := []string{a.ConfirmItem + "：" + it.Name,
		a.Applicant + "：" + u.sess.MaskedName() + "   " + u.sess.MaskedID()}
	for _, f := range it.Form {
		v := u.sess.Answers[f.ID]
		if v == "" {
			continue
		}
		if f.Type == catalog.FieldPhone {
			v = mask.Phone(v)
		} else if f.Unit != "" {
			v += f.Unit
		}
		lines = append(lines, f.Label+"："+v)
	}
	promised := u.d.Apply.Promised(it, u.d.Clock.Now())
	lines = append(lines, a.ConfirmPromised+"："+promised.Format("2006年01月02日"))
	if missing := u.sess.Missing(it); len(missing) > 0 {
		lines = append(lines, a.ConfirmMissing+"："+strings.Join(missing, "、"))
	}
	var rows []fyne.CanvasObject
	rows = append(rows, u.takeProblem()...)
	for _, l := range lines {
		rows = append(rows, para(l))
	}
	u.next = u.button(a.Submit, theme.ConfirmIcon(), true, u.submit)
	u.show(ScreenConfirm, u.step(5, a.ConfirmTitle), container.NewVScroll(container.NewVBox(rows...)), func() { u.ShowConfirm() })
}

// submit stores the case; only when that returned does the screen say it was received.
func (u *UI) submit() {
	c, err := u.d.Apply.Submit(u.sess)
	if err != nil {
		u.d.Log.Error("submit failed", "err", err)
		u.problem = u.s.Apply.SubmitFailed
		u.ShowConfirm()
		return
	}
	u.lastCase = c
	u.history = nil
	u.printed, u.printProblem = false, ""
	u.ShowDone()
	u.printReceipt()
	// The card's data is no longer needed once the case is stored and the receipt made.
	if u.sess != nil {
		u.sess.Wipe()
	}
	u.ShowDone()
}

// ShowDone says the case was received, with its number large enough to copy by hand.
func (u *UI) ShowDone() {
	a := u.s.Apply
	c := u.lastCase
	if c.Number == "" {
		u.goHome()
		return
	}
	status := para(a.Printing)
	switch {
	case u.printProblem != "":
		status = warn(strings.ReplaceAll(a.PrintFailed, "{reason}", u.printProblem))
		// Once staff have put paper in or closed the cover, the receipt comes out again from here.
	case u.printed:
		status = para(a.Printed)
	}
	number := u.text(c.Number, 3, colPrimary)
	rows := []fyne.CanvasObject{u.text("√ "+a.DoneTitle, 1.5, colText),
		u.text(a.CaseNumber+"：", 1.25, colText), container.NewCenter(number),
		u.text(strings.ReplaceAll(a.Promised, "{date}", c.PromisedBy.Format("2006年01月02日")), 1.25, colText), status}
	if u.printProblem != "" {
		rows = append(rows, u.button(a.Reprint, theme.ViewRefreshIcon(), false, u.reprint))
	}
	u.next = u.button(a.Rate, theme.ConfirmIcon(), true, func() { u.ShowRating() })
	u.show(ScreenDone, u.step(6, a.DoneTitle), container.NewCenter(fixedWidth(1500, container.NewVBox(rows...))), func() { u.ShowDone() })
}

// reprint prints the case's receipt again (after staff fixed the printer).
func (u *UI) reprint() {
	u.printReceipt()
	u.ShowDone()
}

// printReceipt prints the last case's receipt and keeps what to tell the resident if it failed.
func (u *UI) printReceipt() {
	job, err := u.d.Apply.Receipt(u.lastCase)
	u.printProblem = u.printJob(job, err)
	u.printed = u.printProblem == ""
}

// printJob prints a laid-out job; it returns "" or the Chinese sentence saying why it did not print.
func (u *UI) printJob(job []byte, err error) string {
	if err == nil {
		err = u.d.Apply.Print(context.Background(), job)
	}
	var pe *apply.PrintError
	switch {
	case errors.As(err, &pe):
		return pe.Resident
	case err != nil:
		u.d.Log.Error("print", "err", err)
		return u.s.Problems.NoPrinter
	}
	return ""
}

// ShowRating is 好差评: five grades with their names; a bad one asks what was wrong.
func (u *UI) ShowRating() {
	a := u.s.Apply
	c := u.lastCase
	if c.Number == "" {
		u.goHome()
		return
	}
	render := func() { u.ShowRating() }
	var rows []fyne.CanvasObject
	rows = append(rows, u.text(a.RatePrompt, 1.5, colText))
	if u.grade == 0 || !apply.Bad(u.grade) {
		var bs []fyne.CanvasObject
		for g := 5; g >= 1; g-- {
			g := g
			stars := strings.Repeat("★", g) + strings.Repeat("☆", 5-g)
			bs = append(bs, u.button(stars+"  "+u.s.Lists.Grades[g-1], nil, false, func() {
				u.grade = g
				if apply.Bad(g) {
					render()
					return
				}
				u.rate(c.Number, nil)
			}))
		}
		rows = append(rows, container.New(evenRows{n: 5}, bs...))
		u.show(ScreenRating, a.RateTitle, container.NewBorder(rows[0], nil, nil, nil, rows[1]), render)
		return
	}
	rows = append(rows, para(a.RateWhy))
	var bs []fyne.CanvasObject
	for _, r := range u.s.Lists.BadReasons {
		bs = append(bs, u.pick(r, containsStr(u.picked, r), func() { u.picked = toggleStr(u.picked, r); render() }))
	}
	send := u.button(a.RateSend, theme.ConfirmIcon(), true, func() { u.rate(c.Number, u.picked) })
	if len(u.picked) == 0 {
		send.Disable()
	}
	u.next = send
	u.show(ScreenRating, a.RateTitle, container.NewBorder(container.NewVBox(rows...), nil, nil, nil, u.choiceGrid(bs)), render)
}

func (u *UI) rate(number string, reasons []string) {
	a := u.s.Apply
	msg := a.RateDone
	if apply.Bad(u.grade) {
		msg = a.RateThanks
	}
	if err := u.d.Apply.Rate(number, u.grade, reasons); err != nil && !errors.Is(err, localdb.ErrExists) {
		u.d.Log.Error("rating not stored", "err", err)
	}
	u.grade, u.picked = 0, nil
	u.showThanks(msg)
}

// showThanks ends a task with one sentence and the way home.
func (u *UI) showThanks(msg string) {
	u.wipe()
	home := u.button(u.s.Apply.Finish, theme.HomeIcon(), true, u.goHome)
	box := container.NewVBox(container.NewCenter(u.text("√", 4, colPrimary)), para(msg), home)
	u.show(ScreenDone, u.s.App.Title, container.NewCenter(fixedWidth(1200, box)), func() { u.showThanks(msg) })
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func toggleStr(list []string, s string) []string {
	if containsStr(list, s) {
		var out []string
		for _, v := range list {
			if v != s {
				out = append(out, v)
			}
		}
		return out
	}
	return append(list, s)
}
