package textrule

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestCheckRefuses(t *testing.T) {
	cases := []struct {
		name string
		in   string
		rule Rule
		rune rune
		want string
	}{
		{"RLO", "张\u202e三", Required(10), 0x202e, "bidirectional"},
		{"LRI isolate", "\u2066王", Required(10), 0x2066, "bidirectional"},
		{"PDI", "王\u2069", Required(10), 0x2069, "bidirectional"},
		{"zero width space", "王\u200b上村", Required(10), 0x200b, "zero-width"},
		{"BOM", "\ufeff王", Required(10), 0xfeff, "zero-width"},
		{"soft hyphen", "a\u00adb", Required(10), 0xad, "format"},
		{"NUL", "a\x00b", Required(10), 0, "control"},
		{"escape", "\x1b[2J", Required(10), 0x1b, "control"},
		{"C1", "a\u0085", Required(10), 0x85, "C1"},
		{"DEL", "a\x7f", Required(10), 0x7f, "control"},
		{"tab", "a\tb", Lines(10), '\t', "control"},
		{"CR", "a\r\nb", Lines(10), '\r', "control"},
		{"newline in one line", "a\nb", Required(10), '\n', "newline"},
		{"line separator", "a\u2028b", Lines(10), 0x2028, "separator"},
		{"private use", "王\ue000", Required(10), 0xe000, "private-use"},
		{"plane 15 private use", "王\U000F0000", Required(10), 0xf0000, "private-use"},
		{"noncharacter FDD0", "\ufdd0", Required(10), 0xfdd0, "noncharacter"},
		{"noncharacter 1FFFF", "\U0001ffff", Required(10), 0x1ffff, "noncharacter"},
		{"replacement", "a\ufffdb", Required(10), 0xfffd, "invalid UTF-8"},
		{"ff fe bytes", "a\xff\xfe", Required(10), -1, "invalid UTF-8 (byte 0xFF at byte 1)"},
		{"overlong slash", "a\xc0\xafb", Required(10), -1, "invalid UTF-8 (byte 0xC0"},
		{"encoded surrogate", "a\xed\xa0\x80", Required(10), -1, "invalid UTF-8 (byte 0xED"},
		{"too long", strings.Repeat("王", 41), Required(40), -1, "41 characters, at most 40"},
		{"empty", "", Required(40), -1, "required"},
		{"too short", "ab", Rule{Min: 3, Max: 5}, -1, "at least 3"},
		{"not NFC", "e\u0301", Required(10), -1, "NFC"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check("applicant.name", c.in, c.rule)
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("Check(%q) = %v, want a refusal", c.in, err)
			}
			if te.Field != "applicant.name" || te.Rune != c.rune || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Check(%q) = %v (rune %U), want field applicant.name, rune %U, %q", c.in, err, te.Rune, c.rune, c.want)
			}
			if c.rune >= 0 && !strings.Contains(err.Error(), "U+") {
				t.Fatalf("%v does not name the code point", err)
			}
		})
	}
}

func TestCheckAccepts(t *testing.T) {
	for _, s := range []string{
		"王上村", "欧阳䶮", "张堃", "李喆", "𠀀", "Zhang San", "第1组 3号", "é", // rare CJK, Ext B, NFC é
		"请到村委会领取。\n带上户口本。", "Ünïcödé", "¥1,200.50", "（括号）「引号」",
	} {
		if err := Check("f", s, Lines(100)); err != nil {
			t.Errorf("Check(%q) = %v, want nil", s, err)
		}
	}
}

func TestJSONNamesThePath(t *testing.T) {
	doc := []byte(`{"title":"好","options":["同意","反对\u202e"],"items":[{"name":"ok"}]}`)
	err := JSON("payload", doc, Fixed(Lines(100)), 40)
	if err == nil || !strings.Contains(err.Error(), "payload.options[1]: U+202E") {
		t.Fatalf("JSON = %v, want the path payload.options[1] and U+202E", err)
	}
	// A lone surrogate escape and invalid bytes both decode to U+FFFD: named where they were.
	for _, doc := range [][]byte{[]byte(`{"a":{"b":"x\ud800y"}}`), []byte("{\"a\":{\"b\":\"x\xff\"}}")} {
		err := JSON("payload", doc, Fixed(Lines(100)), 40)
		if err == nil || !strings.Contains(err.Error(), "payload.a.b: U+FFFD") {
			t.Fatalf("JSON(%q) = %v, want payload.a.b named with U+FFFD", doc, err)
		}
	}
	err = JSON("payload", []byte(`{"bad\u0000key":"v"}`), Fixed(Lines(100)), 40)
	if err == nil || !strings.Contains(err.Error(), "key") || !strings.Contains(err.Error(), "U+0000") {
		t.Fatalf("JSON with a NUL in a key = %v", err)
	}
	shapes := func(p string) Rule {
		if p == "items[].name" {
			return Required(3)
		}
		return Lines(100)
	}
	if err := JSON("payload", []byte(`{"items":[{"name":"abc"},{"name":"abcd"}]}`), shapes, 40); err == nil ||
		!strings.Contains(err.Error(), "payload.items[1].name: has 4 characters, at most 3") {
		t.Fatalf("per-path rule: %v", err)
	}
	if err := JSON("payload", []byte(`{"a":[1,true,null,"好\n的"]}`), Fixed(Lines(100)), 40); err != nil {
		t.Fatalf("a clean document was refused: %v", err)
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"一号机":             "一号机",
		"a\x1b[2Jb":       `a\u{001B}[2Jb`,
		"x\u202eevil":     `x\u{202E}evil`,
		"line\nnext":      `line\nnext`,
		"bad\xffbyte":     `bad\x{FF}byte`,
		`back\slash`:      `back\\slash`,
		"zero\u200bwidth": `zero\u{200B}width`,
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzCheck: whatever the rule accepts is valid UTF-8 in NFC, within its length, and prints as
// itself; Escape never leaves a refused character or an invalid byte behind.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"王上村", "a\u202eb", "\x1b[2J", "e\u0301", "a\xffb", "\ufdd0", "x\ny", ""} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, multi bool) {
		r := Rule{Max: 50, Multiline: multi}
		if err := Check("f", s, r); err == nil {
			if !utf8.ValidString(s) || !norm.NFC.IsNormalString(s) || utf8.RuneCountInString(s) > 50 {
				t.Fatalf("accepted %q", s)
			}
			for _, ru := range s {
				if why := refused(ru, multi); why != "" {
					t.Fatalf("accepted %q with %U (%s)", s, ru, why)
				}
			}
			if !multi && Escape(s) != s && !strings.Contains(s, `\`) {
				t.Fatalf("Escape changed accepted text %q to %q", s, Escape(s))
			}
		} else if _, ok := err.(*Error); !ok {
			t.Fatalf("error %v is not a *Error", err)
		}
		e := Escape(s)
		if !utf8.ValidString(e) {
			t.Fatalf("Escape(%q) = %q is not UTF-8", s, e)
		}
		for _, ru := range e {
			if refused(ru, false) != "" {
				t.Fatalf("Escape(%q) = %q keeps %U", s, e, ru)
			}
		}
	})
}
