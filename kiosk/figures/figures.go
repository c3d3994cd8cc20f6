// Package figures counts a hall's day or month for the station head: cases by item and status,
// overdue ones, 好差评 by grade, tickets served and waiting times. It reads what the store and the
// queue keep and holds no personal data: a report has counts and durations, never a name or an ID
// number. Tables (table.go) give the same figures with Chinese headers for the screen, CSV and XLSX.
package figures

import (
	"cmp"
	"slices"
	"time"

	"hallkiosk/kiosk/lifecycle"
	"hallkiosk/kiosk/queue"
	"hallkiosk/localdb"
)

// Period is the span a report covers, [From, To) in the hall's local time.
type Period struct {
	From, To time.Time
	// Name is how files and headings call it: "2026-11-25" or "2026-11".
	Name    string
	Monthly bool
}

// Day is the calendar day of t, in t's location.
func Day(t time.Time) Period {
	from := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	return Period{From: from, To: from.AddDate(0, 0, 1), Name: from.Format("2006-01-02")}
}

// Month is the calendar month of t, in t's location.
func Month(t time.Time) Period {
	from := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
	return Period{From: from, To: from.AddDate(0, 1, 0), Name: from.Format("2006-01"), Monthly: true}
}

// Contains says whether t falls in the period.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.From) && t.Before(p.To) }

// Days are the queue's day keys ("2006-01-02") the period spans, for loading ticket history.
func (p Period) Days() []string {
	var out []string
	for d := p.From; d.Before(p.To); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format("2006-01-02"))
	}
	return out
}

// Input is what a report is counted from.
type Input struct {
	Cases   []localdb.Case
	Ratings []localdb.Rating
	// Tickets are the queue's tickets of the period's days (the queue host's history); nil when
	// this machine does not host the queue, and HasTickets says so.
	Tickets    []queue.Ticket
	HasTickets bool
	// Businesses orders the ticket rows as the hall lists them.
	Businesses []string
	Now        time.Time
}

// Report is one period's figures.
type Report struct {
	Period Period
	At     time.Time // when it was counted
	// Cases taken in the period, and those of them past their promised date and still open.
	Cases, Overdue int
	ByItem         []ItemRow
	ByStatus       []StatusRow
	ByChannel      map[string]int // "kiosk", "window"
	// Grades counts ratings given in the period by grade (index 1 非常不满意 .. 5 非常满意).
	Grades [6]int
	Rated  int
	// Bad are the 不满意 and 非常不满意 ones (they go to the follow-up list).
	Bad        int
	HasTickets bool
	Tickets    []TicketRow
	// AllTickets sums the rows.
	AllTickets TicketRow
}

// ItemRow is one service item's cases.
type ItemRow struct {
	Code, Name                   string
	Total, Open, Closed, Overdue int
}

// StatusRow is how many of the period's cases are at one status now.
type StatusRow struct {
	Status lifecycle.Status
	Count  int
}

// TicketRow is one business's tickets.
type TicketRow struct {
	Business              string
	Taken, Served, Missed int
	// Waiting is still waiting (today's) at the time of counting.
	Waiting int
	// AvgWait is from taking the ticket to its first call, over called tickets; MaxWait the longest.
	AvgWait, MaxWait time.Duration
	// AvgService is from call to done, over served tickets.
	AvgService time.Duration
}

// statusOrder is the order of a case's life, for the status table.
var statusOrder = []lifecycle.Status{lifecycle.Received, lifecycle.Accepted, lifecycle.Forwarded, lifecycle.ResultBack,
	lifecycle.Ready, lifecycle.HandedOver, lifecycle.FollowedUp, lifecycle.Closed, lifecycle.Returned, lifecycle.Refused}

// StatusOf is a case's place in its life: the window's own record, or for a kiosk case the
// township's word for it.
func StatusOf(c localdb.Case) lifecycle.Status {
	if c.Life != "" {
		return lifecycle.Status(c.Life)
	}
	switch c.Status {
	case localdb.StatusAccepted:
		return lifecycle.Accepted
	case localdb.StatusDone:
		return lifecycle.ResultBack
	case localdb.StatusRejected:
		return lifecycle.Refused
	}
	return lifecycle.Received
}

