// Package window is the comprehensive window's (综合窗口) mode for staff: sign-in (and the hall's
// first station head), the hall's queue at this window, and the devices' and uploads' state. The
// decisions are kiosk/staff's, kiosk/queue's and kiosk/pinyin's; this package draws them.
package window

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/cards"
	"hallkiosk/kiosk/intake"
	"hallkiosk/kiosk/pinyin"
	"hallkiosk/kiosk/queue"
	"hallkiosk/kiosk/staff"
	"hallkiosk/kiosk/ui"
)

// Screen names, for tests and logs.
const (
	ScreenSetup  = "desk-setup"
	ScreenSignIn = "desk-signin"
	// ScreenActivate is the first PIN of an account the township made.
	ScreenActivate = "desk-activate"
	ScreenQueue    = "desk-queue"
	// ScreenIntake is 一窗受理; ScreenIntakeDone the accepted case with its slip.
	ScreenIntake     = "desk-intake"
	ScreenIntakeDone = "desk-intake-done"
	// ScreenBatch is 上门收件: a 网格员's cases from home visits, one after another.
	ScreenBatch = "desk-batch"
	// ScreenCases is 办件 (worklists and search); ScreenCase one case and its steps.
	ScreenCases = "desk-cases"
	ScreenCase  = "desk-case"
	// ScreenFollowUp is 回访整改 of bad ratings (the station head's).
	ScreenFollowUp = "desk-followup"
	// ScreenFigures is 统计 (the station head's).
	ScreenFigures = "desk-figures"
	// ScreenHealth is 设备与上传.
	ScreenHealth = "desk-health"
)

// Desk is the staff sign-in (*staff.Desk is one).
type Desk interface {
	SetupCode() (string, error)
	AnyoneCanSignIn() (bool, error)
	SetupHead(code string, a staff.Account) (staff.Session, error)
	SignIn(id, pin string) (staff.Session, error)
	Activate(id, headID, headPIN, pin, idNumber string) (staff.Session, error)
	SignInCard(idNumber, pin string) (staff.Session, error)
	SignOut()
	Current() (staff.Session, bool)
	Touch()
}

// Queue is the hall's queue as a window uses it (*hall.Client is one).
type Queue interface {
	State(ctx context.Context) (queue.State, error)
	CallNext(ctx context.Context, window string, businesses []string) (queue.Ticket, error)
	Recall(ctx context.Context, window string) (queue.Ticket, error)
	Miss(ctx context.Context, window string) (queue.Ticket, error)
	Finish(ctx context.Context, window string) (queue.Ticket, error)
	Transfer(ctx context.Context, window, toWindow, toBusiness string) (queue.Ticket, error)
	Pause(ctx context.Context, window string, paused bool) error
	Returned(ctx context.Context, number string) (queue.Ticket, error)
	Subscribe(ctx context.Context, onEvent func(queue.Event), onConnected func(bool))
}

// Deps is what the window mode needs.
type Deps struct {
	Desk Desk
	// Queue is the hall's queue; nil when this window has none ([queue] not configured).
	Queue Queue
	// Window is this window's number in the hall's queue ("1").
	Window string
	// Windows are the hall's windows, for 转窗口.
	Windows []string
	// Cards is this window's own ID-card reader (staff sign-in by card); nil when there is none.
	Cards cards.Source
	// Pinyin gives the dictionary of the Chinese input; it may take a moment the first time.
	Pinyin func() (*pinyin.Dict, error)
	// Audit records a staff action in the append-only audit log (uploaded with the rest).
	Audit func(actor, action, subject string) error
	// Intake takes cases at the window and moves them through their life; nil when this window
	// has no catalog or store to take them with.
	Intake Intake
	// Health is the devices', uploads' and store's state; nil hides 设备与上传.
	Health Health
	// Figures counts the hall's days and months for the station head; nil hides 统计.
	Figures Figures
	// ExportDir is where 统计 writes its files now (a USB stick when one is in); nil: no export.
	ExportDir func() (string, error)
	// Invite asks the resident to rate a case on the screen facing them (邀请评价); nil when the
	// window has none. Rated says whether a case has its rating (never which).
	Invite func(caseNumber string)
	Rated  func(caseNumber string) bool
	// FollowUp is the station head's 回访整改 of bad ratings; nil hides it.
	FollowUp FollowUp
}

