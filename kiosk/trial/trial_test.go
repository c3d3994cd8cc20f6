package trial

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/health"
	"hallkiosk/kiosk/kiosktest"
	updstate "hallkiosk/updater/state"
)

func onTrial(t *testing.T, version string) string {
	t.Helper()
	dir := t.TempDir()
	st := &updstate.State{Current: version, Previous: "1.3.0", Pending: &updstate.Pending{Version: version, From: "1.3.0", By: "schedule"}}
	if err := st.Save(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Each check names what failed: a store not migrated as far as this version needs, a configured
// card reader that does not answer, a configured printer whose port never opened. A printer out
// of paper answers, so the version works.
func TestChecksNameWhatFailed(t *testing.T) {
	clk := kiosktest.Clock()
	st := kiosktest.NewStore(t, clk)
	prn := kiosktest.NewPrinter(t)
	var reader atomic.Value
	reader.Store(idcard.ReaderAbsent)
	hs := &health.Source{DB: st.DB, PrinterConfigured: true, Reader: func() idcard.ReaderState { return reader.Load().(idcard.ReaderState) }}
	c := &Check{Dir: onTrial(t, "1.4.0"), Version: "1.4.0", DB: st.DB, Health: hs, Clock: clk}
	schema, _ := st.DB.SchemaVersion()
	c.Want = schema + 1
	if _, err := c.Once(context.Background()); err == nil || !strings.Contains(err.Error(), "store: schema") {
		t.Errorf("store behind: %v", err)
	}
	c.Want = schema
	if _, err := c.Once(context.Background()); err == nil || !strings.Contains(err.Error(), "card reader: absent") {
		t.Errorf("reader absent: %v", err)
	}
	reader.Store(idcard.ReaderReady)
	if _, err := c.Once(context.Background()); err == nil || !strings.Contains(err.Error(), "printer") {
		t.Errorf("printer port never opened: %v", err)
	}
	hs.Printer = prn.Device
	prn.Sim.SetPaperOut(true)
	said, err := c.Once(context.Background())
	if err != nil || said["printer"] != "answers: paper out" || said["card_reader"] != "ready" || !strings.HasPrefix(said["store"], "open") {
		t.Errorf("all answering: %v %v", said, err)
	}
}

// Run keeps trying on the fake clock until the checks pass, then writes the report the updater
// waits for; until then the version is still on trial.
func TestRunReportsOnceHealthy(t *testing.T) {
	clk := kiosktest.Clock()
	st := kiosktest.NewStore(t, clk)
	var reader atomic.Value
	reader.Store(idcard.ReaderStarting)
	tried := make(chan error, 8)
	dir := onTrial(t, "1.4.0")
	c := &Check{Dir: dir, Version: "1.4.0", DB: st.DB, Clock: clk, Every: 2 * time.Second, Tried: func(err error) { tried <- err },
		Health: &health.Source{DB: st.DB, Reader: func() idcard.ReaderState { return reader.Load().(idcard.ReaderState) }}}
	if !c.Pending() {
		t.Fatal("not pending on trial")
	}
	painted := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- c.Run(context.Background(), painted) }()
	close(painted)
	for i := 0; i < 2; i++ {
		select {
		case err := <-tried:
			if !strings.Contains(err.Error(), "card reader: starting") {
				t.Fatalf("attempt %d: %v", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no attempt")
		}
		if updstate.Healthy(dir, "1.4.0") || !c.Pending() {
			t.Fatal("reported healthy while the reader was not ready")
		}
		if i == 1 {
			reader.Store(idcard.ReaderReady)
		}
		clk.Advance(2 * time.Second)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not finish once the reader was ready")
	}
	if !updstate.Healthy(dir, "1.4.0") || c.Pending() {
		t.Fatal("no healthy report")
	}
}

// A version whose checks never pass quits when the trial's time set by the updater runs out (the
// last attempt falls on the deadline, not an interval after it), naming why, so the updater's step
// before the next start rolls it back even when nobody waits for the trial.
func TestRunQuitsWhenTheTrialRunsOut(t *testing.T) {
	clk := kiosktest.Clock()
	st := kiosktest.NewStore(t, clk)
	dir := t.TempDir()
	us := &updstate.State{Current: "1.4.0", Pending: &updstate.Pending{Version: "1.4.0", From: "1.3.0", By: "schedule",
		Started: clk.Now(), Until: clk.Now().Add(5 * time.Second)}}
	if err := us.Save(dir); err != nil {
		t.Fatal(err)
	}
	tried := make(chan error, 8)
	c := &Check{Dir: dir, Version: "1.4.0", DB: st.DB, Clock: clk, Every: 2 * time.Second, Tried: func(err error) { tried <- err },
		Health: &health.Source{DB: st.DB, Reader: func() idcard.ReaderState { return idcard.ReaderAbsent }}}
	done := make(chan error, 1)
	go func() { done <- c.Run(context.Background(), nil) }()
	for _, step := range []time.Duration{2 * time.Second, 2 * time.Second, time.Second} {
		select {
		case <-tried:
		case err := <-done:
			t.Fatalf("Run ended before the trial ran out: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("no attempt")
		}
		clk.Advance(step)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrRanOut) || !strings.Contains(err.Error(), "card reader: absent") {
			t.Fatalf("out of time: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run went on past the trial's end")
	}
	if updstate.Healthy(dir, "1.4.0") {
		t.Fatal("reported healthy")
	}
}

// The kiosk's word on activity reaches the updater's file; the last word wins.
func TestActivityWritten(t *testing.T) {
	dir := t.TempDir()
	clk := kiosktest.Clock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := NewActivity(ctx, dir, clk.Now, nil)
	waitFor := func(want bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			if got, ok := updstate.ReadActivity(dir); ok && got.InFlow == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("activity never said in_flow=%v", want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor(false)
	a.Set(true)
	waitFor(true)
	a.Set(false)
	a.Set(true)
	a.Set(false)
	waitFor(false)
}
