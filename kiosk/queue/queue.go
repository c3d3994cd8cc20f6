// Package queue is the hall's one queue (取号 / 叫号) as a UI-free model: tickets numbered per
// business and per day, calls from the windows (叫下一位, 重呼, 过号 and 回来了, 转窗口 / 转业务, 暂停),
// the figures the window and the kiosk show, and the calls a wall screen speaks. The window PC that
// hosts the hall service keeps it in its store; kiosks and displays reach it over the LAN
// (kiosk/queue/hall).
//
// Numbers never collide, even while the service is down: the service gives 001-599 (then 1000 up),
// and each device it has met holds a block of its own for the day (slot 1: 601-699, slot 2: 701-799,
// slot 3: 801-899, slot 4: 901-999) to give tickets from when it cannot reach the service; the
// service takes those in when it is back.
package queue

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Ticket statuses.
const (
	Waiting = "waiting" // in the queue (again, after 回来了 or a transfer)
	Called  = "called"  // called to a window and being served there
	Missed  = "missed"  // 过号: called and not there; 回来了 puts it back
	Done    = "done"    // served
)

// Number ranges: see the package comment.
const (
	onlineLast = 599
	onlineNext = 1000 // after 599 the service goes on from here
	blockFirst = 600
	blockSize  = 100
	// Slots is how many devices of a hall can hold a block of their own.
	Slots = 4
)

// Refusals; each says what was wrong so the window can word it (the Chinese is in assets/i18n).
var (
	ErrUnknownBusiness = errors.New("no such business in this hall")
	ErrNoTicket        = errors.New("no such ticket today")
	ErrNobodyWaiting   = errors.New("nobody is waiting for this window")
	ErrPaused          = errors.New("the window is paused")
	ErrNoCurrent       = errors.New("the window is serving nobody")
	ErrNotMissed       = errors.New("the ticket was not missed (过号)")
	ErrNotOwnBlock     = errors.New("the number is not in the device's own block")
	ErrExists          = errors.New("the number was given already")
	ErrNoSlot          = errors.New("every block is held by another device")
	ErrBadWindow       = errors.New("a window name is 1-16 characters")
)

// Ticket is one number given to a resident.
type Ticket struct {
	Day      string `json:"day"`
	Number   string `json:"number"`
	Business string `json:"business"`
	// Source is the device that gave it; Offline when it came from the device's own block.
	Source  string    `json:"source"`
	Offline bool      `json:"offline,omitempty"`
	Status  string    `json:"status"`
	TakenAt time.Time `json:"taken_at"`
	// Window calls or serves it; while it waits, a window it was transferred to (转窗口).
	Window   string    `json:"window,omitempty"`
	CalledAt time.Time `json:"called_at,omitzero"`
	DoneAt   time.Time `json:"done_at,omitzero"`
	// Calls counts the calls, 重呼 included.
	Calls int `json:"calls,omitempty"`
	// Case is the kiosk case the resident comes to the window for (容缺补齐 after applying at the
	// kiosk), so the window finds it from the ticket it calls.
	Case string `json:"case,omitempty"`
}

// Call is one call a display shows and a speaker speaks.
type Call struct {
	Seq      uint64    `json:"seq"`
	Number   string    `json:"number"`
	Business string    `json:"business"`
	Window   string    `json:"window"`
	At       time.Time `json:"at"`
	Recall   bool      `json:"recall,omitempty"`
}

// BusinessFigures are one business's figures for today.
type BusinessFigures struct {
	Business string `json:"business"`
	Prefix   string `json:"prefix"`
	Waiting  int    `json:"waiting"`
	// OldestWaitSeconds is how long the first in line has waited.
	OldestWaitSeconds float64 `json:"oldest_wait_seconds"`
	Served            int     `json:"served_total"`
	// AverageServiceSeconds is from call to done, over today's served tickets.
	AverageServiceSeconds float64 `json:"average_service_seconds"`
}

// WindowFigures are one window's state and figures for today.
type WindowFigures struct {
	Window                string  `json:"window"`
	Paused                bool    `json:"paused,omitempty"`
	Current               *Ticket `json:"current,omitempty"`
	Waiting               int     `json:"waiting"` // tickets transferred to this window
	Served                int     `json:"served_total"`
	AverageServiceSeconds float64 `json:"average_service_seconds"`
}

