package main

import (
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"hallkiosk/kiosk/config"
	"hallkiosk/kiosk/text"
	"hallkiosk/kiosk/ui/disclosure"
	"hallkiosk/kiosk/wall"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

// clockChecks holds the last comparison of this device's clock with the township's (the
// heartbeat's), for the wall's trust in display periods.
type clockChecks struct {
	mu   sync.Mutex
	last wall.ClockCheck
}

func (c *clockChecks) set(at time.Time, skew time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = wall.ClockCheck{At: at, Skew: skew}
}

func (c *clockChecks) get() wall.ClockCheck {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// wallMode wires the village affairs wall: content from the store (what the township publishes),
// display periods by a trusted clock only, what was last known current kept in the store, the
// hall's now-serving line. show puts a drawn page up (the shell's window, or a second window).
func wallMode(win fyne.Window, show func(fyne.CanvasObject), strs *text.Strings, cfg *config.Config, md modeDeps, log *slog.Logger) *disclosure.Wall {
	from, until, _ := config.OnHours(cfg.Wall.OnHours) // checked when the config was read
	trust := wall.Trust{RTC: cfg.Wall.RTCTrusted}
	known, err := md.db.WallKnown()
	if err != nil {
		log.Error("wall: what was last known current is unreadable", "err", err)
	}
	d := disclosure.Deps{Window: win, Show: show, Strings: strs, Clock: md.clk, Log: log, Hall: cfg.Hall.Name,
		Items: func() ([]wall.Item, error) {
			items, bad, err := wall.Items(md.db, cfg.Hall.Township)
			for _, b := range bad {
				log.Warn("wall: item left out", "err", b)
			}
			return items, err
		},
		Trusted: func(now time.Time) bool { return trust.Trusted(now, md.clocks.get()) },
		Known:   known,
		Keep: func(ids []string) {
			if err := md.db.SetWallKnown(ids); err != nil {
				log.Error("wall: keeping what is current", "err", err)
			}
		},
		Schedule: wall.Schedule{Default: cfg.Wall.Dwell.Duration, BannerFor: cfg.Wall.Urgent.Duration, OnFrom: from, OnUntil: until},
		Inches:   cfg.Wall.ScreenInches, Distance: cfg.Wall.DistanceM}
	if md.hq != nil {
		d.Queue = md.hq
	}
	open, err := md.db.WallOpen()
	if err != nil {
		log.Error("wall: open proof-of-display spans unreadable; starting afresh", "err", err)
	}
	d.Proof = wall.NewProof(open)
	d.Record = func(closed []wall.Span, open []byte) {
		var ups []localdb.Upload
		for _, s := range closed {
			raw, err := s.Payload()
			if err != nil {
				log.Error("wall: proof-of-display span", "item", s.Item, "err", err)
				continue
			}
			ups = append(ups, localdb.Upload{Kind: api.KindDisplay, Payload: raw})
		}
		if len(ups) == 0 {
			err = md.db.SetWallOpen(open)
		} else if _, err = md.db.SubmitAll(localdb.WallOpenRecord(open), ups...); err == nil && md.loop != nil {
			md.loop.Kick()
		}
		if err != nil {
			log.Error("wall: keeping the proof of display", "err", err)
		}
	}
	return disclosure.New(d)
}
