// Package mask is the one rule for showing personal data partly: every screen, receipt, wall
// roster, export and admin listing masks through it, so two masked copies of one ID number never
// reveal more together than one does alone. It lives beside the wire types because both the kiosk
// and the township service print masked data, and neither may import the other.
package mask

import "strings"

// Name keeps the first and last character of a name (张*三, 欧阳**锋); a two-character name keeps
// its first (张*), a one-character name nothing. A name is needed whole only where the law requires
// it, and then callers print it without this function.
func Name(name string) string {
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

// IDKeepHead and IDKeepTail are how many characters of an ID number stay visible: the province
// and city (4) and the last four, as in domain.md's 6101**********1234. Every masked ID number
// anywhere shows exactly these, so no two outputs can be combined into more digits.
const (
	IDKeepHead = 4
	IDKeepTail = 4
)

// ID keeps the first four and last four characters of an ID number (6101**********1234); a
// number too short to keep any is all stars.
func ID(id string) string {
	r := []rune(strings.TrimSpace(id))
	if len(r) <= IDKeepHead+IDKeepTail {
		return strings.Repeat("*", len(r))
	}
	return string(r[:IDKeepHead]) + strings.Repeat("*", len(r)-IDKeepHead-IDKeepTail) + string(r[len(r)-IDKeepTail:])
}

// Phone keeps the first three and last four digits of a phone number (138****5678), enough for a
// resident to recognise their own number.
func Phone(p string) string {
	r := []rune(strings.TrimSpace(p))
	if len(r) < 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// Address keeps the administrative part of an address up to the township or street and hides the
// rest (陕西省杨凌示范区五泉镇****).
func Address(addr string) string {
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