// State is everything a display or a kiosk needs, taken whole after every (re)connect.
type State struct {
	Day        string            `json:"day"`
	Seq        uint64            `json:"seq"`
	At         time.Time         `json:"at"`
	Businesses []BusinessFigures `json:"businesses"`
	Windows    []WindowFigures   `json:"windows"`
	// Recent are the last calls, newest last: the now-serving line.
	Recent []Call `json:"recent"`
}

// Store keeps the queue across restarts: every ticket as it changes, the windows' pauses and the
// devices' slots. History is kept by day.
type Store interface {
	LoadDay(day string) ([]Ticket, error)
	SaveTicket(t Ticket) error
	Slots() (map[string]int, error)
	SaveSlot(device string, slot int) error
}

// Queue is the hall's queue. It is safe for concurrent use.
type Queue struct {
	mu         sync.Mutex
	store      Store
	now        func() time.Time
	businesses []string
	day        string
	tickets    map[string]*Ticket // number -> ticket, today
	online     map[string]int     // prefix -> last online number today
	paused     map[string]bool
	slots      map[string]int
	seq        uint64
	recent     []Call
	subs       map[chan Event]struct{}
}

// Event is what a subscriber receives: a call, and the state after every change; and, passed on
// and never kept, a window's 邀请评价 for the kiosk beside it (Invite) and the word that the case
// was rated (Rated: never the grade).
type Event struct {
	Call   *Call   `json:"call,omitempty"`
	State  *State  `json:"state,omitempty"`
	Invite *Invite `json:"invite,omitempty"`
	Rated  *Invite `json:"rated,omitempty"`
}

