package window

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/intake"
	"hallkiosk/kiosk/lifecycle"
	"hallkiosk/kiosk/ui"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
	"hallkiosk/township/api/mask"
)

// soonDays is how many working days ahead the due-soon list looks.
const soonDays = 2

// casesPage is 办件: the window's worklists (overdue, due soon, open) and the search by case
// number, ID number or a card laid on the reader.
type casesPage struct {
	a       *App
	query   *widget.Entry
	lists   intake.Lists
	found   []localdb.Case
	finding bool // found holds a search's answer (which may be none)
	note    string
	// kiosk are the village's kiosk cases the township found that this window may take on;
	// asking is set while the township is asked.
	kiosk  []api.FoundCase
	asking bool
	asked  bool // the township answered the last search
}

func newCasesPage(a *App) *casesPage {
	p := &casesPage{a: a, query: widget.NewEntry()}
	p.query.SetPlaceHolder(a.sh.S.Intake.Find)
	p.query.OnSubmitted = func(string) { p.find(p.query.Text) }
	p.query.OnChanged = func(string) { a.d.Desk.Touch() }
	p.load()
	return p
}

// load reads the worklists (taking the township's results in), off the UI goroutine.
func (p *casesPage) load() {
	a := p.a
	if a.d.Intake == nil {
		return
	}
	var l intake.Lists
	a.run(func(context.Context) error {
		var err error
		l, err = a.d.Intake.Worklists(soonDays)
		return err
	}, func(err error) {
		if err != nil {
			a.sh.Log.Error("case worklists", "err", err)
			p.note = a.sh.S.Desk.Failed
		}
		p.lists = l
		a.refreshIf(ScreenCases)
	})
}

func (p *casesPage) find(q string) {
	a := p.a
	var found []localdb.Case
	a.run(func(context.Context) error {
		var err error
		found, err = a.d.Intake.Find(q)
		return err
	}, func(err error) {
		p.note = ""
		switch {
		case errors.Is(err, intake.ErrQuery):
			p.note = a.sh.S.Intake.BadQuery
		case err != nil:
			a.sh.Log.Error("case search", "err", err)
			p.note = a.sh.S.Desk.Failed
		}
		p.found, p.finding, p.kiosk, p.asked = found, err == nil, nil, false
		// Not here, or a resident who may have applied at a kiosk: ask the township.
		if err == nil && (len(found) == 0 || api.ValidID(strings.ToUpper(strings.TrimSpace(q)))) {
			p.askTownship(q)
		}
		a.refreshIf(ScreenCases)
	})
}

// askTownship looks for the village's kiosk cases the window may continue.
func (p *casesPage) askTownship(q string) {
	a, t := p.a, p.a.sh.S.Intake
	p.asking = true
	var found []api.FoundCase
	a.run(func(ctx context.Context) error {
		var err error
		found, err = a.d.Intake.FindKiosk(ctx, q)
		return err
	}, func(err error) {
		p.asking, p.asked = false, err == nil
		switch {
		case errors.Is(err, intake.ErrNoTownship):
		case err != nil:
			a.sh.Log.Warn("kiosk cases at the township", "err", err)
			p.note = t.TownshipDown
		}
		p.kiosk = found
		a.refreshIf(ScreenCases)
	})
}

// kioskRow is a kiosk's case found at the township, with the way to take it on.
func (p *casesPage) kioskRow(f api.FoundCase) fyne.CanvasObject {
	a, sh, t := p.a, p.a.sh, p.a.sh.S.Intake
	label := strings.Join([]string{f.Number, f.ItemName, mask.Name(f.Applicant.Name), a.statusName(f.Life),
		f.SubmittedAt.In(time.Local).Format(sh.S.Formats.Date)}, "   ")
	return container.NewBorder(nil, nil, nil, sh.Button(t.Continue, nil, true, func() {
		d, err := a.d.Intake.Continue(f)
		if err != nil {
			a.sh.Log.Error("continue a kiosk case", "case", f.Number, "err", err)
			p.note = a.sh.S.Desk.Failed
			sh.Refresh()
			return
		}
		a.audit("case.continue", f.Number)
		a.continueKiosk(d)
	}), widget.NewLabel(label))
}

// card looks up the cases of the resident whose card was laid on the reader; the number is not
// put on screen.
func (p *casesPage) card(ev idcard.Event) {
	if ev.Err == nil && ev.Card.IDNumber != "" {
		p.find(ev.Card.IDNumber)
	}
}

