// Package health gathers what staff and technicians check at the window, without the screens: the
// upload queue (depth, oldest item, last success, last error, the loop's state), the quarantine
// (items the township refused for good, with its reasons, and putting one back in the queue), the
// store's size against its cap, and the printer's answer. It never shows an item's payload: that
// carries the applicant.
package health

import (
	"context"
	"errors"
	"fmt"
	"time"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/kiosk/upload"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

// Printer is the printer as the panel asks it (*printer.Device is one).
type Printer interface {
	Status(ctx context.Context) (printer.Status, error)
}

// Source reads the device's state.
type Source struct {
	DB *localdb.DB
	// Upload is the upload loop's state; nil when the device is not enrolled.
	Upload func() upload.Status
	// Printer is nil when none is configured, or when its port did not open (PrinterConfigured).
	Printer Printer
	// PrinterConfigured: the configuration names a printer, so a nil Printer means it is absent.
	PrinterConfigured bool
	// Reader is the card reader's state; nil when none is configured.
	Reader func() idcard.ReaderState
}

// Refused is one quarantined upload as the panel shows it: what kind, when made, why refused.
type Refused struct {
	Seq       uint64
	Kind      string
	CreatedAt time.Time
	Reason    string
}

// Report is the state at one moment.
type Report struct {
	Queue      localdb.QueueStats
	Usage      localdb.Usage
	Quarantine []Refused
	Enrolled   bool
	Upload     upload.Status
	HasPrinter bool
	Printer    printer.State
	PrinterErr error // the printer did not answer (or its port could not be opened)
	HasReader  bool
	Reader     idcard.ReaderState
}

// ErrPrinterAbsent is a configured printer whose port could not be opened at start.
var ErrPrinterAbsent = errors.New("printer configured but its port could not be opened")

// DeviceStates words the reader and the printer the way the township's heartbeat does.
func (r Report) DeviceStates() (reader, prn string) {
	reader = api.DeviceNotConfigured
	if r.HasReader {
		reader = string(r.Reader)
	}
	switch {
	case !r.HasPrinter:
		prn = api.DeviceNotConfigured
	case errors.Is(r.PrinterErr, ErrPrinterAbsent):
		prn = api.DeviceAbsent
	case r.PrinterErr != nil:
		prn = api.DeviceFault
	default:
		prn = map[printer.State]string{printer.Ready: api.DeviceReady, printer.PaperNearEnd: api.DevicePaperNearEnd,
			printer.PaperOut: api.DevicePaperOut}[r.Printer]
		if prn == "" {
			prn = api.DeviceFault // cover open, offline
		}
	}
	return reader, prn
}

// Read gathers the report; the printer is asked with ctx (it may take a second).
func (s *Source) Read(ctx context.Context) (Report, error) {
	var r Report
	var err error
	if r.Queue, err = s.DB.Stats(); err != nil {
		return r, fmt.Errorf("health: %w", err)
	}
	if r.Usage, err = s.DB.Usage(); err != nil {
		return r, fmt.Errorf("health: %w", err)
	}
	q, err := s.DB.Quarantined()
	if err != nil {
		return r, fmt.Errorf("health: %w", err)
	}
	for _, it := range q {
		r.Quarantine = append(r.Quarantine, Refused{Seq: it.Seq, Kind: it.Kind, CreatedAt: it.CreatedAt, Reason: it.Reason})
	}
	if s.Upload != nil {
		r.Enrolled, r.Upload = true, s.Upload()
	}
	if s.Reader != nil {
		r.HasReader, r.Reader = true, s.Reader()
	}
	if s.Printer == nil && s.PrinterConfigured {
		r.HasPrinter, r.PrinterErr = true, ErrPrinterAbsent
	}
	if s.Printer != nil {
		r.HasPrinter = true
		st, err := s.Printer.Status(ctx)
		if err != nil {
			r.PrinterErr = err
		} else {
			r.Printer = st.State()
		}
	}
	return r, nil
}

// Requeue puts a quarantined item back in the queue (after the township fixed what it refused, or
// a newer kiosk version makes it valid), in the audit log under the staff member's number.
func (s *Source) Requeue(seq uint64, by string) error {
	if err := s.DB.Requeue(seq); err != nil {
		return fmt.Errorf("requeue %d: %w", seq, err)
	}
	return s.DB.Audit(by, "outbox.requeue", fmt.Sprint(seq))
}
