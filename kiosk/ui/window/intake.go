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
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/form"
	"hallkiosk/kiosk/intake"
	"hallkiosk/kiosk/lifecycle"
	"hallkiosk/kiosk/staff"
	"hallkiosk/kiosk/ui"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
	"hallkiosk/township/api/mask"
)

// Intake is the one-window intake and the case's life as the window uses them (*intake.Service
// is one).
type Intake interface {
	Search(query string) []catalog.Item
	Check(d *intake.Draft) []intake.Problem
	Accept(d *intake.Draft, by staff.Session) (localdb.Case, error)
	Collect(d *intake.Draft, by staff.Session) (localdb.Case, error)
	FindKiosk(ctx context.Context, query string) ([]api.FoundCase, error)
	Continue(f api.FoundCase) (*intake.Draft, error)
	Complete(number string, by staff.Session, result string) (localdb.Case, error)
	Step(number string, by staff.Session, ev lifecycle.Event) (localdb.Case, error)
	Find(query string) ([]localdb.Case, error)
	Worklists(soon int) (intake.Lists, error)
	Slip(c localdb.Case, by staff.Session) ([]byte, error)
	Print(ctx context.Context, job []byte) error
}

// intakePage is 一窗受理: the applicant (card or typed), the item, its form, the materials, 受理;
// then the case number, the slip, and for a 即办件 the result handed over on the spot.
type intakePage struct {
	a        *App
	draft    *intake.Draft
	problems []intake.Problem
	note     string // a refusal or a device's word, shown in the panel's foot
	whoNote  string // why a typed applicant was not taken

	idField   *widget.Entry
	nameField *PinyinField
	search    *PinyinField
	inputs    map[string]fyne.CanvasObject // the form's fields, by id, kept across redraws
	result    *PinyinField

	done    *localdb.Case // the case accepted here, once it is stored
	busy    bool
	printed bool

	// The 全程代办 part: the proxy typed (their card fills it by itself), and for 上门收件 (batch)
	// the visit's day, kept from one resident to the next, and the cases saved in this batch.
	proxyID    *widget.Entry
	proxyName  *PinyinField
	proxyNote  string
	batch      bool
	visitDate  *widget.Entry
	visitPlace *PinyinField
	saved      []localdb.Case
	savedNote  string
}

func newIntakePage(a *App) *intakePage {
	p := &intakePage{a: a}
	p.reset()
	return p
}

// newBatchPage is 上门收件: the 网格员 enters, one after another, the cases collected on home
// visits; each is saved with the visit and the 网格员 as the proxy, to be forwarded by the window.
func newBatchPage(a *App) *intakePage {
	p := &intakePage{a: a, batch: true}
	p.visitDate = widget.NewEntry()
	p.visitDate.SetPlaceHolder(a.sh.S.Intake.VisitDate)
	p.visitDate.SetText(a.sh.Clock.Now().Format(time.DateOnly))
	p.visitDate.OnChanged = func(string) { a.d.Desk.Touch() }
	p.reset()
	return p
}

// reset starts the next case: nothing of the last applicant stays on the page.
func (p *intakePage) reset() {
	if p.draft != nil {
		p.draft.Wipe()
	}
	t := p.a.sh.S.Intake
	p.whoNote = ""
	p.draft, p.problems, p.note, p.done, p.busy, p.printed, p.inputs = nil, nil, "", nil, false, false, nil
	p.idField = widget.NewEntry()
	p.idField.SetPlaceHolder(t.IDNumber)
	p.idField.OnChanged = func(string) { p.a.d.Desk.Touch() }
	p.nameField = p.a.newPinyin(t.Name)
	p.search = p.a.newPinyin(t.Search)
	p.search.OnChanged = func(string) { p.a.d.Desk.Touch(); p.a.sh.Refresh() }
	p.search.OnComposing = func(string) { p.a.sh.Refresh() }
	p.result = p.a.newPinyin(t.Result)
	p.proxyNote = ""
	p.proxyID = widget.NewEntry()
	p.proxyID.SetPlaceHolder(t.IDNumber)
	p.proxyID.OnChanged = func(string) { p.a.d.Desk.Touch() }
	p.proxyName = p.a.newPinyin(t.Name)
	p.visitPlace = p.a.newPinyin(t.VisitPlace)
	if p.batch {
		p.ensureDraft()
	}
}

