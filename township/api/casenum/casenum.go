// Package casenum is the one place that makes, parses and types case numbers such as
// 260302-K007-012: the day (YYMMDD), the kiosk's code, and the day's sequence at that kiosk.
// Kiosk codes are a letter and at least three digits: K for a kiosk enrolled with the township
// (K001 ... K999, then K1000 and on), X for one that never was (X plus three digits from its
// device key). Sequences have at least three digits and grow past 999. Numbers made before codes
// were all digits (X plus three hex characters, such as X3FA) still parse.
package casenum

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Number is a parsed case number.
type Number struct {
	Day   time.Time // midnight of the day, in the location it was parsed in
	Kiosk string    // K007, X412, X3FA
	Seq   int
}

// ErrFormat is a string that is not a case number; the wrapped message says which part is wrong.
var ErrFormat = errors.New("not a case number")

// String is the canonical form printed on receipts and shown on screens.
// Canonical reports whether s is a case number exactly as a kiosk prints it (what crosses the
// township's API and the hall's LAN; typed numbers go through Parse and Entry, which are kinder).
func Canonical(s string) bool {
	n, err := Parse(s, time.UTC)
	return err == nil && n.String() == s
}

func (n Number) String() string {
	return fmt.Sprintf("%s-%s-%03d", n.Day.Format("060102"), n.Kiosk, n.Seq)
}

// Format makes the number of the seq-th case of a day at a kiosk.
func Format(day time.Time, kiosk string, seq int) string {
	return Number{Day: day, Kiosk: kiosk, Seq: seq}.String()
}

// Prefix is the part shared by a kiosk's cases of one day, the key of its daily counter.
func Prefix(day time.Time, kiosk string) string { return day.Format("060102") + "-" + kiosk }

// ValidKioskCode reports whether code can stand in a case number.
func ValidKioskCode(code string) bool {
	if len(code) < 4 || (code[0] != 'K' && code[0] != 'X') {
		return false
	}
	if allDigits(code[1:]) {
		return true
	}
	// The older unenrolled form: X and three hex characters.
	return code[0] == 'X' && len(code) == 4 && allHex(code[1:])
}

// LocalKioskCode is the code of a kiosk that was never enrolled: X and three digits taken from a
// value only this kiosk has (a keyed hash from its device key), so two such kiosks rarely share
// one and every character can be typed on the lookup keypad.
func LocalKioskCode(secret []byte) string {
	var v uint32
	for _, b := range secret {
		v = v*31 + uint32(b)
	}
	return fmt.Sprintf("X%03d", v%1000)
}

// Parse reads a case number as printed (260302-K007-012) or as typed: lower case, spaces, and no
// second dash when the kiosk code has three digits (260302-K007012, 260302K007012).
func Parse(s string, loc *time.Location) (Number, error) {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(s) < 6 || !allDigits(s[:6]) {
		return Number{}, fmt.Errorf("%w: %q does not start with the six digits of a date", ErrFormat, s)
	}
	day, err := time.ParseInLocation("060102", s[:6], loc)
	if err != nil {
		return Number{}, fmt.Errorf("%w: %q starts with no real date", ErrFormat, s)
	}
	rest := strings.TrimPrefix(s[6:], "-")
	var kiosk, seq string
	if k, q, ok := strings.Cut(rest, "-"); ok {
		kiosk, seq = k, q
	} else if len(rest) > 4 {
		kiosk, seq = rest[:4], rest[4:]
	} else {
		return Number{}, fmt.Errorf("%w: %q has no sequence after the kiosk code", ErrFormat, s)
	}
	if !ValidKioskCode(kiosk) {
		return Number{}, fmt.Errorf("%w: %q is not a kiosk code (K or X and digits)", ErrFormat, kiosk)
	}
	if len(seq) < 3 || !allDigits(seq) {
		return Number{}, fmt.Errorf("%w: %q is not a sequence of at least three digits", ErrFormat, seq)
	}
	n, err := strconv.Atoi(seq)
	if err != nil {
		return Number{}, fmt.Errorf("%w: sequence %q: %v", ErrFormat, seq, err)
	}
	return Number{Day: day, Kiosk: kiosk, Seq: n}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// Keys are the keys of the lookup keypad besides the digits: every number a kiosk makes can be
// typed with them.
var Keys = []string{"K", "X", "-"}

// Entry is a case number being typed on the keypad. It shows what was typed with the dash after
// the date put in by itself, and says when it is a whole number.
type Entry struct{ typed string }

// Press adds one key (a digit, K, X or -); keys that cannot come next are ignored, so the shown
// value is always the start of a valid number.
func (e *Entry) Press(key string) {
	s := e.typed
	switch {
	case len(key) == 1 && key[0] >= '0' && key[0] <= '9':
		if len(s) >= 24 {
			return
		}
		if len(s) == 6 {
			return // after the date comes the kiosk's letter
		}
		s += key
	case key == "K" || key == "X":
		if len(s) != 6 {
			return
		}
		s += key
	case key == "-":
		// Ends a kiosk code of any length (K1000); needs a letter and three digits before it.
		if len(s) < 10 || strings.Contains(s[7:], "-") {
			return
		}
		s += key
	default:
		return
	}
	e.typed = s
}

// Back removes the last key.
func (e *Entry) Back() {
	if e.typed != "" {
		e.typed = e.typed[:len(e.typed)-1]
	}
}

// Clear empties the entry.
func (e *Entry) Clear() { e.typed = "" }

// Shown is what the display shows: 260302-K007012 with the date's dash added.
func (e *Entry) Shown() string {
	if len(e.typed) <= 6 {
		return e.typed
	}
	return e.typed[:6] + "-" + e.typed[6:]
}

// Number is the typed case number in canonical form, ok when it is whole.
func (e *Entry) Number(loc *time.Location) (string, bool) {
	n, err := Parse(e.Shown(), loc)
	if err != nil {
		return "", false
	}
	return n.String(), true
}
