// Package docs lays out what the kiosk prints (the case receipt, the queue ticket, the acceptance
// slip and the checklist of materials to bring) as printer documents. The words come from
// assets/i18n; names and ID numbers are masked here by the one masking rule, whatever the caller
// passes, so no layout can print them whole.
package docs

import (
	"fmt"
	"strings"
	"time"

	"hallkiosk/drivers/printer"
	"hallkiosk/kiosk/text"
	"hallkiosk/township/api/mask"
)

// Receipt is the case receipt (回执) a resident takes home.
type Receipt struct {
	Hall, CaseNumber, Item string
	Submitted              time.Time
	Name, IDNumber         string // printed masked
	Promised               time.Time
	Collect                string // where and how to collect the result
	LookupURL              string // QR for progress lookup
	Missing                []string
}

// Ticket is the queue ticket (排队小票).
type Ticket struct {
	Hall, Number, Business string
	Waiting                int
	Issued                 time.Time
}

// Slip is the acceptance slip (受理单) the window gives a resident or a proxy.
type Slip struct {
	Hall, CaseNumber, Item, Name, IDNumber string
	Proxy                                  string // 代办员 name, printed masked; empty when the resident came
	Materials                              []SlipMaterial
	Staff                                  string
	Accepted, Promised                     time.Time
}

// SlipMaterial is one line of the slip's checklist.
type SlipMaterial struct {
	Name     string
	Received bool
}

// Checklist is the 预审 list: what a resident still has to bring for an item, and where.
type Checklist struct {
	Hall, Item string
	Missing    []string
	Place      string
	Hours      string
	Phone      string
	GuideURL   string // QR to the item's guide
	Printed    time.Time
	Incomplete bool // the case may be submitted first (容缺受理)
	CaseNumber string
}

// Doc lays out the receipt.
func (r Receipt) Doc(s *text.Strings) *printer.Doc {
	p := s.Print
	d := header(r.Hall, p.ReceiptTitle)
	d.Size(1, 2).Line(p.CaseNumber+r.CaseNumber).Size(1, 1)
	d.Field(p.Item, r.Item)
	d.Line(p.Applicant + mask.Name(r.Name))
	d.Line(p.IDNumber + mask.ID(r.IDNumber))
	d.Line(p.Submitted + r.Submitted.Format(s.Formats.DateTime))
	if !r.Promised.IsZero() {
		d.Line(strings.ReplaceAll(p.Promised, "{date}", r.Promised.Format(s.Formats.Date)))
	}
	if r.Collect != "" {
		d.Field(p.Collect, r.Collect)
	}
	if len(r.Missing) > 0 {
		d.Rule().Line(p.Missing)
		numbered(d, r.Missing)
	}
	if r.LookupURL != "" {
		d.Rule().Align(printer.Center).Line(p.ScanLookup).QR(r.LookupURL)
	}
	return footer(s, d)
}

// Doc lays out the ticket: the number large, then how many are ahead.
func (t Ticket) Doc(s *text.Strings) *printer.Doc {
	p := s.Print
	d := header(t.Hall, p.TicketTitle)
	d.Align(printer.Center).Size(3, 3).Line(t.Number).Size(1, 1)
	d.Line(t.Business)
	if t.Waiting >= 0 { // unknown for a number from the kiosk's own block
		d.Line(text.N(p.Waiting, t.Waiting))
	}
	d.Line(t.Issued.Format(s.Formats.DateTime))
	d.Line(p.TicketNotice)
	return footer(s, d)
}

// Doc lays out the acceptance slip with its materials checklist.
func (sl Slip) Doc(s *text.Strings) *printer.Doc {
	p := s.Print
	d := header(sl.Hall, p.SlipTitle)
	d.Line(p.CaseNumber + sl.CaseNumber)
	d.Field(p.Item, sl.Item)
	d.Line(p.Applicant + mask.Name(sl.Name))
	d.Line(p.IDNumber + mask.ID(sl.IDNumber))
	if sl.Proxy != "" {
		d.Line(p.Proxy + mask.Name(sl.Proxy) + p.ProxyMark)
	}
	d.Rule().Line(p.Materials)
	for _, m := range sl.Materials {
		mark := p.NotReceived
		if m.Received {
			mark = p.Received
		}
		d.Field(mark+" ", m.Name)
	}
	d.Rule()
	d.Line(p.Staff + sl.Staff)
	d.Line(p.Accepted + sl.Accepted.Format(s.Formats.DateTime))
	if !sl.Promised.IsZero() {
		d.Line(strings.ReplaceAll(p.Promised, "{date}", sl.Promised.Format(s.Formats.Date)))
	}
	return footer(s, d)
}

// Doc lays out the list of materials to bring.
func (c Checklist) Doc(s *text.Strings) *printer.Doc {
	p := s.Print
	d := header(c.Hall, p.ChecklistTitle)
	d.Field(p.Item, c.Item)
	if c.CaseNumber != "" {
		d.Line(p.CaseNumber + c.CaseNumber)
	}
	d.Rule().Line(p.Bring)
	numbered(d, c.Missing)
	if c.Incomplete {
		d.Line(p.Incomplete)
	}
	d.Rule()
	if c.Place != "" {
		d.Field(p.Place, c.Place)
	}
	if c.Hours != "" {
		d.Field(p.Hours, c.Hours)
	}
	if c.Phone != "" {
		d.Line(p.Phone + c.Phone)
	}
	d.Line(p.Printed + c.Printed.Format(s.Formats.DateTime))
	if c.GuideURL != "" {
		d.Rule().Align(printer.Center).Line(p.ScanGuide).QR(c.GuideURL)
	}
	return footer(s, d)
}

func numbered(d *printer.Doc, items []string) {
	for i, m := range items {
		d.Field(fmt.Sprintf("%d. ", i+1), m)
	}
}

func header(hall, title string) *printer.Doc {
	d := &printer.Doc{}
	return d.Align(printer.Center).Line(hall).Size(2, 2).Line(title).Size(1, 1).Align(printer.Left).Rule()
}

func footer(s *text.Strings, d *printer.Doc) *printer.Doc {
	return d.Align(printer.Center).Line(s.Print.Keep).Feed(3).Cut()
}
