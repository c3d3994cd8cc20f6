package window

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/kiosk/followup"
	"hallkiosk/kiosk/staff"
	"hallkiosk/kiosk/ui"
	"hallkiosk/township/api"
)

// FollowUp is the bad ratings' follow-up (*followup.Service is one).
type FollowUp interface {
	List() ([]followup.Item, error)
	Record(caseNumber, step, note string, by staff.Session) (followup.Item, error)
}

// followUpPage is 回访整改: the bad ratings, overdue first, each with its grade, what was wrong,
// when 整改 is due and the steps so far; the next step is taken with a note typed in pinyin.
type followUpPage struct {
	a       *App
	items   []followup.Item
	loaded  bool
	picked  string // the case whose next step is being written
	note    *PinyinField
	problem string
	done    string
}

func newFollowUpPage(a *App) *followUpPage {
	p := &followUpPage{a: a, note: a.newPinyin("")}
	p.load()
	return p
}

func (p *followUpPage) load() {
	a := p.a
	var items []followup.Item
	a.run(func(context.Context) error {
		var err error
		items, err = a.d.FollowUp.List()
		return err
	}, func(err error) {
		p.loaded = true
		if err != nil {
			a.sh.Log.Error("follow-up list", "err", err)
			p.problem = a.sh.S.Desk.Failed
		} else {
			p.items = items
		}
		a.refreshIf(ScreenFollowUp)
	})
}

func (p *followUpPage) Screen() ui.Screen {
	a, sh, w := p.a, p.a.sh, p.a.sh.S.FollowUp
	rows := []fyne.CanvasObject{ui.Para(fmt.Sprintf(w.Hint, len(p.open())))}
	if p.done != "" {
		rows = append(rows, ui.Info(p.done))
	}
	if p.problem != "" {
		rows = append(rows, ui.Warn(p.problem))
	}
	if p.loaded && len(p.items) == 0 {
		rows = append(rows, ui.Para(w.None))
	}
	for _, it := range p.items {
		head := fmt.Sprintf("%s  %s  %s", it.CaseNumber, it.ItemName, sh.S.Lists.Grades[it.Grade-1])
		col := ui.ColPrimary
		state := fmt.Sprintf(w.Due, it.Due.Format(sh.S.Formats.Date))
		switch {
		case it.Next == "":
			state, col = w.Finished, ui.ColSuccess
		case it.Overdue:
			state, col = fmt.Sprintf(w.Overdue, it.Due.Format(sh.S.Formats.Date)), ui.ColError
		}
		box := []fyne.CanvasObject{container.NewHBox(sh.Text(head, 1.1, ui.ColText), sh.Text(state, 1.1, col))}
		if len(it.Reasons) > 0 {
			box = append(box, widget.NewLabel(w.Reasons+"："+strings.Join(it.Reasons, "、")))
		}
		for _, st := range it.Steps {
			box = append(box, widget.NewLabel(fmt.Sprintf("%s  %s  %s  %s", st.At.In(time.Local).Format(sh.S.Formats.DateTime), p.stepName(st.Step), st.Actor, st.Note)))
		}
		if it.Next != "" {
			if p.picked == it.CaseNumber {
				box = append(box, widget.NewLabel(p.stepAsk(it.Next)), p.note.View(),
					container.NewHBox(sh.Button(p.stepName(it.Next), nil, true, func() { p.record(it) }),
						sh.Button(sh.S.Desk.Cancel, nil, false, func() { p.picked = ""; p.note.SetText(""); sh.Refresh() })))
			} else {
				box = append(box, container.NewHBox(sh.Button(p.stepName(it.Next), nil, false, func() {
					p.picked, p.problem, p.done = it.CaseNumber, "", ""
					p.note.SetText("")
					sh.Refresh()
				})))
			}
		}
		rows = append(rows, widget.NewSeparator(), container.NewVBox(box...))
	}
	return ui.Screen{Name: ScreenFollowUp, Title: w.Title, Bare: true, Right: a.titleRight(ScreenFollowUp),
		Body: container.NewVScroll(container.NewVBox(rows...))}
}

func (p *followUpPage) open() []followup.Item {
	var out []followup.Item
	for _, it := range p.items {
		if it.Next != "" {
			out = append(out, it)
		}
	}
	return out
}

func (p *followUpPage) stepName(step string) string {
	if step == api.FollowUpRectified {
		return p.a.sh.S.FollowUp.Rectify
	}
	return p.a.sh.S.FollowUp.Verify
}

func (p *followUpPage) stepAsk(step string) string {
	if step == api.FollowUpRectified {
		return p.a.sh.S.FollowUp.RectifyAsk
	}
	return p.a.sh.S.FollowUp.VerifyAsk
}

func (p *followUpPage) record(it followup.Item) {
	a, w := p.a, p.a.sh.S.FollowUp
	by, ok := a.d.Desk.Current()
	if !ok {
		return
	}
	note := p.note.Text
	a.run(func(context.Context) error {
		_, err := a.d.FollowUp.Record(it.CaseNumber, it.Next, note, by)
		return err
	}, func(err error) {
		switch {
		case err == nil:
			a.audit("rating.followup."+it.Next, it.CaseNumber)
			p.picked, p.problem, p.done = "", "", fmt.Sprintf(w.Recorded, p.stepName(it.Next), it.CaseNumber)
			p.note.SetText("")
			p.load()
			return
		case errors.Is(err, followup.ErrNoNote):
			p.problem = fmt.Sprintf(a.sh.S.Desk.Missing, p.stepAsk(it.Next))
		case errors.Is(err, api.ErrInvalid):
			p.problem = w.BadNote
		case errors.Is(err, followup.ErrNotHead):
			p.problem = w.HeadOnly
		default:
			a.sh.Log.Error("follow-up step", "case", it.CaseNumber, "err", err)
			p.problem = a.sh.S.Desk.Failed
		}
		a.refreshIf(ScreenFollowUp)
	})
}
