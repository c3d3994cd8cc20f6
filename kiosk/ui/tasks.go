package ui

import (
	"context"
	"errors"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/devtext"
	"hallkiosk/kiosk/text"
	"hallkiosk/localdb"
	"hallkiosk/township/api/mask"
)

// Screens of the other self-service tasks.
const (
	ScreenLookup  = "lookup"
	ScreenTicket  = "ticket"
	ScreenMessage = "message"
	ScreenPoll    = "poll"
)

// taskState is what the task screens have picked so far; wiped with the session.
type taskState struct {
	topic   string
	phrases []string
	askTel  bool
	poll    string
	cases   []localdb.Case
	looked  bool
	ticket  localdb.Ticket
}

// taskTiles are the home screen's tiles for the tasks beside applying.
func (u *UI) taskTiles() []fyne.CanvasObject {
	t := u.s.Tasks
	tile := func(title, hint string, show func()) fyne.CanvasObject {
		lines := []string{hint}
		if u.theme.Elder {
			lines = nil
		}
		return u.tile(title, true, lines, func() { u.wipe(); u.task = taskState{}; u.push(); show() })
	}
	return []fyne.CanvasObject{
		tile(t.Lookup, t.LookupHint, u.ShowLookup),
		tile(t.Ticket, t.TicketHint, u.ShowTicket),
		tile(t.Message, t.MessageHint, u.ShowMessage),
		tile(t.Poll, t.PollHint, u.ShowPolls),
	}
}

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

// caseCard shows one case, masked, with its status and the township's note.
func (u *UI) caseCard(c localdb.Case) fyne.CanvasObject {
	t := u.s.Tasks
	lines := []fyne.CanvasObject{u.text(c.Number+"  "+c.ItemName, 1.1, colPrimary)}
	who := ""
	if c.Person != nil {
		who = mask.Name(c.Person.Name) + "  " + mask.ID(c.Person.IDNumber) + "    "
	}
	lines = append(lines, para(who+c.CreatedAt.In(u.d.Clock.Now().Location()).Format("2006年01月02日")+"  "+statusText(u.s, c.Status)))
	if c.Note != "" {
		lines = append(lines, para(t.StatusNote+c.Note))
	}
	return container.NewVBox(append(lines, widget.NewSeparator())...)
}

// ShowLookup is 办件查询: by laying the ID card (that resident's cases) or by typing a case number.
func (u *UI) ShowLookup() {
	t := u.s.Tasks
	render := func() { u.ShowLookup() }
	var result fyne.CanvasObject = u.replies(para(t.LookupNumberPrompt))
	switch {
	case u.task.looked && len(u.task.cases) == 0:
		result = para(t.LookupNone)
	case u.task.looked:
		var rows []fyne.CanvasObject
		rows = append(rows, u.text(text.N(t.LookupList, len(u.task.cases)), 1.1, colText))
		for _, c := range u.task.cases {
			rows = append(rows, u.caseCard(c))
		}
		result = container.NewVScroll(container.NewVBox(rows...))
	}
	// Laying the card works at any moment on this screen.
	u.onCard = func(ev idcard.Event) {
		if ev.Err != nil {
			u.problem = cardErrText(u.s, ev.Err)
			render()
			return
		}
		cs, err := u.d.Apply.CasesOf(ev.Card)
		if err != nil {
			u.d.Log.Error("lookup by card", "err", err)
		}
		u.task.cases, u.task.looked = cs, true
		render()
	}
	shown := formatCaseNumber(u.keypad)
	if shown == "" {
		shown = u.s.Apply.NothingYet
	}
	pad := u.digitPad(12, render)
	search := u.button(t.LookupSearch, theme.SearchIcon(), true, func() {
		c, ok, err := u.d.Apply.Lookup(formatCaseNumber(u.keypad))
		if err != nil {
			u.d.Log.Error("lookup by number", "err", err)
		}
		u.task.cases, u.task.looked = nil, true
		if ok {
			u.task.cases = []localdb.Case{c}
		}
		render()
	})
	if len(u.keypad) != 12 {
		search.Disable()
	}
	top := []fyne.CanvasObject{u.text(shown, 1.5, colPrimary)}
	if !u.theme.Elder {
		top = append([]fyne.CanvasObject{u.text(t.LookupByNumber, 1.1, colText)}, top...)
	}
	left := container.NewBorder(container.NewVBox(top...), nil, nil, nil, pad)
	u.next = search
	head := []fyne.CanvasObject{para(t.LookupByCard + "：" + u.s.Apply.CardPrompt)}
	switch {
	case u.d.NoCardReader: // the keypad still works
		head = []fyne.CanvasObject{u.text(t.LookupByNumber, 1, colText)}
	case u.theme.Elder:
		head = []fyne.CanvasObject{u.text(t.LookupByCard+" / "+t.LookupByNumber, 1, colText)}
	}
	head = append(head, u.takeProblem()...)
	body := container.NewBorder(container.NewVBox(head...), nil, nil, nil, container.NewGridWithColumns(2, left, result))
	u.show(ScreenLookup, t.Lookup, body, render)
}

