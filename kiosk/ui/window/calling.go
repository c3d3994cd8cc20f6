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

	"hallkiosk/kiosk/queue"
	"hallkiosk/kiosk/queue/hall"
	"hallkiosk/kiosk/ui"
)

// queuePage is the window's calling panel: who is being served here, the actions on them, and
// how many wait for what.
type queuePage struct {
	a          *App
	problem    string
	toWindow   string
	toBusiness string
	back       *widget.Entry // the number that came back after 过号
}

func (p *queuePage) mine() queue.WindowFigures {
	for _, w := range p.a.st.Windows {
		if w.Window == p.a.d.Window {
			return w
		}
	}
	return queue.WindowFigures{Window: p.a.d.Window}
}

func (p *queuePage) Screen() ui.Screen {
	a, sh, d := p.a, p.a.sh, p.a.sh.S.Desk
	title := d.NavQueue + " · " + fmt.Sprintf(d.WindowN, a.d.Window)
	if a.d.Queue == nil {
		return ui.Screen{Name: ScreenQueue, Title: title, Bare: true, Right: a.titleRight(ScreenQueue),
			Body: container.NewCenter(container.NewVBox(ui.Warn(d.NoQueue), ui.Para(d.NavLater)))}
	}
	if p.back == nil {
		p.back = widget.NewEntry()
		p.back.SetPlaceHolder(d.ReturnedHint)
		p.back.OnSubmitted = func(string) { p.returned() }
	}
	me := p.mine()
	var left []fyne.CanvasObject
	if !a.live {
		left = append(left, ui.Warn(d.QueueAway))
	}
	if me.Paused {
		left = append(left, ui.Warn(d.Paused))
	}
	if cur := me.Current; cur != nil {
		left = append(left, ui.Para(d.Serving), sh.Text(cur.Number, 4, ui.ColPrimary), ui.Para(cur.Business))
		if cur.Case != "" && a.d.Intake != nil { // the resident applied at a kiosk: their case is a click away
			number := cur.Case
			left = append(left, container.NewBorder(nil, nil, nil,
				sh.Button(sh.S.Intake.OpenCase, nil, false, func() { a.d.Desk.Touch(); a.findCase(number) }),
				widget.NewLabel(fmt.Sprintf(sh.S.Intake.TicketCase, number))))
		}
	} else {
		left = append(left, ui.Para(d.ServingNone), sh.Text("—", 4, ui.ColPrimary))
	}
	has := me.Current != nil
	call := sh.Button(d.CallNext, nil, true, p.callNext)
	recall := sh.Button(d.Recall, nil, false, p.act("queue.recall", a.d.Queue.Recall))
	miss := sh.Button(d.Miss, nil, false, p.act("queue.miss", a.d.Queue.Miss))
	finish := sh.Button(d.Finish, nil, false, p.act("queue.finish", a.d.Queue.Finish))
	for _, b := range []*widget.Button{recall, miss, finish} {
		if !has {
			b.Disable()
		}
	}
	pauseLabel := d.Pause
	if me.Paused {
		pauseLabel = d.Resume
	}
	pause := sh.Button(pauseLabel, nil, false, p.pause(!me.Paused))
	left = append(left, container.NewGridWithColumns(2, call, recall, miss, finish))

	// 转窗口 / 转业务
	var others []string
	for _, w := range a.d.Windows {
		if w != a.d.Window {
			others = append(others, fmt.Sprintf(d.WindowN, w))
		}
	}
	toW := widget.NewSelect(others, func(s string) { p.toWindow = s })
	toW.PlaceHolder = d.ToWindow
	toW.Selected = p.toWindow
	var businesses []string
	for _, b := range a.st.Businesses {
		businesses = append(businesses, b.Business)
	}
	toB := widget.NewSelect(businesses, func(s string) { p.toBusiness = s })
	toB.PlaceHolder = d.ToBusiness
	toB.Selected = p.toBusiness
	transfer := sh.Button(d.Transfer, nil, false, p.transfer)
	if !has {
		transfer.Disable()
	}
	left = append(left, widget.NewSeparator(), container.NewGridWithColumns(3, toW, toB, transfer), pause)
	if p.problem != "" {
		left = append(left, ui.Warn(p.problem))
	}

	// The figures of every business and of this window, the 过号 return, the recent calls.
	var right []fyne.CanvasObject
	for _, b := range a.st.Businesses {
		line := fmt.Sprintf("%s %s   %s", b.Prefix, b.Business, fmt.Sprintf(d.Waiting, b.Waiting))
		if b.Waiting > 0 {
			line += "   " + fmt.Sprintf(d.Oldest, p.duration(b.OldestWaitSeconds))
		}
		if b.Served > 0 {
			line += "   " + fmt.Sprintf(d.Average, p.duration(b.AverageServiceSeconds))
		}
		right = append(right, widget.NewLabel(line))
	}
	mineLine := fmt.Sprintf(d.WindowN, a.d.Window) + "   " + fmt.Sprintf(d.Served, me.Served)
	if me.Served > 0 {
		mineLine += "   " + fmt.Sprintf(d.Average, p.duration(me.AverageServiceSeconds))
	}
	right = append(right, widget.NewSeparator(), ui.Para(mineLine), widget.NewSeparator(),
		container.NewBorder(nil, nil, nil, sh.Button(d.Returned, nil, false, p.returned), p.back),
		widget.NewSeparator(), ui.Para(d.Recent))
	recent := slices.Clone(a.st.Recent)
	slices.Reverse(recent)
	for _, c := range recent[:min(6, len(recent))] {
		right = append(right, widget.NewLabel(fmt.Sprintf("%s  %s → %s", c.At.In(time.Local).Format("15:04"), c.Number, fmt.Sprintf(d.WindowN, c.Window))))
	}
	body := container.NewGridWithColumns(2,
		container.NewVBox(left...),
		container.NewVScroll(container.NewVBox(right...)))
	return ui.Screen{Name: ScreenQueue, Title: title, Bare: true, Right: a.titleRight(ScreenQueue), Body: body}
}

