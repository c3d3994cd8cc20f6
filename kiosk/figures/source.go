package figures

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"hallkiosk/internal/atomicfile"
	"hallkiosk/kiosk/queue"
	"hallkiosk/localdb"
)

// Store is what the figures read of the window's store (*localdb.DB is one).
type Store interface {
	Cases() ([]localdb.Case, error)
	Ratings() ([]localdb.Rating, error)
}

// Source counts reports from the window's store and, on the PC that hosts the hall's queue, its
// ticket history.
type Source struct {
	DB Store
	// Tickets reads one day's tickets of the queue's history (queue.BoltStore's LoadDay); nil when
	// this PC does not host the queue.
	Tickets    func(day string) ([]queue.Ticket, error)
	Businesses []string
	Now        func() time.Time
}

// Report counts one period.
func (s *Source) Report(p Period) (Report, error) {
	in := Input{Businesses: s.Businesses, Now: s.Now(), HasTickets: s.Tickets != nil}
	var err error
	if in.Cases, err = s.DB.Cases(); err != nil {
		return Report{}, fmt.Errorf("figures %s: %w", p.Name, err)
	}
	if in.Ratings, err = s.DB.Ratings(); err != nil {
		return Report{}, fmt.Errorf("figures %s: %w", p.Name, err)
	}
	if s.Tickets != nil {
		for _, day := range p.Days() {
			ts, err := s.Tickets(day)
			if err != nil {
				return Report{}, fmt.Errorf("figures %s: tickets of %s: %w", p.Name, day, err)
			}
			in.Tickets = append(in.Tickets, ts...)
		}
	}
	return Build(in, p), nil
}

// Export formats.
const (
	CSV  = "csv"
	XLSX = "xlsx"
)

// Export writes a report's tables into dir: one workbook (统计-2026-11.xlsx), or one CSV per table
// (统计-2026-11-按事项.csv). Each file is written whole before it takes its name (atomicfile), so a
// USB stick pulled out early holds no half file under that name. It returns the paths written.
func Export(dir, format string, r Report, tables []Table, prefix string) ([]string, error) {
	base := prefix + "-" + r.Period.Name
	var out []string
	write := func(name string, fill func(w io.Writer) error) error {
		var buf bytes.Buffer // a month's tables are a few kilobytes
		if err := fill(&buf); err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
		path := filepath.Join(dir, name)
		if err := atomicfile.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		out = append(out, path)
		return nil
	}
	switch format {
	case XLSX:
		if err := write(base+".xlsx", func(w io.Writer) error { return WriteXLSX(w, tables) }); err != nil {
			return out, err
		}
	case CSV:
		for _, t := range tables {
			if err := write(base+"-"+sheetName(t.Name)+".csv", func(w io.Writer) error { return WriteCSV(w, t) }); err != nil {
				return out, err
			}
		}
	default:
		return nil, fmt.Errorf("export format %q: use csv or xlsx", format)
	}
	return out, nil
}