// ensureDraft makes the draft the page fills (its item comes later); in 上门收件 it carries the
// entrustment with the signed-in 网格员 as the proxy.
func (p *intakePage) ensureDraft() {
	if p.draft == nil {
		p.draft = intake.NewDraft(catalog.Item{})
	}
	if p.batch && p.draft.Entrust == nil {
		s, _ := p.a.d.Desk.Current()
		p.draft.Entrust = &intake.Entrustment{StaffID: s.ID, StaffName: s.Name, Relation: intake.RelationStaff(s.Role),
			Visit: &intake.HomeVisit{}}
	}
}

// relations are the proxy's relations as the screen words them, in api.ProxyRelations' order.
func (p *intakePage) relations() []string { return strings.Split(p.a.sh.S.Intake.Relations, "、") }

// continueCase puts a kiosk's case on the page to take on (whatever was half taken is dropped).
func (p *intakePage) continueCase(d *intake.Draft) {
	p.reset()
	p.draft = d
}

// resident is who the case is for, kept apart from a draft until an item is picked.
func (p *intakePage) setResident(r intake.Resident) {
	p.ensureDraft() // the item comes next
	p.draft.Resident = &r
	p.problems, p.note, p.whoNote = nil, "", ""
}

// card takes the applicant from the window's reader; in a 代办 case with the applicant known, the
// card laid next is the proxy's own.
func (p *intakePage) card(ev idcard.Event) {
	if ev.Err != nil || ev.Card.IDNumber == "" || p.done != nil {
		return
	}
	if d := p.draft; d != nil && d.Resident != nil && d.Entrust != nil && !p.batch && d.Entrust.Proxy == nil {
		proxy := intake.FromCard(ev.Card)
		d.Entrust.Proxy = &proxy
		p.proxyNote = ""
		p.a.sh.Refresh()
		return
	}
	p.setResident(intake.FromCard(ev.Card))
	p.a.sh.Refresh()
}

// useTypedProxy takes a proxy whose card is not here by their typed, checked ID number.
func (p *intakePage) useTypedProxy() {
	t := p.a.sh.S.Intake
	r, err := intake.Typed(p.proxyName.Text, p.proxyID.Text)
	switch {
	case errors.Is(err, intake.ErrIDNumber):
		p.proxyNote = t.BadID
	case err != nil:
		p.proxyNote = t.BadName
	default:
		p.draft.Entrust.Proxy = &r
		p.proxyNote = ""
		p.proxyID.SetText("")
		p.proxyName.SetText("")
	}
	p.a.sh.Refresh()
}

