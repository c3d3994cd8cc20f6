package sim

import (
	"context"
	"io"
	"sync"
	"time"
)

// Printer is an ESC/POS printer on the other end of a pty: it answers DLE EOT with its status,
// collects each job (up to the cut), and sends XOFF when its buffer fills, XON when it has
// "printed". Rendering jobs to PNG comes later.
type Printer struct {
	mu        sync.Mutex
	paperOut  bool
	nearEnd   bool
	coverOpen bool
	offline   bool
	jobs      [][]byte
	overruns  int

	// BufferSize is how many job bytes it takes before XOFF; 0 means never.
	BufferSize int
	// PrintTime is how long it stays in XOFF.
	PrintTime time.Duration
	// OnJob, when set, is called with each finished job (devsim renders it to a PNG).
	OnJob func(job []byte)
}

// NewPrinter makes a ready printer simulator.
func NewPrinter() *Printer { return &Printer{PrintTime: 30 * time.Millisecond} }

// SetPaperOut, SetPaperNearEnd, SetCoverOpen and SetOffline switch its state.
func (p *Printer) SetPaperOut(v bool)     { p.mu.Lock(); p.paperOut = v; p.mu.Unlock() }
func (p *Printer) SetPaperNearEnd(v bool) { p.mu.Lock(); p.nearEnd = v; p.mu.Unlock() }
func (p *Printer) SetCoverOpen(v bool)    { p.mu.Lock(); p.coverOpen = v; p.mu.Unlock() }
func (p *Printer) SetOffline(v bool)      { p.mu.Lock(); p.offline = v; p.mu.Unlock() }

// TakeJobs returns the jobs printed so far and forgets them, as a resident takes the paper (long
// runs such as the soak keep no pile of paper in memory).
func (p *Printer) TakeJobs() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	jobs := p.jobs
	p.jobs = nil
	return jobs
}

// Jobs returns the jobs printed so far, each from its first byte to its cut.
func (p *Printer) Jobs() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.jobs...)
}

// Overruns counts bytes that arrived while the printer had sent XOFF: lost on a real printer.
func (p *Printer) Overruns() int { p.mu.Lock(); defer p.mu.Unlock(); return p.overruns }

func (p *Printer) status(n byte) byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := byte(0x12)
	switch n {
	case 1:
		if p.offline || p.coverOpen || p.paperOut {
			b |= 0x08
		}
	case 2:
		if p.coverOpen {
			b |= 0x04
		}
		if p.paperOut {
			b |= 0x20
		}
	case 4:
		if p.nearEnd {
			b |= 0x0C
		}
		if p.paperOut {
			b |= 0x60
		}
	}
	return b
}

// Serve reads commands from rw until ctx ends or rw fails.
func (p *Printer) Serve(ctx context.Context, rw io.ReadWriter) error {
	var wmu sync.Mutex
	write := func(b []byte) error { wmu.Lock(); defer wmu.Unlock(); _, err := rw.Write(b); return err }
	var pending, job []byte
	buf := make([]byte, 1024)
	sinceXON := 0
	var pausedAt time.Time // zero while not paused
	var pmu sync.Mutex
	afterXOFF := 0 // bytes received since XOFF; the first inFlight of them were already on the wire
	const inFlight = 256
	for ctx.Err() == nil {
		n, err := rw.Read(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		pmu.Lock()
		if !pausedAt.IsZero() {
			// A pty delivers at once what a serial line would trickle, so count bytes, not time:
			// past what was already on its way when XOFF went out, every byte would be lost.
			over := max(0, afterXOFF+n-inFlight) - max(0, afterXOFF-inFlight)
			afterXOFF += n
			p.mu.Lock()
			p.overruns += over
			p.mu.Unlock()
		}
		pmu.Unlock()
		pending = append(pending, buf[:n]...)
		for {
			size, complete := commandSize(pending)
			if !complete {
				break
			}
			cmd := pending[:size]
			if size == 3 && cmd[0] == 0x10 && cmd[1] == 0x04 {
				if err := write([]byte{p.status(cmd[2])}); err != nil {
					return err
				}
			} else {
				job = append(job, cmd...)
				sinceXON += size
				if size == 3 && cmd[0] == 0x1D && cmd[1] == 0x56 { // cut: the job is done
					p.mu.Lock()
					p.jobs = append(p.jobs, job)
					p.mu.Unlock()
					if p.OnJob != nil {
						p.OnJob(job)
					}
					job = nil
				}
			}
			pending = pending[size:]
		}
		pmu.Lock()
		paused := !pausedAt.IsZero()
		pmu.Unlock()
		if p.BufferSize > 0 && sinceXON >= p.BufferSize && !paused {
			if err := write([]byte{0x13}); err != nil {
				return err
			}
			pmu.Lock()
			pausedAt, afterXOFF = time.Now(), 0
			pmu.Unlock()
			sinceXON = 0
			time.AfterFunc(p.PrintTime, func() {
				pmu.Lock()
				pausedAt = time.Time{}
				pmu.Unlock()
				_ = write([]byte{0x11})
			})
		}
	}
	return nil
}

// commandSize says how long the command at the start of b is, and whether all of it is there.
// Text bytes count one at a time; only the commands the driver sends are known.
func commandSize(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	need := func(n int) (int, bool) { return n, len(b) >= n }
	switch b[0] {
	case 0x10: // DLE EOT n
		return need(3)
	case 0x1B: // ESC @ | ESC a n | ESC E n
		if len(b) < 2 {
			return 0, false
		}
		if b[1] == 0x40 {
			return 2, true
		}
		return need(3)
	case 0x1C: // FS & | FS .
		return need(2)
	case 0x1D:
		if len(b) < 2 {
			return 0, false
		}
		switch b[1] {
		case 0x21, 0x56: // GS ! n | GS V m
			return need(3)
		case 0x76: // GS v 0 m xL xH yL yH data
			if len(b) < 8 {
				return 0, false
			}
			w, h := int(b[4])|int(b[5])<<8, int(b[6])|int(b[7])<<8
			return need(8 + w*h)
		case 0x28: // GS ( k pL pH ...
			if len(b) < 5 {
				return 0, false
			}
			return need(5 + (int(b[3]) | int(b[4])<<8))
		}
		return need(2)
	}
	return 1, true
}