func (p *casesPage) Screen() ui.Screen {
	a, sh, t := p.a, p.a.sh, p.a.sh.S.Intake
	if a.d.Intake == nil {
		return ui.Screen{Name: ScreenCases, Title: t.NavCases, Bare: true, Right: a.titleRight(ScreenCases),
			Body: container.NewCenter(ui.Warn(t.NoIntake))}
	}
	top := container.NewBorder(nil, nil, nil, sh.Button(t.FindGo, nil, true, func() { p.find(p.query.Text) }), p.query)
	rows := []fyne.CanvasObject{top}
	if p.note != "" {
		rows = append(rows, ui.Warn(p.note))
	}
	now := sh.Clock.Now()
	if p.finding {
		if len(p.found) == 0 && len(p.kiosk) == 0 && !p.asking {
			none := t.NoneFound
			if p.asked { // nor at the township: a kiosk may not have uploaded it yet
				none = t.NotYetUploaded
			}
			rows = append(rows, ui.Para(none))
		}
		for _, c := range p.found {
			rows = append(rows, p.row(c, now))
		}
		if p.asking {
			rows = append(rows, widget.NewLabel(t.AskTownship))
		}
		if len(p.kiosk) > 0 {
			rows = append(rows, widget.NewSeparator(), ui.Para(t.FromKiosk))
			for _, f := range p.kiosk {
				rows = append(rows, p.kioskRow(f))
			}
		}
		rows = append(rows, widget.NewSeparator(), sh.Button(t.BackList, nil, false, func() {
			p.finding, p.found, p.note, p.kiosk = false, nil, "", nil
			p.query.SetText("")
			p.load()
			a.sh.Refresh()
		}))
		return ui.Screen{Name: ScreenCases, Title: t.NavCases, Bare: true, Right: a.titleRight(ScreenCases),
			Body: container.NewVScroll(container.NewVBox(rows...))}
	}
	overdue := widget.NewLabel(fmt.Sprintf(t.Overdue, len(p.lists.Overdue)))
	if len(p.lists.Overdue) > 0 {
		overdue.Importance = widget.DangerImportance
	}
	rows = append(rows, container.NewGridWithColumns(3, overdue,
		widget.NewLabel(fmt.Sprintf(t.DueSoon, len(p.lists.DueSoon))),
		widget.NewLabel(fmt.Sprintf(t.Open, len(p.lists.Open)))))
	if n := len(p.lists.ToForward); n > 0 {
		rows = append(rows, widget.NewLabel(fmt.Sprintf(t.ToForward, n)))
	}
	for _, c := range p.lists.Open {
		rows = append(rows, p.row(c, now))
	}
	return ui.Screen{Name: ScreenCases, Title: t.NavCases, Bare: true, Right: a.titleRight(ScreenCases),
		Body: container.NewVScroll(container.NewVBox(rows...))}
}

// row is one case in a list: number, item, applicant masked, where it stands, its promise.
func (p *casesPage) row(c localdb.Case, now time.Time) fyne.CanvasObject {
	a, t := p.a, p.a.sh.S.Intake
	name := ""
	if c.Person != nil {
		name = mask.Name(c.Person.Name)
	}
	due, late := intake.Due(c, now)
	promise := fmt.Sprintf(t.Promise, due.Format(a.sh.S.Formats.Date))
	lateWord := t.Late
	if by, _, ok := intake.ForwardDue(c, now); ok { // collected at a home: forwarding is what is due
		promise, lateWord = fmt.Sprintf(t.ForwardBy, by.In(time.Local).Format(a.sh.S.Formats.Date)), t.ForwardLate
	}
	if late {
		promise = lateWord + " · " + promise
	}
	label := strings.Join([]string{c.Number, c.ItemName, name, a.statusName(c.Life), promise}, "   ")
	b := a.sh.Button(label, nil, false, func() { a.sh.Show(newCasePage(a, c)) })
	b.Alignment = widget.ButtonAlignLeading
	if late {
		b.Importance = widget.DangerImportance
	}
	return b
}

// casePage is one case: what it is, where it stands, how it got there, and the steps the
// signed-in role may take now.
type casePage struct {
	a      *App
	c      localdb.Case
	note   string
	done   string
	text   *PinyinField // the reason, result or follow-up the step needs
	handTo *PinyinField
	how    lifecycle.HandOverHow
}