// duration words seconds as minutes (or seconds under a minute).
func (p *queuePage) duration(secs float64) string {
	d := p.a.sh.S.Desk
	if secs < 60 {
		return fmt.Sprintf(d.Seconds, int(secs))
	}
	return fmt.Sprintf(d.Minutes, int(secs/60+0.5))
}

// queueError words a refused queue action, naming the ticket where there is one.
func (p *queuePage) queueError(err error, number string) string {
	d := p.a.sh.S.Desk
	var nb *hall.RefusedError
	switch {
	case errors.Is(err, queue.ErrNobodyWaiting):
		return d.Nobody
	case errors.Is(err, queue.ErrPaused):
		return d.Paused
	case errors.Is(err, queue.ErrNoCurrent):
		return d.ServingNone
	case errors.Is(err, queue.ErrNoTicket):
		return fmt.Sprintf(d.NoTicket, number)
	case errors.Is(err, queue.ErrNotMissed):
		return fmt.Sprintf(d.NotMissed, number)
	case errors.As(err, &nb):
		return d.Failed
	}
	return d.QueueAway
}

// done finishes an action: the problem (or none), and the state fetched again so the panel shows
// it even before the event stream brings it.
func (p *queuePage) done(action, number string, err error) {
	if err != nil {
		p.a.sh.Log.Info("queue action refused", "action", action, "window", p.a.d.Window, "err", err)
		p.problem = p.queueError(err, number)
		p.a.refreshIf(ScreenQueue)
		return
	}
	p.problem = ""
	p.a.audit(action, number)
	var st queue.State
	p.a.run(func(ctx context.Context) (err error) {
		st, err = p.a.d.Queue.State(ctx)
		return err
	}, func(err error) {
		if err == nil {
			p.a.st = st
		}
		p.a.refreshIf(ScreenQueue)
	})
}

func (p *queuePage) callNext() {
	var t queue.Ticket
	p.a.run(func(ctx context.Context) (err error) {
		t, err = p.a.d.Queue.CallNext(ctx, p.a.d.Window, nil)
		return err
	}, func(err error) { p.done("queue.call", t.Number, err) })
}

func (p *queuePage) act(action string, f func(context.Context, string) (queue.Ticket, error)) func() {
	return func() {
		var t queue.Ticket
		p.a.run(func(ctx context.Context) (err error) {
			t, err = f(ctx, p.a.d.Window)
			return err
		}, func(err error) { p.done(action, t.Number, err) })
	}
}

func (p *queuePage) pause(on bool) func() {
	return func() {
		action := "queue.pause"
		if !on {
			action = "queue.resume"
		}
		p.a.run(func(ctx context.Context) error {
			return p.a.d.Queue.Pause(ctx, p.a.d.Window, on)
		}, func(err error) { p.done(action, "", err) })
	}
}

func (p *queuePage) transfer() {
	toWindow := ""
	for _, w := range p.a.d.Windows {
		if p.toWindow == fmt.Sprintf(p.a.sh.S.Desk.WindowN, w) {
			toWindow = w
		}
	}
	if toWindow == "" && p.toBusiness == "" {
		p.problem = fmt.Sprintf(p.a.sh.S.Desk.Missing, p.a.sh.S.Desk.ToWindow+" / "+p.a.sh.S.Desk.ToBusiness)
		p.a.sh.Refresh()
		return
	}
	toBusiness := p.toBusiness
	var t queue.Ticket
	p.a.run(func(ctx context.Context) (err error) {
		t, err = p.a.d.Queue.Transfer(ctx, p.a.d.Window, toWindow, toBusiness)
		return err
	}, func(err error) {
		if err == nil {
			p.toWindow, p.toBusiness = "", ""
		}
		p.done("queue.transfer", t.Number, err)
	})
}

func (p *queuePage) returned() {
	number := strings.ToUpper(strings.TrimSpace(p.back.Text))
	if number == "" {
		p.problem = fmt.Sprintf(p.a.sh.S.Desk.Missing, p.a.sh.S.Desk.ReturnedHint)
		p.a.sh.Refresh()
		return
	}
	p.a.run(func(ctx context.Context) error {
		_, err := p.a.d.Queue.Returned(ctx, number)
		return err
	}, func(err error) {
		if err == nil {
			p.back.SetText("")
		}
		p.done("queue.returned", number, err)
	})
}
