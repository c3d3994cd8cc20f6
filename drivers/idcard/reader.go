package idcard

import (
	"context"
	"errors"
	"fmt"
	"time"

	"hallkiosk/drivers/serialport"
)

// ErrNoAnswer is a command the reader did not answer in time (unplugged, wrong port, card lifted
// during a long read).
var ErrNoAnswer = errors.New("no answer from the id-card reader")

// Timeouts per command, from what readers need in the wild.
type Timeouts struct {
	Find, Select, Read time.Duration
}

// DefaultTimeouts: find and select 100 ms, read 2 s, plus the read's wire time at slow baud rates
// is the caller's to add.
var DefaultTimeouts = Timeouts{Find: 300 * time.Millisecond, Select: 300 * time.Millisecond, Read: 2 * time.Second}

// Reader talks to one reader over a port. Not safe for concurrent use.
type Reader struct {
	port     serialport.Port
	dec      Decoder
	buf      []byte
	Timeouts Timeouts
}

// NewReader wraps an open port.
func NewReader(p serialport.Port) *Reader {
	return &Reader{port: p, buf: make([]byte, 4096), Timeouts: DefaultTimeouts}
}

// Transact sends one command and waits for its answer; a status other than success is returned
// as a *StatusError together with the response.
func (r *Reader) Transact(ctx context.Context, cmd [2]byte, timeout time.Duration, data ...byte) (Response, error) {
	r.dec.Reset()
	if _, err := r.port.Write(EncodeRequest(cmd, data...)); err != nil {
		return Response{}, fmt.Errorf("id-card reader: write command %02X %02X: %w", cmd[0], cmd[1], err)
	}
	deadline := time.Now().Add(timeout)
	var lastFrameErr error
	for {
		if err := ctx.Err(); err != nil {
			return Response{}, err
		}
		for {
			payload, ok, err := r.dec.Next()
			if !ok {
				break
			}
			if err != nil {
				lastFrameErr = err // a damaged frame: keep listening, the reader may repeat
				continue
			}
			resp, err := ParseResponse(payload)
			if err != nil {
				lastFrameErr = err
				continue
			}
			return resp, StatusFor(resp.SW3)
		}
		if time.Now().After(deadline) {
			if lastFrameErr != nil {
				return Response{}, fmt.Errorf("%w to %02X %02X within %s: %w", ErrNoAnswer, cmd[0], cmd[1], timeout, lastFrameErr)
			}
			return Response{}, fmt.Errorf("%w to %02X %02X within %s", ErrNoAnswer, cmd[0], cmd[1], timeout)
		}
		n, err := r.port.Read(r.buf) // (0, nil) on the port's read timeout
		if err != nil {
			return Response{}, fmt.Errorf("id-card reader: read: %w", err)
		}
		_, _ = r.dec.Write(r.buf[:n])
	}
}

// CheckSAM asks the reader's security module for its status; a kiosk does it at start.
func (r *Reader) CheckSAM(ctx context.Context) error {
	_, err := r.Transact(ctx, CmdSAMStatus, r.Timeouts.Select)
	return err
}

// ReadCard runs find, select and read once and decodes the card. With no card on the reader it
// returns the 80 status error.
func (r *Reader) ReadCard(ctx context.Context) (Card, error) {
	if _, err := r.Transact(ctx, CmdFindCard, r.Timeouts.Find); err != nil {
		return Card{}, err
	}
	return r.readPlaced(ctx)
}
