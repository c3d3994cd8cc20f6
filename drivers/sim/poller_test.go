package sim

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/serialport"
)

// plug is one "USB connection": a pty pair served by the simulator until unplugged.
type plug struct {
	master, slave *os.File
	cancel        context.CancelFunc
	done          chan struct{}
}

func (p *plug) unplug() {
	p.cancel()
	_ = p.master.Close()
	_ = p.slave.Close()
	<-p.done
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestPollerOneEventPerCardAndReconnect(t *testing.T) {
	goroutines := runtime.NumGoroutine()
	sim := NewCardReader(idcard.SampleCards())
	var mu sync.Mutex
	var cur *plug
	plugIn := func() {
		master, slave, err := pty.Open()
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		p := &plug{master: master, slave: slave, cancel: cancel, done: make(chan struct{})}
		go func() { defer close(p.done); _ = sim.Serve(ctx, master) }()
		mu.Lock()
		cur = p
		mu.Unlock()
	}
	plugIn()
	logs := &syncBuf{}
	poller := &idcard.Poller{
		Open: func() (serialport.Port, error) {
			mu.Lock()
			defer mu.Unlock()
			if cur == nil {
				return nil, serialport.ErrNoSuchPort
			}
			return serialport.Open(cur.slave.Name(), 115200)
		},
		Interval: 30 * time.Millisecond, Retry: 50 * time.Millisecond,
		Timeouts: idcard.Timeouts{Find: 100 * time.Millisecond, Select: 100 * time.Millisecond, Read: time.Second},
		Log:      slog.New(slog.NewTextHandler(logs, nil)),
	}
	events := make(chan idcard.Event, 16)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); _ = poller.Run(ctx, events) }()

	next := func(what string) idcard.Event {
		t.Helper()
		select {
		case ev := <-events:
			return ev
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no event", what)
		}
		return idcard.Event{}
	}
	quiet := func(what string, d time.Duration) {
		t.Helper()
		select {
		case ev := <-events:
			t.Fatalf("%s: unexpected event %s %v", what, ev.Card.Name, ev.Err)
		case <-time.After(d):
		}
	}

	_ = sim.Place(0)
	if ev := next("place"); ev.Err != nil || ev.Card.Name != "王䶮" {
		t.Fatalf("first card: %+v", ev)
	}
	if st := poller.State(); st != idcard.ReaderReady {
		t.Errorf("reading cards, the poller says the reader is %q", st)
	}
	quiet("card left lying", 400*time.Millisecond)
	sim.Lift()
	quiet("lifted", 200*time.Millisecond)
	_ = sim.Place(1)
	if ev := next("second card"); ev.Card.Name != "欧阳淼喆" {
		t.Fatalf("second card: %+v", ev)
	}
	select { // wait until the poller has seen the reader empty
	case <-sim.LiftSeen():
	case <-time.After(5 * time.Second):
		t.Fatal("the poller never looked at the empty reader")
	}

	sim.SetFault(FaultLiftMidRead)
	_ = sim.Place(2)
	if ev := next("lifted mid-read"); !errors.Is(ev.Err, &idcard.StatusError{SW3: idcard.SWReadFailed}) {
		t.Fatalf("mid-read lift: %+v", ev)
	}

	// Unplug the reader, then plug it back: the poller reconnects and reads again.
	mu.Lock()
	p := cur
	cur = nil
	mu.Unlock()
	p.unplug()
	waitState := func(want idcard.ReaderState) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for poller.State() != want {
			if time.Now().After(deadline) {
				t.Fatalf("reader state %q, want %q", poller.State(), want)
			}
			runtime.Gosched()
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitState(idcard.ReaderAbsent) // the health panel and the heartbeat say so while it is away
	plugIn()
	_ = sim.Place(3)
	if ev := next("after reconnect"); ev.Err != nil || ev.Card.Name != "史密斯" {
		t.Fatalf("after reconnect: %+v", ev)
	}
	waitState(idcard.ReaderReady)
	if l := logs.String(); !strings.Contains(l, "disconnected") || !strings.Contains(l, "reconnected") {
		t.Errorf("log does not say the reader went and came back:\n%s", l)
	}
	if strings.Contains(logs.String(), "王䶮") || strings.Contains(logs.String(), idcard.SampleCards()[0].IDNumber) {
		t.Error("personal data in the log")
	}

	cancel()
	select {
	case <-stopped:
	case <-time.After(3 * time.Second):
		t.Fatal("Run did not stop on cancel")
	}
	cur.unplug()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > goroutines {
		t.Errorf("%d goroutines left behind", n-goroutines)
	}
}
