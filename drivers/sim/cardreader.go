// Package sim holds device simulators that speak the real protocols over a pty, for tests, the
// demo and technicians without hardware.
package sim

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"hallkiosk/drivers/idcard"
)

// Fault is a misbehaviour the card reader simulator can be told to show.
type Fault int

// Faults.
const (
	FaultNone        Fault = iota
	FaultLiftMidRead       // the next read answers 41 and the card is lifted
	FaultBadChecksum       // the next answer has a wrong checksum
	FaultGarbage           // the next answer comes after noise bytes
	FaultSlow              // answers trickle out a few bytes at a time
	FaultSilent            // commands get no answer
)

// CardReader answers SAM commands as a reader does, with a set of cards to place and lift.
type CardReader struct {
	mu     sync.Mutex
	cards  []idcard.Card
	placed int
	fault  Fault
	seen   chan struct{} // closed at the next search that finds no card (LiftSeen)
	// ChunkDelay paces FaultSlow.
	ChunkDelay time.Duration
}

// NewCardReader makes a reader simulator with no card placed.
func NewCardReader(cards []idcard.Card) *CardReader {
	return &CardReader{cards: cards, placed: -1, ChunkDelay: 5 * time.Millisecond}
}

// Place lays card i on the reader.
func (s *CardReader) Place(i int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i < 0 || i >= len(s.cards) {
		return errors.New("no such test card")
	}
	s.placed = i
	return nil
}

// Lift takes the card off.
func (s *CardReader) Lift() { s.mu.Lock(); s.placed = -1; s.mu.Unlock() }

// LiftSeen takes the card off and returns a channel closed once the reader has answered a search
// with "no card": from then on the poller knows the card is gone, and the next card placed is a
// new placement. Tests wait on it instead of sleeping.
func (s *CardReader) LiftSeen() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.placed = -1
	s.seen = make(chan struct{})
	return s.seen
}

// SetFault arms a fault (the one-shot ones clear after use).
func (s *CardReader) SetFault(f Fault) { s.mu.Lock(); s.fault = f; s.mu.Unlock() }

// Serve answers requests from rw until ctx ends or rw fails.
func (s *CardReader) Serve(ctx context.Context, rw io.ReadWriter) error {
	var dec idcard.Decoder
	buf := make([]byte, 512)
	for ctx.Err() == nil {
		n, err := rw.Read(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		_, _ = dec.Write(buf[:n])
		for {
			payload, ok, ferr := dec.Next()
			if !ok {
				break
			}
			if ferr != nil {
				if _, err := rw.Write(idcard.EncodeResponse(idcard.SWHostChecksum, nil)); err != nil {
					return err
				}
				continue
			}
			req, err := idcard.ParseRequest(payload)
			if err != nil {
				continue
			}
			if err := s.answer(rw, req); err != nil {
				return err
			}
		}
	}
	return nil
}

// noticed closes the LiftSeen channel, after the "no card" answer is written.
func (s *CardReader) noticed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen != nil && s.placed < 0 {
		close(s.seen)
		s.seen = nil
	}
}

func (s *CardReader) answer(w io.Writer, req idcard.Request) error {
	s.mu.Lock()
	placed, fault := s.placed, s.fault
	var card idcard.Card
	if placed >= 0 {
		card = s.cards[placed]
	}
	s.mu.Unlock()
	var out []byte
	switch req.Cmd {
	case idcard.CmdResetSAM, idcard.CmdSAMStatus, idcard.CmdSetMaxRFByte:
		out = idcard.EncodeResponse(idcard.SWSuccess, nil)
	case idcard.CmdSAMID:
		out = idcard.EncodeResponse(idcard.SWSuccess, make([]byte, 16))
	case idcard.CmdFindCard:
		if placed < 0 {
			out = idcard.EncodeResponse(idcard.SWNoCard, nil)
			defer s.noticed()
		} else {
			out = idcard.EncodeResponse(idcard.SWFindOK, make([]byte, 4))
		}
	case idcard.CmdSelectCard:
		if placed < 0 {
			out = idcard.EncodeResponse(idcard.SWSelectFailed, nil)
		} else {
			out = idcard.EncodeResponse(idcard.SWSuccess, make([]byte, 8))
		}
	case idcard.CmdReadText:
		switch {
		case placed < 0:
			out = idcard.EncodeResponse(idcard.SWReadFailed, nil)
		case fault == FaultLiftMidRead:
			s.Lift()
			s.SetFault(FaultNone)
			out = idcard.EncodeResponse(idcard.SWReadFailed, nil)
		default:
			text, err := idcard.EncodeText(card)
			if err != nil {
				return err
			}
			photo := make([]byte, 1024)
			for i := range photo {
				photo[i] = byte(i * 7)
			}
			out = idcard.EncodeResponse(idcard.SWSuccess, idcard.ReadAnswer(text, photo))
		}
	default:
		out = idcard.EncodeResponse(idcard.SWCommand, nil)
	}
	switch fault {
	case FaultSilent:
		return nil
	case FaultBadChecksum:
		out[len(out)-1] ^= 0x5A
		s.SetFault(FaultNone)
	case FaultGarbage:
		out = append([]byte{0x00, 0xAA, 0xAA, 0x13, 0x96}, out...)
		s.SetFault(FaultNone)
	case FaultSlow:
		for len(out) > 0 {
			n := min(16, len(out))
			if _, err := w.Write(out[:n]); err != nil {
				return err
			}
			out = out[n:]
			time.Sleep(s.ChunkDelay)
		}
		return nil
	}
	_, err := w.Write(out)
	return err
}
