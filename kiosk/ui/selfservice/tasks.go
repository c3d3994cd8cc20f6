package selfservice

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/devtext"
	"hallkiosk/kiosk/flow"
	"hallkiosk/kiosk/text"
	"hallkiosk/kiosk/ui"
	"hallkiosk/localdb"
	"hallkiosk/township/api/casenum"
	"hallkiosk/township/api/mask"
)

func statusText(s *text.Strings, status string) string {
	switch status {
	case localdb.StatusReceived:
		return s.Tasks.StatusReceived
	case localdb.StatusAccepted:
		return s.Tasks.StatusAccepted
	case localdb.StatusRejected:
		return s.Tasks.StatusRejected
	case localdb.StatusDone:
		return s.Tasks.StatusDone
	}
	return s.Tasks.StatusSubmitted
}

// lookupPage is 办件查询: lay the ID card (that resident's cases) or type a case number.
type lookupPage struct {
	a       *App
	l       *flow.Lookup
	replies []localdb.Message // read once when the page opens, not at every key
}

func newLookupPage(a *App) *lookupPage {
	replies, err := a.d.Service.Replies(3)
	if err != nil {
		a.sh.Log.Error("messages", "err", err)
	}
	return &lookupPage{a: a, l: &flow.Lookup{}, replies: replies}
}

// card finds the cases of the card laid on the reader; laying it works at any moment here.
func (p *lookupPage) card(ev idcard.Event) {
	sh := p.a.sh
	if ev.Err != nil {
		p.l.Problem = devtext.Card(sh.S, ev.Err)
		sh.Refresh()
		return
	}
	cs, err := p.a.d.Service.CasesOf(ev.Card)
	if err != nil {
		sh.Log.Error("lookup by card", "err", err)
	}
	p.l.Found(cs)
	sh.Refresh()
}

// caseCard shows one case, masked, with its status and the township's note.
func (p *lookupPage) caseCard(c localdb.Case) fyne.CanvasObject {
	sh := p.a.sh
	lines := []fyne.CanvasObject{sh.Text(c.Number+"  "+c.ItemName, 1.1, ui.ColPrimary)}
	who := ""
	if c.Person != nil {
		who = mask.Name(c.Person.Name) + "  " + mask.ID(c.Person.IDNumber) + "    "
	}
	lines = append(lines, ui.Para(who+c.CreatedAt.In(sh.Clock.Now().Location()).Format(sh.S.Formats.Date)+"  "+statusText(sh.S, c.Status)))
	if c.Note != "" {
		lines = append(lines, ui.Para(sh.S.Tasks.StatusNote+c.Note))
	}
	return container.NewVBox(append(lines, widget.NewSeparator())...)
}

func (p *lookupPage) Screen() ui.Screen {
	a, sh, t := p.a, p.a.sh, p.a.sh.S.Tasks
	var result fyne.CanvasObject = p.withReplies(ui.Para(t.LookupNumberPrompt))
	switch {
	case p.l.Looked && len(p.l.Cases) == 0:
		result = ui.Para(t.LookupNone)
	case p.l.Looked:
		rows := []fyne.CanvasObject{sh.Text(text.N(t.LookupList, len(p.l.Cases)), 1.1, ui.ColText)}
		for _, c := range p.l.Cases {
			rows = append(rows, p.caseCard(c))
		}
		result = container.NewVScroll(container.NewVBox(rows...))
	}
	loc := sh.Clock.Now().Location()
	shown := p.l.Entry.Shown()
	if shown == "" {
		shown = sh.S.Apply.NothingYet
	}
	pad := sh.Keypad(4, func(k string) { p.l.Entry.Press(k); sh.Refresh() }, func() { p.l.Entry.Back(); sh.Refresh() }, casenum.Keys...)
	search := sh.Button(t.LookupSearch, theme.SearchIcon(), true, func() {
		number, _ := p.l.Number(loc)
		c, ok, err := a.d.Service.Lookup(number)
		if err != nil {
			sh.Log.Error("lookup by number", "err", err)
		}
		var found []localdb.Case
		if ok {
			found = []localdb.Case{c}
		}
		p.l.Found(found)
		sh.Refresh()
	})
	if _, ok := p.l.Number(loc); !ok {
		search.Disable()
	}
	top := []fyne.CanvasObject{sh.Text(shown, 1.5, ui.ColPrimary)}
	if !sh.Elder() {
		top = append([]fyne.CanvasObject{sh.Text(t.LookupByNumber, 1.1, ui.ColText)}, top...)
	}
	left := container.NewBorder(container.NewVBox(top...), nil, nil, nil, pad)
	head := []fyne.CanvasObject{ui.Para(t.LookupByCard + "：" + sh.S.Apply.CardPrompt)}
	switch {
	case !a.hasReader(): // the keypad still works
		head = []fyne.CanvasObject{sh.Text(t.LookupByNumber, 1, ui.ColText)}
	case sh.Elder():
		head = []fyne.CanvasObject{sh.Text(t.LookupByCard+" / "+t.LookupByNumber, 1, ui.ColText)}
	}
	if p.l.Problem != "" {
		head = append(head, ui.Warn(p.l.Problem))
	}
	body := container.NewBorder(container.NewVBox(head...), nil, nil, nil, container.NewGridWithColumns(2, left, result))
	return ui.Screen{Name: ScreenLookup, Title: t.Lookup, Body: body, Next: search}
}

