package printer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"hallkiosk/drivers/serialport"
)

// Pacing keeps a slow serial printer from losing bytes: jobs go out in chunks with a pause, and
// an XOFF from the printer stops the flow until XON (go.bug.st/serial has no flow control).
type Pacing struct {
	Chunk    int           // bytes per write; 0 means 256
	Delay    time.Duration // pause after each chunk; 0 means none
	XOFFWait time.Duration // longest wait for XON after XOFF; 0 means 10 s
}

// ErrCannotPrint is a printer whose state forbids printing; the error says which state.
var ErrCannotPrint = errors.New("printer cannot print")

// JobError is a job that did not print; Job keeps its bytes so staff can reprint it.
type JobError struct {
	State State // the printer's state when it failed, if known
	Job   []byte
	Err   error
}

func (e *JobError) Error() string {
	return fmt.Sprintf("print job of %d bytes failed (%s): %v", len(e.Job), e.State, e.Err)
}
func (e *JobError) Unwrap() error { return e.Err }

// Device is one printer on a port. Safe for concurrent use; jobs print one at a time.
type Device struct {
	mu     sync.Mutex
	port   serialport.Port
	pacing Pacing
	failed []byte
	buf    []byte
}

// NewDevice wraps an open port.
func NewDevice(p serialport.Port, pacing Pacing) *Device {
	if pacing.Chunk <= 0 {
		pacing.Chunk = 256
	}
	if pacing.XOFFWait <= 0 {
		pacing.XOFFWait = 10 * time.Second
	}
	return &Device{port: p, pacing: pacing, buf: make([]byte, 64)}
}

// Status asks DLE EOT 1, 2 and 4. A printer that does not answer is Offline.
func (d *Device) Status(ctx context.Context) (Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.status(ctx)
}

func (d *Device) status(ctx context.Context) (Status, error) {
	var ans [3]byte
	for i, q := range [][]byte{QueryPrinter, QueryOffline, QueryPaper} {
		if _, err := d.port.Write(q); err != nil {
			return Status{Offline: true}, fmt.Errorf("printer status: %w", err)
		}
		b, err := d.readStatusByte(ctx, 500*time.Millisecond)
		if err != nil {
			return Status{Offline: true}, err
		}
		ans[i] = b
	}
	return ParseStatus(ans[0], ans[1], ans[2])
}

// readStatusByte skips XON/XOFF and noise until a status byte arrives.
func (d *Device) readStatusByte(ctx context.Context, timeout time.Duration) (byte, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		n, err := d.port.Read(d.buf[:1])
		if err != nil {
			return 0, fmt.Errorf("printer status: read: %w", err)
		}
		if n == 1 && IsStatusByte(d.buf[0]) {
			return d.buf[0], nil
		}
	}
	return 0, fmt.Errorf("printer status: no answer within %s", timeout)
}

// Print checks the printer, sends the job paced, and checks again. On failure the job is kept
// (Reprint sends it again) and the error is a *JobError with the state to show.
func (d *Device) Print(ctx context.Context, job []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	fail := func(st State, err error) error {
		d.failed = append([]byte(nil), job...)
		return &JobError{State: st, Job: d.failed, Err: err}
	}
	st, err := d.status(ctx)
	if err != nil {
		return fail(Offline, err)
	}
	if !st.State().CanPrint() {
		return fail(st.State(), fmt.Errorf("%w: %s", ErrCannotPrint, st.State()))
	}
	if err := d.send(ctx, job); err != nil {
		return fail(Offline, err)
	}
	st, err = d.status(ctx)
	if err != nil {
		return fail(Offline, err)
	}
	if st.PaperOut || st.PaperEndStop || st.CoverOpen || st.Offline {
		return fail(st.State(), fmt.Errorf("%w after the job: %s", ErrCannotPrint, st.State()))
	}
	d.failed = nil
	return nil
}

// Reprint sends the last failed job again; false when there is none.
func (d *Device) Reprint(ctx context.Context) (bool, error) {
	d.mu.Lock()
	job := d.failed
	d.mu.Unlock()
	if job == nil {
		return false, nil
	}
	return true, d.Print(ctx, job)
}

func (d *Device) send(ctx context.Context, job []byte) error {
	for len(job) > 0 {
		if err := d.waitForXON(ctx); err != nil {
			return err
		}
		n := min(d.pacing.Chunk, len(job))
		if _, err := d.port.Write(job[:n]); err != nil {
			return fmt.Errorf("printer write: %w", err)
		}
		job = job[n:]
		if d.pacing.Delay > 0 {
			select {
			case <-time.After(d.pacing.Delay):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

// waitForXON drains what the printer sent; after an XOFF it waits for XON.
func (d *Device) waitForXON(ctx context.Context) error {
	paused := false
	deadline := time.Now().Add(d.pacing.XOFFWait)
	for {
		if err := d.port.SetReadTimeout(time.Millisecond); err != nil {
			return err
		}
		n, err := d.port.Read(d.buf)
		_ = d.port.SetReadTimeout(50 * time.Millisecond)
		if err != nil {
			return fmt.Errorf("printer read: %w", err)
		}
		for _, b := range d.buf[:n] {
			switch b {
			case XOFF:
				paused = true
			case XON:
				paused = false
			}
		}
		if !paused && n == 0 {
			return nil
		}
		if paused {
			if time.Now().After(deadline) {
				return fmt.Errorf("printer held XOFF for %s", d.pacing.XOFFWait)
			}
			select {
			case <-time.After(5 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}
