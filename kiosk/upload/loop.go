package upload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"hallkiosk/kiosk/clock"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
	"hallkiosk/township/api/textrule"
)

// States of the link, for the staff and technician screens.
const (
	StateIdle    = "idle"    // nothing to send, last contact fine
	StateSending = "sending" // draining
	StateOffline = "offline" // network or server trouble; retrying with backoff, nothing lost
	StateStopped = "stopped" // auth or clock trouble; queue held, technician needed
)

// Status is what the loop last knew.
type Status struct {
	State     string
	Alarm     string // English, for the technician; empty when all is well
	LastError string
	Backoff   time.Duration
	// FailedRounds counts rounds that ended in an error since start, for the technician screen.
	FailedRounds int
}

// Loop drains the outbox and pulls the changes feed. It never gives up on an item: only the
// township's final word (conflict, rejected) takes an item out of the queue, into quarantine.
type Loop struct {
	DB     *localdb.DB
	Client *Client
	Log    *slog.Logger
	// Interval between rounds when all is quiet [30s]; Kick starts a round at once.
	Interval time.Duration
	// BackoffBase and BackoffCap bound the full-jitter backoff [1s, 10m].
	BackoffBase, BackoffCap time.Duration
	// Clock is the one clock wired in main: what is due, and the waits between rounds (backoff
	// included), so tests move time instead of sleeping [clock.Real].
	Clock clock.Clock

	mu       sync.Mutex
	status   Status
	maxItems int
	maxBody  int64
	failures int
	kick     chan struct{}
	once     sync.Once
}

func (l *Loop) init() {
	l.once.Do(func() {
		if l.Interval <= 0 {
			l.Interval = 30 * time.Second
		}
		if l.BackoffBase <= 0 {
			l.BackoffBase = time.Second
		}
		if l.BackoffCap <= 0 {
			l.BackoffCap = 10 * time.Minute
		}
		if l.Clock == nil {
			l.Clock = clock.Real{}
		}
		if l.Log == nil {
			l.Log = slog.New(slog.DiscardHandler)
		}
		l.kick = make(chan struct{}, 1)
		l.status.State = StateIdle
	})
}

