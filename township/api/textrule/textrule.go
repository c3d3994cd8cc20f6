// Package textrule is the one rule for text that crosses between the kiosks and the township:
// valid UTF-8 in NFC, no control or format characters (C0, C1, bidi controls, zero-width and the
// rest of category Cf, line and paragraph separators) but a newline where a field is multi-line,
// no private-use characters or noncharacters, and a length limit for every field. Both sides use
// it: the township refuses what breaks it, the kiosk checks what it sends and what the changes
// feed brings before it stores or shows it. Escape makes any text safe to print in a terminal or a
// log line.
package textrule

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Rule is what one field may hold. Max counts characters (code points), not bytes.
type Rule struct {
	Min, Max  int
	Multiline bool // a newline (U+000A) is allowed; never a carriage return
}

// Line is a one-line field of at most max characters, possibly empty.
func Line(max int) Rule { return Rule{Max: max} }

// Required is a one-line field of 1 to max characters.
func Required(max int) Rule { return Rule{Min: 1, Max: max} }

// Lines is a multi-line field of at most max characters.
func Lines(max int) Rule { return Rule{Max: max, Multiline: true} }

// Error names the field and, where one character is at fault, its code point, so the sender can
// find it; Index counts characters from 1.
type Error struct {
	Field  string
	Rune   rune // -1 when no single character is at fault (length, NFC, invalid byte)
	Index  int
	Reason string
}

func (e *Error) Error() string {
	if e.Rune >= 0 {
		return fmt.Sprintf("%s: U+%04X at character %d: %s", e.Field, e.Rune, e.Index, e.Reason)
	}
	return e.Field + ": " + e.Reason
}

// Check applies r to s; the error is an *Error naming field.
func Check(field, s string, r Rule) error {
	bad := func(ru rune, i int, reason string) error {
		return &Error{Field: field, Rune: ru, Index: i, Reason: reason}
	}
	if !utf8.ValidString(s) {
		for i := 0; i < len(s); {
			ru, n := utf8.DecodeRuneInString(s[i:])
			if ru == utf8.RuneError && n == 1 {
				return bad(-1, 0, fmt.Sprintf("invalid UTF-8 (byte 0x%02X at byte %d)", s[i], i))
			}
			i += n
		}
	}
	n := 0
	for _, ru := range s {
		n++
		if why := refused(ru, r.Multiline); why != "" {
			return bad(ru, n, why)
		}
	}
	switch {
	case n < r.Min && n == 0:
		return bad(-1, 0, "is required")
	case n < r.Min:
		return bad(-1, 0, fmt.Sprintf("has %d characters, at least %d are needed", n, r.Min))
	case r.Max > 0 && n > r.Max:
		return bad(-1, 0, fmt.Sprintf("has %d characters, at most %d are taken", n, r.Max))
	}
	if !norm.NFC.IsNormalString(s) {
		return bad(-1, 0, "is not in Unicode normalisation form NFC (send it NFC-normalised)")
	}
	return nil
}

// refused says why a character may not be in a field, or "" when it may.
func refused(r rune, multiline bool) string {
	switch {
	case r == '\n' && multiline:
		return ""
	case r == '\n':
		return "a newline in a one-line field"
	case r == utf8.RuneError:
		return "the replacement character: what was sent held invalid UTF-8 or a lone surrogate (or this character itself)"
	case r < 0x20 || r == 0x7f:
		return "a control character (C0)"
	case r >= 0x80 && r <= 0x9f:
		return "a control character (C1)"
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return "a bidirectional control"
	case r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff:
		return "a zero-width character"
	case unicode.Is(unicode.Cf, r):
		return "a format character (category Cf)"
	case r == 0x2028 || r == 0x2029:
		return "a line or paragraph separator"
	case unicode.Is(unicode.Co, r):
		return "a private-use character"
	case r >= 0xfdd0 && r <= 0xfdef, r&0xfffe == 0xfffe:
		return "a noncharacter"
	case unicode.Is(unicode.Cs, r):
		return "a surrogate"
	}
	return ""
}

// JSON applies a rule to every string in a JSON document, and Required(keyMax) to every object
// key, naming each by its path (title, options[2], items[0].name). rule gets the path with indexes
// left out (options[]), so one rule covers every element of a list. Invalid UTF-8 and lone
// surrogates in the document show up as U+FFFD at the field that held them.
func JSON(field string, raw []byte, rule func(path string) Rule, keyMax int) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return &Error{Field: field, Rune: -1, Reason: "is not a JSON document: " + err.Error()}
	}
	return walk(field, "", v, rule, keyMax)
}

// Fixed is a rule for JSON that is the same at every path.
func Fixed(r Rule) func(string) Rule { return func(string) Rule { return r } }

func walk(path, shape string, v any, rule func(string) Rule, keyMax int) error {
	switch x := v.(type) {
	case string:
		return Check(path, x, rule(shape))
	case []any:
		for i, e := range x {
			if err := walk(fmt.Sprintf("%s[%d]", path, i), shape+"[]", e, rule, keyMax); err != nil {
				return err
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // the first problem named is the same every time
		for _, k := range keys {
			sub, subShape := k, k
			if path != "" {
				sub = path + "." + k
			}
			if shape != "" {
				subShape = shape + "." + k
			}
			if err := Check(path+" key "+strconv.Quote(Escape(k)), k, Required(keyMax)); err != nil {
				return err
			}
			if err := walk(sub, subShape, x[k], rule, keyMax); err != nil {
				return err
			}
		}
	}
	return nil
}

// Escape writes s so that it prints as itself and nothing else: every character the rule refuses
// (a newline included), and every byte that is not UTF-8, becomes a visible escape (\n, \u{202E},
// \x{FF}). An enrolled device's name can then not clear the admin's terminal or turn a log line
// around.
func Escape(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || refused(r, false) != "" || r == '\\' {
			clean = false
			break
		}
	}
	if clean && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x{%02X}`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case refused(r, false) != "":
			fmt.Fprintf(&b, `\u{%04X}`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
