package wall

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Schedule is how the wall turns its pages.
type Schedule struct {
	// Dwell is how long a page stands, by part; Default for parts not named (default 20 s).
	Dwell   map[string]time.Duration
	Default time.Duration
	// BannerFor is how long an urgent notice interrupts with its banner (default 30 s).
	BannerFor time.Duration
	// OnFrom and OnUntil are the screen-on hours as time of day (7h, 21h); both zero: always on.
	OnFrom, OnUntil time.Duration
	// RowsPerPage is how many rows of a table or roster one page holds (by the screen; default 10).
	RowsPerPage int
	// NoticePages says how many pages a notice's text takes on the screen (the screen's layout
	// knows); nil: one.
	NoticePages func(Item) int
}

// Page is what stands on the wall now, and until when.
type Page struct {
	// Item is nil when there is nothing to show (or the screen is off).
	Item *Item
	// Page and Pages number a table's pages from 1 ("第 2 / 5 页"); 1 and 1 for anything else.
	Page, Pages int
	// Rows are this page's rows: a slice of Item.Table.Rows, or of an approval record's stages as
	// [stage, date, who, outcome].
	Rows [][]string
	// Urgent is an urgent notice interrupting the rotation, drawn with its banner.
	Urgent bool
	// Off is outside the screen-on hours: the wall goes dark but for the time.
	Off bool
	// Stale says the clock is not trusted: the wall keeps what it last knew to be current and shows
	// the technician a discreet mark.
	Stale bool
	Until time.Time
}

// Rotation turns the pages. It remembers what was current when the clock was last trusted, the
// urgent notices already announced, and the page last shown, so each call moves one page on.
type Rotation struct {
	S     Schedule
	known map[string]bool
	// showing is what the last Next put in rotation (nothing while the screen is off).
	showing []string
	told    map[string]bool
	last    string // the key of the page last shown
}

// NewRotation starts a rotation; known is what was last known to be current (kept by the caller
// across restarts, so a wall that comes back without a trusted clock still shows it).
func NewRotation(s Schedule, known []string) *Rotation {
	r := &Rotation{S: s, known: map[string]bool{}, told: map[string]bool{}}
	for _, id := range known {
		r.known[id] = true
	}
	return r
}

