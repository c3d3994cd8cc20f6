// Package service is the kiosk's word to systemd (sd_notify): ready once the first frame is drawn,
// and a watchdog ping while the screen still answers, so systemd restarts a kiosk whose UI has hung
// (a frozen screen in a hall is as bad as a crash, and nobody there can fix it).
package service

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/coreos/go-systemd/v22/daemon"

	"hallkiosk/kiosk/clock"
)

// Ready tells systemd the kiosk is up (Type=notify). Outside systemd it does nothing.
func Ready() error {
	if _, err := daemon.SdNotify(false, daemon.SdNotifyReady); err != nil {
		return fmt.Errorf("sd_notify ready: %w", err)
	}
	return nil
}

// Watchdog pings systemd's watchdog every half of WatchdogSec, but only after probe has shown the
// UI goroutine alive: probe must arrange for answer to be called from the UI goroutine (fyne.Do).
// Without a watchdog configured (WATCHDOG_USEC unset) it returns at once.
type Watchdog struct {
	Probe func(answer func())
	Clock clock.Clock // [clock.Real]
	Log   *slog.Logger
}

// Run pings until ctx ends.
func (w *Watchdog) Run(ctx context.Context) error {
	every, err := daemon.SdWatchdogEnabled(false)
	if err != nil {
		return fmt.Errorf("watchdog: %w", err)
	}
	if every <= 0 {
		return nil
	}
	if w.Clock == nil {
		w.Clock = clock.Real{}
	}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	half := every / 2
	for {
		answered := make(chan struct{})
		due, t := clock.After(w.Clock, half)
		w.Probe(func() { close(answered) })
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-answered:
			if _, err := daemon.SdNotify(false, daemon.SdNotifyWatchdog); err != nil {
				w.Log.Warn("watchdog ping", "err", err)
			}
		case <-due:
			w.Log.Error("the screen did not answer within half the watchdog time; systemd will restart the kiosk", "waited", half)
			continue // due fired already: probe again at once; systemd decides
		}
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-due:
		}
	}
}
