// Package form checks a resident's answers to an item's form (catalog.Field) and says, in Chinese,
// what to fix. Answers are strings: a number as digits, a phone as digits, a date as 2006-01-02,
// a choice as its option, a multiple choice as options joined by MultiSep, yes/no as 是 or 否.
package form

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"hallkiosk/kiosk/catalog"
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

// Check returns "" when value is a good answer to f, or what to fix, in words a resident understands.
func Check(f catalog.Field, value string, now time.Time) string {
	value = strings.TrimSpace(value)
	if value == "" {
		if f.Required {
			switch f.Type {
			case catalog.FieldChoice, catalog.FieldMulti, catalog.FieldYesNo, catalog.FieldText:
				return "请选择“" + f.Label + "”"
			default:
				return "请填写“" + f.Label + "”"
			}
		}
		return ""
	}
	switch f.Type {
	case catalog.FieldNumber:
		n, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return "“" + f.Label + "”只能填数字"
		}
		if f.Min != nil && n < *f.Min {
			return fmt.Sprintf("“%s”不能小于 %s%s，请改一下", f.Label, num(*f.Min), f.Unit)
		}
		if f.Max != nil && n > *f.Max {
			return fmt.Sprintf("“%s”不能大于 %s%s，请改一下", f.Label, num(*f.Max), f.Unit)
		}
	case catalog.FieldPhone:
		if !mobile.MatchString(value) && !landline.MatchString(value) {
			if len(value) < 11 {
				return fmt.Sprintf("电话号码只有 %d 位，手机号码是 11 位，请补全", len(value))
			}
			return "电话号码不对：手机号码是 1 开头的 11 位数字，座机请加区号"
		}
	case catalog.FieldDate:
		d, err := time.ParseInLocation("2006-01-02", value, now.Location())
		if err != nil {
			return "“" + f.Label + "”不是一个日期"
		}
		if d.Year() < now.Year()-120 || d.Year() > now.Year()+5 {
			return "“" + f.Label + "”的年份不对，请改一下"
		}
	case catalog.FieldChoice:
		if !contains(f.Options, value) {
			return "请从“" + f.Label + "”的选项里选一个"
		}
	case catalog.FieldText:
		if len([]rune(value)) > 200 {
			return "“" + f.Label + "”太长了"
		}
	case catalog.FieldMulti:
		for _, v := range strings.Split(value, MultiSep) {
			if !contains(f.Options, v) {
				return "请从“" + f.Label + "”的选项里选"
			}
		}
	case catalog.FieldYesNo:
		if value != Yes && value != No {
			return "请选择“是”或“否”"
		}
	}
	return ""
}

// CheckAll checks every field and returns the problems by field id; empty means all good.
func CheckAll(fields []catalog.Field, answers map[string]string, now time.Time) map[string]string {
	out := map[string]string{}
	for _, f := range fields {
		if msg := Check(f, answers[f.ID], now); msg != "" {
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
