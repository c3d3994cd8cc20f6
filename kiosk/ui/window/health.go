package window

import (
	"context"
	"fmt"
	"time"

	"hallkiosk/drivers/idcard"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/kiosk/devtext"
	"hallkiosk/kiosk/health"
	"hallkiosk/kiosk/staff"
	"hallkiosk/kiosk/ui"
	"hallkiosk/kiosk/upload"
)

// Health is the devices' and uploads' state as the window shows it (*health.Source is one).
type Health interface {
	Read(ctx context.Context) (health.Report, error)
	Requeue(seq uint64, by string) error
}

// healthPage is 设备与上传: the upload queue, what the township refused (with 重新上传 for the
// station head and the technician), the store's size against its cap, the printer.
type healthPage struct {
	a      *App
	r      *health.Report
	note   string
	loaded bool
}

func newHealthPage(a *App) *healthPage {
	p := &healthPage{a: a}
	p.load()
	return p
}

// load reads the state off the UI goroutine (the printer may take a second to answer).
func (p *healthPage) load() {
	a := p.a
	if a.d.Health == nil {
		return
	}
	var r health.Report
	a.run(func(ctx context.Context) error {
		var err error
		r, err = a.d.Health.Read(ctx)
		return err
	}, func(err error) {
		p.loaded = true
		if err != nil {
			a.sh.Log.Error("health panel", "err", err)
			p.note = a.sh.S.Desk.Failed
		} else {
			p.r = &r
		}
		a.refreshIf(ScreenHealth)
	})
}

func (p *healthPage) Screen() ui.Screen {
	a, sh, t := p.a, p.a.sh, p.a.sh.S.Health
	rows := []fyne.CanvasObject{}
	if p.note != "" {
		rows = append(rows, ui.Warn(p.note))
	}
	if r := p.r; r != nil {
		when := func(at time.Time) string {
			if at.IsZero() {
				return t.Never
			}
			return at.In(time.Local).Format(sh.S.Formats.DateTime)
		}
		rows = append(rows, ui.Para(t.Upload))
		if !r.Enrolled {
			rows = append(rows, ui.Warn(t.NotEnrolled))
		} else {
			state := map[string]string{upload.StateIdle: t.StateIdle, upload.StateSending: t.StateSending,
				upload.StateOffline: t.StateOffline, upload.StateStopped: t.StateStopped}[r.Upload.State]
			if state == "" {
				state = t.StateIdle
			}
			if r.Upload.State == upload.StateOffline || r.Upload.State == upload.StateStopped {
				rows = append(rows, ui.Warn(state))
			} else {
				rows = append(rows, widget.NewLabel(state))
			}
		}
		line := fmt.Sprintf(t.Depth, r.Queue.Depth)
		if r.Queue.Depth > 0 {
			line += "   " + fmt.Sprintf(t.Oldest, when(r.Queue.Oldest))
		}
		rows = append(rows, widget.NewLabel(line), widget.NewLabel(fmt.Sprintf(t.LastSuccess, when(r.Queue.LastSuccess))))
		msg := r.Upload.LastError // the loop's, else the last one the store kept
		if msg == "" {
			msg = r.Queue.LastError
		}
		if msg != "" {
			l := widget.NewLabel(fmt.Sprintf(t.LastError, msg))
			l.Wrapping = fyne.TextWrapWord
			rows = append(rows, l)
		}
		rows = append(rows, widget.NewSeparator(), ui.Para(fmt.Sprintf(t.Quarantine, len(r.Quarantine))))
		s, _ := a.d.Desk.Current()
		mayRequeue := s.Role == staff.RoleHead || s.Role == staff.RoleTechnician
		for _, q := range r.Quarantine {
			l := widget.NewLabel(fmt.Sprintf("%s  %s  %s", p.kindName(q.Kind), when(q.CreatedAt), q.Reason))
			l.Wrapping = fyne.TextWrapWord
			b := sh.Button(t.Requeue, nil, false, func() { p.requeue(q.Seq) })
			if !mayRequeue {
				b.Disable()
			}
			rows = append(rows, container.NewBorder(nil, nil, nil, b, l))
		}
		if len(r.Quarantine) > 0 && !mayRequeue {
			rows = append(rows, widget.NewLabel(t.RequeueRole))
		}
		limit := t.NoCap
		if r.Usage.Cap > 0 {
			limit = megabytes(r.Usage.Cap)
		}
		rows = append(rows, widget.NewSeparator(), widget.NewLabel(fmt.Sprintf(t.Store, megabytes(r.Usage.Bytes), limit)))
		if r.Usage.Alarm {
			rows = append(rows, ui.Warn(t.StoreFull))
		}
		switch {
		case !r.HasReader:
			rows = append(rows, widget.NewLabel(t.Reader+t.NoReader))
		case r.Reader == idcard.ReaderReady:
			rows = append(rows, widget.NewLabel(t.Reader+t.ReaderReady))
		case r.Reader == idcard.ReaderStarting:
			rows = append(rows, widget.NewLabel(t.Reader+t.ReaderStarting))
		case r.Reader == idcard.ReaderFault:
			rows = append(rows, ui.Warn(t.Reader+t.ReaderFault))
		default:
			rows = append(rows, ui.Warn(t.Reader+t.ReaderAbsent))
		}
		switch {
		case !r.HasPrinter:
			rows = append(rows, widget.NewLabel(t.Printer+t.NoPrinter))
		case r.PrinterErr != nil:
			rows = append(rows, ui.Warn(t.Printer+sh.S.Devices.PrinterOffline))
		default:
			rows = append(rows, widget.NewLabel(t.Printer+devtext.Printer(sh.S, r.Printer)))
		}
	}
	rows = append(rows, widget.NewSeparator(), sh.Button(t.Refresh, nil, false, func() { p.note = ""; p.load() }))
	return ui.Screen{Name: ScreenHealth, Title: t.Title, Bare: true, Right: a.titleRight(ScreenHealth),
		Body: container.NewVScroll(container.NewVBox(rows...))}
}

func (p *healthPage) requeue(seq uint64) {
	a := p.a
	by, ok := a.d.Desk.Current()
	if !ok {
		return
	}
	a.run(func(context.Context) error { return a.d.Health.Requeue(seq, by.ID) }, func(err error) {
		if err != nil {
			a.sh.Log.Error("requeue", "seq", seq, "err", err)
			p.note = a.sh.S.Desk.Failed
		} else {
			p.note = a.sh.S.Health.Requeued
		}
		p.load()
	})
}

func (p *healthPage) kindName(kind string) string {
	t := p.a.sh.S.Health
	if n, ok := map[string]string{"case": t.KindCase, "case_step": t.KindCaseStep, "audit": t.KindAudit, "ticket": t.KindTicket,
		"rating": t.KindRating, "message": t.KindMessage, "vote": t.KindVote}[kind]; ok {
		return n
	}
	return kind
}

func megabytes(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }
