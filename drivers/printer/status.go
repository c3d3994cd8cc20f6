package printer

import (
	"errors"
	"fmt"
	"strings"
)

// DLE EOT n requests; each is answered by one status byte even while offline or with a full buffer.
var (
	QueryPrinter = []byte{0x10, 0x04, 0x01}
	QueryOffline = []byte{0x10, 0x04, 0x02}
	QueryError   = []byte{0x10, 0x04, 0x03}
	QueryPaper   = []byte{0x10, 0x04, 0x04}
)

// XON and XOFF are the flow-control bytes a printer sends; bit 0 is set, so they are never status.
const (
	XON  = 0x11
	XOFF = 0x13
)

// ErrNotStatus is a byte that cannot be a DLE EOT answer (pattern 0xx1xx10).
var ErrNotStatus = errors.New("not a printer status byte")

// IsStatusByte tells a DLE EOT answer from other bytes (XON/XOFF, echoes, noise).
func IsStatusByte(b byte) bool { return b&0x93 == 0x12 }

// Status is the printer's state from the answers to DLE EOT 1, 2 and 4.
type Status struct {
	Offline      bool
	CoverOpen    bool
	FeedPressed  bool
	PaperEndStop bool // stopped because the paper ran out
	Error        bool
	PaperNearEnd bool
	PaperOut     bool
}

// ParseStatus combines the three answers; each must be a status byte.
func ParseStatus(printer, offline, paper byte) (Status, error) {
	for i, b := range []byte{printer, offline, paper} {
		if !IsStatusByte(b) {
			return Status{}, fmt.Errorf("%w: answer %d is %02X", ErrNotStatus, i+1, b)
		}
	}
	return Status{
		Offline:      printer&0x08 != 0,
		CoverOpen:    offline&0x04 != 0,
		FeedPressed:  offline&0x08 != 0,
		PaperEndStop: offline&0x20 != 0,
		Error:        offline&0x40 != 0,
		PaperNearEnd: paper&0x0C != 0,
		PaperOut:     paper&0x60 != 0,
	}, nil
}

// State is the one thing a caller acts on.
type State int

// States, worst last.
const (
	Ready State = iota
	PaperNearEnd
	PaperOut
	CoverOpen
	Offline
)

// State reduces the bits to what matters: can a job print, and what to tell people.
func (s Status) State() State {
	switch {
	case s.PaperOut || s.PaperEndStop:
		return PaperOut
	case s.CoverOpen:
		return CoverOpen
	case s.Offline || s.Error:
		return Offline
	case s.PaperNearEnd:
		return PaperNearEnd
	}
	return Ready
}

// CanPrint is true for Ready and PaperNearEnd.
func (st State) CanPrint() bool { return st == Ready || st == PaperNearEnd }

// String is the English log text.
func (st State) String() string {
	return [...]string{"ready", "paper near end", "paper out", "cover open", "offline"}[st]
}

// String lists the raised bits for technicians.
func (s Status) String() string {
	var parts []string
	for _, f := range []struct {
		on   bool
		name string
	}{{s.Offline, "offline"}, {s.CoverOpen, "cover open"}, {s.FeedPressed, "feed pressed"},
		{s.PaperEndStop, "stopped at paper end"}, {s.Error, "error"}, {s.PaperNearEnd, "paper near end"},
		{s.PaperOut, "paper out"}} {
		if f.on {
			parts = append(parts, f.name)
		}
	}
	if len(parts) == 0 {
		return "ready"
	}
	return strings.Join(parts, ", ")
}