// replies lists the latest answers of the village to messages left here (topic, what was said,
// the answer: no phone, no name), under first.
func (u *UI) replies(first fyne.CanvasObject) fyne.CanvasObject {
	ms, err := u.d.Apply.DB.Messages()
	if err != nil {
		u.d.Log.Error("messages", "err", err)
	}
	var answered []localdb.Message
	for _, m := range ms {
		if m.Reply != "" {
			answered = append(answered, m)
		}
	}
	if len(answered) == 0 {
		return first
	}
	sort.Slice(answered, func(i, j int) bool { return answered[i].RepliedAt.After(answered[j].RepliedAt) })
	rows := []fyne.CanvasObject{first, widget.NewSeparator(), u.text(u.s.Tasks.Replies, 1.1, colText)}
	for _, m := range answered[:min(3, len(answered))] {
		rows = append(rows, para(m.RepliedAt.In(u.d.Clock.Now().Location()).Format("01月02日")+" "+m.Topic+"："+m.Text+"\n"+u.s.Tasks.Reply+m.Reply))
	}
	return container.NewVScroll(container.NewVBox(rows...))
}

// digitPad is the keypad typing into u.keypad, at most max digits, redrawing after each key.
func (u *UI) digitPad(max int, redraw func()) fyne.CanvasObject {
	return u.keypadGrid(func(d string) {
		if len(u.keypad) < max {
			u.keypad += d
			redraw()
		}
	}, func() {
		if u.keypad != "" {
			u.keypad = u.keypad[:len(u.keypad)-1]
			redraw()
		}
	}, func() { u.keypad = ""; redraw() })
}

// formatCaseNumber turns the 12 digits typed on the keypad into 260302-K007-001.
func formatCaseNumber(digits string) string {
	switch {
	case len(digits) <= 6:
		return digits
	case len(digits) <= 9:
		return digits[:6] + "-K" + digits[6:]
	default:
		return digits[:6] + "-K" + digits[6:9] + "-" + digits[9:]
	}
}

func cardErrText(s *text.Strings, err error) string {
	var se *idcard.StatusError
	if errors.As(err, &se) {
		return devtext.Card(s, err)
	}
	return s.Apply.CardRetry
}

// ShowTicket is 取号: pick the business, get a printed number.
func (u *UI) ShowTicket() {
	t := u.s.Tasks
	render := func() { u.ShowTicket() }
	if u.task.ticket.Number != "" {
		tk := u.task.ticket
		rows := []fyne.CanvasObject{u.text(t.TicketTaken+"："+tk.Business, 1.5, colText),
			container.NewCenter(u.text(tk.Number, 5, colPrimary)), u.text(text.N(t.TicketWaiting, tk.Waiting), 1.25, colText)}
		if u.problem != "" {
			rows = append(rows, warn(strings.ReplaceAll(t.TicketPrintFailed, "{reason}", u.problem)))
		}
		u.next = u.button(u.s.Apply.Finish, theme.HomeIcon(), true, u.goHome)
		u.show(ScreenTicket, t.Ticket, container.NewCenter(container.NewVBox(rows...)), render)
		return
	}
	var bs []fyne.CanvasObject
	for _, b := range u.s.Lists.Businesses {
		b := b
		bs = append(bs, u.button(b, nil, false, func() {
			tk, job, err := u.d.Apply.TakeTicket(b)
			if err != nil {
				u.d.Log.Error("take ticket", "err", err)
				u.problem = u.s.Apply.SubmitFailed
				render()
				return
			}
			u.task.ticket = tk
			u.problem = ""
			var pe *apply.PrintError
			if err := u.d.Apply.Print(context.Background(), job); errors.As(err, &pe) {
				u.problem = pe.Resident
			}
			render()
		}))
	}
	head := []fyne.CanvasObject{u.text(t.TicketPrompt, 1.5, colText)}
	head = append(head, u.takeProblem()...)
	u.show(ScreenTicket, t.Ticket, container.NewBorder(container.NewVBox(head...), nil, nil, nil, container.New(evenRows{n: len(bs)}, bs...)), render)
}

