package selfservice

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/devtext"
	"hallkiosk/kiosk/flow"
	"hallkiosk/kiosk/form"
	"hallkiosk/kiosk/text"
	"hallkiosk/kiosk/ui"
	"hallkiosk/township/api/mask"
)

// applyPage is the family of screens of one application (card, questions, materials, consent,
// confirm, submitted); the step on show is the flow's.
type applyPage struct {
	a    *App
	f    *flow.Apply
	page int // the page of the materials list
	// saidCard: the card prompt was spoken for this flow (the screen redraws; the voice says it once).
	saidCard bool
}

func newApplyPage(a *App, it catalog.Item) *applyPage {
	return &applyPage{a: a, f: flow.NewApply(it)}
}

func (p *applyPage) wipe() { p.f.Wipe() }

func (p *applyPage) step(n flow.Step, title string) string {
	return text.N(p.a.sh.S.Apply.Step, int(n)) + "：" + title
}

// back is the bottom bar's 返回上一步: a question or a step back, or out of the flow at its start.
func (p *applyPage) back() {
	if p.f.Back() {
		p.a.sh.Refresh()
		return
	}
	p.a.sh.Back()
}

func (p *applyPage) Screen() ui.Screen {
	switch p.f.Step() {
	case flow.StepCard:
		return p.cardScreen()
	case flow.StepForm:
		return p.formScreen()
	case flow.StepMaterials:
		return p.materialsScreen()
	case flow.StepConsent:
		return p.consentScreen()
	case flow.StepConfirm:
		return p.confirmScreen()
	}
	return p.doneScreen()
}

// card takes a card laid on the reader while the card step is on show.
func (p *applyPage) card(ev idcard.Event) {
	if p.f.Step() != flow.StepCard {
		return
	}
	sh := p.a.sh
	if ev.Err != nil {
		p.f.Problem = devtext.Card(sh.S, ev.Err)
		sh.Log.Info("card not usable", "reason", ev.Err.Error())
	} else if !p.f.Card(sh.S, ev.Card, sh.Clock.Now()) {
		sh.Log.Info("card not usable", "reason", "card refused (expired or incomplete)")
	}
	sh.Refresh()
}

func (p *applyPage) problem() []fyne.CanvasObject {
	if p.f.Problem == "" {
		return nil
	}
	return []fyne.CanvasObject{ui.Warn(p.f.Problem)}
}

func (p *applyPage) cardScreen() ui.Screen {
	sh, a := p.a.sh, p.a.sh.S.Apply
	rows := []fyne.CanvasObject{sh.Text(p.f.Item.Name, 1.5, ui.ColText)}
	if !p.a.hasReader() {
		rows = append(rows, ui.Warn(a.CardNoReader))
	} else {
		if !p.saidCard {
			p.saidCard = true
			p.a.say(sh.S.Voice.CardPlace)
		}
		rows = append(rows, ui.Para(a.CardPrompt))
		rows = append(rows, p.problem()...)
		rows = append(rows, ui.Para(a.CardTypes), container.NewCenter(sh.Text("▼", 4, ui.ColPrimary)))
	}
	return ui.Screen{Name: ScreenCard, Title: p.step(flow.StepCard, a.CardTitle), Back: p.back,
		Body: container.NewCenter(ui.FixedWidth(1300, container.NewVBox(rows...)))}
}

// formScreen asks the item's questions one at a time: one decision per screen, large choices.
func (p *applyPage) formScreen() ui.Screen {
	sh, a := p.a.sh, p.a.sh.S.Apply
	f, i, n := p.f.Field()
	value := p.f.Value()
	set := func(v string) { p.f.Answer(v); sh.Refresh() }
	head := []fyne.CanvasObject{sh.Text(fmt.Sprintf("%d/%d  %s", i+1, n, f.Label), 1.25, ui.ColText)}
	if f.Hint != "" && !sh.Elder() {
		head = append(head, ui.Para(f.Hint))
	}
	head = append(head, p.problem()...)
	var input fyne.CanvasObject
	switch f.Type {
	case catalog.FieldChoice, catalog.FieldYesNo:
		values, labels := f.Options, f.Options
		if f.Type == catalog.FieldYesNo {
			values, labels = []string{form.Yes, form.No}, []string{a.Yes, a.No}
		}
		var bs []fyne.CanvasObject
		for k, v := range values {
			v := v
			bs = append(bs, sh.Pick(labels[k], value == v, func() { set(v) }))
		}
		input = ui.PickList(bs)
	case catalog.FieldMulti, catalog.FieldText:
		var bs []fyne.CanvasObject
		for _, o := range f.Options {
			o := o
			bs = append(bs, sh.Pick(o, form.Picked(value, o), func() { set(form.Toggle(f, value, o)) }))
		}
		input = ui.PickList(bs)
	case catalog.FieldNumber, catalog.FieldPhone:
		input = p.numberInput(f, value, set)
	case catalog.FieldDate:
		input = p.dateInput(value, set)
	}
	next := sh.Button(a.Next, theme.NavigateNextIcon(), true, func() {
		p.f.NextField(sh.S, sh.Clock.Now())
		sh.Refresh()
	})
	return ui.Screen{Name: ScreenForm, Title: p.step(flow.StepForm, a.FormTitle) + "   " + a.Applicant + "：" + p.f.MaskedName(),
		Body: container.NewBorder(container.NewVBox(head...), nil, nil, nil, input), Back: p.back, Next: next}
}

