package catalog

import (
	"sort"
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

// Index answers the resident's search: Chinese words typed or picked ("低保"), or pinyin initials
// typed on the on-screen letter keys ("dbsq" finds 低保申请). Built once per catalog.
type Index struct {
	cat     *Catalog
	entries []indexEntry
}

type indexEntry struct {
	item  int
	texts []indexedText // name first, then keywords
}

type indexedText struct {
	text     string
	initials [][]rune // per character, every initial it may have (多音字: 长 -> c, z)
}

// NewIndex prepares the search structures for a catalog.
func NewIndex(c *Catalog) *Index {
	args := pinyin.NewArgs()
	args.Style = pinyin.FirstLetter
	args.Heteronym = true
	idx := &Index{cat: c}
	for i, it := range c.Items {
		e := indexEntry{item: i}
		for _, s := range append([]string{it.Name}, it.Keywords...) {
			e.texts = append(e.texts, indexedText{text: s, initials: initialsOf(s, args)})
		}
		idx.entries = append(idx.entries, e)
	}
	return idx
}

func initialsOf(s string, args pinyin.Args) [][]rune {
	var out [][]rune
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			var set []rune
			for _, p := range pinyin.SinglePinyin(r, args) {
				if p != "" {
					set = append(set, rune(p[0]))
				}
			}
			if len(set) > 0 {
				out = append(out, set)
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			out = append(out, []rune{unicode.ToLower(r)})
		}
	}
	return out
}

// Search returns matching items, best first: a name that starts with the query, then a name that
// contains it, then a keyword match. A query of ASCII letters is read as pinyin initials.
func (x *Index) Search(query string) []Item {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil
	}
	letters := isLetters(q)
	lq := []rune(strings.ToLower(q))
	type hit struct{ item, score int }
	var hits []hit
	for _, e := range x.entries {
		best := 0
		for ti, t := range e.texts {
			score := 0
			if letters {
				if pos := matchInitials(t.initials, lq); pos == 0 {
					score = 30
				} else if pos > 0 {
					score = 20
				}
			}
			if strings.HasPrefix(t.text, q) {
				score = max(score, 30)
			} else if strings.Contains(t.text, q) {
				score = max(score, 20)
			}
			if ti > 0 && score > 0 {
				score -= 10 // keyword, not the name itself
			}
			best = max(best, score)
		}
		if best > 0 {
			hits = append(hits, hit{e.item, best})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	out := make([]Item, len(hits))
	for i, h := range hits {
		out[i] = x.cat.Items[h.item]
	}
	return out
}

// matchInitials finds q as a contiguous run in the initials and returns where, or -1.
func matchInitials(ini [][]rune, q []rune) int {
	for start := 0; start+len(q) <= len(ini); start++ {
		ok := true
		for k, r := range q {
			if !containsRune(ini[start+k], r) {
				ok = false
				break
			}
		}
		if ok {
			return start
		}
	}
	return -1
}

func containsRune(set []rune, r rune) bool {
	for _, s := range set {
		if s == r {
			return true
		}
	}
	return false
}

func isLetters(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// Keywords lists everyday words for a pick list that spares residents from typing Chinese: each
// item's first keyword, taken in turn from every window so that all windows are represented.
func (x *Index) Keywords(limit int) []string {
	var perWindow [][]string
	for _, w := range x.cat.Windows {
		var ks []string
		for _, it := range x.cat.ItemsIn(w.ID) {
			if len(it.Keywords) > 0 {
				ks = append(ks, it.Keywords[0])
			}
		}
		perWindow = append(perWindow, ks)
	}
	seen := map[string]bool{}
	var out []string
	for round := 0; ; round++ {
		added := false
		for _, ks := range perWindow {
			if round < len(ks) {
				added = true
				if k := ks[round]; !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
			if limit > 0 && len(out) == limit {
				return out
			}
		}
		if !added {
			return out
		}
	}
}