// proxySection is the 全程代办 part of the left column: at the window the proxy (card or typed)
// and their relation; in 上门收件 the 网格员 and the visit; both the consent and the written
// entrustment.
func (p *intakePage) proxySection() []fyne.CanvasObject {
	a, sh, t := p.a, p.a.sh, p.a.sh.S.Intake
	var out []fyne.CanvasObject
	if !p.batch {
		on := widget.NewCheck(t.ProxyToggle, func(on bool) {
			a.d.Desk.Touch()
			p.ensureDraft()
			if !on {
				p.draft.Entrust = nil
			} else if p.draft.Entrust == nil {
				p.draft.Entrust = &intake.Entrustment{}
			}
			p.problems = nil
			sh.Refresh()
		})
		on.Checked = p.draft != nil && p.draft.Entrust != nil
		out = append(out, on)
	}
	if p.draft == nil || p.draft.Entrust == nil {
		return out
	}
	e := p.draft.Entrust
	if p.batch {
		out = append(out, widget.NewLabel(fmt.Sprintf(t.ProxyStaff, e.StaffName, a.roleName(roleOf(a)))),
			widget.NewLabel(t.VisitDate), p.visitDate, widget.NewLabel(t.VisitPlace), p.visitPlace.View())
		out = append(out, p.problemOf(intake.FieldVisit)...)
	} else {
		out = append(out, ui.Para(t.ProxyTitle))
		if e.Proxy != nil {
			out = append(out, sh.Text(mask.Name(e.Proxy.Name)+"  "+mask.ID(e.Proxy.IDNumber), 1.1, ui.ColPrimary),
				sh.Button(t.ChangeProxy, nil, false, func() { e.Proxy = nil; sh.Refresh() }))
		} else {
			out = append(out, widget.NewLabel(t.ProxyCardOrType), p.proxyID, p.proxyName.View(), sh.Button(t.UseProxy, nil, false, p.useTypedProxy))
			if p.proxyNote != "" {
				out = append(out, ui.Warn(p.proxyNote))
			}
		}
		rels := p.relations()
		rel := widget.NewSelect(rels, func(s string) {
			a.d.Desk.Touch()
			if i := slices.Index(rels, s); i >= 0 && i < len(api.ProxyRelations) {
				e.Relation = api.ProxyRelations[i]
			}
		})
		rel.PlaceHolder = t.Relation
		if i := slices.Index(api.ProxyRelations, e.Relation); i >= 0 && i < len(rels) {
			rel.Selected = rels[i]
		}
		out = append(out, rel)
	}
	consent := widget.NewCheck(t.Consent, func(on bool) { e.Consent = on; a.d.Desk.Touch() })
	consent.Checked = e.Consent
	written := widget.NewCheck(t.Written, func(on bool) { e.Written = on; a.d.Desk.Touch() })
	written.Checked = e.Written
	out = append(out, consent, written)
	return append(out, p.problemOf(intake.FieldProxy)...)
}

// roleOf is the signed-in member of staff's role.
func roleOf(a *App) string {
	s, _ := a.d.Desk.Current()
	return s.Role
}

// visit reads the typed visit into the draft before a check: a date that does not parse is left
// empty, which the check names.
func (p *intakePage) visit() {
	if !p.batch || p.draft == nil || p.draft.Entrust == nil || p.draft.Entrust.Visit == nil {
		return
	}
	v := p.draft.Entrust.Visit
	v.On = time.Time{}
	if d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(p.visitDate.Text), p.a.sh.Clock.Now().Location()); err == nil {
		v.On = d
	}
	v.Place = p.visitPlace.Text
}

func (p *intakePage) useTyped() {
	t := p.a.sh.S.Intake
	r, err := intake.Typed(p.nameField.Text, p.idField.Text)
	switch {
	case errors.Is(err, intake.ErrIDNumber):
		p.whoNote = t.BadID
	case err != nil:
		p.whoNote = t.BadName
	default:
		p.setResident(r)
		p.idField.SetText("")
		p.nameField.SetText("")
	}
	p.a.sh.Refresh()
}

func (p *intakePage) pick(it catalog.Item) {
	var r *intake.Resident
	var e *intake.Entrustment
	if p.draft != nil {
		r, e = p.draft.Resident, p.draft.Entrust
	}
	p.draft = intake.NewDraft(it)
	p.draft.Resident, p.draft.Entrust = r, e
	p.inputs, p.problems, p.note = nil, nil, ""
	p.a.sh.Refresh()
}

