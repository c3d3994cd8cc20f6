package voice

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

// digits are read one by one in ticket numbers (零 not 〇, 一 as yi1: "A012" is A ling2 yi1 er4).
var digits = [10]string{"ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3"}

// letters are how a Chinese hall says the letters of ticket numbers, in pinyin the voice can read:
// the English letter names as Mandarin speakers say them.
var letters = map[rune]string{
	'A': "ei1", 'B': "bi4", 'C': "xi1", 'D': "di4", 'E': "yi4", 'F': "ai2 fu1", 'G': "ji4",
	'H': "ai1 qi1", 'J': "jie4", 'K': "kai4", 'L': "ai2 le1", 'M': "ai2 mu1", 'N': "en1",
	'P': "pi4", 'Q': "kiu4", 'R': "a4", 'S': "ai2 si1", 'T': "ti4", 'W': "da2 bu1 liu1",
	'X': "ai2 ke4 si1", 'Y': "wai4", 'Z': "zei4",
}

// Parts are the fragments of one utterance, each a clip of its own in the cache: few distinct
// fragments (the letters, ten digits, window numbers and the fixed words), so the cache stays small
// however many calls a hall makes.
type Parts []string

// CallParts are the fragments of "请 A012 号到 1 号窗口办理": the ticket's letters and digits one by
// one, the window's number as a number (12 is shi2 er4).
func CallParts(number, window string) (Parts, error) {
	p := Parts{"qing3"}
	if number == "" {
		return nil, fmt.Errorf("call: empty ticket number")
	}
	for _, r := range strings.ToUpper(number) {
		switch {
		case r >= '0' && r <= '9':
			p = append(p, digits[r-'0'])
		case letters[r] != "":
			p = append(p, letters[r])
		default:
			return nil, fmt.Errorf("call: ticket number %q has %q, which is not spoken", number, r)
		}
	}
	w, err := strconv.Atoi(window)
	if err != nil || w < 1 || w > 99 {
		return nil, fmt.Errorf("call: window %q is not a number from 1 to 99", window)
	}
	return append(p, "hao4 dao4", Cardinal(w), "hao4 chuang1 kou3 ban4 li3"), nil
}

// Cardinal reads 1..99 as a number: 2 is er4 (not liang3) before 号, 10 is shi2, 21 is er4 shi2 yi1.
func Cardinal(n int) string {
	switch {
	case n < 10:
		return digits[n]
	case n == 10:
		return "shi2"
	case n < 20:
		return "shi2 " + digits[n%10]
	case n%10 == 0:
		return digits[n/10] + " shi2"
	default:
		return digits[n/10] + " shi2 " + digits[n%10]
	}
}

// PromptParts reads a Chinese prompt ("请把身份证放在读卡区") as one fragment of tone-numbered
// pinyin, split at punctuation into fragments. Characters go through go-pinyin, its most common
// reading; a prompt that reads wrongly gets its pinyin in overrides instead.
func PromptParts(text string) (Parts, error) {
	if p, ok := overrides[text]; ok {
		return p, nil
	}
	args := pinyin.NewArgs()
	args.Style = pinyin.Tone3
	var parts Parts
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			parts = append(parts, strings.Join(cur, " "))
			cur = nil
		}
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			py := pinyin.Pinyin(string(r), args)
			if len(py) == 0 || len(py[0]) == 0 {
				return nil, fmt.Errorf("prompt %q: no reading for %q", text, r)
			}
			s := py[0][0]
			if !strings.ContainsAny(s[len(s)-1:], "1234") {
				s += "5" // the neutral tone, said as such by the voice
			}
			cur = append(cur, s)
		case r >= '0' && r <= '9':
			cur = append(cur, digits[r-'0'])
		case unicode.IsPunct(r) || unicode.IsSpace(r):
			flush()
		default:
			return nil, fmt.Errorf("prompt %q: %q is not spoken", text, r)
		}
	}
	flush()
	if len(parts) == 0 {
		return nil, fmt.Errorf("prompt %q: nothing to say", text)
	}
	return parts, nil
}

// overrides are prompts whose characters go-pinyin reads with a reading that is wrong here.
var overrides = map[string]Parts{}