// Kick asks for a round now (a resident just submitted something).
func (l *Loop) Kick() {
	l.init()
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// Status reads the link's state.
func (l *Loop) Status() Status {
	l.init()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.status
}

func (l *Loop) set(fn func(*Status)) {
	l.mu.Lock()
	fn(&l.status)
	l.mu.Unlock()
}

// Run rounds until ctx ends: drain, pull, wait. Errors never end it.
func (l *Loop) Run(ctx context.Context) {
	l.init()
	for {
		wait := l.Round(ctx)
		due, t := clock.After(l.Clock, wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-l.kick:
			t.Stop()
		case <-due:
		}
	}
}

// Round does one drain and one pull and says how long to wait before the next.
func (l *Loop) Round(ctx context.Context) time.Duration {
	l.init()
	err := l.drain(ctx)
	if err == nil {
		err = l.pull(ctx)
	}
	if ctx.Err() != nil {
		return 0
	}
	if err == nil {
		l.failures = 0
		l.set(func(s *Status) { s.State, s.Alarm, s.Backoff = StateIdle, "", 0 })
		return l.Interval
	}
	var ae *APIError
	if errors.As(err, &ae) && ae.Stops() {
		alarm := "township refused this kiosk: " + ae.Message
		switch ae.Code {
		case api.ErrClockSkew:
			alarm = "kiosk clock is wrong (" + ae.Message + "); set the time, uploads resume by themselves"
		case api.ErrRevoked:
			alarm = "this kiosk was revoked by the township; enrol it again with a new code"
		case api.ErrUnauthorized:
			alarm = "the township does not accept this kiosk's credential (" + ae.Message + "); enrol again"
		}
		l.Log.Error("upload stopped", "reason", ae.Code, "alarm", alarm)
		// Held, not dropped: items keep their attempts and keys; a probe every cap interval
		// finds out when someone fixed it.
		l.set(func(s *Status) {
			s.State, s.Alarm, s.LastError, s.Backoff = StateStopped, alarm, err.Error(), l.BackoffCap
		})
		return l.BackoffCap
	}
	l.failures++
	d := l.backoff(l.failures)
	l.Log.Warn("upload failed, will retry", "err", err, "retry_in", d.Round(time.Millisecond))
	l.set(func(s *Status) {
		s.State, s.LastError, s.Backoff = StateOffline, err.Error(), d
		s.FailedRounds++
	})
	return d
}

// backoff is full jitter: uniformly random in [0, min(cap, base*2^n)], so a village's kiosks coming
// back after a power cut do not all knock at the same moment.
func (l *Loop) backoff(n int) time.Duration {
	ceil := l.BackoffCap
	if n < 30 {
		if d := l.BackoffBase << n; d > 0 && d < ceil {
			ceil = d
		}
	}
	return time.Duration(rand.Int64N(int64(ceil) + 1))
}

func (l *Loop) limits(ctx context.Context) error {
	if l.maxItems > 0 {
		return nil
	}
	info, err := l.Client.Info(ctx)
	if err != nil {
		return fmt.Errorf("read township limits: %w", err)
	}
	l.maxItems, l.maxBody = info.MaxBatchItems, info.MaxBodyBytes
	if l.maxItems <= 0 {
		l.maxItems = 100
	}
	return nil
}

// drain sends every due item, batch by batch.
func (l *Loop) drain(ctx context.Context) error {
	for ctx.Err() == nil {
		if err := l.limits(ctx); err != nil {
			return err
		}
		due, err := l.DB.Due(l.Clock.Now(), l.maxItems)
		if err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		if len(due) == 0 {
			return nil
		}
		due = l.fit(due)
		l.set(func(s *Status) { s.State = StateSending })
		if err := l.send(ctx, due); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// fit trims a batch to the advertised body size (with room for the JSON around the items).
func (l *Loop) fit(items []localdb.OutboxItem) []localdb.OutboxItem {
	if l.maxBody <= 0 {
		return items
	}
	var size int64 = 64
	for i, it := range items {
		size += int64(len(it.Payload)+len(it.Key)+len(it.Kind)) + 48
		if size > l.maxBody && i > 0 {
			return items[:i]
		}
	}
	return items
}

func (l *Loop) send(ctx context.Context, due []localdb.OutboxItem) error {
	items := make([]api.Item, len(due))
	for i, it := range due {
		items[i] = api.Item{Key: it.Key, Kind: it.Kind, Payload: it.Payload}
	}
	results, err := l.Client.Send(ctx, items)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusRequestEntityTooLarge {
		if len(due) == 1 {
			// One item alone is too big: it can never go, so a person must look at it.
			return l.DB.Quarantine(due[0].Seq, "too large for the township: "+ae.Message)
		}
		l.maxItems = max(1, len(due)/2)
		return nil
	}
	if err != nil {
		if ctx.Err() == nil && !(errors.As(err, &ae) && ae.Stops()) {
			seqs := make([]uint64, len(due))
			for i, it := range due {
				seqs[i] = it.Seq
			}
			if ferr := l.DB.FailedAll(seqs, err.Error()); ferr != nil {
				l.Log.Error("record failed attempt", "err", ferr)
			}
		}
		return fmt.Errorf("send batch of %d: %w", len(due), err)
	}
	var done []uint64
	counts := map[string]int{}
	for i, r := range results {
		counts[r.Status]++
		switch r.Status {
		case api.Accepted, api.Duplicate:
			done = append(done, due[i].Seq)
		case api.Conflict, api.Rejected:
			l.Log.Warn("item quarantined", "kind", due[i].Kind, "key", due[i].Key, "status", r.Status, "reason", r.Reason)
			if err := l.DB.Quarantine(due[i].Seq, r.Status+": "+r.Reason); err != nil {
				return err
			}
		default:
			return fmt.Errorf("township answered %q for item %s", r.Status, r.Key)
		}
	}
	if err := l.DB.Delivered(done...); err != nil {
		return err
	}
	l.Log.Info("batch sent", "items", len(due), "accepted", counts[api.Accepted], "duplicate", counts[api.Duplicate],
		"quarantined", counts[api.Conflict]+counts[api.Rejected])
	return nil
}

// pull applies the changes feed page by page from the stored cursor.
func (l *Loop) pull(ctx context.Context) error {
	for ctx.Err() == nil {
		cur, err := l.DB.ChangesCursor()
		if err != nil {
			return err
		}
		page, err := l.Client.Changes(ctx, cur, 200)
		if err != nil {
			return fmt.Errorf("pull changes after %d: %w", cur, err)
		}
		if page.Cursor <= cur && len(page.Changes) == 0 {
			return nil
		}
		chs := make([]localdb.Change, 0, len(page.Changes))
		for _, c := range page.Changes {
			// The text rule holds for what comes down as for what goes up: a change with a control,
			// bidi or zero-width character, invalid UTF-8 or an overlong field is never stored or
			// shown. It is skipped (the cursor moves past it) and logged for the technician.
			if err := api.ValidateChange(c.Kind, c.Key, c.Payload); err != nil {
				l.Log.Warn("change refused by the text rule; not stored", "seq", c.Seq, "kind", textrule.Escape(c.Kind), "err", err)
				continue
			}
			chs = append(chs, localdb.Change{Kind: c.Kind, Key: c.Key, Payload: c.Payload})
		}
		skipped, err := l.DB.ApplyChanges(chs, page.Cursor)
		if err != nil {
			return err
		}
		if len(skipped) > 0 {
			l.Log.Warn("changes of unknown kinds skipped", "kinds", skipped)
		}
		if len(chs) > 0 {
			l.Log.Info("changes applied", "count", len(chs), "cursor", page.Cursor)
		}
		if !page.More {
			return nil
		}
	}
	return ctx.Err()
}