// Build counts one period.
func Build(in Input, p Period) Report {
	r := Report{Period: p, At: in.Now, ByChannel: map[string]int{}, HasTickets: in.HasTickets}
	items := map[string]*ItemRow{}
	statuses := map[lifecycle.Status]int{}
	for _, c := range in.Cases {
		if !p.Contains(c.CreatedAt) {
			continue
		}
		r.Cases++
		ch := c.Channel
		if ch == "" {
			ch = "kiosk"
		}
		r.ByChannel[ch]++
		st := StatusOf(c)
		statuses[st]++
		it := items[c.ItemCode]
		if it == nil {
			it = &ItemRow{Code: c.ItemCode, Name: c.ItemName}
			items[c.ItemCode] = it
		}
		it.Total++
		open := lifecycle.Open(st)
		if open {
			it.Open++
		} else {
			it.Closed++
		}
		if open && !c.PromisedBy.IsZero() && in.Now.After(c.PromisedBy) {
			it.Overdue++
			r.Overdue++
		}
	}
	for _, it := range items {
		r.ByItem = append(r.ByItem, *it)
	}
	slices.SortFunc(r.ByItem, func(a, b ItemRow) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.Code, b.Code))
	})
	for _, st := range statusOrder {
		if n := statuses[st]; n > 0 {
			r.ByStatus = append(r.ByStatus, StatusRow{Status: st, Count: n})
		}
	}
	for _, rt := range in.Ratings {
		if !p.Contains(rt.CreatedAt) || rt.Grade < 1 || rt.Grade > 5 {
			continue
		}
		r.Grades[rt.Grade]++
		r.Rated++
		if rt.Grade <= 2 {
			r.Bad++
		}
	}
	if in.HasTickets {
		r.Tickets, r.AllTickets = tickets(in, p)
	}
	return r
}

func tickets(in Input, p Period) ([]TicketRow, TicketRow) {
	type acc struct {
		row                TicketRow
		waitSum, serveSum  time.Duration
		waitedN, servedDur int
	}
	rows := map[string]*acc{}
	get := func(b string) *acc {
		if rows[b] == nil {
			rows[b] = &acc{row: TicketRow{Business: b}}
		}
		return rows[b]
	}
	for _, b := range in.Businesses {
		get(b)
	}
	all := &acc{}
	for _, t := range in.Tickets {
		if !p.Contains(t.TakenAt) {
			continue
		}
		for _, a := range []*acc{get(t.Business), all} {
			a.row.Taken++
			switch t.Status {
			case queue.Done:
				a.row.Served++
			case queue.Missed:
				a.row.Missed++
			case queue.Waiting:
				a.row.Waiting++
			}
			if !t.CalledAt.IsZero() {
				w := t.CalledAt.Sub(t.TakenAt)
				a.waitSum += w
				a.waitedN++
				a.row.MaxWait = max(a.row.MaxWait, w)
			}
			if t.Status == queue.Done && !t.DoneAt.IsZero() && !t.CalledAt.IsZero() {
				a.serveSum += t.DoneAt.Sub(t.CalledAt)
				a.servedDur++
			}
		}
	}
	finish := func(a *acc) TicketRow {
		if a.waitedN > 0 {
			a.row.AvgWait = (a.waitSum / time.Duration(a.waitedN)).Round(time.Second)
		}
		if a.servedDur > 0 {
			a.row.AvgService = (a.serveSum / time.Duration(a.servedDur)).Round(time.Second)
		}
		return a.row
	}
	var out []TicketRow
	seen := map[string]bool{}
	for _, b := range in.Businesses {
		out = append(out, finish(rows[b]))
		seen[b] = true
	}
	var rest []string
	for b := range rows {
		if !seen[b] {
			rest = append(rest, b)
		}
	}
	slices.Sort(rest)
	for _, b := range rest {
		out = append(out, finish(rows[b]))
	}
	return out, finish(all)
}