func newCasePage(a *App, c localdb.Case) *casePage {
	return &casePage{a: a, c: c, text: a.newPinyin(""), handTo: a.newPinyin(a.sh.S.Intake.HandTo), how: lifecycle.Collected}
}

func (p *casePage) Screen() ui.Screen {
	a, sh, t := p.a, p.a.sh, p.a.sh.S.Intake
	c := p.c
	left := []fyne.CanvasObject{sh.Text(c.Number, 1.6, ui.ColPrimary), ui.Para(c.ItemName)}
	if c.Person != nil {
		left = append(left, widget.NewLabel(t.Resident+"："+mask.Name(c.Person.Name)+"  "+mask.ID(c.Person.IDNumber)))
	}
	left = append(left, sh.Text(a.statusName(c.Life), 1.3, ui.ColPrimary))
	if !c.OnTheSpot {
		left = append(left, widget.NewLabel(fmt.Sprintf(t.Promise, c.PromisedBy.Format(sh.S.Formats.Date))))
	}
	if c.Result != "" {
		left = append(left, widget.NewLabel(t.Result+"："+c.Result))
	}
	left = append(left, widget.NewSeparator(), ui.Para(t.Steps))
	for _, st := range c.Steps {
		who := st.Actor
		if who == lifecycle.ActorTownship {
			who = t.Township
		}
		line := st.At.In(time.Local).Format(sh.S.Formats.DateTime) + "  " + a.statusName(st.To) + "  " + who
		for _, extra := range []string{st.Reason, st.Result, a.howName(st.How)} {
			if extra != "" {
				line += "  " + extra
			}
		}
		left = append(left, widget.NewLabel(line))
	}

	var right []fyne.CanvasObject
	if p.done != "" {
		right = append(right, ui.Para(p.done))
	}
	if p.note != "" {
		right = append(right, ui.Warn(p.note))
	}
	s, _ := a.d.Desk.Current()
	from := intake.Life(c).Status
	var needsHand bool
	var asks []string // what the text field is for, by the steps on offer
	ask := func(label string) {
		if !slices.Contains(asks, label) {
			asks = append(asks, label)
		}
	}
	var buttons []fyne.CanvasObject
	for _, to := range lifecycle.Next(from, s.Role) {
		if to == lifecycle.Accepted && c.Channel != intake.Channel {
			continue // a kiosk's case is taken on by intake, which checks its form and materials
		}
		reason, hand, follow := lifecycle.Needs(from, to)
		switch {
		case reason:
			ask(t.Reason)
		case follow:
			ask(t.FollowResult)
		case to == lifecycle.ResultBack:
			ask(t.Result)
		}
		needsHand = needsHand || hand
		buttons = append(buttons, sh.Button(a.stepName(to), nil, false, func() { p.step(to) }))
	}
	if len(buttons) == 0 {
		right = append(right, widget.NewLabel(t.NoSteps))
	}
	if len(asks) > 0 {
		right = append(right, widget.NewLabel(strings.Join(asks, " / ")), p.text.View())
	}
	if needsHand {
		ways := []string{a.howName(string(lifecycle.Collected)), a.howName(string(lifecycle.Delivered)), a.howName(string(lifecycle.Posted))}
		hows := []lifecycle.HandOverHow{lifecycle.Collected, lifecycle.Delivered, lifecycle.Posted}
		r := widget.NewRadioGroup(ways, func(s string) {
			for i, w := range ways {
				if w == s {
					p.how = hows[i]
				}
			}
		})
		for i, h := range hows {
			if h == p.how {
				r.Selected = ways[i]
			}
		}
		right = append(right, r, p.handTo.View())
	}
	right = append(right, container.NewGridWithColumns(2, buttons...))
	if a.d.Invite != nil && a.d.Rated != nil {
		if c.Proxy {
			// The resident rates, not the proxy at the window: at a kiosk with their own card, or
			// when the follow-up call asks them.
			right = append(right, widget.NewLabel(sh.S.FollowUp.ProxyRates))
		} else if a.d.Rated(c.Number) || a.ratedAtKiosk[c.Number] {
			right = append(right, widget.NewLabel(sh.S.FollowUp.Rated))
		} else {
			right = append(right, sh.Button(sh.S.FollowUp.Invite, nil, false, func() {
				a.d.Desk.Touch()
				a.d.Invite(c.Number)
				a.audit("rating.invite", c.Number)
				p.done, p.note = sh.S.FollowUp.Invited, ""
				sh.Refresh()
			}))
		}
	}
	right = append(right, widget.NewSeparator(), sh.Button(t.BackList, nil, false, func() { a.showCases() }))
	body := container.NewGridWithColumns(2,
		container.NewVScroll(container.NewVBox(left...)),
		container.NewVScroll(container.NewVBox(right...)))
	return ui.Screen{Name: ScreenCase, Title: t.NavCases + " · " + c.Number, Bare: true, Right: a.titleRight(ScreenCases), Body: body}
}