// withReplies lists the latest answers of the village to messages left here (topic, what was
// said, the answer: no phone, no name), under first.
func (p *lookupPage) withReplies(first fyne.CanvasObject) fyne.CanvasObject {
	sh := p.a.sh
	if len(p.replies) == 0 {
		return first
	}
	rows := []fyne.CanvasObject{first, widget.NewSeparator(), sh.Text(sh.S.Tasks.Replies, 1.1, ui.ColText)}
	for _, m := range p.replies {
		rows = append(rows, ui.Para(m.RepliedAt.In(sh.Clock.Now().Location()).Format(sh.S.Formats.MonthDay)+" "+m.Topic+"："+m.Text+"\n"+sh.S.Tasks.Reply+m.Reply))
	}
	return container.NewVScroll(container.NewVBox(rows...))
}

// ticketPage is 取号: pick the business, get a printed number.
type ticketPage struct {
	a *App
	t *flow.Ticket
	// caseNumber is the case the resident takes the number for (to hand in what was missing).
	caseNumber string
}

func newTicketPage(a *App) *ticketPage { return &ticketPage{a: a, t: &flow.Ticket{}} }

func (p *ticketPage) Screen() ui.Screen {
	sh, t := p.a.sh, p.a.sh.S.Tasks
	if p.t.Taken() {
		tk, pr := p.t.Ticket, p.t.Print
		var status fyne.CanvasObject
		switch {
		case pr.Printing:
			status = ui.Para(t.TicketPrinting)
		case pr.Done:
			status = container.NewHBox(ui.Mark(sh.Theme().Size(theme.SizeNameText)*1.5), container.NewCenter(sh.Text(t.TicketPrinted, 1.25, ui.ColText)))
		default:
			status = ui.Warn(strings.ReplaceAll(t.TicketPrintFailed, "{reason}", pr.Problem))
		}
		rows := []fyne.CanvasObject{sh.Text(t.TicketTaken+"："+tk.Business, 1.5, ui.ColText),
			container.NewCenter(sh.Text(tk.Number, 5, ui.ColPrimary)), sh.Text(waitingLine(t.TicketWaiting, t.TicketWaitingUnknown, tk.Waiting), 1.25, ui.ColText), status}
		return ui.Screen{Name: ScreenTicket, Title: t.Ticket, NoBack: true, HomeLabel: sh.S.Apply.Finish,
			Body: container.NewCenter(ui.FixedWidth(1400, container.NewVBox(rows...)))}
	}
	var bs []fyne.CanvasObject
	for _, b := range sh.S.Lists.Businesses {
		b := b
		bs = append(bs, sh.Button(b, nil, false, func() { p.take(b) }))
	}
	head := []fyne.CanvasObject{sh.Text(t.TicketPrompt, 1.5, ui.ColText)}
	if p.t.Problem != "" {
		head = append(head, ui.Warn(p.t.Problem))
	}
	return ui.Screen{Name: ScreenTicket, Title: t.Ticket,
		Body: container.NewBorder(container.NewVBox(head...), nil, nil, nil, container.New(ui.EvenRows{N: len(bs)}, bs...))}
}

func (p *ticketPage) take(business string) {
	sh := p.a.sh
	tk, job, err := p.a.d.Service.TakeTicketFor(business, p.caseNumber)
	if err != nil {
		sh.Log.Error("take ticket", "err", err)
		p.t.Problem = sh.S.Apply.SubmitFailed
		if errors.Is(err, apply.ErrNoTicket) {
			p.t.Problem = sh.S.Tasks.TicketUnavailable
		}
		sh.Refresh()
		return
	}
	p.t.Ticket, p.t.Problem = tk, ""
	p.t.Print.Start()
	sh.Refresh()
	p.a.print(job, nil, p.a.printedSay(p.t.Print.Finish, sh.S.Voice.TakeTicket))
}

