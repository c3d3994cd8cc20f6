package idcard

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"hallkiosk/drivers/serialport"
)

// Event is one card laid on the reader: the card, or why it could not be read (a *StatusError
// carries the Chinese message for the resident).
type Event struct {
	Card Card
	Err  error
}

// Poller watches a reader: it checks the SAM on connect, polls find every Interval, reads a card
// once per placement (a card left lying is not read again until it is lifted), and reconnects
// when the reader is unplugged and plugged back.
type Poller struct {
	// Open opens the port; called again after the reader disappears.
	Open     func() (serialport.Port, error)
	Interval time.Duration // between find polls; 0 means 400 ms
	Retry    time.Duration // between attempts to reopen; 0 means 2 s
	Timeouts Timeouts      // zero means DefaultTimeouts
	Log      *slog.Logger

	state atomic.Value // ReaderState
}

// ReaderState is what the poller last knew of its reader: the staff's health panel and the
// township's heartbeat show it, and an update on trial must see the reader answer.
type ReaderState string

// Reader states; the words match the heartbeat's (township/api).
const (
	ReaderStarting ReaderState = "starting" // not opened yet
	ReaderReady    ReaderState = "ready"    // opened, SAM checked, polling
	ReaderAbsent   ReaderState = "absent"   // the port cannot be opened, or the reader stopped answering
	ReaderFault    ReaderState = "fault"    // it answers, but its SAM check fails: it cannot read cards
)

// State is the reader's state now (safe from any goroutine).
func (p *Poller) State() ReaderState {
	if s, ok := p.state.Load().(ReaderState); ok {
		return s
	}
	return ReaderStarting
}

// Run polls until ctx ends, sending events to out. It starts no goroutines and closes the port
// before it returns.
func (p *Poller) Run(ctx context.Context, out chan<- Event) error {
	if p.Interval <= 0 {
		p.Interval = 400 * time.Millisecond
	}
	if p.Retry <= 0 {
		p.Retry = 2 * time.Second
	}
	if p.Timeouts == (Timeouts{}) {
		p.Timeouts = DefaultTimeouts
	}
	log := p.Log
	if log == nil {
		log = slog.Default()
	}
	everConnected, warned := false, false
	for ctx.Err() == nil {
		port, err := p.Open()
		if err != nil {
			p.state.Store(ReaderAbsent)
			if !warned {
				log.Warn("id-card reader not available, retrying", "err", err, "every", p.Retry)
				warned = true
			}
			if !sleep(ctx, p.Retry) {
				break
			}
			continue
		}
		warned = false
		r := NewReader(port)
		r.Timeouts = p.Timeouts
		if err := r.CheckSAM(ctx); err != nil {
			log.Error("id-card reader SAM check failed", "err", err)
			p.state.Store(ReaderFault)
			if errors.Is(err, ErrNoAnswer) {
				p.state.Store(ReaderAbsent)
			}
			_ = port.Close()
			if !sleep(ctx, p.Retry) {
				break
			}
			continue
		}
		if everConnected {
			log.Info("id-card reader reconnected")
		} else {
			log.Info("id-card reader ready")
		}
		everConnected = true
		p.state.Store(ReaderReady)
		err = p.poll(ctx, r, out)
		_ = port.Close()
		p.state.Store(ReaderAbsent)
		if ctx.Err() != nil {
			break
		}
		log.Warn("id-card reader disconnected, reconnecting", "err", err)
		if !sleep(ctx, p.Retry) {
			break
		}
	}
	return nil
}

// poll runs until the reader fails (returned) or ctx ends.
func (p *Poller) poll(ctx context.Context, r *Reader, out chan<- Event) error {
	present := false // a card was read and has not been lifted
	silent := 0
	for {
		if !sleep(ctx, p.Interval) {
			return ctx.Err()
		}
		_, err := r.Transact(ctx, CmdFindCard, r.Timeouts.Find)
		switch {
		case err == nil:
			silent = 0
		case errors.Is(err, &StatusError{SW3: SWNoCard}):
			silent, present = 0, false
			continue
		case errors.Is(err, ErrNoAnswer):
			if silent++; silent >= 3 {
				return err // three unanswered polls: the reader is gone
			}
			continue
		case errors.As(err, new(*StatusError)):
			continue
		default:
			return err // the port failed: unplugged
		}
		if present {
			continue
		}
		card, err := r.readPlaced(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, &StatusError{SW3: SWReadFailed}) || errors.Is(err, ErrNoAnswer) {
			// Lifted mid-read or slid: tell the resident, and read it again on the next poll.
			present = false
		} else {
			present = true
		}
		select {
		case out <- Event{Card: card, Err: err}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (r *Reader) readPlaced(ctx context.Context) (Card, error) {
	if _, err := r.Transact(ctx, CmdSelectCard, r.Timeouts.Select); err != nil {
		return Card{}, err
	}
	resp, err := r.Transact(ctx, CmdReadText, r.Timeouts.Read)
	if err != nil {
		return Card{}, err
	}
	text, photo, err := ParseReadAnswer(resp.Data)
	if err != nil {
		return Card{}, err
	}
	c, err := DecodeText(text)
	c.Photo = append([]byte(nil), photo...)
	return c, err
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