// numberInput is the numeric keypad with the value shown large beside it.
func (p *applyPage) numberInput(f catalog.Field, value string, set func(string)) fyne.CanvasObject {
	sh, a := p.a.sh, p.a.sh.S.Apply
	shown := value
	if shown == "" {
		shown = a.NothingYet
	} else if f.Unit != "" {
		shown += " " + f.Unit
	}
	limit := form.KeypadMax(f)
	pad := sh.Keypad(3, func(k string) {
		switch {
		case k == a.KeypadClear:
			set("")
		case len(value) < limit:
			set(value + k)
		}
	}, func() {
		if value != "" {
			set(value[:len(value)-1])
		}
	}, a.KeypadClear)
	// The value beside the keypad, not above it: the screen is wide, and in elder mode not tall.
	return container.NewGridWithColumns(2, container.NewCenter(sh.Text(shown, 1.5, ui.ColPrimary)), pad)
}

// dateInput picks a date with plus and minus buttons for year, month and day: no typing.
func (p *applyPage) dateInput(value string, set func(string)) fyne.CanvasObject {
	sh, a := p.a.sh, p.a.sh.S.Apply
	now := sh.Clock.Now()
	d, err := time.ParseInLocation("2006-01-02", value, now.Location())
	if err != nil {
		d = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	}
	if value == "" {
		p.f.Answer(d.Format("2006-01-02"))
	}
	col := func(label string, shown int, step func(int) time.Time) fyne.CanvasObject {
		plus := sh.Button("＋ "+label, nil, false, func() { set(step(1).Format("2006-01-02")) })
		minus := sh.Button("－ "+label, nil, false, func() { set(step(-1).Format("2006-01-02")) })
		return container.NewVBox(plus, container.NewCenter(sh.Text(strconv.Itoa(shown)+label, 1.75, ui.ColPrimary)), minus)
	}
	return container.NewCenter(container.NewGridWithColumns(3,
		col(a.DateYear, d.Year(), func(n int) time.Time { return d.AddDate(n, 0, 0) }),
		col(a.DateMonth, int(d.Month()), func(n int) time.Time { return d.AddDate(0, n, 0) }),
		col(a.DateDay, d.Day(), func(n int) time.Time { return d.AddDate(0, 0, n) })))
}

// materialsPerPage spreads the materials evenly over as few pages as the size allows (seven rows
// standard; three at the elder size, where a long name wraps to two lines), so no page holds one
// lonely row.
func (p *applyPage) materialsPerPage() int {
	limit := 7
	if p.a.sh.Elder() {
		limit = 3
	}
	n := len(p.f.Item.Materials)
	pages := max(1, (n+limit-1)/limit)
	return max(1, (n+pages-1)/pages)
}