// Known lists the items last known to be current, for the caller to keep.
func (r *Rotation) Known() []string {
	out := make([]string, 0, len(r.known))
	for id := range r.known {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Showing is what the last Next put in the rotation: what stands on the wall (for the proof of
// display).
func (r *Rotation) Showing() []string { return slices.Clone(r.showing) }

// Current is what the wall may show now: by display period when the clock is trusted (and that
// becomes what is known), else what was last known to be current and is still there (a withdrawn
// item is gone from items, so it never shows again).
func (r *Rotation) Current(items []Item, now time.Time, trusted bool) []Item {
	var out []Item
	if trusted {
		r.known = map[string]bool{}
		for _, it := range items {
			if it.Current(now) {
				out = append(out, it)
				r.known[it.ID] = true
			}
		}
	} else {
		for _, it := range items {
			if r.known[it.ID] {
				out = append(out, it)
			}
		}
	}
	order := map[string]int{}
	for i, p := range Parts {
		order[p] = i
	}
	slices.SortStableFunc(out, func(a, b Item) int {
		switch {
		case order[a.Part] != order[b.Part]:
			return order[a.Part] - order[b.Part]
		case a.Priority != b.Priority:
			return b.Priority - a.Priority
		case !a.Published.Equal(b.Published):
			return b.Published.Compare(a.Published)
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// Next is the page to show from now: the screen off outside its hours (when the clock can say
// so), an urgent notice not yet announced, else the page after the last one shown.
func (r *Rotation) Next(items []Item, now time.Time, trusted bool) Page {
	cur := r.Current(items, now, trusted)
	r.showing = r.showing[:0]
	if trusted {
		if off, until := r.offHours(now); off {
			return Page{Off: true, Until: until}
		}
	}
	for _, it := range cur {
		r.showing = append(r.showing, it.ID)
	}
	for i := range cur {
		it := cur[i]
		if it.Urgent && !r.told[it.ID] {
			r.told[it.ID] = true
			p := r.page(it, 1, now)
			p.Urgent, p.Stale = true, !trusted
			p.Until = now.Add(r.bannerFor())
			r.last = key(it.ID, 1)
			return p
		}
	}
	var keys []string
	var pages []Page
	for _, it := range cur {
		n := r.pages(it)
		for k := 1; k <= n; k++ {
			keys = append(keys, key(it.ID, k))
			pages = append(pages, r.page(it, k, now))
		}
	}
	if len(pages) == 0 {
		return Page{Stale: !trusted, Until: now.Add(r.dwell(""))}
	}
	i := 0
	if at := slices.Index(keys, r.last); at >= 0 {
		i = (at + 1) % len(keys)
	}
	r.last = keys[i]
	p := pages[i]
	p.Stale = !trusted
	return p
}

func key(id string, page int) string { return id + "#" + strconv.Itoa(page) }

func (r *Rotation) rowsPerPage() int {
	if r.S.RowsPerPage > 0 {
		return r.S.RowsPerPage
	}
	return 10
}

// rows are what an item pages over: a table's rows, or an approval record's stages as
// [stage, date, who, outcome] (a stage still to come has only its name); nil for a notice.
func rows(it Item) [][]string {
	switch {
	case it.Table != nil:
		return it.Table.Rows
	case it.Kind == KindApproval:
		out := make([][]string, len(Stages))
		for i, st := range Stages {
			out[i] = []string{st, "", "", ""}
			if i < len(it.Steps) {
				s := it.Steps[i]
				out[i] = []string{st, s.On.Format("2006.01.02"), s.Who, s.Outcome}
			}
		}
		return out
	}
	return nil
}

// perPage is how many rows of the item one page holds: a stage takes two lines.
func (r *Rotation) perPage(it Item) int {
	if it.Kind == KindApproval {
		return max(r.rowsPerPage()/2, 1)
	}
	return r.rowsPerPage()
}

// pages is how many pages an item takes: its rows by what a page holds, a notice as the screen
// says, anything else one.
func (r *Rotation) pages(it Item) int {
	if it.Kind == KindNotice && r.S.NoticePages != nil {
		return max(r.S.NoticePages(it), 1)
	}
	n := len(rows(it))
	if n == 0 {
		return 1
	}
	per := r.perPage(it)
	return (n + per - 1) / per
}

func (r *Rotation) page(it Item, k int, now time.Time) Page {
	p := Page{Item: &it, Page: k, Pages: r.pages(it), Until: now.Add(r.dwell(it.Part))}
	if all := rows(it); len(all) > 0 {
		per := r.perPage(it)
		lo := min((k-1)*per, len(all))
		p.Rows = all[lo:min(lo+per, len(all))]
	}
	return p
}

func (r *Rotation) dwell(part string) time.Duration {
	if d, ok := r.S.Dwell[part]; ok && d > 0 {
		return d
	}
	if r.S.Default > 0 {
		return r.S.Default
	}
	return 20 * time.Second
}

func (r *Rotation) bannerFor() time.Duration {
	if r.S.BannerFor > 0 {
		return r.S.BannerFor
	}
	return 30 * time.Second
}

// offHours says whether now is outside the screen-on hours, and when the screen comes on.
func (r *Rotation) offHours(now time.Time) (bool, time.Time) {
	from, until := r.S.OnFrom, r.S.OnUntil
	if from == 0 && until == 0 {
		return false, time.Time{}
	}
	y, m, d := now.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	tod := now.Sub(midnight)
	if tod >= from && tod < until {
		return false, time.Time{}
	}
	on := midnight.Add(from)
	if tod >= until {
		on = time.Date(y, m, d+1, 0, 0, 0, 0, now.Location()).Add(from)
	}
	return true, on
}