// ShowMessage is 群众留言: a topic, phrases, an optional phone for the reply.
func (u *UI) ShowMessage() {
	t := u.s.Tasks
	render := func() { u.ShowMessage() }
	switch {
	case u.task.topic == "":
		var bs []fyne.CanvasObject
		for _, tp := range u.s.Lists.Topics {
			tp := tp
			bs = append(bs, u.button(tp, nil, false, func() { u.task.topic = tp; render() }))
		}
		u.show(ScreenMessage, t.Message, container.NewBorder(u.text(t.MessageTopic, 1.5, colText), nil, nil, nil, u.choiceGrid(bs)), render)
	case !u.task.askTel:
		var bs []fyne.CanvasObject
		for _, p := range u.s.Lists.Phrases {
			bs = append(bs, u.pick(p, containsStr(u.task.phrases, p), func() { u.task.phrases = toggleStr(u.task.phrases, p); render() }))
		}
		next := u.button(u.s.Apply.NextStep, theme.NavigateNextIcon(), true, func() { u.task.askTel = true; u.keypad = ""; render() })
		if len(u.task.phrases) == 0 {
			next.Disable()
		}
		head := container.NewVBox(u.text(u.task.topic+"："+t.MessagePhrases, 1.25, colText))
		u.next = next
		u.show(ScreenMessage, t.Message, container.NewBorder(head, nil, nil, nil, u.choiceGrid(bs)), render)
	default:
		send := func(phone string) func() {
			return func() {
				if _, err := u.d.Apply.LeaveMessage(u.task.topic, u.task.phrases, phone); err != nil {
					u.problem = err.Error()
					render()
					return
				}
				u.showThanks(t.MessageThanks)
			}
		}
		shown := u.keypad
		if shown == "" {
			shown = u.s.Apply.NothingYet
		}
		pad := u.digitPad(12, render)
		sendWith := u.button(t.MessageSend, theme.ConfirmIcon(), true, send(u.keypad))
		if u.keypad == "" {
			sendWith.Disable()
		}
		skip := u.button(t.MessageSkipPhone, nil, false, send(""))
		left := []fyne.CanvasObject{para(t.MessagePhone), u.text(shown, 1.5, colPrimary)}
		left = append(left, u.takeProblem()...)
		left = append(left, skip)
		u.next = sendWith
		u.show(ScreenMessage, t.Message, container.NewGridWithColumns(2, container.NewVBox(left...), pad), render)
	}
}

// ShowPolls lists open polls to vote in (card first: one vote per resident) and results of closed ones.
func (u *UI) ShowPolls() {
	t := u.s.Tasks
	render := func() { u.ShowPolls() }
	open, closed, err := u.d.Apply.Polls()
	if err != nil {
		u.d.Log.Error("polls", "err", err)
	}
	if u.task.poll != "" {
		u.showPoll(u.task.poll, open)
		return
	}
	var rows []fyne.CanvasObject
	if len(open) == 0 {
		rows = append(rows, para(t.PollNone))
	} else {
		rows = append(rows, u.text(t.PollOpen, 1.25, colText))
		for _, p := range open {
			p := p
			rows = append(rows, u.tile(p.Title, false, []string{t.PollUntil + p.ClosesAt.In(u.d.Clock.Now().Location()).Format("2006年01月02日 15:04")},
				func() { u.task.poll = p.ID; render() }))
		}
	}
	if len(closed) > 0 {
		rows = append(rows, u.text(t.PollClosed, 1.25, colText))
		for _, p := range closed {
			res := p.Results
			if len(res) == 0 {
				res, _ = u.d.Apply.DB.Tally(p.ID)
			}
			var parts []string
			for _, o := range p.Options {
				parts = append(parts, strings.ReplaceAll(text.N(t.PollResult, res[o]), "{option}", o))
			}
			rows = append(rows, para(p.Title+"："+strings.Join(parts, "，")))
		}
	}
	u.show(ScreenPoll, t.Poll, container.NewVScroll(container.NewVBox(rows...)), render)
}

func (u *UI) showPoll(id string, open []localdb.Poll) {
	t := u.s.Tasks
	render := func() { u.ShowPolls() }
	var p localdb.Poll
	for _, q := range open {
		if q.ID == id {
			p = q
		}
	}
	if p.ID == "" {
		u.task.poll = ""
		render()
		return
	}
	head := []fyne.CanvasObject{u.text(p.Title, 1.5, colPrimary)}
	if p.Body != "" {
		head = append(head, para(p.Body))
	}
	head = append(head, u.takeProblem()...)
	if u.sess == nil || u.sess.Card() == nil {
		u.onCard = func(ev idcard.Event) {
			if ev.Err != nil {
				u.problem = cardErrText(u.s, ev.Err)
			} else if prob := apply.CardProblem(u.s, ev.Card, u.d.Clock.Now()); prob != "" {
				u.problem = prob
			} else {
				u.sess = apply.NewSession("")
				u.sess.SetCard(ev.Card)
				u.onCard = nil
			}
			render()
		}
		if u.d.NoCardReader {
			head = append(head, warn(u.s.Apply.CardNoReader))
		} else {
			head = append(head, u.text(t.PollCard, 1.25, colText), container.NewCenter(u.text("▼", 4, colPrimary)))
		}
		u.show(ScreenPoll, t.Poll, container.NewVBox(head...), render)
		return
	}
	head = append(head, u.applicantLine(), u.text(t.PollChoose, 1.25, colText))
	var bs []fyne.CanvasObject
	for _, o := range p.Options {
		o := o
		bs = append(bs, u.button(o, nil, false, func() {
			err := u.d.Apply.Vote(p.ID, *u.sess.Card(), o)
			switch {
			case errors.Is(err, apply.ErrAlreadyVoted):
				u.showThanks(t.PollAlready)
			case err != nil:
				u.d.Log.Error("vote", "err", err)
				u.problem = u.s.Apply.SubmitFailed
				render()
			default:
				u.showThanks(t.PollThanks)
			}
		}))
	}
	u.show(ScreenPoll, t.Poll, container.NewBorder(container.NewVBox(head...), nil, nil, nil, u.choiceGrid(bs)), render)
}