// waitingLine says how many wait before the number, or only to listen when that is unknown.
func waitingLine(known, unknown string, n int) string {
	if n < 0 {
		return unknown
	}
	return text.N(known, n)
}

// messagePage is 群众留言: a topic, phrases, an optional phone for the reply.
type messagePage struct {
	a *App
	m *flow.Message
}

func newMessagePage(a *App) *messagePage { return &messagePage{a: a, m: &flow.Message{}} }

func (p *messagePage) back() {
	if p.m.Back() {
		p.a.sh.Refresh()
		return
	}
	p.a.sh.Back()
}

func (p *messagePage) Screen() ui.Screen {
	sh, t := p.a.sh, p.a.sh.S.Tasks
	switch {
	case p.m.Topic == "":
		var bs []fyne.CanvasObject
		for _, tp := range sh.S.Lists.Topics {
			tp := tp
			bs = append(bs, sh.Button(tp, nil, false, func() { p.m.PickTopic(tp); sh.Refresh() }))
		}
		return ui.Screen{Name: ScreenMessage, Title: t.Message, Back: p.back,
			Body: container.NewBorder(sh.Text(t.MessageTopic, 1.5, ui.ColText), nil, nil, nil, ui.PickList(bs))}
	case !p.m.AskPhone:
		var bs []fyne.CanvasObject
		for _, ph := range sh.S.Lists.Phrases {
			ph := ph
			bs = append(bs, sh.Pick(ph, p.m.Picked(ph), func() { p.m.TogglePhrase(ph); sh.Refresh() }))
		}
		next := sh.Button(sh.S.Apply.NextStep, theme.NavigateNextIcon(), true, func() { p.m.ToPhone(); sh.Refresh() })
		if !p.m.CanGoOn() {
			next.Disable()
		}
		head := sh.Text(p.m.Topic+"："+t.MessagePhrases, 1.25, ui.ColText)
		return ui.Screen{Name: ScreenMessage, Title: t.Message, Back: p.back, Next: next,
			Body: container.NewBorder(head, nil, nil, nil, ui.PickList(bs))}
	}
	shown := p.m.Phone
	if shown == "" {
		shown = sh.S.Apply.NothingYet
	}
	pad := sh.Keypad(3, func(k string) {
		if k == sh.S.Apply.KeypadClear {
			p.m.Phone = ""
		} else {
			p.m.Digit(k)
		}
		sh.Refresh()
	}, func() { p.m.Delete(); sh.Refresh() }, sh.S.Apply.KeypadClear)
	sendWith := sh.Button(t.MessageSend, theme.ConfirmIcon(), true, func() { p.send(p.m.Phone) })
	if p.m.Phone == "" {
		sendWith.Disable()
	}
	skip := sh.Button(t.MessageSkipPhone, nil, false, func() { p.send("") })
	left := []fyne.CanvasObject{ui.Para(t.MessagePhone), sh.Text(shown, 1.5, ui.ColPrimary)}
	if p.m.Problem != "" {
		left = append(left, ui.Warn(p.m.Problem))
	}
	left = append(left, skip)
	return ui.Screen{Name: ScreenMessage, Title: t.Message, Back: p.back, Next: sendWith,
		Body: container.NewGridWithColumns(2, container.NewVBox(left...), pad)}
}

func (p *messagePage) send(phone string) {
	sh := p.a.sh
	if _, err := p.a.d.Service.LeaveMessage(p.m.Topic, p.m.Phrases, phone); err != nil {
		sh.Log.Info("message refused", "err", err)
		p.m.Problem = err.Error()
		sh.Refresh()
		return
	}
	sh.Replace(thanks(p.a, sh.S.Tasks.MessageThanks))
}

// pollPage lists open polls to vote in (card first: one vote per resident) and results of
// closed ones.
type pollPage struct {
	a *App
	p *flow.Poll
}

func (p *pollPage) wipe() { p.p.Back() }

func (p *lookupPage) wipe() { p.l.Cases = nil; p.l.Entry.Clear() }

func (p *messagePage) wipe() { p.m.Phone = "" }

func newPollPage(a *App) *pollPage { return &pollPage{a: a, p: &flow.Poll{}} }

