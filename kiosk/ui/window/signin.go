package window

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/devtext"
	"hallkiosk/kiosk/staff"
	"hallkiosk/kiosk/ui"
	"hallkiosk/township/api/mask"
)

// signInPage signs staff in by staff number and PIN, or by their own ID card and PIN.
type signInPage struct {
	a        *App
	id, pin  *widget.Entry
	problem  string
	cardID   string // the ID number of the card laid, until the PIN is typed; never shown whole
	cardName string
}

func newSignInPage(a *App) *signInPage {
	p := &signInPage{a: a, id: widget.NewEntry(), pin: widget.NewPasswordEntry()}
	p.pin.OnSubmitted = func(string) { p.submit() }
	p.id.OnSubmitted = func(string) { p.a.sh.Window().Canvas().Focus(p.pin) }
	return p
}

func (p *signInPage) Screen() ui.Screen {
	sh, d := p.a.sh, p.a.sh.S.Desk
	rows := []fyne.CanvasObject{}
	if n := sh.TakeNotice(); n != "" {
		rows = append(rows, ui.Info(n))
	}
	form := widget.NewForm()
	if p.cardID != "" {
		rows = append(rows, ui.Para(fmt.Sprintf(d.CardRead, mask.Name(p.cardName))))
	} else {
		form.Append(d.StaffID, p.id)
	}
	form.Append(d.PIN, p.pin)
	rows = append(rows, form)
	if p.problem != "" {
		rows = append(rows, ui.Warn(p.problem))
	}
	btn := sh.Button(d.SignIn, nil, true, p.submit)
	rows = append(rows, btn)
	if p.a.d.Cards != nil && p.cardID == "" {
		rows = append(rows, ui.Para(d.CardHint))
	}
	return ui.Screen{Name: ScreenSignIn, Title: d.TitleSignIn, Bare: true,
		Body: container.NewCenter(ui.FixedWidth(560, container.NewVBox(rows...)))}
}

// card takes the staff member's own card: the PIN is asked next.
func (p *signInPage) card(ev idcard.Event) {
	if ev.Err != nil {
		p.problem = devtext.Card(p.a.sh.S, ev.Err)
	} else {
		p.cardID, p.cardName, p.problem = ev.Card.IDNumber, ev.Card.Name, ""
	}
	p.a.sh.Refresh()
	p.a.sh.Window().Canvas().Focus(p.pin)
}

func (p *signInPage) submit() {
	d := p.a.sh.S.Desk
	pin := p.pin.Text
	if len(pin) != 6 || strings.Trim(pin, "0123456789") != "" {
		p.problem = d.PINDigits
		p.a.sh.Refresh()
		return
	}
	var s staff.Session
	var err error
	if p.cardID != "" {
		s, err = p.a.d.Desk.SignInCard(p.cardID, pin)
	} else {
		id := strings.TrimSpace(p.id.Text)
		if id == "" {
			p.problem = fmt.Sprintf(d.Missing, d.StaffID)
			p.a.sh.Refresh()
			return
		}
		s, err = p.a.d.Desk.SignIn(id, pin)
	}
	p.pin.SetText("")
	if err != nil {
		p.a.sh.Log.Info("staff sign-in refused", "reason", err.Error())
		p.problem = p.a.signInError(err)
		p.cardID, p.cardName = "", ""
		p.a.sh.Refresh()
		return
	}
	p.a.sh.Log.Info("staff signed in", "staff", s.ID, "role", s.Role)
	p.a.sh.GoHome()
}

// setupPage sets up the hall's first account, a station head, with the one-time code hallkiosk
// showed at start (on its terminal and in the system log: whoever set up the machine has it).
type setupPage struct {
	a                    *App
	code, id, pin, again *widget.Entry
	name                 *PinyinField
	problem              string
}

func newSetupPage(a *App) *setupPage {
	p := &setupPage{a: a, code: widget.NewEntry(), id: widget.NewEntry(), pin: widget.NewPasswordEntry(),
		again: widget.NewPasswordEntry(), name: NewPinyinField(a.sh.S, a.d.Pinyin)}
	p.again.OnSubmitted = func(string) { p.submit() }
	return p
}

func (p *setupPage) Screen() ui.Screen {
	sh, d := p.a.sh, p.a.sh.S.Desk
	form := widget.NewForm(
		widget.NewFormItem(d.SetupCode, p.code),
		widget.NewFormItem(d.StaffID, p.id),
		widget.NewFormItem(d.Name, p.name.View()),
		widget.NewFormItem(d.PIN, p.pin),
		widget.NewFormItem(d.PINAgain, p.again))
	rows := []fyne.CanvasObject{ui.Para(d.SetupHint), form}
	if p.problem != "" {
		rows = append(rows, ui.Warn(p.problem))
	}
	rows = append(rows, sh.Button(d.Setup, nil, true, p.submit))
	return ui.Screen{Name: ScreenSetup, Title: d.TitleSetup, Bare: true,
		Body: container.NewCenter(ui.FixedWidth(720, container.NewVBox(rows...)))}
}

func (p *setupPage) submit() {
	d := p.a.sh.S.Desk
	var missing []string
	for _, f := range []struct {
		label string
		v     string
	}{{d.SetupCode, p.code.Text}, {d.StaffID, p.id.Text}, {d.Name, p.name.Text}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.label)
		}
	}
	switch {
	case len(missing) > 0:
		p.problem = fmt.Sprintf(d.Missing, strings.Join(missing, "、"))
	case staff.CheckPIN(p.pin.Text) != nil:
		p.problem = d.PINFormat
	case p.pin.Text != p.again.Text:
		p.problem = d.PINMismatch
	default:
		s, err := p.a.d.Desk.SetupHead(strings.TrimSpace(p.code.Text), staff.Account{
			ID: strings.TrimSpace(p.id.Text), Name: strings.TrimSpace(p.name.Text), PIN: p.pin.Text})
		if err != nil {
			p.a.sh.Log.Info("first account setup refused", "reason", err.Error())
			p.problem = p.a.signInError(err)
			break
		}
		p.a.sh.Log.Info("first station head set up and signed in", "staff", s.ID)
		p.a.sh.GoHome()
		return
	}
	p.pin.SetText("")
	p.again.SetText("")
	p.a.sh.Refresh()
}
