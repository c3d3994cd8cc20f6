// Package workday counts working days over a holiday calendar kept as data, for the promised
// completion date of a case (承诺时限 is in working days).
package workday

import (
	"encoding/json"
	"fmt"
	"time"
)

// Calendar knows which dates are days off. Outside its years it counts Monday to Friday.
type Calendar struct {
	Name     string
	Years    map[int]bool
	holidays map[string]bool
	workdays map[string]bool
}

type file struct {
	Name     string   `json:"name"`
	Note     string   `json:"note"`
	Years    []int    `json:"years"`
	Holidays []string `json:"holidays"`
	Workdays []string `json:"workdays"`
}

// Parse reads a calendar file; source names it in errors.
func Parse(source string, data []byte) (*Calendar, error) {
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("calendar %s: %w", source, err)
	}
	c := &Calendar{Name: f.Name, Years: map[int]bool{}, holidays: map[string]bool{}, workdays: map[string]bool{}}
	for _, y := range f.Years {
		c.Years[y] = true
	}
	for _, list := range []struct {
		days []string
		into map[string]bool
		name string
	}{{f.Holidays, c.holidays, "holidays"}, {f.Workdays, c.workdays, "workdays"}} {
		for _, d := range list.days {
			t, err := time.Parse("2006-01-02", d)
			if err != nil {
				return nil, fmt.Errorf("calendar %s: %s: %q is not a date like 2026-10-01", source, list.name, d)
			}
			if !c.Years[t.Year()] {
				return nil, fmt.Errorf("calendar %s: %s: %s is outside the years listed %v", source, list.name, d, f.Years)
			}
			list.into[d] = true
		}
	}
	for d := range c.holidays {
		if c.workdays[d] {
			return nil, fmt.Errorf("calendar %s: %s is both a holiday and a working day", source, d)
		}
	}
	return c, nil
}

// Working reports whether the hall works on day t.
func (c *Calendar) Working(t time.Time) bool {
	d := t.Format("2006-01-02")
	if c.holidays[d] {
		return false
	}
	if c.workdays[d] {
		return true
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Covers reports whether the calendar knows the holidays of t's year; beyond it only weekends
// count, and the kiosk logs that the calendar needs updating.
func (c *Calendar) Covers(t time.Time) bool { return c.Years[t.Year()] }

// Add returns the end of the n-th working day after from (the day of submission does not count),
// which is the promised completion date of an item with n working days; n = 0 is the same day.
func (c *Calendar) Add(from time.Time, n int) time.Time {
	d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, from.Location())
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.Working(d) {
			n--
		}
	}
	return d
}