// Invite asks the kiosk Device to show the rating of Case to the resident at Window, for a window
// PC with no screen of its own facing the resident.
type Invite struct {
	Case   string    `json:"case"`
	Window string    `json:"window,omitempty"`
	Device string    `json:"device,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

// New opens the queue over its store; businesses give the ticket letters A, B, C... in order.
func New(store Store, businesses []string, now func() time.Time) (*Queue, error) {
	if len(businesses) == 0 || len(businesses) > 26 {
		return nil, fmt.Errorf("queue: %d businesses; 1 to 26 have letters", len(businesses))
	}
	slots, err := store.Slots()
	if err != nil {
		return nil, fmt.Errorf("queue: load slots: %w", err)
	}
	q := &Queue{store: store, now: now, businesses: businesses, slots: slots, paused: map[string]bool{},
		subs: map[chan Event]struct{}{}}
	if err := q.rollover(); err != nil {
		return nil, err
	}
	return q, nil
}

// Prefix is a business's ticket letter.
func (q *Queue) Prefix(business string) (string, error) { return PrefixOf(q.businesses, business) }

// PrefixOf is the letter of a business in the hall's list: A for the first, and so on. Every
// device takes the list from the same i18n file, so a letter means the same everywhere.
func PrefixOf(businesses []string, business string) (string, error) {
	for i, b := range businesses {
		if b == business {
			return string(rune('A' + i)), nil
		}
	}
	return "", fmt.Errorf("%q: %w", business, ErrUnknownBusiness)
}

// Number is how a ticket number is written: the letter and at least three digits (A007, B1000).
func Number(prefix string, n int) string { return fmt.Sprintf("%s%03d", prefix, n) }

// rollover starts a new day when the date has changed: numbers restart, the old day stays stored.
func (q *Queue) rollover() error {
	day := q.now().Format("2006-01-02")
	if day == q.day {
		return nil
	}
	ts, err := q.store.LoadDay(day)
	if err != nil {
		return fmt.Errorf("queue: load %s: %w", day, err)
	}
	q.day, q.tickets, q.online, q.recent = day, map[string]*Ticket{}, map[string]int{}, nil
	for i := range ts {
		t := ts[i]
		q.tickets[t.Number] = &t
		if n, ok := onlineNumber(t.Number); ok && n > q.online[t.Number[:1]] {
			q.online[t.Number[:1]] = n
		}
	}
	return nil
}

// onlineNumber reads the number part of a ticket the service gave.
func onlineNumber(number string) (int, bool) {
	if len(number) < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(number[1:])
	if err != nil || (n > onlineLast && n < onlineNext) {
		return 0, false
	}
	return n, true
}

// Block is a device's own range of numbers for days the service cannot be reached.
type Block struct {
	Slot  int `json:"slot"`
	First int `json:"first"`
	Last  int `json:"last"`
}

// BlockOf is the range of slot (1..Slots).
func BlockOf(slot int) Block {
	first := blockFirst + (slot-1)*blockSize + 1
	return Block{Slot: slot, First: first, Last: first + blockSize - 2}
}

// Slot gives a device its block, the same one every time.
func (q *Queue) Slot(device string) (Block, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if s, ok := q.slots[device]; ok {
		return BlockOf(s), nil
	}
	used := map[int]bool{}
	for _, s := range q.slots {
		used[s] = true
	}
	for s := 1; s <= Slots; s++ {
		if !used[s] {
			if err := q.store.SaveSlot(device, s); err != nil {
				return Block{}, fmt.Errorf("queue: save slot of %s: %w", device, err)
			}
			q.slots[device] = s
			return BlockOf(s), nil
		}
	}
	return Block{}, ErrNoSlot
}

// Take gives the next number of a business.
func (q *Queue) Take(business, device string) (Ticket, error) { return q.TakeFor(business, device, "") }

// TakeFor gives the next number of a business for a resident who comes about a case.
func (q *Queue) TakeFor(business, device, caseNumber string) (Ticket, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.rollover(); err != nil {
		return Ticket{}, err
	}
	prefix, err := q.Prefix(business)
	if err != nil {
		return Ticket{}, err
	}
	n := q.online[prefix] + 1
	if n == onlineLast+1 {
		n = onlineNext
	}
	t := Ticket{Day: q.day, Number: Number(prefix, n), Business: business, Source: device,
		Status: Waiting, TakenAt: q.now().UTC(), Case: caseNumber}
	if err := q.save(&t); err != nil {
		return Ticket{}, err
	}
	q.online[prefix] = n
	q.changed(nil)
	return t, nil
}

// TakeIn adds a ticket a device gave from its own block while the service was away. A ticket
// already taken in is answered again (the device retries until it hears back).
func (q *Queue) TakeIn(t Ticket, device string) (Ticket, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.rollover(); err != nil {
		return Ticket{}, err
	}
	prefix, err := q.Prefix(t.Business)
	if err != nil {
		return Ticket{}, err
	}
	slot, ok := q.slots[device]
	n, nerr := strconv.Atoi(t.Number[min(1, len(t.Number)):])
	b := BlockOf(slot)
	if !ok || nerr != nil || t.Number[:min(1, len(t.Number))] != prefix || n < b.First || n > b.Last {
		return Ticket{}, fmt.Errorf("%s from %s: %w", t.Number, device, ErrNotOwnBlock)
	}
	if t.Day != q.day {
		// A ticket of an earlier day is history: the resident has gone home.
		return Ticket{}, fmt.Errorf("%s of %s: %w", t.Number, t.Day, ErrNoTicket)
	}
	if old, ok := q.tickets[t.Number]; ok {
		if old.Source == device && old.TakenAt.Equal(t.TakenAt) {
			return *old, nil
		}
		return Ticket{}, fmt.Errorf("%s: %w", t.Number, ErrExists)
	}
	in := Ticket{Day: q.day, Number: t.Number, Business: t.Business, Source: device, Offline: true,
		Status: Waiting, TakenAt: t.TakenAt.UTC(), Case: t.Case}
	if err := q.save(&in); err != nil {
		return Ticket{}, err
	}
	q.changed(nil)
	return in, nil
}

// CallNext finishes the window's current ticket and calls the next: first one transferred to this
// window, then the longest waiting of the businesses the window serves (all when none are given).
func (q *Queue) CallNext(window string, businesses []string) (Ticket, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.rollover(); err != nil {
		return Ticket{}, err
	}
	if err := checkWindow(window); err != nil {
		return Ticket{}, err
	}
	if q.paused[window] {
		return Ticket{}, fmt.Errorf("%s: %w", window, ErrPaused)
	}
	serves := map[string]bool{}
	for _, b := range businesses {
		if _, err := q.Prefix(b); err != nil {
			return Ticket{}, err
		}
		serves[b] = true
	}
	var next *Ticket
	for _, t := range q.tickets {
		if t.Status != Waiting || (t.Window != "" && t.Window != window) {
			continue
		}
		if t.Window == "" && len(serves) > 0 && !serves[t.Business] {
			continue
		}
		if next == nil || before(t, next, window) {
			next = t
		}
	}
	if next == nil {
		return Ticket{}, fmt.Errorf("%s: %w", window, ErrNobodyWaiting)
	}
	if err := q.finish(window); err != nil {
		return Ticket{}, err
	}
	t := *next
	t.Status, t.Window, t.CalledAt, t.Calls = Called, window, q.now().UTC(), t.Calls+1
	if err := q.save(&t); err != nil {
		return Ticket{}, err
	}
	q.changed(q.call(t, false))
	return t, nil
}

// before orders waiting tickets: transferred to this window first, then by time taken.
func before(a, b *Ticket, window string) bool {
	if (a.Window == window) != (b.Window == window) {
		return a.Window == window
	}
	if !a.TakenAt.Equal(b.TakenAt) {
		return a.TakenAt.Before(b.TakenAt)
	}
	if len(a.Number) != len(b.Number) { // B999 before B1000
		return len(a.Number) < len(b.Number)
	}
	return a.Number < b.Number
}

// Recall calls the window's current ticket again (重呼).
func (q *Queue) Recall(window string) (Ticket, error) {
	return q.withCurrent(window, func(t *Ticket) *Call {
		t.Calls++
		return q.call(*t, true)
	})
}

// Miss marks the window's current ticket as not there (过号).
func (q *Queue) Miss(window string) (Ticket, error) {
	return q.withCurrent(window, func(t *Ticket) *Call {
		t.Status = Missed
		return nil
	})
}

// Finish marks the window's current ticket served.
func (q *Queue) Finish(window string) (Ticket, error) {
	return q.withCurrent(window, func(t *Ticket) *Call {
		t.Status, t.DoneAt = Done, q.now().UTC()
		return nil
	})
}

// Transfer sends the window's current ticket back into the queue, to another window (转窗口) or
// another business (转业务); it keeps its place in line.
func (q *Queue) Transfer(window, toWindow, toBusiness string) (Ticket, error) {
	if toWindow != "" {
		if err := checkWindow(toWindow); err != nil {
			return Ticket{}, err
		}
	}
	if toBusiness != "" {
		if _, err := q.Prefix(toBusiness); err != nil {
			return Ticket{}, err
		}
	}
	if toWindow == "" && toBusiness == "" {
		return Ticket{}, errors.New("transfer: name a window or a business")
	}
	return q.withCurrent(window, func(t *Ticket) *Call {
		t.Status, t.Window, t.CalledAt = Waiting, toWindow, time.Time{}
		if toBusiness != "" {
			t.Business = toBusiness
		}
		return nil
	})
}

// Returned puts a missed ticket back in line (回来了), at its old place.
func (q *Queue) Returned(number string) (Ticket, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.rollover(); err != nil {
		return Ticket{}, err
	}
	cur, ok := q.tickets[number]
	if !ok {
		return Ticket{}, fmt.Errorf("%s: %w", number, ErrNoTicket)
	}
	if cur.Status != Missed {
		return Ticket{}, fmt.Errorf("%s: %w", number, ErrNotMissed)
	}
	t := *cur
	t.Status, t.Window, t.CalledAt = Waiting, "", time.Time{}
	if err := q.save(&t); err != nil {
		return Ticket{}, err
	}
	q.changed(nil)
	return t, nil
}

// Pause stops a window from calling (暂停) or lets it call again.
func (q *Queue) Pause(window string, paused bool) error {
	if err := checkWindow(window); err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.paused[window] = paused
	q.changed(nil)
	return nil
}

func (q *Queue) withCurrent(window string, change func(*Ticket) *Call) (Ticket, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.rollover(); err != nil {
		return Ticket{}, err
	}
	cur := q.current(window)
	if cur == nil {
		return Ticket{}, fmt.Errorf("%s: %w", window, ErrNoCurrent)
	}
	t := *cur
	c := change(&t)
	if err := q.save(&t); err != nil {
		return Ticket{}, err
	}
	q.changed(c)
	return t, nil
}

// finish marks the window's current ticket done before the next is called.
func (q *Queue) finish(window string) error {
	cur := q.current(window)
	if cur == nil {
		return nil
	}
	t := *cur
	t.Status, t.DoneAt = Done, q.now().UTC()
	return q.save(&t)
}

func (q *Queue) current(window string) *Ticket {
	for _, t := range q.tickets {
		if t.Status == Called && t.Window == window {
			return t
		}
	}
	return nil
}

// save stores t before the queue changes: a ticket the screen shows is a ticket the store has.
func (q *Queue) save(t *Ticket) error {
	if err := q.store.SaveTicket(*t); err != nil {
		return fmt.Errorf("queue: save %s: %w", t.Number, err)
	}
	q.tickets[t.Number] = t
	return nil
}

func (q *Queue) call(t Ticket, recall bool) *Call {
	q.seq++
	c := Call{Seq: q.seq, Number: t.Number, Business: t.Business, Window: t.Window, At: q.now().UTC(), Recall: recall}
	q.recent = append(q.recent, c)
	if len(q.recent) > 10 {
		q.recent = q.recent[len(q.recent)-10:]
	}
	return &c
}

func checkWindow(w string) error {
	if n := len([]rune(w)); n == 0 || n > 16 {
		return fmt.Errorf("%q: %w", w, ErrBadWindow)
	}
	return nil
}

// State is the queue now.
func (q *Queue) State() State {
	q.mu.Lock()
	defer q.mu.Unlock()
	_ = q.rollover()
	return q.state()
}

func (q *Queue) state() State {
	now := q.now()
	s := State{Day: q.day, Seq: q.seq, At: now.UTC(), Recent: append([]Call{}, q.recent...)}
	windows := map[string]*WindowFigures{}
	win := func(name string) *WindowFigures {
		if windows[name] == nil {
			windows[name] = &WindowFigures{Window: name, Paused: q.paused[name]}
		}
		return windows[name]
	}
	for name := range q.paused {
		win(name)
	}
	type sums struct {
		n     int
		total time.Duration
	}
	byBusiness, byWindow := map[string]*sums{}, map[string]*sums{}
	oldest := map[string]time.Time{}
	waiting := map[string]int{}
	for _, t := range q.tickets {
		switch t.Status {
		case Waiting:
			waiting[t.Business]++
			if o, ok := oldest[t.Business]; !ok || t.TakenAt.Before(o) {
				oldest[t.Business] = t.TakenAt
			}
			if t.Window != "" {
				win(t.Window).Waiting++
			}
		case Called:
			c := *t
			win(t.Window).Current = &c
		case Done:
			d := t.DoneAt.Sub(t.CalledAt)
			for key, m := range map[string]map[string]*sums{t.Business: byBusiness, t.Window: byWindow} {
				if m[key] == nil {
					m[key] = &sums{}
				}
				m[key].n++
				m[key].total += d
			}
		}
	}
	for _, b := range q.businesses {
		prefix, _ := PrefixOf(q.businesses, b)
		f := BusinessFigures{Business: b, Prefix: prefix, Waiting: waiting[b]}
		if o, ok := oldest[b]; ok {
			f.OldestWaitSeconds = max(0, now.Sub(o).Seconds())
		}
		if s := byBusiness[b]; s != nil {
			f.Served, f.AverageServiceSeconds = s.n, s.total.Seconds()/float64(s.n)
		}
		s.Businesses = append(s.Businesses, f)
	}
	for name, s := range byWindow {
		w := win(name)
		w.Served, w.AverageServiceSeconds = s.n, s.total.Seconds()/float64(s.n)
	}
	for _, w := range windows {
		s.Windows = append(s.Windows, *w)
	}
	sort.Slice(s.Windows, func(i, j int) bool { return s.Windows[i].Window < s.Windows[j].Window })
	return s
}

// Tickets lists today's tickets in the order they were taken.
func (q *Queue) Tickets() []Ticket {
	q.mu.Lock()
	defer q.mu.Unlock()
	_ = q.rollover()
	out := make([]Ticket, 0, len(q.tickets))
	for _, t := range q.tickets {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return before(&out[i], &out[j], "") })
	return out
}

// Subscribe delivers the current state at once, then every call and the state after every
// change. A subscriber that falls behind is dropped (its channel closed): it reconnects and takes
// the whole state again, which is all it needs.
func (q *Queue) Subscribe() (<-chan Event, func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	ch := make(chan Event, 64)
	st := q.state()
	ch <- Event{State: &st}
	q.subs[ch] = struct{}{}
	return ch, func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		if _, ok := q.subs[ch]; ok {
			delete(q.subs, ch)
			close(ch)
		}
	}
}

// Announce passes an invitation or its answer to every subscriber now; nothing is kept, so a
// device that is not listening does not get it (the window can invite again).
func (q *Queue) Announce(e Event) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for ch := range q.subs {
		if !send(ch, e) {
			delete(q.subs, ch)
			close(ch)
		}
	}
}

func (q *Queue) changed(c *Call) {
	st := q.state()
	for ch := range q.subs {
		ok := true
		if c != nil {
			ok = send(ch, Event{Call: c})
		}
		if !ok || !send(ch, Event{State: &st}) {
			delete(q.subs, ch)
			close(ch)
		}
	}
}

func send(ch chan Event, e Event) bool {
	select {
	case ch <- e:
		return true
	default:
		return false
	}
}