func (p *pollPage) back() {
	if p.p.Back() {
		p.a.sh.Refresh()
		return
	}
	p.a.sh.Back()
}

// card takes the voter's card while a poll is open on screen.
func (p *pollPage) card(ev idcard.Event) {
	sh := p.a.sh
	if p.p.ID == "" || p.p.Voter() != nil {
		return
	}
	if ev.Err != nil {
		p.p.Problem = devtext.Card(sh.S, ev.Err)
	} else {
		p.p.Card(sh.S, ev.Card, sh.Clock.Now())
	}
	sh.Refresh()
}

func (p *pollPage) Screen() ui.Screen {
	a, sh, t := p.a, p.a.sh, p.a.sh.S.Tasks
	open, closed, err := a.d.Service.Polls()
	if err != nil {
		sh.Log.Error("polls", "err", err)
	}
	if p.p.ID != "" {
		for _, q := range open {
			if q.ID == p.p.ID {
				return p.pollScreen(q)
			}
		}
		p.p.Back() // the poll closed meanwhile: back to the list
	}
	var rows []fyne.CanvasObject
	if len(open) == 0 {
		rows = append(rows, ui.Para(t.PollNone))
	} else {
		rows = append(rows, sh.Text(t.PollOpen, 1.25, ui.ColText))
		for _, q := range open {
			q := q
			until := t.PollUntil + q.ClosesAt.In(sh.Clock.Now().Location()).Format(sh.S.Formats.DateTime)
			rows = append(rows, sh.Tile(q.Title, false, nil, []string{until}, func() { p.p.Pick(q.ID); sh.Refresh() }))
		}
	}
	if len(closed) > 0 {
		rows = append(rows, sh.Text(t.PollClosed, 1.25, ui.ColText))
		for _, q := range closed {
			res := q.Results
			if len(res) == 0 {
				res, _ = a.d.Service.Tally(q.ID)
			}
			var parts []string
			for _, o := range q.Options {
				parts = append(parts, strings.ReplaceAll(text.N(t.PollResult, res[o]), "{option}", o))
			}
			rows = append(rows, ui.Para(q.Title+"："+strings.Join(parts, "，")))
		}
	}
	return ui.Screen{Name: ScreenPoll, Title: t.Poll, Body: container.NewVScroll(container.NewVBox(rows...))}
}

func (p *pollPage) pollScreen(q localdb.Poll) ui.Screen {
	a, sh, t := p.a, p.a.sh, p.a.sh.S.Tasks
	head := []fyne.CanvasObject{sh.Text(q.Title, 1.5, ui.ColPrimary)}
	if q.Body != "" {
		head = append(head, ui.Para(q.Body))
	}
	if p.p.Problem != "" {
		head = append(head, ui.Warn(p.p.Problem))
	}
	voter := p.p.Voter()
	if voter == nil {
		if !a.hasReader() {
			head = append(head, ui.Warn(sh.S.Apply.CardNoReader))
		} else {
			head = append(head, sh.Text(t.PollCard, 1.25, ui.ColText), container.NewCenter(sh.Text("▼", 4, ui.ColPrimary)))
		}
		return ui.Screen{Name: ScreenPoll, Title: t.Poll, Back: p.back, Body: container.NewVBox(head...)}
	}
	head = append(head, sh.Text(sh.S.Apply.Applicant+"："+mask.Name(apply.HolderName(*voter))+"   "+mask.ID(voter.IDNumber), 1, ui.ColText),
		sh.Text(t.PollChoose, 1.25, ui.ColText))
	var bs []fyne.CanvasObject
	for _, o := range q.Options {
		o := o
		bs = append(bs, sh.Button(o, nil, false, func() {
			err := a.d.Service.Vote(q.ID, *voter, o)
			switch {
			case errors.Is(err, apply.ErrAlreadyVoted):
				sh.Replace(thanks(a, t.PollAlready))
			case errors.Is(err, apply.ErrNoVoteKey):
				sh.Log.Error("vote", "err", err)
				p.p.Problem = t.PollUnavailable
				sh.Refresh()
			case err != nil:
				sh.Log.Error("vote", "err", err)
				p.p.Problem = sh.S.Apply.SubmitFailed
				sh.Refresh()
			default:
				sh.Replace(thanks(a, t.PollThanks))
			}
		}))
	}
	return ui.Screen{Name: ScreenPoll, Title: t.Poll, Back: p.back,
		Body: container.NewBorder(container.NewVBox(head...), nil, nil, nil, ui.PickList(bs))}
}