// step takes one step with what the page holds for it; the rules are checked again by intake.
func (p *casePage) step(to lifecycle.Status) {
	a, t := p.a, p.a.sh.S.Intake
	by, ok := a.d.Desk.Current()
	if !ok {
		return
	}
	from := intake.Life(p.c).Status
	reason, hand, follow := lifecycle.Needs(from, to)
	text := strings.TrimSpace(p.text.Text)
	p.done = ""
	ev := lifecycle.Event{To: to}
	switch {
	case reason || to == lifecycle.ResultBack:
		if text == "" {
			p.note = t.NeedReason
			if to == lifecycle.ResultBack {
				p.note = t.NeedResult
			}
			a.sh.Refresh()
			return
		}
		ev.Reason = text
	case follow:
		if text == "" {
			p.note = t.NeedResult
			a.sh.Refresh()
			return
		}
		ev.FollowUp = &lifecycle.FollowUp{Result: text}
	case hand:
		who := strings.TrimSpace(p.handTo.Text)
		if who == "" && p.c.Person != nil {
			who = p.c.Person.Name
		}
		ev.HandOver = &lifecycle.HandOver{To: who, How: p.how}
	}
	number := p.c.Number
	var c localdb.Case
	a.run(func(context.Context) error {
		var err error
		c, err = a.d.Intake.Step(number, by, ev)
		return err
	}, func(err error) {
		p.note, p.done = "", ""
		switch {
		case errors.Is(err, intake.ErrChanged):
			p.note = t.Changed
			if cs, ferr := a.d.Intake.Find(number); ferr == nil && len(cs) == 1 {
				p.c = cs[0]
			}
		case err != nil:
			p.note = a.stepError(err)
		default:
			p.c = c
			p.done = fmt.Sprintf(t.StepDone, a.stepName(to))
			p.text.SetText("")
			p.handTo.SetText("")
		}
		a.sh.Refresh()
	})
}

// statusName words a case's place in its life.
func (a *App) statusName(s string) string { return a.sh.S.LifeStatus(s) }

// stepName words a step as a button says it.
func (a *App) stepName(to lifecycle.Status) string {
	t := a.sh.S.Intake
	switch to {
	case lifecycle.Accepted:
		return t.ToAccepted
	case lifecycle.Returned:
		return t.ToReturned
	case lifecycle.Refused:
		return t.ToRefused
	case lifecycle.Received:
		return t.ToReceived
	case lifecycle.Forwarded:
		return t.ToForwarded
	case lifecycle.ResultBack:
		return t.ToResultBack
	case lifecycle.Ready:
		return t.ToReady
	case lifecycle.HandedOver:
		return t.ToHandedOver
	case lifecycle.FollowedUp:
		return t.ToFollowedUp
	}
	return t.ToClosed
}

func (a *App) howName(h string) string {
	t := a.sh.S.Intake
	switch lifecycle.HandOverHow(h) {
	case lifecycle.Collected:
		return t.HowCollected
	case lifecycle.Delivered:
		return t.HowDelivered
	case lifecycle.Posted:
		return t.HowPosted
	}
	return ""
}

// stepError words a refused step for the screen; the English is in the log.
func (a *App) stepError(err error) string {
	t := a.sh.S.Intake
	a.sh.Log.Warn("case step refused", "err", err)
	var re *lifecycle.RefusedError
	if errors.Is(err, intake.ErrChanged) {
		return t.Changed
	}
	if !errors.As(err, &re) {
		return a.sh.S.Desk.Failed
	}
	switch re.Code {
	case lifecycle.NeedsReason:
		return fmt.Sprintf(t.Refused, t.NeedReason)
	case lifecycle.NeedsResult, lifecycle.NeedsHandOver:
		return fmt.Sprintf(t.Refused, t.NeedResult)
	case lifecycle.WrongRole:
		return fmt.Sprintf(t.Refused, t.HeadOnly)
	}
	return fmt.Sprintf(t.Refused, t.NotAllowed)
}
