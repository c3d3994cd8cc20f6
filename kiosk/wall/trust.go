package wall

import "time"

// Trust decides whether the wall may take display periods from its clock. A wall that shows a
// notice before its day, or drops one before its 公示期 ends, does harm that a stale page does not;
// so without trust it keeps what it last knew to be current and never guesses.
type Trust struct {
	// RTC is a battery-backed clock the technician vouches for ([wall] rtc_trusted): trusted
	// unless a check against the township finds it off.
	RTC bool
	// MaxAge is how long a check against the township's time keeps the clock trusted (default 24 h:
	// a day's drift of a PC clock is seconds).
	MaxAge time.Duration
	// MaxSkew is the largest difference from the township's time that still counts as right
	// (default 2 minutes).
	MaxSkew time.Duration
}

// ClockCheck is the last comparison of this device's clock with the township's (the heartbeat's
// clock_skew, or the upload's server time): when, by this clock, and how far off it was.
type ClockCheck struct {
	At   time.Time
	Skew time.Duration
}

// Trusted says whether now, by this clock, may decide display periods.
func (t Trust) Trusted(now time.Time, last ClockCheck) bool {
	maxAge, maxSkew := t.MaxAge, t.MaxSkew
	if maxAge <= 0 {
		maxAge = 24 * time.Hour
	}
	if maxSkew <= 0 {
		maxSkew = 2 * time.Minute
	}
	checked := !last.At.IsZero()
	if checked && (last.Skew > maxSkew || last.Skew < -maxSkew) {
		return false // the township says this clock is wrong, whatever the RTC claims
	}
	if checked && now.Before(last.At) {
		return false // the clock went back past its own last check
	}
	if t.RTC {
		return true
	}
	return checked && now.Sub(last.At) <= maxAge
}
