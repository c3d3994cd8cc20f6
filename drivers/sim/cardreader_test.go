package sim

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/creack/pty"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/serialport"
)

// startReader connects a simulator to a real pty and opens the other end with go.bug.st/serial,
// as the kiosk opens /dev/ttyUSB0.
func startReader(t *testing.T) (*CardReader, *idcard.Reader) {
	t.Helper()
	return startReaderB(t)
}

// startReaderB is startReader for tests and benchmarks alike.
func startReaderB(t testing.TB) (*CardReader, *idcard.Reader) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	path := slave.Name()
	sim := NewCardReader(idcard.SampleCards())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = sim.Serve(ctx, master) }()
	port, err := serialport.Open(path, 115200)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = port.Close()
		_ = slave.Close()
		_ = master.Close()
		<-done
	})
	return sim, idcard.NewReader(port)
}

func TestReadEveryCardThroughAPty(t *testing.T) {
	sim, r := startReader(t)
	ctx := context.Background()
	if err := r.CheckSAM(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadCard(ctx); !errors.Is(err, &idcard.StatusError{SW3: idcard.SWNoCard}) {
		t.Fatalf("no card: %v", err)
	}
	for i, want := range idcard.SampleCards() {
		_ = sim.Place(i)
		got, err := r.ReadCard(ctx)
		if err != nil {
			t.Fatalf("card %d: %v", i, err)
		}
		if got.Name != want.Name || got.IDNumber != want.IDNumber || got.Type != want.Type || len(got.Photo) != 1024 {
			t.Errorf("card %d: got %s %s %v photo %d", i, got.Name, got.IDNumber, got.Type, len(got.Photo))
		}
	}
}

func TestFaultsThroughAPty(t *testing.T) {
	sim, r := startReader(t)
	ctx := context.Background()
	_ = sim.Place(0)

	sim.SetFault(FaultLiftMidRead)
	if _, err := r.ReadCard(ctx); !errors.Is(err, &idcard.StatusError{SW3: idcard.SWReadFailed}) {
		t.Errorf("lifted mid-read: %v", err)
	}
	if _, err := r.ReadCard(ctx); !errors.Is(err, &idcard.StatusError{SW3: idcard.SWNoCard}) {
		t.Errorf("after lift: %v", err)
	}
	_ = sim.Place(1)
	sim.SetFault(FaultGarbage)
	if c, err := r.ReadCard(ctx); err != nil || c.Name != "欧阳淼喆" {
		t.Errorf("garbage before an answer: %v", err)
	}
	sim.SetFault(FaultSlow)
	if c, err := r.ReadCard(ctx); err != nil || c.Name != "欧阳淼喆" {
		t.Errorf("slow bytes: %v", err)
	}
	sim.SetFault(FaultNone)
	sim.SetFault(FaultBadChecksum)
	r.Timeouts.Find = 200 * time.Millisecond
	if _, err := r.ReadCard(ctx); !errors.Is(err, idcard.ErrNoAnswer) || !errors.Is(err, idcard.ErrBadChecksum) {
		t.Errorf("bad checksum: %v", err)
	}
	sim.SetFault(FaultSilent)
	start := time.Now()
	if _, err := r.ReadCard(ctx); !errors.Is(err, idcard.ErrNoAnswer) {
		t.Errorf("silent reader: %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("find timeout took %s", el)
	}
	sim.SetFault(FaultNone)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.ReadCard(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestOpenErrorsNameThePort(t *testing.T) {
	_, err := serialport.Open("/dev/ttyNOSUCH9", 115200)
	if !errors.Is(err, serialport.ErrNoSuchPort) {
		t.Errorf("missing port: %v", err)
	}
}