func (p *intakePage) Screen() ui.Screen {
	a, sh, t := p.a, p.a.sh, p.a.sh.S.Intake
	title, name := t.Title, ScreenIntake
	if p.batch {
		title, name = t.BatchTitle, ScreenBatch
	}
	if p.draft != nil && p.draft.Continues != nil && p.done == nil {
		title = fmt.Sprintf(t.Continuing, p.draft.Continues.Number)
	}
	screen := func(n string, body fyne.CanvasObject) ui.Screen {
		return ui.Screen{Name: n, Title: title, Bare: true, Right: a.titleRight(name), Body: body}
	}
	if a.d.Intake == nil {
		return screen(name, container.NewCenter(ui.Warn(t.NoIntake)))
	}
	if p.done != nil {
		return screen(ScreenIntakeDone, p.doneBody())
	}
	var left []fyne.CanvasObject
	if p.batch {
		left = append(left, ui.Para(t.BatchHint))
	}
	left = append(left, ui.Para(t.Resident))
	cont := p.draft != nil && p.draft.Continues != nil
	if p.draft != nil && p.draft.Resident != nil {
		r := p.draft.Resident
		how := t.FromTyped
		switch {
		case cont:
			how = t.FromKiosk
		case r.FromCard:
			how = t.FromCard
		}
		left = append(left, sh.Text(mask.Name(r.Name)+"  "+mask.ID(r.IDNumber), 1.3, ui.ColPrimary), widget.NewLabel("（"+how+"）"))
		if !cont { // a kiosk's case keeps the applicant the kiosk read from the card
			left = append(left, sh.Button(t.ChangeResident, nil, false, func() { p.draft.Resident = nil; p.a.sh.Refresh() }))
		}
	} else {
		left = append(left, widget.NewLabel(t.CardOrType), p.idField, p.nameField.View(), sh.Button(t.UseTyped, nil, false, p.useTyped))
		if p.whoNote != "" {
			left = append(left, ui.Warn(p.whoNote))
		}
	}
	left = append(left, p.problemOf(intake.FieldResident)...)
	if !cont {
		left = append(left, p.proxySection()...)
	}
	left = append(left, widget.NewSeparator())
	if p.draft == nil || p.draft.Item.Code == "" {
		left = append(left, p.search.View())
		// Letters being composed count as pinyin initials (dbsq), so the list follows every key.
		query := p.search.Text + p.search.Composing()
		hits := a.d.Intake.Search(query)
		if strings.TrimSpace(query) != "" && len(hits) == 0 {
			left = append(left, ui.Warn(t.NoMatch))
		}
		for _, it := range hits[:min(8, len(hits))] {
			left = append(left, sh.Button(it.Name, nil, false, func() { p.pick(it) }))
		}
		right := container.NewCenter(ui.Para(t.PickItem))
		if p.batch {
			right = container.NewVBox(p.batchList()...)
		}
		return screen(name, container.NewGridWithColumns(2, container.NewVScroll(container.NewVBox(left...)), right))
	}
	it := p.draft.Item
	left = append(left, sh.Text(it.Name, 1.2, ui.ColPrimary))
	if !cont {
		left = append(left, sh.Button(t.ChangeItem, nil, false, func() {
			r, e := p.draft.Resident, p.draft.Entrust
			p.draft = intake.NewDraft(catalog.Item{})
			p.draft.Resident, p.draft.Entrust, p.inputs = r, e, nil
			p.a.sh.Refresh()
		}))
	}
	kinds := []string{t.OnTheSpot, fmt.Sprintf(t.PromisedDays, it.PromisedLimitDays)}
	kind := widget.NewRadioGroup(kinds, func(s string) { p.draft.OnTheSpot = s == kinds[0] })
	kind.Horizontal = false
	kind.Selected = kinds[1]
	if p.draft.OnTheSpot {
		kind.Selected = kinds[0]
	}
	if !p.batch { // a case collected at a home is never finished on the spot
		left = append(left, kind)
	}
	left = append(left, p.formFields()...)

	right := []fyne.CanvasObject{ui.Para(t.Materials)}
	for i, m := range it.Materials {
		label := m.Name
		if m.Form != "" {
			label += "（" + m.Form + "）"
		}
		if m.Required {
			label += " · " + t.Required
		} else {
			label += " · " + t.Optional
		}
		c := widget.NewCheck(label, func(on bool) { p.draft.Received[i] = on; p.a.d.Desk.Touch() })
		c.Checked = p.draft.Received[i]
		right = append(right, c)
	}
	if it.AllowIncomplete {
		right = append(right, widget.NewLabel(t.IncompleteOk))
	}
	// Every problem again beside the button, so none hides below the fold of a long form.
	for _, pr := range p.problems {
		right = append(right, ui.Warn(pr.Text))
	}
	if p.note != "" {
		right = append(right, ui.Warn(p.note))
	}
	label := t.Accept
	if p.batch {
		label = t.Save
	}
	accept := sh.Button(label, nil, true, p.accept)
	if p.busy {
		accept.Disable()
	}
	right = append(right, accept)
	if p.batch {
		right = append(right, widget.NewSeparator())
		right = append(right, p.batchList()...)
	}
	body := container.NewGridWithColumns(2,
		container.NewVScroll(container.NewVBox(left...)),
		container.NewVScroll(container.NewVBox(right...)))
	return screen(name, body)
}

