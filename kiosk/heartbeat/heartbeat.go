// Package heartbeat tells the township how this device is, every few minutes: the version and the
// updater's state, the upload queue, the card reader and printer, the store against its cap and the
// clock's skew. It reads what kiosk/health gathers for the staff's panel, so the township and the
// window see the same figures. The heartbeat carries no resident's data.
package heartbeat

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/health"
	"hallkiosk/kiosk/upload"
	"hallkiosk/township/api"
	updstate "hallkiosk/updater/state"
)

// Sender sends heartbeats until its context ends.
type Sender struct {
	Client *upload.Client
	Health *health.Source
	// UpdateState is the updater's state folder ("" when the device is not managed by it).
	UpdateState string
	Version     string
	Interval    time.Duration // [5m]
	Clock       clock.Clock   // [clock.Real]
	Started     time.Time     // when the app started, for uptime
	Log         *slog.Logger
	// Sent, when set, hears the outcome of every attempt (tests wait on it).
	Sent func(error)
	// Measured is told each comparison of this clock with the township's (when, and how far off):
	// the wall takes display periods from the clock only while such a check is recent and small.
	Measured func(at time.Time, skew time.Duration)
}

func (s *Sender) defaults() {
	if s.Interval <= 0 {
		s.Interval = 5 * time.Minute
	}
	if s.Clock == nil {
		s.Clock = clock.Real{}
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
}

// Run sends one heartbeat at once and then one every Interval. A failed one is only logged: the
// next comes on time, and the township shows the device offline if none gets through.
func (s *Sender) Run(ctx context.Context) {
	s.defaults()
	failing := false
	for {
		err := s.Send(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && !failing:
			s.Log.Warn("heartbeat not sent; trying again at the next", "err", err, "every", s.Interval)
		case err == nil && failing:
			s.Log.Info("heartbeat sent again")
		}
		failing = err != nil
		next, t := clock.After(s.Clock, s.Interval)
		if s.Sent != nil { // after the next one is due, so a test may move the clock at once
			s.Sent(err)
		}
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-next:
		}
	}
}

// Send measures the clock against the township, gathers the heartbeat and sends it signed with the
// township's time, so a kiosk whose clock is hours off still reports (with that skew).
func (s *Sender) Send(ctx context.Context) error {
	s.defaults()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	t0 := s.Clock.Now()
	info, err := s.Client.Info(ctx)
	if err != nil {
		return fmt.Errorf("heartbeat: township time: %w", err)
	}
	t1 := s.Clock.Now()
	skew := t0.Add(t1.Sub(t0) / 2).Sub(info.Time)
	if s.Measured != nil {
		s.Measured(t1, skew)
	}
	h, err := s.Beat(ctx, skew)
	if err != nil {
		return err
	}
	c := *s.Client
	c.Now = func() time.Time { return s.Clock.Now().Add(-skew) }
	if _, err := c.Heartbeat(ctx, h); err != nil {
		return fmt.Errorf("heartbeat: send: %w", err)
	}
	return nil
}

// Beat gathers the heartbeat now; skew is the device clock minus the township's.
func (s *Sender) Beat(ctx context.Context, skew time.Duration) (api.Heartbeat, error) {
	s.defaults()
	r, err := s.Health.Read(ctx)
	if err != nil {
		return api.Heartbeat{}, fmt.Errorf("heartbeat: %w", err)
	}
	now := s.Clock.Now()
	h := api.Heartbeat{Version: s.Version, UpdateState: api.UpdateIdle, IntervalSeconds: s.Interval.Seconds(),
		UptimeSeconds: seconds(now.Sub(s.Started)), UploadQueueItems: r.Queue.Depth, UploadQuarantineItems: r.Queue.Quarantined,
		StoreSizeBytes: r.Usage.Bytes, StoreCapBytes: r.Usage.Cap, ClockSkewSeconds: skew.Seconds()}
	if !r.Queue.Oldest.IsZero() {
		h.UploadQueueOldestAgeSeconds = seconds(now.Sub(r.Queue.Oldest))
	}
	if !r.Queue.LastSuccess.IsZero() {
		h.UploadLastSuccessTimestampSeconds = r.Queue.LastSuccess.Unix()
	}
	h.CardReaderState, h.PrinterState = r.DeviceStates()
	if s.UpdateState != "" {
		st, err := updstate.Load(s.UpdateState)
		if err != nil {
			s.Log.Warn("heartbeat: update state unreadable", "err", err)
		} else {
			if p := st.Pending; p != nil {
				h.UpdateState, h.UpdatePendingVersion = api.UpdateTrial, p.Version
				if p.By == updstate.RollingBack {
					h.UpdateState = api.UpdateRollingBack
				}
			}
			h.UpdateLast = clip(st.Last(), 200)
		}
	}
	if err := api.ValidateHeartbeat(h); err != nil {
		return h, fmt.Errorf("heartbeat: %w", err)
	}
	return h, nil
}

func seconds(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return d.Round(time.Millisecond).Seconds()
}

// clip keeps at most n bytes of s on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
