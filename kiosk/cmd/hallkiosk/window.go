package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"hallkiosk/assets"
	"hallkiosk/kiosk/cards"
	"hallkiosk/kiosk/config"
	"hallkiosk/kiosk/figures"
	"hallkiosk/kiosk/followup"
	"hallkiosk/kiosk/intake"
	"hallkiosk/kiosk/pinyin"
	"hallkiosk/kiosk/queue"
	"hallkiosk/kiosk/staff"
	"hallkiosk/kiosk/ui"
	"hallkiosk/kiosk/ui/disclosure"
	"hallkiosk/kiosk/ui/facing"
	"hallkiosk/kiosk/ui/window"
	"hallkiosk/kiosk/usbstick"
)

// windowMode wires the comprehensive window: the staff desk over the store, the hall's queue, the
// window's own card reader, and the pinyin input's dictionary (loaded in the background: it takes
// half a second and 17 MB, which only a window PC pays).
func windowMode(ctx context.Context, sh *ui.Shell, cfg *config.Config, md modeDeps, log *slog.Logger) (start func()) {
	desk := staff.NewDesk(md.db, md.clk, md.sealer.IDIndex, staff.Config{Idle: cfg.Window.StaffIdle.Duration}, log)
	if code, err := desk.SetupCode(); err != nil {
		log.Error("staff accounts unreadable", "err", err)
	} else if code != "" {
		// For whoever set up the machine (its terminal, or the system journal), never on screen.
		fmt.Fprintf(os.Stderr, "hallkiosk: this window has no station head (站长) who can sign in yet. One-time setup code for the first: %s\n", code)
	}
	dict := sync.OnceValues(func() (*pinyin.Dict, error) { return pinyin.Load(assets.PinyinWords) })
	go func() {
		if _, err := dict(); err != nil {
			log.Error("pinyin input unavailable", "err", err)
		}
	}()
	d := window.Deps{Desk: desk, Window: cfg.Window.Number, Windows: cfg.Window.Windows, Pinyin: dict, Audit: md.db.Audit}
	if md.svc != nil {
		is := &intake.Service{Apply: md.svc, ForwardDays: cfg.Window.ForwardDays}
		if md.loop != nil {
			is.Township = md.loop.Client // kiosk cases to continue are asked of the township
		}
		d.Intake = is
	}
	d.Health = md.health
	fig := &figures.Source{DB: md.db, Businesses: sh.S.Lists.Businesses, Now: md.clk.Now}
	if cfg.Queue.Host { // the queue's history is in this PC's store
		fig.Tickets = queue.BoltStore{DB: md.db}.LoadDay
	}
	d.Figures = fig
	home, _ := os.UserHomeDir()
	d.ExportDir = func() (string, error) { return usbstick.Dir(cfg.Window.ExportDir, filepath.Join(home, "统计导出")) }
	if md.hq != nil {
		d.Queue = md.hq
	}
	if md.reader != nil {
		d.Cards = cards.Poll(ctx, md.reader)
	}
	if md.svc != nil {
		d.FollowUp = &followup.Service{DB: md.db, Calendar: md.svc.Calendar, Clock: md.clk, Days: cfg.Window.FollowUpDays, Kick: md.svc.Kick}
		d.Rated = func(c string) bool { _, ok, _ := md.db.Rating(c); return ok }
	}
	if cfg.Window.FacingScreen && md.svc != nil {
		// The resident's screen: a second window, full screen on the second display.
		fw := fyne.CurrentApp().NewWindow(sh.S.App.Title)
		if dw, ok := fw.(desktop.Window); ok {
			dw.RequestFullScreenSecondary()
		} else {
			fw.SetFullScreen(true)
		}
		f := facing.New(facing.Deps{Window: fw, Strings: sh.S, Clock: md.clk, Log: log, Hall: cfg.Hall.Name, Desk: cfg.Window.Number,
			Rate: md.svc.Rate}, cfg.UI.ScreenDPI)
		d.Invite = f.Invite
		fw.Show()
	}
	if !cfg.Window.FacingScreen && cfg.Window.FacingKiosk != "" && md.hq != nil && md.svc != nil {
		// No screen of its own facing the resident: 邀请评价 shows on the kiosk beside the window,
		// through the hall's queue service, which passes back only that the case was rated.
		// The window hears it on the queue's event stream it follows anyway (window.App).
		hq := md.hq
		d.Invite = func(c string) {
			go func() {
				ictx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				if err := hq.Invite(ictx, c, cfg.Window.Number, cfg.Window.FacingKiosk); err != nil {
					log.Warn("hall queue: invitation to rate not sent", "case", c, "kiosk", cfg.Window.FacingKiosk, "err", err)
				}
			}()
		}
	}
	var wl *disclosure.Wall
	if cfg.Window.WallScreen {
		// The hall's wall as this PC's second window, full screen on the second display.
		ww := fyne.CurrentApp().NewWindow(sh.S.Wall.PartVillage)
		if dw, ok := ww.(desktop.Window); ok {
			dw.RequestFullScreenSecondary()
		} else {
			ww.SetFullScreen(true)
		}
		ww.SetPadded(false)
		wl = wallMode(ww, nil, sh.S, cfg, md, log)
		ww.Show()
	}
	app := window.New(sh, d)
	desk.OnSignOut = func(staff.Session, string) { app.SignedOut() }
	return func() {
		app.Start(ctx)
		if wl != nil {
			wl.Start(ctx)
		}
	}
}
