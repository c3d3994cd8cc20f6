// Package trial is the kiosk's side of an update: a version the updater has just switched to must
// show that it works (its first screen drawn, the store open and migrated, the card reader and the
// printer answering or configured absent) before it takes a resident's input, and the kiosk tells
// the updater when someone is in a flow, so an unattended update waits for a quiet moment.
package trial

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/health"
	"hallkiosk/localdb"
	updstate "hallkiosk/updater/state"
)

// Check is what a version on trial must pass.
type Check struct {
	Dir     string // the updater's state folder
	Version string
	DB      *localdb.DB
	// Want is the schema version the store must have reached [the newest of localdb.Migrations].
	Want   int
	Health *health.Source
	Every  time.Duration // between attempts [2s]
	Clock  clock.Clock   // [clock.Real]
	Log    *slog.Logger
	// Tried, when set, hears every failed attempt once the next is due (tests move the clock then).
	Tried func(error)
}

func (c *Check) defaults() {
	if c.Every <= 0 {
		c.Every = 2 * time.Second
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Want == 0 {
		m := localdb.Migrations()
		c.Want = m[len(m)-1].Version
	}
}

// Pending reports whether this version is on trial and has not reported healthy yet: the kiosk then
// holds its screens.
func (c *Check) Pending() bool {
	return c.Dir != "" && updstate.InTrial(c.Dir, c.Version)
}

// Once runs every check one time. The map is what each check said (it goes into the report the
// updater keeps); the error names the first that failed.
func (c *Check) Once(ctx context.Context) (map[string]string, error) {
	c.defaults()
	said := map[string]string{"screen": "first frame drawn"}
	schema, err := c.DB.SchemaVersion()
	if err != nil {
		return said, fmt.Errorf("store: %w", err)
	}
	if schema != c.Want {
		return said, fmt.Errorf("store: schema %d, this version needs %d", schema, c.Want)
	}
	said["store"] = fmt.Sprintf("open, schema %d", schema)
	r, err := c.Health.Read(ctx)
	if err != nil {
		return said, err
	}
	switch {
	case !r.HasReader:
		said["card_reader"] = "not configured"
	case r.Reader != idcard.ReaderReady:
		return said, fmt.Errorf("card reader: %s", r.Reader)
	default:
		said["card_reader"] = string(r.Reader)
	}
	switch {
	case !r.HasPrinter:
		said["printer"] = "not configured"
	case r.PrinterErr != nil:
		return said, fmt.Errorf("printer: %w", r.PrinterErr)
	default:
		said["printer"] = "answers: " + r.Printer.String() // paper out still answers: the version works
	}
	return said, nil
}

// ErrRanOut is Run's answer when the trial's time ran out before the checks passed: the kiosk then
// quits (non-zero), and the updater's step before its next start rolls this version back, whether or
// not an updater is still waiting for it.
var ErrRanOut = errors.New("the update trial ran out before this version's checks passed")

// Run waits for painted (the first frame; nil when it was drawn already), then runs the checks every
// Every until they pass and the report is written (nil), the trial's time set by the updater runs out
// (ErrRanOut, wrapping the last failure), or ctx ends.
func (c *Check) Run(ctx context.Context, painted <-chan struct{}) error {
	c.defaults()
	if painted != nil {
		select {
		case <-painted:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	var last string
	for {
		said, err := c.Once(ctx)
		if err == nil {
			err = updstate.ReportHealthy(c.Dir, updstate.Health{Version: c.Version, At: c.Clock.Now(), Checks: said})
			if err == nil {
				c.Log.Info("update trial: reported healthy", "version", c.Version, "checks", said)
				return nil
			}
			err = fmt.Errorf("write the report: %w", err)
		}
		if err.Error() != last {
			c.Log.Warn("update trial: not healthy yet", "version", c.Version, "err", err)
			last = err.Error()
		}
		wait := c.Every
		if until, ok := updstate.TrialUntil(c.Dir, c.Version); ok {
			left := until.Sub(c.Clock.Now())
			if left <= 0 {
				c.Log.Error("update trial: out of time, quitting so the updater rolls this version back", "version", c.Version, "until", until, "err", err)
				return fmt.Errorf("%w: %w", ErrRanOut, err)
			}
			wait = min(wait, left)
		}
		next, t := clock.After(c.Clock, wait)
		if c.Tried != nil {
			c.Tried(err)
		}
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-next:
		}
	}
}

// Activity writes the kiosk's "someone is in a flow" to the updater's folder, off the UI goroutine:
// Set only notes the latest word, and one goroutine writes it (fsynced), so a tap never waits for the
// disk and a burst of screens is one write.
type Activity struct {
	dir   string
	now   func() time.Time
	log   *slog.Logger
	words chan bool
}

// NewActivity starts the writer until ctx ends; it first writes "nobody", since a kiosk that just
// started has nobody in a flow (whatever the last run said before it stopped).
func NewActivity(ctx context.Context, dir string, now func() time.Time, log *slog.Logger) *Activity {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Activity{dir: dir, now: now, log: log, words: make(chan bool, 1)}
	a.Set(false)
	go a.run(ctx)
	return a
}

// Set notes whether someone is in a flow now.
func (a *Activity) Set(inFlow bool) {
	for {
		select {
		case a.words <- inFlow:
			return
		default:
			select { // a word not yet written is replaced by the newer one
			case <-a.words:
			default:
			}
		}
	}
}

func (a *Activity) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case w := <-a.words:
			if err := updstate.WriteActivity(a.dir, w, a.now()); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Warn("update: could not note the kiosk's activity", "err", err)
			}
		}
	}
}
