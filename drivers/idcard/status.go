package idcard

import "fmt"

// Status codes (SW3) a reader answers with.
const (
	SWSuccess          byte = 0x90
	SWNoSuchItem       byte = 0x91
	SWFindOK           byte = 0x9F
	SWHostChecksum     byte = 0x10
	SWHostLength       byte = 0x11
	SWCommand          byte = 0x21
	SWUnauthorized     byte = 0x23
	SWUnrecognized     byte = 0x24
	SWCardAuthSAM      byte = 0x31
	SWSAMAuthCard      byte = 0x32
	SWVerifyFailed     byte = 0x33
	SWFingerprint      byte = 0x37
	SWInfoLength       byte = 0x3F
	SWUnknownCardType  byte = 0x40
	SWReadFailed       byte = 0x41
	SWRandomFailed     byte = 0x47
	SWSAMSelfTest      byte = 0x60
	SWSAMNotAuthorized byte = 0x66
	SWNoCard           byte = 0x80
	SWSelectFailed     byte = 0x81
)

// Problem is what a reader status means for the person at the reader, so the kiosk can word it
// in its own strings: the driver says what happened, never what to tell a resident.
type Problem int

// Problems, from "lay the card down" to "the reader is broken".
const (
	ProblemNone           Problem = iota
	ProblemNoCard                 // no card on the reader: lay it down
	ProblemHoldStill              // the read failed: lay it flat and do not move it
	ProblemCardUnreadable         // this card cannot be read here
	ProblemCardType               // a card type the reader does not know
	ProblemReader                 // the reader or its SAM is out of order
)

// StatusError is a reader's answer other than success: Log is for technicians' logs (English),
// Problem is what it means for the resident (the kiosk words it).
type StatusError struct {
	SW3     byte
	Log     string
	Problem Problem
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("id-card reader status %02X: %s", e.SW3, e.Log)
}

// Is lets errors.Is(err, &StatusError{SW3: 0x80}) match by code.
func (e *StatusError) Is(target error) bool {
	t, ok := target.(*StatusError)
	return ok && t.SW3 == e.SW3
}

var statusTable = map[byte]StatusError{
	SWNoSuchItem:       {Log: "card has no such item", Problem: ProblemCardUnreadable},
	SWHostChecksum:     {Log: "reader saw a checksum error in our frame", Problem: ProblemHoldStill},
	SWHostLength:       {Log: "reader saw a length error in our frame", Problem: ProblemHoldStill},
	SWCommand:          {Log: "command error", Problem: ProblemReader},
	SWUnauthorized:     {Log: "unauthorized operation", Problem: ProblemReader},
	SWUnrecognized:     {Log: "unrecognized error", Problem: ProblemHoldStill},
	SWCardAuthSAM:      {Log: "card failed to authenticate the SAM", Problem: ProblemCardUnreadable},
	SWSAMAuthCard:      {Log: "SAM failed to authenticate the card", Problem: ProblemCardUnreadable},
	SWVerifyFailed:     {Log: "information verification failed", Problem: ProblemCardUnreadable},
	SWFingerprint:      {Log: "fingerprint verification error", Problem: ProblemCardUnreadable},
	SWInfoLength:       {Log: "information length error", Problem: ProblemHoldStill},
	SWUnknownCardType:  {Log: "unrecognized card type", Problem: ProblemCardType},
	SWReadFailed:       {Log: "read failed (card moved or lifted)", Problem: ProblemHoldStill},
	SWRandomFailed:     {Log: "random-number fetch failed", Problem: ProblemHoldStill},
	SWSAMSelfTest:      {Log: "SAM self-test failed, cannot take commands", Problem: ProblemReader},
	SWSAMNotAuthorized: {Log: "SAM not authorized", Problem: ProblemReader},
	SWNoCard:           {Log: "no card on the reader", Problem: ProblemNoCard},
	SWSelectFailed:     {Log: "select card failed", Problem: ProblemHoldStill},
}

// StatusFor returns nil for the success codes and a *StatusError for every other SW3, including
// codes not in the published table.
func StatusFor(sw3 byte) error {
	if sw3 == SWSuccess || sw3 == SWFindOK {
		return nil
	}
	if e, ok := statusTable[sw3]; ok {
		e.SW3 = sw3
		return &e
	}
	return &StatusError{SW3: sw3, Log: "status code not in the protocol table", Problem: ProblemReader}
}
