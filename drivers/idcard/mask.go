package idcard

import "strings"

// MaskName keeps the first and last character of a name (张*三, 欧阳**锋); a two-character name
// keeps its first (张*). For screens, receipts and technician output.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// MaskID keeps the first four and last four characters of an ID number (6101**********1234).
func MaskID(id string) string {
	r := []rune(strings.TrimSpace(id))
	if len(r) <= 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:4]) + strings.Repeat("*", len(r)-8) + string(r[len(r)-4:])
}

// MaskAddress keeps the administrative part of an address up to the township or street and hides
// the rest (陕西省杨凌示范区五泉镇****).
func MaskAddress(addr string) string {
	r := []rune(strings.TrimSpace(addr))
	cut := -1
	for i, c := range r {
		if c == '镇' || c == '乡' || c == '街' && i+1 < len(r) && r[i+1] == '道' {
			cut = i + 1
			if c == '街' {
				cut = i + 2
			}
			break
		}
	}
	if cut < 0 {
		cut = min(len(r), 6)
	}
	if cut >= len(r) {
		return string(r)
	}
	return string(r[:cut]) + "****"
}