// materialsScreen asks, material by material, "did you bring it?": each row is one big button
// that shows its state in words and a mark (带了 with a check mark, 没带 without) and flips on a tap.
func (p *applyPage) materialsScreen() ui.Screen {
	sh, a := p.a.sh, p.a.sh.S.Apply
	var rows []fyne.CanvasObject
	for i, m := range p.f.Item.Materials {
		i := i
		name := m.Name
		if m.Required {
			name = "【" + a.Required + "】" + name
		} else if m.Condition != "" {
			name = a.Conditional + m.Condition + "：" + m.Name
		}
		rows = append(rows, p.materialRow(name, p.f.Have(i), func() { p.f.ToggleHave(i); sh.Refresh() }))
	}
	list := sh.Pager(rows, p.materialsPerPage(), &p.page, sh.Refresh)
	missing := p.f.Missing()
	next := sh.Button(a.NextStep, theme.NavigateNextIcon(), true, func() {
		if p.f.ToConsent() {
			p.page = 0
			sh.Refresh()
		}
	})
	printList := sh.Button(a.PrintChecklist, nil, false, p.printChecklist)
	if p.f.Checklist.Printing {
		printList.Disable()
	}
	// One line under the list: what the checklist printout is doing once asked for, otherwise
	// how many required materials are missing and whether the item may go on without them.
	var line fyne.CanvasObject
	switch pr := p.f.Checklist; {
	case len(missing) > 0 && !p.f.MaterialsOK():
		line = ui.Warn(text.N(a.MissingCannotSubmit, len(missing)))
	case pr.Printing:
		line = ui.Para(a.ChecklistPrinting)
	case pr.Done:
		line = container.NewHBox(container.NewCenter(ui.Mark(sh.Theme().Size(theme.SizeNameText))), ui.Para(a.ChecklistPrinted))
	case pr.Problem != "":
		line = ui.Warn(strings.ReplaceAll(a.ChecklistFailed, "{reason}", pr.Problem))
	case len(missing) > 0:
		line = ui.Para(text.N(a.MissingCanSubmit, len(missing)))
	}
	var foot []fyne.CanvasObject
	foot = append(foot, p.problem()...)
	if len(missing) > 0 {
		foot = append(foot, container.NewBorder(nil, nil, nil, printList, line))
	}
	if !p.f.MaterialsOK() {
		next.Disable()
	}
	var head fyne.CanvasObject = layout.NewSpacer()
	if !sh.Elder() {
		head = ui.Para(a.MaterialsPrompt)
	}
	body := container.NewBorder(head, container.NewVBox(foot...), nil, nil, list)
	return ui.Screen{Name: ScreenMaterials, Title: p.step(flow.StepMaterials, a.MaterialsTitle), Body: body, Back: p.back, Next: next}
}

// materialRow is one material: a whole-row button with its state at the left, a mark and a word
// (a drawn check mark and 带了, or an empty box and 没带), and a thick border when brought.
func (p *applyPage) materialRow(name string, have bool, tapped func()) fyne.CanvasObject {
	sh, a := p.a.sh, p.a.sh.S.Apply
	btn := sh.Button("", nil, false, tapped)
	size := sh.Theme().Size(theme.SizeNameText) * 1.4
	box := canvas.NewRectangle(ui.ColOnPrimary)
	box.StrokeColor, box.StrokeWidth, box.CornerRadius = ui.ColText, 3, 4
	box.SetMinSize(fyne.NewSize(size, size))
	border := canvas.NewRectangle(color.Transparent)
	border.StrokeColor, border.StrokeWidth, border.CornerRadius = ui.ColSeparator, 2, 8
	word, col := a.HaveNot, ui.ColText
	mark := fyne.CanvasObject(box)
	if have {
		word, col = a.Have, ui.ColPrimary
		mark = container.NewStack(box, ui.Mark(size))
		border.StrokeColor, border.StrokeWidth = ui.ColPrimary, 5
	}
	state := container.NewHBox(container.NewCenter(mark), container.NewCenter(sh.Text(word, 1.1, col)))
	textSize := sh.Theme().Size(theme.SizeNameText)
	width := textSize * 5.5
	// A name that fits the row is one line of text; a longer one wraps.
	var nameObj fyne.CanvasObject = container.NewHBox(container.NewCenter(sh.Text(name, 1, ui.ColText)))
	if fyne.MeasureText(name, textSize, fyne.TextStyle{}).Width > 1920-width-6*textSize {
		nameObj = container.NewVBox(layout.NewSpacer(), ui.Para(name), layout.NewSpacer())
	}
	return container.NewStack(btn, border, container.NewBorder(nil, nil,
		ui.FixedWidth(width, container.NewCenter(state)), nil, nameObj))
}

// printChecklist prints what the resident still has to bring (预审 list) off the UI goroutine.
func (p *applyPage) printChecklist() {
	pr := &p.f.Checklist
	pr.Start()
	p.a.sh.Refresh()
	job, err := p.a.d.Service.Checklist(p.f.Item, p.f.Missing())
	p.a.print(job, err, pr.Finish)
}

