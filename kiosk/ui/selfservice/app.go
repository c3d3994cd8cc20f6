// Package selfservice is the resident's kiosk: home, service guides, search, applying (card,
// questions, materials, consent, confirm, receipt, rating) and the tasks beside it (lookup,
// tickets, messages, votes). One type per screen or small family of screens; every decision is in
// kiosk/flow and kiosk/apply, and each screen is built from the narrow interface it needs.
package selfservice

import (
	"context"
	"errors"
	"time"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/cards"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/flow"
	"hallkiosk/kiosk/queue"
	"hallkiosk/kiosk/ui"
	"hallkiosk/localdb"
)

// Screen names, for tests and logs.
const (
	ScreenHome      = "home"
	ScreenWindow    = "window"
	ScreenGuide     = "guide"
	ScreenSearch    = "search"
	ScreenCard      = "card"
	ScreenForm      = "form"
	ScreenMaterials = "materials"
	ScreenConsent   = "consent"
	ScreenConfirm   = "confirm"
	ScreenDone      = "done"
	ScreenRating    = "rating"
	ScreenThanks    = "thanks"
	ScreenLookup    = "lookup"
	ScreenTicket    = "ticket"
	ScreenMessage   = "message"
	ScreenPoll      = "poll"
	ScreenError     = "error"
)

// Applier stores a finished application and lays out what is printed for it.
type Applier interface {
	Submit(*apply.Session) (localdb.Case, error)
	Receipt(localdb.Case) ([]byte, error)
	Checklist(it catalog.Item, missing []string) ([]byte, error)
	Promised(it catalog.Item, at time.Time) time.Time
	GuideLink(code string) string
	Rate(caseNumber string, grade int, reasons []string) error
}

// Printer prints a laid-out job; a failure carries the sentence for the resident (apply.PrintError).
type Printer interface {
	Print(ctx context.Context, job []byte) error
}

// Finder finds cases by number or by card, and the village's answers to messages.
type Finder interface {
	Lookup(number string) (localdb.Case, bool, error)
	CasesOf(c idcard.Card) ([]localdb.Case, error)
	Replies(n int) ([]localdb.Message, error)
}

// Tickets numbers and lays out queue tickets.
type Tickets interface {
	TakeTicket(business string) (localdb.Ticket, []byte, error)
	// TakeTicketFor takes a number for the window about a case just submitted (容缺补齐), in the
	// business TicketBusiness gives for its item.
	TakeTicketFor(business, caseNumber string) (localdb.Ticket, []byte, error)
	TicketBusiness(itemCode string) string
}

// Messages stores a resident's message.
type Messages interface {
	LeaveMessage(topic string, phrases []string, phone string) (string, error)
}

// Polls lists polls and takes votes.
type Polls interface {
	Polls() (open, closed []localdb.Poll, err error)
	Tally(pollID string) (map[string]int, error)
	Vote(pollID string, c idcard.Card, option string) error
}

// Service is everything the resident's tasks need; *apply.Service is one.
type Service interface {
	Applier
	Printer
	Finder
	Tickets
	Messages
	Polls
}

// Deps is what the mode needs from main.
type Deps struct {
	Catalog *catalog.Catalog // nil when it could not be loaded
	// Service runs the resident's tasks; nil shows the guides only (apply at the window).
	Service Service
	// Cards is the ID-card reader; nil is a kiosk without one (screens that need a card say so).
	Cards cards.Source
	// StartupError, when set, is shown instead of the screens (a store that will not open).
	StartupError error
	// Retention is how long personal data is kept after a case closes (said in the consent).
	Retention time.Duration
	Township  string // the receiving township, said in the consent
	// Voice speaks the key prompts aloud ([voice] prompts); nil keeps the kiosk silent.
	Voice Prompter
	// Rated is told that a case a window invited this kiosk to rate was rated (never the grade);
	// nil when the kiosk takes no invitations.
	Rated func(caseNumber string)
}

// Prompter says a prompt aloud without holding the caller (kiosk/voice's Speaker is one).
type Prompter interface {
	Prompt(text string) error
}

// App is the self-service mode on a shell.
type App struct {
	sh  *ui.Shell
	d   Deps
	idx *catalog.Index
}

