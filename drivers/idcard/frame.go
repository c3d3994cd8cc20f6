// Package idcard speaks the resident ID-card reader's SAM protocol (GA/T 467 family): frames,
// status codes, and the decoding of the card's text block for all four card types. It does no I/O
// of its own except through the Reader, so the codec is tested byte for byte.
package idcard

import (
	"errors"
	"fmt"
)

// Preamble starts every frame in both directions.
var Preamble = []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69}

// MaxFrameLen bounds LEN: the largest real answer (text, photo and fingerprint) is 0x090A.
const MaxFrameLen = 0x0A00

// Commands as (CMD, PARA) pairs.
var (
	CmdResetSAM     = [2]byte{0x10, 0xFF}
	CmdSAMStatus    = [2]byte{0x11, 0xFF}
	CmdSAMID        = [2]byte{0x12, 0xFF}
	CmdFindCard     = [2]byte{0x20, 0x01}
	CmdSelectCard   = [2]byte{0x20, 0x02}
	CmdReadText     = [2]byte{0x30, 0x01}
	CmdReadAddress  = [2]byte{0x30, 0x03}
	CmdReadFinger   = [2]byte{0x30, 0x10}
	CmdSetMaxRFByte = [2]byte{0x61, 0xFF}
)

// checksum is the XOR of every byte from the first LEN byte through the last data byte.
func checksum(b []byte) byte {
	var c byte
	for _, x := range b {
		c ^= x
	}
	return c
}

// frame wraps a payload (the bytes between LEN and CHK) with preamble, LEN and CHK.
func frame(payload []byte) []byte {
	n := len(payload) + 1
	out := make([]byte, 0, len(Preamble)+2+n)
	out = append(out, Preamble...)
	out = append(out, byte(n>>8), byte(n))
	out = append(out, payload...)
	return append(out, checksum(out[len(Preamble):]))
}

// EncodeRequest builds a host-to-reader frame.
func EncodeRequest(cmd [2]byte, data ...byte) []byte {
	return frame(append([]byte{cmd[0], cmd[1]}, data...))
}

// EncodeResponse builds a reader-to-host frame; the simulator answers with it.
func EncodeResponse(sw3 byte, data []byte) []byte {
	return frame(append([]byte{0x00, 0x00, sw3}, data...))
}

// Request is a decoded host-to-reader frame.
type Request struct {
	Cmd  [2]byte
	Data []byte
}

// Response is a decoded reader-to-host frame.
type Response struct {
	SW3  byte
	Data []byte
}

// ParseRequest reads a frame payload as a request.
func ParseRequest(payload []byte) (Request, error) {
	if len(payload) < 2 {
		return Request{}, &FrameError{Kind: ErrBadLength, Detail: fmt.Sprintf("request payload of %d bytes", len(payload))}
	}
	return Request{Cmd: [2]byte{payload[0], payload[1]}, Data: payload[2:]}, nil
}

// ParseResponse reads a frame payload as a response.
func ParseResponse(payload []byte) (Response, error) {
	if len(payload) < 3 {
		return Response{}, &FrameError{Kind: ErrBadLength, Detail: fmt.Sprintf("response payload of %d bytes", len(payload))}
	}
	return Response{SW3: payload[2], Data: payload[3:]}, nil
}

// Frame errors, told apart with errors.Is.
var (
	ErrBadLength   = errors.New("frame length out of range")
	ErrBadChecksum = errors.New("frame checksum mismatch")
)

// FrameError is a frame the decoder dropped; it resynchronises on the next preamble.
type FrameError struct {
	Kind   error
	Detail string
}

func (e *FrameError) Error() string { return "id-card frame: " + e.Kind.Error() + ": " + e.Detail }
func (e *FrameError) Unwrap() error { return e.Kind }
