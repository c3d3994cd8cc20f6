package lifecycle

import (
	"sort"
	"time"
)

// Dated is an open case with its promised date (working days over the holiday calendar, from
// kiosk/workday when it was taken).
type Dated struct {
	Number  string
	Status  Status
	Promise time.Time
}

// Overdue lists the open cases whose promised date has passed, oldest promise first.
func Overdue(cases []Dated, now time.Time) []Dated {
	var out []Dated
	for _, c := range cases {
		if Open(c.Status) && now.After(c.Promise) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Promise.Before(out[j].Promise) })
	return out
}

// DueSoon lists the open cases due from now until the deadline given (the window shows those due
// within the next working days: pass workday's Add(now, n)), soonest first.
func DueSoon(cases []Dated, now, until time.Time) []Dated {
	var out []Dated
	for _, c := range cases {
		if Open(c.Status) && !now.After(c.Promise) && !c.Promise.After(until) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Promise.Before(out[j].Promise) })
	return out
}