// cardTaker is a page that uses a card laid on the reader; a card laid while any other page is on
// show is ignored (a resident resting a card on the reader reads nothing).
type cardTaker interface {
	card(ev idcard.Event)
}

// New builds the mode on sh; Start shows the first screen.
func New(sh *ui.Shell, d Deps) *App {
	a := &App{sh: sh, d: d}
	if d.Catalog != nil {
		a.idx = catalog.NewIndex(d.Catalog)
	}
	sh.Home = func() ui.Page { return &homePage{a: a} }
	sh.Reset = a.reset
	return a
}

// wiper is a page holding something of a resident (a card, answers) that it overwrites when the
// kiosk forgets the resident.
type wiper interface{ wipe() }

// reset forgets the person at the kiosk (home, the idle timeout): pages holding personal data
// overwrite it, then the shell drops every page, and with them every flow object.
func (a *App) reset() {
	for _, p := range a.sh.Pages() {
		if w, ok := p.(wiper); ok {
			w.wipe()
		}
	}
}

// Start shows home (or why the kiosk cannot serve) and listens to the card reader until ctx ends.
func (a *App) Start(ctx context.Context) {
	switch {
	case a.d.StartupError != nil:
		a.sh.Root(a.sh.Failure(ScreenError, a.sh.S.Error.Store, a.d.StartupError))
		return
	case a.d.Catalog == nil:
		a.sh.Root(a.sh.Failure(ScreenError, a.sh.S.Error.Catalog, errors.New("no usable catalog")))
		return
	}
	a.sh.GoHome()
	if a.d.Cards != nil {
		cards.Forward(ctx, a.d.Cards, a.sh.Do, a.CardEvent)
	}
}

// CardEvent hands a card to the page on show if it waits for one.
func (a *App) CardEvent(ev idcard.Event) {
	if t, ok := a.sh.Top().(cardTaker); ok {
		a.sh.Touch()
		t.card(ev)
	}
}

// Invited shows the rating of a case a window asked this kiosk to show (邀请评价, for a window PC
// with no screen facing the resident). Only a kiosk at rest on home takes it: a resident in the
// middle of their own task is never interrupted. It reports whether the rating is on show.
func (a *App) Invited(inv queue.Invite) bool {
	if _, home := a.sh.Top().(*homePage); !home || a.d.Service == nil {
		return false
	}
	a.sh.Show(&ratingPage{a: a, r: &flow.Rating{Case: inv.Case}, window: inv.Window})
	a.sh.Touch()
	return true
}

// OpenGuide shows one item's guide over home (--open, screenshots, staff demos).
func (a *App) OpenGuide(code string) bool {
	if _, ok := a.d.Catalog.Item(code); !ok {
		return false
	}
	a.sh.Show(&guidePage{a: a, code: code})
	return true
}

// say speaks a prompt when the kiosk has a voice.
func (a *App) say(text string) {
	if a.d.Voice == nil {
		return
	}
	if err := a.d.Voice.Prompt(text); err != nil {
		a.sh.Log.Warn("voice prompt", "err", err)
	}
}

// printedSay is done for a print job that, once out, is followed by the spoken prompt.
func (a *App) printedSay(done func(string), prompt string) func(string) {
	return func(problem string) {
		done(problem)
		if problem == "" {
			a.say(prompt)
		}
	}
}

// hasReader reports whether a card reader is configured.
func (a *App) hasReader() bool { return a.d.Cards != nil }

// print sends a job to the printer off the UI goroutine and calls done on it with "" or the
// sentence saying why it did not print; the screen stays responsive while the printer works
// (a printer holding XOFF can take seconds).
func (a *App) print(job []byte, err error, done func(problem string)) {
	if err != nil {
		a.sh.Log.Error("lay out print job", "err", err)
		done(a.sh.S.Devices.PrinterOffline)
		a.sh.Refresh() // the screen said 正在打印: say why it did not
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := a.d.Service.Print(ctx, job)
		a.sh.Do(func() {
			var pe *apply.PrintError
			switch {
			case errors.As(err, &pe):
				done(pe.Resident)
			case err != nil:
				a.sh.Log.Error("print", "err", err)
				done(a.sh.S.Devices.PrinterOffline)
			default:
				done("")
			}
			a.sh.Refresh()
		})
	}()
}
