// Package form checks a resident's answers to an item's form (catalog.Field) and says, in Chinese,
// what to fix. Answers are strings: a number as digits, a phone as digits, a date as 2006-01-02,
// a choice as its option, a multiple choice as options joined by MultiSep, yes/no as 是 or 否.
package form

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/text"
)

// MultiSep joins the options picked in a multiple-choice field.
const MultiSep = "、"

// Yes and No are the answers of a yes/no field.
const (
	Yes = "是"
	No  = "否"
)

var mobile = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
var landline = regexp.MustCompile(`^0[0-9]{2,3}[0-9]{7,8}$`)

// Check returns "" when value is a good answer to f, or what to fix, in words a resident
// understands (the [form] strings of assets/i18n).
func Check(s *text.Strings, f catalog.Field, value string, now time.Time) string {
	m := s.Form
	say := func(format string) string {
		r := strings.NewReplacer("{label}", f.Label, "{unit}", f.Unit, "{n}", strconv.Itoa(len(value)))
		if f.Min != nil {
			format = strings.ReplaceAll(format, "{min}", num(*f.Min))
		}
		if f.Max != nil {
			format = strings.ReplaceAll(format, "{max}", num(*f.Max))
		}
		return r.Replace(format)
	}
	value = strings.TrimSpace(value)
	if value == "" {
		if f.Required {
			switch f.Type {
			case catalog.FieldChoice, catalog.FieldMulti, catalog.FieldYesNo, catalog.FieldText:
				return say(m.Choose)
			default:
				return say(m.Fill)
			}
		}
		return ""
	}
	switch f.Type {
	case catalog.FieldNumber:
		n, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return say(m.NumberOnly)
		}
		if f.Min != nil && n < *f.Min {
			return say(m.TooSmall)
		}
		if f.Max != nil && n > *f.Max {
			return say(m.TooLarge)
		}
	case catalog.FieldPhone:
		if !mobile.MatchString(value) && !landline.MatchString(value) {
			if len(value) < 11 {
				return say(m.PhoneShort)
			}
			return say(m.PhoneBad)
		}
	case catalog.FieldDate:
		d, err := time.ParseInLocation("2006-01-02", value, now.Location())
		if err != nil {
			return say(m.NotDate)
		}
		if d.Year() < now.Year()-120 || d.Year() > now.Year()+5 {
			return say(m.BadYear)
		}
	case catalog.FieldChoice:
		if !contains(f.Options, value) {
			return say(m.ChooseOne)
		}
	case catalog.FieldText:
		if len([]rune(value)) > 200 {
			return say(m.TooLong)
		}
	case catalog.FieldMulti:
		for _, v := range strings.Split(value, MultiSep) {
			if !contains(f.Options, v) {
				return say(m.ChooseFrom)
			}
		}
	case catalog.FieldYesNo:
		if value != Yes && value != No {
			return say(m.YesOrNo)
		}
	}
	return ""
}

// CheckAll checks every field and returns the problems by field id; empty means all good.
func CheckAll(s *text.Strings, fields []catalog.Field, answers map[string]string, now time.Time) map[string]string {
	out := map[string]string{}
	for _, f := range fields {
		if msg := Check(s, f, answers[f.ID], now); msg != "" {
			out[f.ID] = msg
		}
	}
	return out
}

// Toggle adds or removes option in a multiple-choice answer, keeping the options' own order.
func Toggle(f catalog.Field, value, option string) string {
	picked := map[string]bool{}
	for _, v := range strings.Split(value, MultiSep) {
		if v != "" {
			picked[v] = true
		}
	}
	picked[option] = !picked[option]
	var out []string
	for _, o := range f.Options {
		if picked[o] {
			out = append(out, o)
		}
	}
	return strings.Join(out, MultiSep)
}

// Picked reports whether option is part of a multiple-choice answer.
func Picked(value, option string) bool {
	return contains(strings.Split(value, MultiSep), option)
}

// KeypadMax is how many digits the keypad takes for a field: enough for its largest value or a phone.
func KeypadMax(f catalog.Field) int {
	if f.Type == catalog.FieldPhone {
		return 12
	}
	if f.Max != nil {
		return len(num(*f.Max))
	}
	return 9
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