// batchList is what this 上门收件 batch saved so far: the last one said, then each by number, item
// and the resident masked, with the date it must be forwarded by.
func (p *intakePage) batchList() []fyne.CanvasObject {
	sh, t := p.a.sh, p.a.sh.S.Intake
	var out []fyne.CanvasObject
	if p.savedNote != "" {
		out = append(out, ui.Para(p.savedNote))
	}
	out = append(out, widget.NewLabel(fmt.Sprintf(t.BatchCount, len(p.saved))))
	for _, c := range p.saved {
		name := ""
		if c.Person != nil {
			name = mask.Name(c.Person.Name)
		}
		by, _ := intake.Due(c, sh.Clock.Now())
		out = append(out, widget.NewLabel(strings.Join([]string{c.Number, c.ItemName, name, fmt.Sprintf(t.ForwardBy, by.In(time.Local).Format(sh.S.Formats.Date))}, "   ")))
	}
	return out
}

func (p *intakePage) problemOf(field string) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for _, pr := range p.problems {
		if pr.Field == field {
			out = append(out, ui.Warn(pr.Text))
		}
	}
	return out
}

// formFields draws the item's questions for typing: text in pinyin, numbers and phones as typed
// digits, choices as lists; the answers stay in the draft across redraws.
func (p *intakePage) formFields() []fyne.CanvasObject {
	t := p.a.sh.S.Intake
	d := p.draft
	if p.inputs == nil {
		p.inputs = map[string]fyne.CanvasObject{}
	}
	var out []fyne.CanvasObject
	for _, f := range d.Item.Form {
		label := f.Label
		if f.Unit != "" {
			label += "（" + f.Unit + "）"
		}
		if f.Required {
			label += " *"
		}
		if w, ok := p.inputs[f.ID]; ok {
			out = append(out, widget.NewLabel(label), w)
			out = append(out, p.problemOf(f.ID)...)
			continue
		}
		var w fyne.CanvasObject
		set := func(v string) { d.Answers[f.ID] = v; p.a.d.Desk.Touch() }
		switch f.Type {
		case catalog.FieldChoice:
			s := widget.NewSelect(f.Options, set)
			s.PlaceHolder, s.Selected = t.Choose, d.Answers[f.ID]
			w = s
		case catalog.FieldYesNo:
			r := widget.NewRadioGroup([]string{form.Yes, form.No}, set)
			r.Horizontal, r.Selected = true, d.Answers[f.ID]
			w = r
		case catalog.FieldMulti:
			var opts []fyne.CanvasObject
			for _, o := range f.Options {
				c := widget.NewCheck(o, func(bool) { set(form.Toggle(f, d.Answers[f.ID], o)) })
				c.Checked = form.Picked(d.Answers[f.ID], o)
				opts = append(opts, c)
			}
			w = container.NewGridWithColumns(4, opts...)
		case catalog.FieldText:
			pf := p.a.newPinyin(f.Hint)
			pf.SetText(d.Answers[f.ID])
			pf.OnChanged = set
			w = pf.View()
		default:
			e := widget.NewEntry()
			if f.Type == catalog.FieldDate {
				e.SetPlaceHolder(t.DateHint)
			} else {
				e.SetPlaceHolder(f.Hint)
			}
			e.SetText(d.Answers[f.ID])
			e.OnChanged = set
			w = e
		}
		p.inputs[f.ID] = w
		out = append(out, widget.NewLabel(label), w)
		out = append(out, p.problemOf(f.ID)...)
	}
	return out
}

