// Package devtext words the card reader's and the printer's states for the person in front of the
// kiosk. The drivers say what happened (typed errors and states); what a resident is told lives in
// assets/i18n, and this is the one place that picks the sentence.
package devtext

import (
	"errors"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/kiosk/text"
)

// Card is the sentence for a failed card read: what to do next, never a code.
func Card(s *text.Strings, err error) string {
	var se *idcard.StatusError
	if !errors.As(err, &se) {
		return s.Apply.CardRetry // a timeout, a bad frame, a lifted card: lay it down again
	}
	switch se.Problem {
	case idcard.ProblemNoCard:
		return s.Devices.CardPlace
	case idcard.ProblemHoldStill:
		return s.Devices.CardHoldStill
	case idcard.ProblemCardUnreadable:
		return s.Devices.CardUnreadable
	case idcard.ProblemCardType:
		return s.Devices.CardType
	}
	return s.Devices.CardReader
}

// Printer is the sentence for a printer state.
func Printer(s *text.Strings, st printer.State) string {
	switch st {
	case printer.Ready:
		return s.Devices.PrinterReady
	case printer.PaperNearEnd:
		return s.Devices.PrinterNearEnd
	case printer.PaperOut:
		return s.Devices.PrinterOut
	case printer.CoverOpen:
		return s.Devices.PrinterCover
	}
	return s.Devices.PrinterOffline
}

// PrintFailure is the sentence for a print job that failed with err: the printer's state when it
// said one, otherwise that it is not answering.
func PrintFailure(s *text.Strings, err error) string {
	var je *printer.JobError
	if errors.As(err, &je) {
		return Printer(s, je.State)
	}
	return s.Devices.PrinterOffline
}
