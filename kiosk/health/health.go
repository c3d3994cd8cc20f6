// Package health gathers what staff and technicians check at the window, without the screens: the
// upload queue (depth, oldest item, last success, last error, the loop's state), the quarantine
// (items the township refused for good, with its reasons, and putting one back in the queue), the
// store's size against its cap, and the printer's answer. It never shows an item's payload: that
// carries the applicant.
package health

import (
	"context"
	"fmt"
	"time"

	"hallkiosk/drivers/printer"
	"hallkiosk/kiosk/upload"
	"hallkiosk/localdb"
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
	// Printer is nil when none is configured.
	Printer Printer
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
	PrinterErr error // the printer did not answer
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