// accept stores the case (off the UI goroutine: an fsync), then prints the slip.
func (p *intakePage) accept() {
	a := p.a
	by, ok := a.d.Desk.Current()
	if !ok {
		return
	}
	p.visit()
	p.problems, p.note, p.savedNote = a.d.Intake.Check(p.draft), "", ""
	if len(p.problems) > 0 {
		a.sh.Refresh()
		return
	}
	p.busy = true
	a.sh.Refresh()
	d := p.draft
	take := a.d.Intake.Accept
	if p.batch {
		take = a.d.Intake.Collect
	}
	var c localdb.Case
	a.run(func(context.Context) error {
		var err error
		c, err = take(d, by)
		return err
	}, func(err error) {
		p.busy = false
		var nr *intake.NotReadyError
		switch {
		case errors.As(err, &nr):
			p.problems = nr.Problems
		case err != nil:
			a.sh.Log.Error("accept at the window", "err", err)
			p.note = a.sh.S.Desk.Failed
		case p.batch:
			// Saved: straight on to the next resident of the batch, the visit's day kept.
			p.saved = append(p.saved, c)
			d.Wipe()
			p.draft = nil
			p.reset()
			p.savedNote = fmt.Sprintf(a.sh.S.Intake.Saved, c.Number)
		default:
			p.done = &c
			d.Wipe()
			p.printSlip()
		}
		a.sh.Refresh()
	})
}

func (p *intakePage) printSlip() {
	a := p.a
	by, _ := a.d.Desk.Current()
	c := *p.done
	p.note, p.busy = "", true
	a.run(func(ctx context.Context) error {
		job, err := a.d.Intake.Slip(c, by)
		if err != nil {
			return err
		}
		return a.d.Intake.Print(ctx, job)
	}, func(err error) {
		p.busy = false
		var pe *apply.PrintError
		switch {
		case errors.As(err, &pe):
			p.note = pe.Resident
		case err != nil:
			a.sh.Log.Error("slip", "err", err)
			p.note = a.sh.S.Desk.Failed
		default:
			p.printed = true
		}
		a.sh.Refresh()
	})
}

// doneBody is the accepted case: its number large, the slip, the promise or the result.
func (p *intakePage) doneBody() fyne.CanvasObject {
	a, sh, t := p.a, p.a.sh, p.a.sh.S.Intake
	c := p.done
	rows := []fyne.CanvasObject{ui.Para(t.Accepted), sh.Text(c.Number, 2.5, ui.ColPrimary), widget.NewLabel(c.ItemName)}
	if p.printed {
		rows = append(rows, ui.Para(t.SlipPrinted))
	}
	if p.note != "" {
		rows = append(rows, ui.Warn(p.note))
	}
	reprint := sh.Button(t.Reprint, nil, false, p.printSlip)
	if p.busy {
		reprint.Disable()
	}
	rows = append(rows, reprint, widget.NewSeparator())
	switch lifecycle.Status(c.Life) {
	case lifecycle.Forwarded:
		rows = append(rows, ui.Para(fmt.Sprintf(t.Forwarded, c.PromisedBy.Format(sh.S.Formats.Date))))
	case lifecycle.Accepted:
		rows = append(rows, widget.NewLabel(t.Result), p.result.View(), sh.Button(t.Complete, nil, true, p.complete))
	case lifecycle.HandedOver:
		rows = append(rows, ui.Para(t.Completed), widget.NewLabel(c.Result))
	}
	rows = append(rows, widget.NewSeparator(), sh.Button(t.Next, nil, c.Life != string(lifecycle.Accepted), func() {
		p.reset()
		a.sh.Refresh()
	}))
	return container.NewCenter(container.NewVBox(rows...))
}

// complete finishes a 即办件 with its result.
func (p *intakePage) complete() {
	a := p.a
	by, ok := a.d.Desk.Current()
	if !ok {
		return
	}
	number, result := p.done.Number, p.result.Text
	if strings.TrimSpace(result) == "" {
		p.note = a.sh.S.Intake.NeedResult
		a.sh.Refresh()
		return
	}
	var c localdb.Case
	a.run(func(context.Context) error {
		var err error
		c, err = a.d.Intake.Complete(number, by, result)
		return err
	}, func(err error) {
		if err != nil {
			p.note = a.stepError(err)
		} else {
			p.done, p.note = &c, ""
		}
		a.sh.Refresh()
	})
}
