package server

import (
	"sync"
	"time"
)

// limiter counts failed enrolment attempts in a sliding window, per source address and in total,
// so an enrolment code cannot be guessed by trying: 60 bits against 100 tries in 10 minutes.
type limiter struct {
	perSource, total int
	window           time.Duration

	mu      sync.Mutex
	sources map[string][]time.Time
	all     []time.Time
}

func newLimiter(perSource, total int, window time.Duration) *limiter {
	if perSource <= 0 {
		perSource = 10
	}
	if total <= 0 {
		total = 100
	}
	if window <= 0 {
		window = 10 * time.Minute
	}
	return &limiter{perSource: perSource, total: total, window: window, sources: map[string][]time.Time{}}
}

// take counts an attempt from source before its code is checked, so attempts sent at once cannot
// slip past the limit; forgive takes it back when the code was right. wait > 0 means the attempt
// is refused: that long until source may try again.
func (l *limiter) take(source string, now time.Time) (n int, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prune(now)
	if f := l.sources[source]; len(f) >= l.perSource {
		wait = f[len(f)-l.perSource].Add(l.window).Sub(now)
	}
	if len(l.all) >= l.total {
		wait = max(wait, l.all[len(l.all)-l.total].Add(l.window).Sub(now))
	}
	if wait > 0 {
		return len(l.sources[source]), wait
	}
	l.sources[source] = append(l.sources[source], now)
	l.all = append(l.all, now)
	return len(l.sources[source]), 0
}

// forgive removes one attempt of source made at t.
func (l *limiter) forgive(source string, t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	drop := func(ts []time.Time) []time.Time {
		for i := len(ts) - 1; i >= 0; i-- {
			if ts[i].Equal(t) {
				return append(ts[:i:i], ts[i+1:]...)
			}
		}
		return ts
	}
	l.all = drop(l.all)
	if ts := drop(l.sources[source]); len(ts) == 0 {
		delete(l.sources, source)
	} else {
		l.sources[source] = ts
	}
}

func (l *limiter) prune(now time.Time) {
	cut := now.Add(-l.window)
	keep := func(ts []time.Time) []time.Time {
		i := 0
		for i < len(ts) && !ts[i].After(cut) {
			i++
		}
		return ts[i:]
	}
	l.all = keep(l.all)
	for k, ts := range l.sources {
		if ts = keep(ts); len(ts) == 0 {
			delete(l.sources, k)
		} else {
			l.sources[k] = ts
		}
	}
}
