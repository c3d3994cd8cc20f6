package casenum

import (
	"errors"
	"testing"
	"time"
)

func TestEveryNumberAKioskMakesParsesBack(t *testing.T) {
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for _, kiosk := range []string{"K001", "K999", "K1000", "K12345", "X000", "X412", LocalKioskCode([]byte("device-key-hash"))} {
		for _, seq := range []int{1, 12, 999, 1000, 23456} {
			s := Format(day, kiosk, seq)
			n, err := Parse(s, time.UTC)
			if err != nil {
				t.Fatalf("Parse(%q): %v", s, err)
			}
			if n.String() != s || n.Kiosk != kiosk || n.Seq != seq || !n.Day.Equal(day) {
				t.Errorf("Parse(%q) = %+v (%s)", s, n, n)
			}
		}
	}
	if s := Format(day, "K007", 12); s != "260302-K007-012" {
		t.Errorf("Format = %q", s)
	}
}

func TestOldHexUnenrolledCodesStillParse(t *testing.T) {
	n, err := Parse("260302-X3FA-004", time.UTC)
	if err != nil || n.Kiosk != "X3FA" || n.Seq != 4 {
		t.Fatalf("Parse old X code: %+v %v", n, err)
	}
}

func TestTypedFormsAreAccepted(t *testing.T) {
	for _, in := range []string{"260302-K007-012", "260302-k007-012", " 260302 K007 012 ", "260302K007012", "260302-K007012"} {
		n, err := Parse(in, time.UTC)
		if err != nil || n.String() != "260302-K007-012" {
			t.Errorf("Parse(%q) = %s, %v", in, n, err)
		}
	}
}

func TestBadNumbersNameTheirProblem(t *testing.T) {
	for _, in := range []string{"", "26030", "261332-K007-012", "260302-Q007-012", "260302-K07-012", "260302-K007-12",
		"260302-K007", "260302-KABC-001", "260302-XGGG-001", "WS-20260302-0001"} {
		if _, err := Parse(in, time.UTC); !errors.Is(err, ErrFormat) {
			t.Errorf("Parse(%q) = %v, want ErrFormat", in, err)
		}
	}
}

func TestLocalKioskCodeIsTypable(t *testing.T) {
	for _, k := range []string{"a", "b", "device key 1", "device key 2"} {
		c := LocalKioskCode([]byte(k))
		if !ValidKioskCode(c) || c[0] != 'X' || len(c) != 4 || !allDigits(c[1:]) {
			t.Errorf("LocalKioskCode(%q) = %q", k, c)
		}
	}
}

func TestEntryTypesEveryKindOfNumber(t *testing.T) {
	type_ := func(keys ...string) *Entry {
		var e Entry
		for _, k := range keys {
			for _, r := range k {
				e.Press(string(r))
			}
		}
		return &e
	}
	for _, tc := range []struct {
		keys []string
		want string
	}{
		{[]string{"260302", "K", "007", "012"}, "260302-K007-012"},
		{[]string{"260302", "X", "412", "003"}, "260302-X412-003"},
		{[]string{"260302", "K", "1000", "-", "012"}, "260302-K1000-012"},
		{[]string{"260302", "K", "007", "-", "1234"}, "260302-K007-1234"},
	} {
		e := type_(tc.keys...)
		got, ok := e.Number(time.UTC)
		if !ok || got != tc.want {
			t.Errorf("typed %v: %q %v (shown %q), want %q", tc.keys, got, ok, e.Shown(), tc.want)
		}
	}
	e := type_("2603")
	if _, ok := e.Number(time.UTC); ok || e.Shown() != "2603" {
		t.Errorf("partial entry: %q", e.Shown())
	}
	e = type_("260302", "1") // a digit where the letter belongs is ignored
	if e.Shown() != "260302" {
		t.Errorf("digit after the date: %q", e.Shown())
	}
	e = type_("260302", "K", "0", "-") // a dash before three kiosk digits is ignored
	if e.Shown() != "260302-K0" {
		t.Errorf("early dash: %q", e.Shown())
	}
	e.Back()
	e.Back()
	if e.Shown() != "260302" {
		t.Errorf("after two backs: %q", e.Shown())
	}
	e.Clear()
	if e.Shown() != "" {
		t.Errorf("after clear: %q", e.Shown())
	}
}

func TestCanonical(t *testing.T) {
	for s, want := range map[string]bool{"261124-K001-007": true, "261124-X412-001": true, "261124-k001-007": false,
		" 261124-K001-007": false, "K001": false, "": false} {
		if got := Canonical(s); got != want {
			t.Errorf("Canonical(%q) = %v", s, got)
		}
	}
}
