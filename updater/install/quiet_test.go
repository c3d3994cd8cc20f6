package install

import (
	"testing"
	"time"

	"hallkiosk/updater/state"
)

func TestQuietMoment(t *testing.T) {
	dir := t.TempDir()
	at := func(h, m int) time.Time { return time.Date(2026, 11, 24, h, m, 0, 0, time.Local) }
	night := Quiet{From: 22, To: 6, State: dir}
	for _, c := range []struct {
		q    Quiet
		now  time.Time
		want bool
	}{
		{night, at(23, 0), true},
		{night, at(3, 0), true},
		{night, at(6, 0), false},
		{night, at(12, 0), false},
		{Quiet{From: 1, To: 5, State: dir}, at(4, 59), true},
		{Quiet{From: 1, To: 5, State: dir}, at(0, 59), false},
		{Quiet{State: dir}, at(12, 0), true}, // From == To: any hour
	} {
		if ok, why := c.q.Now(c.now); ok != c.want {
			t.Errorf("%d-%d at %s: quiet=%v (%s); want %v", c.q.From, c.q.To, c.now.Format("15:04"), ok, why, c.want)
		}
	}
	// A resident in a flow holds the update; a kiosk that said so long ago has hung or died.
	if err := state.WriteActivity(dir, true, at(23, 0)); err != nil {
		t.Fatal(err)
	}
	if ok, why := night.Now(at(23, 5)); ok || why != "someone is using the kiosk" {
		t.Fatalf("in a flow: quiet=%v (%s)", ok, why)
	}
	if ok, _ := night.Now(at(23, 31)); !ok {
		t.Fatal("a flow begun 31 minutes ago still holds the update")
	}
	state.WriteActivity(dir, false, at(23, 6))
	if ok, _ := night.Now(at(23, 7)); !ok {
		t.Fatal("the flow ended, yet not quiet")
	}
}
