package idle

import (
	"sync/atomic"
	"testing"
	"time"

	"hallkiosk/kiosk/clock"
)

func TestIdleFiresOnceAfterQuietPeriod(t *testing.T) {
	c := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.Local))
	var fired atomic.Int32
	tr := New(c, 90*time.Second, func() { fired.Add(1) })
	tr.Touch()
	c.Advance(89 * time.Second)
	if fired.Load() != 0 {
		t.Fatal("fired before the timeout")
	}
	tr.Touch() // resident taps again: the countdown starts over
	c.Advance(89 * time.Second)
	if fired.Load() != 0 {
		t.Fatal("a touch did not restart the countdown")
	}
	c.Advance(2 * time.Second)
	if fired.Load() != 1 {
		t.Fatalf("fired %d times after the quiet period, want 1", fired.Load())
	}
	c.Advance(10 * time.Minute)
	if fired.Load() != 1 || tr.Armed() {
		t.Fatalf("fired again or still armed while nobody touched (fired=%d)", fired.Load())
	}
}

func TestDisarmAtHome(t *testing.T) {
	c := clock.NewFake(time.Now())
	var fired atomic.Int32
	tr := New(c, time.Minute, func() { fired.Add(1) })
	tr.Touch()
	tr.Disarm()
	c.Advance(time.Hour)
	if fired.Load() != 0 || c.Pending() != 0 {
		t.Fatalf("disarmed tracker fired=%d pending=%d", fired.Load(), c.Pending())
	}
	for i := 0; i < 100; i++ {
		tr.Touch()
	}
	if c.Pending() != 1 {
		t.Errorf("%d timers pending after 100 touches, want 1", c.Pending())
	}
}
