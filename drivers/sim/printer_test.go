package sim

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/creack/pty"

	"hallkiosk/drivers/printer"
	"hallkiosk/drivers/serialport"
)

func startPrinter(t *testing.T, sim *Printer, pacing printer.Pacing) *printer.Device {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = sim.Serve(ctx, master) }()
	port, err := serialport.Open(slave.Name(), 19200)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = port.Close(); _ = slave.Close(); _ = master.Close(); <-done })
	return printer.NewDevice(port, pacing)
}

func receiptJob(t testing.TB, p printer.Paper) []byte {
	t.Helper()
	var d printer.Doc
	job, err := d.Align(printer.Center).Line("王上村便民服务站").Size(2, 2).Line("办 件 回 执").Size(1, 1).
		Align(printer.Left).Rule().Field("办件编号：", "261123-K001-001").Field("申请人：", "王*").
		Rule().Align(printer.Center).QR("https://zw.example.cn/q/261123-K001-001").Feed(3).Cut().Bytes(p)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func TestPrintStatusAndReprint(t *testing.T) {
	sim := NewPrinter()
	dev := startPrinter(t, sim, printer.Pacing{})
	ctx := context.Background()
	job := receiptJob(t, printer.Paper58)

	if st, err := dev.Status(ctx); err != nil || st.State() != printer.Ready {
		t.Fatalf("status %v %v", st, err)
	}
	if err := dev.Print(ctx, job); err != nil {
		t.Fatal(err)
	}
	if jobs := sim.Jobs(); len(jobs) != 1 || !bytes.Equal(jobs[0], job) {
		t.Fatalf("printer got %d jobs", len(jobs))
	}

	sim.SetPaperOut(true)
	err := dev.Print(ctx, job)
	var je *printer.JobError
	if !errors.As(err, &je) || je.State != printer.PaperOut || !bytes.Equal(je.Job, job) || !errors.Is(err, printer.ErrCannotPrint) {
		t.Fatalf("paper out: %v", err)
	}
	if len(sim.Jobs()) != 1 {
		t.Fatal("a job was sent to a printer with no paper")
	}
	sim.SetPaperOut(false)
	if again, err := dev.Reprint(ctx); !again || err != nil {
		t.Fatalf("reprint: %v %v", again, err)
	}
	if jobs := sim.Jobs(); len(jobs) != 2 || !bytes.Equal(jobs[1], job) {
		t.Fatal("reprint did not print the kept job")
	}
	if again, _ := dev.Reprint(ctx); again {
		t.Error("nothing should be left to reprint")
	}

	sim.SetCoverOpen(true)
	if err := dev.Print(ctx, job); !errors.As(err, &je) || je.State != printer.CoverOpen {
		t.Errorf("cover open: %v", err)
	}
	sim.SetCoverOpen(false)
	sim.SetPaperNearEnd(true)
	if err := dev.Print(ctx, job); err != nil {
		t.Errorf("paper near end still prints: %v", err)
	}
}

// TestPacingHonoursXOFF sends a raster receipt (4 KB) to a printer with a 512-byte buffer: every
// byte arrives and none while the printer said XOFF. The control sends it in one write and must
// overrun, so the check can fail.
func TestPacingHonoursXOFF(t *testing.T) {
	raster := receiptJob(t, printer.Paper{Dots: 384})
	sim := NewPrinter()
	sim.BufferSize, sim.PrintTime = 512, 40*time.Millisecond
	dev := startPrinter(t, sim, printer.Pacing{Chunk: 64, Delay: 2 * time.Millisecond})
	if err := dev.Print(context.Background(), raster); err != nil {
		t.Fatal(err)
	}
	if jobs := sim.Jobs(); len(jobs) != 1 || !bytes.Equal(jobs[0], raster) || sim.Overruns() != 0 {
		t.Fatalf("paced: %d jobs, overruns %d", len(jobs), sim.Overruns())
	}

	control := NewPrinter()
	control.BufferSize, control.PrintTime = 512, 40*time.Millisecond
	unpaced := startPrinter(t, control, printer.Pacing{Chunk: 1 << 20})
	_ = unpaced.Print(context.Background(), append(append([]byte{}, raster...), raster...))
	time.Sleep(100 * time.Millisecond)
	if control.Overruns() == 0 {
		t.Error("control: an unpaced 8 KB write did not overrun, so the paced result proves nothing")
	}
}
