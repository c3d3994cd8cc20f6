package wall

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrMoney is an amount that is not yuan with at most two decimals.
var ErrMoney = errors.New("not an amount in 元 with at most two decimals")

// ParseYuan reads an amount in 元 ("12345.6", "-300", "1,234.50") as fen, so sums are exact.
func ParseYuan(s string) (int64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || (dot && frac == "") || len(whole) > 13 {
		return 0, fmt.Errorf("%q: %w", s, ErrMoney)
	}
	for _, part := range []string{whole, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("%q: %w", s, ErrMoney)
			}
		}
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt((frac + "0")[:2], 10, 64)
	}
	v := w*100 + f
	if neg {
		v = -v
	}
	return v, nil
}

// FormatYuan writes fen as 元 with thousands separators and two decimals (1,234,567.80), as a
// finance table shows money.
func FormatYuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	whole := strconv.FormatInt(fen/100, 10)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s%s.%02d", sign, b.String(), fen%100)
}
