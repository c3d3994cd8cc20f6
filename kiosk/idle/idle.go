// Package idle decides when a resident has walked away: after a quiet period with no touch the
// kiosk goes home and forgets what was entered. It knows nothing of screens.
package idle

import (
	"sync"
	"time"

	"hallkiosk/kiosk/clock"
)

// Tracker calls OnIdle once after Timeout passes with no Touch while armed.
type Tracker struct {
	clock   clock.Clock
	timeout time.Duration
	onIdle  func()

	mu    sync.Mutex
	timer clock.Timer
	gen   uint64
}

// New makes a disarmed tracker; onIdle runs on the clock's goroutine.
func New(c clock.Clock, timeout time.Duration, onIdle func()) *Tracker {
	return &Tracker{clock: c, timeout: timeout, onIdle: onIdle}
}

// Touch records activity and (re)arms the countdown: any screen away from home calls it on input.
func (t *Tracker) Touch() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer != nil {
		t.timer.Stop()
	}
	t.gen++
	gen := t.gen
	t.timer = t.clock.AfterFunc(t.timeout, func() {
		t.mu.Lock()
		stale := gen != t.gen
		t.timer = nil
		t.mu.Unlock()
		if !stale {
			t.onIdle()
		}
	})
}

// Disarm stops the countdown: the home screen has nothing to forget.
func (t *Tracker) Disarm() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.gen++
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
}

// Armed reports whether a countdown is running.
func (t *Tracker) Armed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.timer != nil
}

// Timeout is the configured quiet period.
func (t *Tracker) Timeout() time.Duration { return t.timeout }