// App is the window mode on a shell.
type App struct {
	sh   *ui.Shell
	d    Deps
	ctx  context.Context
	st   queue.State
	live bool // the queue's event stream is connected
	// intake is the case being taken, kept while staff look at the queue; dropped at sign-out.
	intake *intakePage
	// batch is the 上门收件 being entered, kept likewise.
	batch *intakePage
	// ratedAtKiosk are the cases the kiosk beside the window said were rated (邀请评价 through the
	// hall's queue service); Deps.Rated knows those rated on this PC.
	ratedAtKiosk map[string]bool
}

// New builds the mode on sh.
func New(sh *ui.Shell, d Deps) *App {
	a := &App{sh: sh, d: d, ctx: context.Background(), ratedAtKiosk: map[string]bool{}}
	sh.Home = a.home
	return a
}

// home is the screen for whoever is at the window: setup, sign-in, or the queue of the signed-in.
func (a *App) home() ui.Page {
	if _, ok := a.d.Desk.Current(); ok {
		return &queuePage{a: a}
	}
	code, err := a.d.Desk.SetupCode()
	if err != nil || code == "" {
		return newSignInPage(a)
	}
	if ok, err := a.d.Desk.AnyoneCanSignIn(); err == nil && !ok {
		return newSetupPage(a)
	}
	// Staff can sign in but no station head can: sign-in, with the way to the head's setup.
	p := newSignInPage(a)
	p.setup = true
	return p
}

// Start shows the first screen, follows the queue, and takes cards laid on the window's reader.
func (a *App) Start(ctx context.Context) {
	a.ctx = ctx
	a.sh.GoHome()
	if a.d.Queue != nil {
		go a.d.Queue.Subscribe(ctx, func(e queue.Event) {
			if e.Rated != nil { // the kiosk beside the window took the rating (never which)
				c := e.Rated.Case
				a.sh.Do(func() { a.ratedAtKiosk[c] = true; a.refreshIf(ScreenCase) })
			}
			if e.State != nil {
				st := *e.State
				a.sh.Do(func() { a.st = st; a.refreshIf(ScreenQueue) })
			}
		}, func(up bool) {
			a.sh.Do(func() { a.live = up; a.refreshIf(ScreenQueue) })
		})
	}
	if a.d.Cards != nil {
		cards.Forward(ctx, a.d.Cards, a.sh.Do, a.CardEvent)
	}
}

// SignedOut is told when the desk ends a session by itself (idle): back to sign-in, saying why.
func (a *App) SignedOut() {
	a.sh.Do(func() {
		a.dropIntake()
		a.sh.Notice(a.sh.S.Desk.IdleSignedOut)
		a.sh.GoHome()
	})
}

// CardEvent hands a card to the screen on show: sign-in (the staff member's own), intake (the
// applicant), 办件 (the applicant's cases).
func (a *App) CardEvent(ev idcard.Event) {
	switch p := a.sh.Top().(type) {
	case *signInPage:
		p.card(ev)
	case *activatePage:
		p.card(ev)
	case *intakePage:
		p.card(ev)
	case *casesPage:
		p.card(ev)
	}
}

// dropIntake forgets the case being taken (sign-out: the next member of staff starts clean).
func (a *App) dropIntake() {
	for _, p := range []**intakePage{&a.intake, &a.batch} {
		if *p != nil {
			if (*p).draft != nil {
				(*p).draft.Wipe()
			}
			(*p).draft = nil
			*p = nil
		}
	}
}

func (a *App) showBatch() {
	if a.batch == nil {
		a.batch = newBatchPage(a)
	}
	a.sh.Root(a.batch)
}

func (a *App) showIntake() {
	if a.intake == nil {
		a.intake = newIntakePage(a)
	}
	a.sh.Root(a.intake)
}

func (a *App) showCases() { a.sh.Root(newCasesPage(a)) }

// findCase opens 办件 on a search for one case number (here, else at the township).
func (a *App) findCase(number string) {
	p := newCasesPage(a)
	p.query.SetText(number)
	a.sh.Root(p)
	p.find(number)
}

// continueKiosk takes a kiosk's case on at 受理.
func (a *App) continueKiosk(d *intake.Draft) {
	if a.intake == nil {
		a.intake = newIntakePage(a)
	} else if a.intake.draft != nil {
		a.intake.draft.Wipe()
	}
	a.intake.continueCase(d)
	a.sh.Root(a.intake)
}

// newPinyin is a Chinese field whose keys keep the staff session awake.
func (a *App) newPinyin(placeholder string) *PinyinField {
	f := NewPinyinField(a.sh.S, a.d.Pinyin)
	f.SetPlaceHolder(placeholder)
	f.OnTouch = a.d.Desk.Touch
	return f
}