// consentScreen says what is collected, why, who receives it and for how long, before anything
// is stored. Refusing is the home button (which drops the flow); the line above it says so.
func (p *applyPage) consentScreen() ui.Screen {
	sh, a := p.a.sh, p.a.sh.S.Apply
	days := int(p.a.d.Retention / (24 * time.Hour))
	body := strings.NewReplacer("{item}", p.f.Item.Name, "{township}", p.a.d.Township, "{body}", p.f.Item.Body,
		"{days}", strconv.Itoa(days)).Replace(a.ConsentBody)
	agree := sh.Button(a.Agree, theme.ConfirmIcon(), true, func() { p.f.Agree(); sh.Refresh() })
	refuse := ui.Para(a.Refuse)
	refuse.Importance = widget.HighImportance
	content := container.NewBorder(nil, refuse, nil, nil, container.NewVScroll(ui.Para(body)))
	return ui.Screen{Name: ScreenConsent, Title: p.step(flow.StepConsent, a.ConsentTitle), Body: content, Back: p.back, Next: agree}
}

// confirmScreen shows what will be submitted, masked, with one button to submit.
func (p *applyPage) confirmScreen() ui.Screen {
	sh, a := p.a.sh, p.a.sh.S.Apply
	lines := []string{a.ConfirmItem + "：" + p.f.Item.Name, a.Applicant + "：" + p.f.MaskedName() + "   " + p.f.MaskedID()}
	for _, ans := range p.f.Answers() {
		v := ans.Value
		if ans.Field.Type == catalog.FieldPhone {
			v = mask.Phone(v)
		} else if ans.Field.Unit != "" {
			v += ans.Field.Unit
		}
		lines = append(lines, ans.Field.Label+"："+v)
	}
	promised := p.a.d.Service.Promised(p.f.Item, sh.Clock.Now())
	lines = append(lines, a.ConfirmPromised+"："+promised.Format(sh.S.Formats.Date))
	if missing := p.f.Missing(); len(missing) > 0 {
		lines = append(lines, a.ConfirmMissing+"："+strings.Join(missing, "、"))
	}
	rows := p.problem()
	for _, l := range lines {
		rows = append(rows, ui.Para(l))
	}
	next := sh.Button(a.Submit, theme.ConfirmIcon(), true, p.submit)
	return ui.Screen{Name: ScreenConfirm, Title: p.step(flow.StepConfirm, a.ConfirmTitle),
		Body: container.NewVScroll(container.NewVBox(rows...)), Back: p.back, Next: next}
}

// submit stores the case; only when that returned does the screen say it was received. The
// receipt then prints off the UI goroutine while the screen says so.
func (p *applyPage) submit() {
	sh := p.a.sh
	c, err := p.a.d.Service.Submit(p.f.Session())
	if err != nil {
		sh.Log.Error("submit failed", "err", err)
		p.f.Problem = sh.S.Apply.SubmitFailed
		sh.Refresh()
		return
	}
	p.f.Submitted(c)
	p.printReceipt()
}

func (p *applyPage) printReceipt() {
	pr := &p.f.Print
	pr.Start()
	p.a.sh.Refresh()
	job, err := p.a.d.Service.Receipt(p.f.Case)
	p.a.print(job, err, p.a.printedSay(pr.Finish, p.a.sh.S.Voice.TakeReceipt))
}

// doneScreen says the case was received, with its number large enough to copy by hand; the way
// on is 完成 (home) or 打分, never back into a case already submitted.
func (p *applyPage) doneScreen() ui.Screen {
	sh, a := p.a.sh, p.a.sh.S.Apply
	c, pr := p.f.Case, p.f.Print
	var status fyne.CanvasObject
	var reprint fyne.CanvasObject
	switch {
	case pr.Printing:
		status = ui.Para(a.Printing)
	case pr.Done:
		status = ui.Para(a.Printed)
	case pr.Tries > 1:
		status = ui.Warn(strings.NewReplacer("{n}", strconv.Itoa(pr.Tries), "{reason}", pr.Problem).Replace(a.ReprintFailed))
	default:
		status = ui.Warn(strings.ReplaceAll(a.PrintFailed, "{reason}", pr.Problem))
	}
	if !pr.Printing && !pr.Done {
		// Once staff have put paper in or closed the cover, the receipt comes out again from here.
		reprint = sh.Button(a.Reprint, theme.ViewRefreshIcon(), false, p.printReceipt)
	}
	icon := sh.Theme().Size(theme.SizeNameText) * 2
	rows := []fyne.CanvasObject{container.NewHBox(ui.Mark(icon), container.NewCenter(sh.Text(a.DoneTitle, 1.5, ui.ColText))),
		sh.Text(a.CaseNumber+"：", 1.25, ui.ColText), container.NewCenter(sh.Text(c.Number, 3, ui.ColPrimary)),
		sh.Text(strings.ReplaceAll(a.Promised, "{date}", c.PromisedBy.Format(sh.S.Formats.Date)), 1.25, ui.ColText), status}
	if reprint != nil {
		rows = append(rows, reprint)
	}
	if len(c.Missing) > 0 {
		// 容缺: what is missing is handed in at the window; the number names the case there.
		rows = append(rows, sh.Button(a.TicketForMissing, nil, false, func() {
			tp := newTicketPage(p.a)
			tp.caseNumber = c.Number
			sh.Show(tp)
			tp.take(p.a.d.Service.TicketBusiness(c.ItemCode))
		}))
	}
	rate := sh.Button(a.Rate, theme.ConfirmIcon(), true, func() {
		sh.Replace(&ratingPage{a: p.a, r: &flow.Rating{Case: c.Number}})
	})
	return ui.Screen{Name: ScreenDone, Title: p.step(flow.StepDone, a.DoneTitle), NoBack: true, HomeLabel: a.Finish, Next: rate,
		Body: container.NewCenter(ui.FixedWidth(1500, container.NewVBox(rows...)))}
}

