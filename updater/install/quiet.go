package install

import (
	"context"
	"fmt"
	"time"

	"hallkiosk/updater/state"
)

// Quiet decides when an unattended update may stop the kiosk: inside the configured hours and with
// nobody in a flow. A technician's install does not wait.
type Quiet struct {
	// From and To are hours of the day [0, 24); the window wraps past midnight when From > To
	// (22 to 6). From == To means any hour.
	From, To int
	State    string
	// Stale: a kiosk that has said "in a flow" for longer than this has hung or died [30m] (every
	// flow ends in a few minutes through the idle reset).
	Stale time.Duration
}

// Now says whether the moment is quiet, and if not, why.
func (q Quiet) Now(now time.Time) (bool, string) {
	h := now.Hour()
	in := q.From == q.To || (q.From < q.To && h >= q.From && h < q.To) || (q.From > q.To && (h >= q.From || h < q.To))
	if !in {
		return false, fmt.Sprintf("outside the update hours %02d:00-%02d:00", q.From, q.To)
	}
	stale := q.Stale
	if stale <= 0 {
		stale = 30 * time.Minute
	}
	if a, ok := state.ReadActivity(q.State); ok && a.InFlow && now.Sub(a.At) < stale {
		return false, "someone is using the kiosk"
	}
	return true, ""
}

// Wait returns once the moment is quiet, looking every poll.
func (q Quiet) Wait(ctx context.Context, now func() time.Time, poll time.Duration, log func(why string)) error {
	last := ""
	for {
		ok, why := q.Now(now())
		if ok {
			return nil
		}
		if why != last && log != nil {
			log(why)
		}
		last = why
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for a quiet moment: %w", ctx.Err())
		case <-time.After(poll):
		}
	}
}