func (a *App) refreshIf(name string) {
	if a.sh.Current().Name == name {
		a.sh.Refresh()
	}
}

// audit records a staff action; a failure is logged (the action itself already happened).
func (a *App) audit(action, subject string) {
	s, ok := a.d.Desk.Current()
	if !ok || a.d.Audit == nil {
		return
	}
	if err := a.d.Audit(s.ID, action, subject); err != nil {
		a.sh.Log.Error("audit log", "action", action, "err", err)
	}
}

// roleName words a role.
func (a *App) roleName(role string) string {
	d := a.sh.S.Desk
	switch role {
	case staff.RoleHead:
		return d.RoleHead
	case staff.RoleAgent:
		return d.RoleAgent
	case staff.RoleTechnician:
		return d.RoleTechnician
	}
	return d.RoleWorker
}

// signInError words a refused sign-in for the screen.
func (a *App) signInError(err error) string {
	d := a.sh.S.Desk
	var wrong *staff.WrongPINError
	var locked *staff.LockedError
	switch {
	case errors.As(err, &wrong):
		return fmt.Sprintf(d.WrongPIN, wrong.Left)
	case errors.As(err, &locked):
		return fmt.Sprintf(d.Locked, locked.Until.In(time.Local).Format("15:04"))
	case errors.Is(err, staff.ErrNoSuchStaff):
		return d.NoStaff
	case errors.Is(err, staff.ErrNoCard):
		return d.NoCardStaff
	case errors.Is(err, staff.ErrDisabled):
		return d.Disabled
	case errors.Is(err, staff.ErrBadSetupCode):
		return d.BadCode
	case errors.Is(err, staff.ErrSetupDone):
		return d.SetupDone
	case errors.Is(err, staff.ErrNotHead):
		return d.NotHead
	case errors.Is(err, staff.ErrHasPIN):
		return d.HasPIN
	case errors.Is(err, staff.ErrNeedsPIN):
		return d.NeedsPIN
	}
	return d.Failed
}

// titleRight is the way between the window's screens (叫号, 受理, 办件), the signed-in member of
// staff and 退出登录, at the right of the title bar; active is the screen on show.
func (a *App) titleRight(active string) fyne.CanvasObject {
	s, ok := a.d.Desk.Current()
	if !ok {
		return nil
	}
	nav := func(label, name string, show func()) *widget.Button {
		b := widget.NewButton(label, func() { a.d.Desk.Touch(); show() })
		if name == active { // the screen on show stands out from the blue bar
			b.Importance = widget.SuccessImportance
		}
		return b
	}
	d, t := a.sh.S.Desk, a.sh.S.Intake
	who := a.sh.Text(s.Name+"（"+a.roleName(s.Role)+"）", 1, ui.ColOnPrimary)
	out := widget.NewButton(d.SignOut, func() {
		a.audit("signout", "")
		a.dropIntake()
		a.d.Desk.SignOut()
		a.sh.GoHome()
	})
	// A 网格员 enters home visits (受理 is a worker's); everyone else takes cases at the window.
	take := nav(t.NavIntake, ScreenIntake, a.showIntake)
	if s.Role == staff.RoleAgent {
		take = nav(t.NavBatch, ScreenBatch, a.showBatch)
	}
	row := []fyne.CanvasObject{nav(d.NavQueue, ScreenQueue, a.sh.GoHome), take, nav(t.NavCases, ScreenCases, a.showCases)}
	if a.d.FollowUp != nil && mayCount(s) {
		row = append(row, nav(a.sh.S.FollowUp.Title, ScreenFollowUp, func() { a.sh.Root(newFollowUpPage(a)) }))
	}
	if a.d.Figures != nil && mayCount(s) {
		row = append(row, nav(a.sh.S.Figures.Title, ScreenFigures, func() { a.sh.Root(newFiguresPage(a)) }))
	}
	if a.d.Health != nil {
		row = append(row, nav(d.NavHealth, ScreenHealth, func() { a.sh.Root(newHealthPage(a)) }))
	}
	return container.NewHBox(append(row, container.NewCenter(who), out)...)
}

// run does a slow call (the queue over the LAN) off the UI goroutine and hands its result back.
func (a *App) run(call func(ctx context.Context) error, done func(err error)) {
	a.d.Desk.Touch()
	go func() {
		ctx, cancel := context.WithTimeout(a.ctx, 10*time.Second)
		defer cancel()
		err := call(ctx)
		a.sh.Do(func() { done(err) })
	}()
}