// ratingPage is 好差评: five grades with their names; a bad one asks what was wrong.
type ratingPage struct {
	a *App
	r *flow.Rating
	// window is the window that invited this rating (邀请评价); "" after the kiosk's own task.
	window string
}

func (p *ratingPage) Screen() ui.Screen {
	sh, a := p.a.sh, p.a.sh.S.Apply
	prompt := sh.Text(a.RatePrompt, 1.5, ui.ColText)
	if p.window != "" {
		prompt = sh.Text(strings.ReplaceAll(a.RateInvited, "{window}", p.window), 1.5, ui.ColText)
	}
	if !p.r.Bad() {
		var bs []fyne.CanvasObject
		for g := 5; g >= 1; g-- {
			g := g
			stars := strings.Repeat("★", g) + strings.Repeat("☆", 5-g)
			bs = append(bs, sh.Button(stars+"  "+sh.S.Lists.Grades[g-1], nil, false, func() {
				p.r.SetGrade(g)
				if p.r.Ready() {
					p.send()
					return
				}
				sh.Refresh()
			}))
		}
		return ui.Screen{Name: ScreenRating, Title: a.RateTitle, NoBack: true,
			Body: container.NewBorder(prompt, nil, nil, nil, container.New(ui.EvenRows{N: 5}, bs...))}
	}
	var bs []fyne.CanvasObject
	for _, r := range sh.S.Lists.BadReasons {
		r := r
		bs = append(bs, sh.Pick(r, p.r.Picked(r), func() { p.r.ToggleReason(r); sh.Refresh() }))
	}
	send := sh.Button(a.RateSend, theme.ConfirmIcon(), true, p.send)
	if !p.r.Ready() {
		send.Disable()
	}
	back := func() { p.r.SetGrade(0); sh.Refresh() }
	return ui.Screen{Name: ScreenRating, Title: a.RateTitle, Back: back, Next: send,
		Body: container.NewBorder(container.NewVBox(prompt, ui.Para(a.RateWhy)), nil, nil, nil, ui.PickList(bs))}
}

func (p *ratingPage) send() {
	sh, a := p.a.sh, p.a.sh.S.Apply
	msg := a.RateDone
	if p.r.Bad() {
		msg = a.RateThanks
	}
	if err := p.a.d.Service.Rate(p.r.Case, p.r.Grade, p.r.Reasons); err != nil {
		sh.Log.Error("rating not stored", "err", err)
	} else if p.window != "" && p.a.d.Rated != nil {
		p.a.d.Rated(p.r.Case) // the window hears that it was rated, never how
	}
	sh.Replace(thanks(p.a, msg))
}

// thanks ends a task with one sentence, a drawn check mark and the way home.
func thanks(a *App, msg string) ui.Page {
	return ui.PageFunc(func() ui.Screen {
		sh := a.sh
		home := sh.Button(sh.S.Apply.Finish, theme.HomeIcon(), true, sh.GoHome)
		box := container.NewVBox(container.NewCenter(ui.Mark(sh.Theme().Size(theme.SizeNameText)*4)), ui.Para(msg), home)
		return ui.Screen{Name: ScreenThanks, Title: sh.S.App.Title, NoBack: true, Body: container.NewCenter(ui.FixedWidth(1200, box))}
	})
}
