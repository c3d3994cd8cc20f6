// Package cards is how screens hear of ID cards: a small Source interface that the reader's
// poller and the tests' fake both satisfy, so UI tests lay cards without a serial port and the pty
// tests stay with the drivers and the end-to-end test.
package cards

import (
	"context"

	"hallkiosk/drivers/idcard"
)

// Source delivers one event per card laid on the reader (or per failed read).
type Source interface {
	Events() <-chan idcard.Event
}

// Poller is a Source fed by the reader's poller running until ctx ends.
type Poller struct{ ch chan idcard.Event }

// Poll starts p and returns its events as a Source.
func Poll(ctx context.Context, p *idcard.Poller) *Poller {
	ch := make(chan idcard.Event)
	go func() { _ = p.Run(ctx, ch) }()
	return &Poller{ch: ch}
}

// Events is the poller's channel.
func (p *Poller) Events() <-chan idcard.Event { return p.ch }

// Fake is a Source for tests: Lay and Fail send an event and return once a listener took it.
type Fake struct{ ch chan idcard.Event }

// NewFake makes a fake reader.
func NewFake() *Fake { return &Fake{ch: make(chan idcard.Event)} }

// Events is the fake's channel.
func (f *Fake) Events() <-chan idcard.Event { return f.ch }

// Lay lays a card on the fake reader.
func (f *Fake) Lay(c idcard.Card) { f.ch <- idcard.Event{Card: c} }

// Fail reports a failed read.
func (f *Fake) Fail(err error) { f.ch <- idcard.Event{Err: err} }

// Forward hands each event of src to handle through do (the shell's way onto the UI goroutine),
// until ctx ends; every mode with a reader listens the same way.
func Forward(ctx context.Context, src Source, do func(func()), handle func(idcard.Event)) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-src.Events():
				do(func() { handle(ev) })
			}
		}
	}()
}
