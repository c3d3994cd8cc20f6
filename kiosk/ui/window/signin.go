package window

import (
	"errors"
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
	setup    bool // the hall has no station head who can sign in: offer the setup
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
	if p.setup {
		rows = append(rows, widget.NewSeparator(), ui.Para(d.NoHeadYet),
			sh.Button(d.TitleSetup, nil, false, func() { sh.Show(newSetupPage(p.a)) }))
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
		if errors.Is(err, staff.ErrNeedsPIN) { // the township's new account: its first PIN, witnessed
			p.pin.SetText("")
			p.problem = ""
			p.a.sh.Show(newActivatePage(p.a, id))
			return
		}
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
	rows := []fyne.CanvasObject{ui.Para(d.SetupHint), ui.Para(d.SetupHintTownship), form}
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

// activatePage gives an account the township made its first PIN: its holder chooses it, and a
// station head beside them confirms with their own number and PIN. The township never sends or
// sees a PIN (README: staff accounts).
type activatePage struct {
	a                           *App
	id                          string
	pin, again, headID, headPIN *widget.Entry
	problem                     string
	cardID, cardName            string // the holder's own card, for card sign-in later; optional
}

func newActivatePage(a *App, id string) *activatePage {
	p := &activatePage{a: a, id: id, pin: widget.NewPasswordEntry(), again: widget.NewPasswordEntry(),
		headID: widget.NewEntry(), headPIN: widget.NewPasswordEntry()}
	p.headPIN.OnSubmitted = func(string) { p.submit() }
	return p
}

func (p *activatePage) Screen() ui.Screen {
	sh, d := p.a.sh, p.a.sh.S.Desk
	form := widget.NewForm(
		widget.NewFormItem(d.PIN, p.pin),
		widget.NewFormItem(d.PINAgain, p.again),
		widget.NewFormItem(d.HeadID, p.headID),
		widget.NewFormItem(d.HeadPIN, p.headPIN))
	rows := []fyne.CanvasObject{ui.Para(fmt.Sprintf(d.ActivateHint, p.id)), form}
	switch {
	case p.cardID != "":
		rows = append(rows, ui.Info(fmt.Sprintf(d.ActivateCardRead, mask.Name(p.cardName))))
	case p.a.d.Cards != nil:
		rows = append(rows, ui.Para(d.ActivateCard))
	}
	if p.problem != "" {
		rows = append(rows, ui.Warn(p.problem))
	}
	rows = append(rows, container.NewGridWithColumns(2,
		sh.Button(d.BackToSignIn, nil, false, func() { p.a.sh.GoHome() }),
		sh.Button(d.Activate, nil, true, p.submit)))
	return ui.Screen{Name: ScreenActivate, Title: d.TitleActivate, Bare: true,
		Body: container.NewCenter(ui.FixedWidth(720, container.NewVBox(rows...)))}
}

// card takes the holder's own card (sign-in by card later); a read error is said and changes nothing.
func (p *activatePage) card(ev idcard.Event) {
	if ev.Err != nil {
		p.problem = devtext.Card(p.a.sh.S, ev.Err)
	} else {
		p.cardID, p.cardName, p.problem = ev.Card.IDNumber, ev.Card.Name, ""
	}
	p.a.sh.Refresh()
}

func (p *activatePage) submit() {
	d := p.a.sh.S.Desk
	headID := strings.TrimSpace(p.headID.Text)
	switch {
	case staff.CheckPIN(p.pin.Text) != nil:
		p.problem = d.PINFormat
	case p.pin.Text != p.again.Text:
		p.problem = d.PINMismatch
	case headID == "" || p.headPIN.Text == "":
		p.problem = fmt.Sprintf(d.Missing, d.HeadID+"、"+d.HeadPIN)
	default:
		s, err := p.a.d.Desk.Activate(p.id, headID, p.headPIN.Text, p.pin.Text, p.cardID)
		if err == nil {
			p.a.sh.Log.Info("first PIN set and signed in", "staff", s.ID, "witness", headID)
			p.a.sh.GoHome()
			return
		}
		p.a.sh.Log.Info("first PIN refused", "staff", p.id, "reason", err.Error())
		var we *staff.WitnessError
		if errors.As(err, &we) {
			if errors.Is(err, staff.ErrNotAllowed) {
				p.problem = d.WitnessNotHead
			} else {
				p.problem = fmt.Sprintf(d.Witness, p.a.signInError(we.Err))
			}
		} else {
			p.problem = p.a.signInError(err)
		}
	}
	for _, e := range []*widget.Entry{p.pin, p.again, p.headPIN} {
		e.SetText("")
	}
	p.a.sh.Refresh()
}
