package pinyin

import (
	"fmt"
	"strings"
)

// Candidate is one choice for the typed pinyin: Text replaces the first Used letters of the input
// (张三 uses all of "zhangsan"; 张 uses "zhang" of "zhangsanfeng", and the rest stays to be typed).
type Candidate struct {
	Text string
	Used int
}

// seg is one syllable, or the beginning of one, of the input, ending at byte end.
type seg struct {
	s    string
	full bool
	end  int
}

// Normalize is what Lookup reads: lower case, ü typed as v, apostrophes kept as syllable breaks
// (xi'an); anything else is refused.
func Normalize(input string) (string, error) {
	var b strings.Builder
	for _, r := range input {
		switch {
		case r >= 'a' && r <= 'z', r == '\'':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case r == 'ü' || r == 'Ü':
			b.WriteRune('v')
		default:
			return "", fmt.Errorf("%w: %q has %q", ErrBadPinyin, input, r)
		}
	}
	return b.String(), nil
}

// Lookup gives the candidates for the typed pinyin: the words that use all of it first, then the
// words and characters that use its beginning; most frequent first within each. Every character
// with a reading is reachable: typing its one full syllable lists all of them, exact readings
// before longer ones (yan before yang).
func (d *Dict) Lookup(input string) ([]Candidate, error) {
	in, err := Normalize(input)
	if err != nil {
		return nil, err
	}
	if strings.Trim(in, "'") == "" {
		return nil, nil
	}
	splits := d.split(in)
	if len(splits) == 0 {
		return nil, fmt.Errorf("%w: %q cannot be split into syllables", ErrBadPinyin, input)
	}
	var out []Candidate
	seen := map[Candidate]bool{}
	k := len(splits[0])
	for j := k; j >= 1; j-- {
		limit := 60
		if j == 1 {
			limit = 800
		}
		for exact := 1; exact >= 0; exact-- {
			for _, segs := range splits {
				n := 0
				for _, c := range d.match(segs[:j], exact == 1, j == k) {
					if n >= limit {
						break
					}
					if !seen[c] {
						seen[c] = true
						out = append(out, c)
						n++
					}
				}
			}
		}
	}
	return out, nil
}

// match are the entries whose syllables are segs: a full segment is its syllable, a partial one
// (or the last, still being typed, unless exact) the syllable's beginning.
func (d *Dict) match(segs []seg, exact, last bool) []Candidate {
	shape := make([]byte, len(segs))
	for i, s := range segs {
		shape[i] = s.s[0]
	}
	var out []Candidate
	used := segs[len(segs)-1].end
	for _, idx := range d.byShape[string(shape)] {
		e := &d.entries[idx]
		syls := d.syls(e)
		ok, allExact := true, true
		for i, s := range segs {
			syl := d.syl[syls[i]]
			switch {
			case syl == s.s && s.full:
			case !s.full || (last && i == len(segs)-1):
				if !strings.HasPrefix(syl, s.s) {
					ok = false
				}
				allExact = allExact && syl == s.s
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok && allExact == exact {
			out = append(out, Candidate{Text: e.text, Used: used})
		}
	}
	return out
}

// split finds the best ways to cut the input into syllables: fewest beginnings-of-syllables, then
// fewest pieces (fangan is fang'an and fan'gan, both kept); at most four ways.
func (d *Dict) split(in string) [][]seg {
	n := len(in)
	best := make([]cost, n+1)
	from := make([][]int, n+1) // positions the best splits of in[:i] come from
	set := make([]bool, n+1)
	set[0] = true
	for i := 0; i < n; i++ {
		if !set[i] {
			continue
		}
		if in[i] == '\'' {
			relax(best, from, set, i, i+1, best[i].partial, best[i].segs)
			continue
		}
		for l := 1; l <= 6 && i+l <= n; l++ {
			s := in[i : i+l]
			if !d.prefix[s] {
				break
			}
			p := 1
			if _, full := d.sylID[s]; full {
				p = 0
			}
			relax(best, from, set, i, i+l, best[i].partial+p, best[i].segs+1)
		}
	}
	if !set[n] {
		return nil
	}
	var out [][]seg
	var walk func(i int, tail []seg)
	walk = func(i int, tail []seg) {
		if len(out) == 4 {
			return
		}
		if i == 0 {
			out = append(out, append([]seg(nil), tail...))
			return
		}
		for _, j := range from[i] {
			if in[j] == '\'' {
				walk(j, tail)
				continue
			}
			s := in[j:i]
			_, full := d.sylID[s]
			walk(j, append([]seg{{s: s, full: full, end: i}}, tail...))
		}
	}
	walk(n, nil)
	// Candidates use up to the end of their last syllable: a break typed after it goes too.
	for _, segs := range out {
		for i := range segs {
			for segs[i].end < n && in[segs[i].end] == '\'' {
				segs[i].end++
			}
		}
	}
	return out
}

type cost struct{ partial, segs int }

func relax(best []cost, from [][]int, set []bool, i, j, partial, segs int) {
	c := cost{partial, segs}
	switch {
	case !set[j] || c.partial < best[j].partial || (c.partial == best[j].partial && c.segs < best[j].segs):
		best[j], from[j], set[j] = c, []int{i}, true
	case c == best[j]:
		from[j] = append(from[j], i)
	}
}
