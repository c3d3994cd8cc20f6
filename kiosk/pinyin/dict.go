// Package pinyin is the window's Chinese input: pinyin typed on the keyboard becomes candidate
// words and characters, full pinyin (zhangsan), initials (zs) or both mixed (zhangs), with rare
// characters of names (䶮, 堃, 喆) reachable by their reading. Fyne takes no system input method on
// Linux (fyne-io/fyne#73), so the app brings its own.
package pinyin

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	gopinyin "github.com/mozillazg/go-pinyin"
)

// maxReadings caps the reading combinations kept for one word (a word of polyphonic characters
// such as 重重 would otherwise have many); the common reading of each character comes first.
const maxReadings = 4

// Dict is the candidates' index: every character go-pinyin knows (about 42,000, with all its
// readings) and the word list's words, each under every reading, ordered by frequency.
type Dict struct {
	syl     []string          // syllable id -> toneless syllable ("zhang")
	sylID   map[string]uint16 // and back
	prefix  map[string]bool   // every prefix of a syllable ("z", "zh", "zha", ...)
	entries []entry
	pool    []uint16
	// byShape indexes entries by the first letters of their syllables ("zs" for 张三).
	byShape map[string][]int32
}

// entry is one word under one reading; its syllables are pool[off : off+n] (one shared slice
// instead of 400,000 small ones).
type entry struct {
	text string
	off  uint32
	n    uint8
	freq uint32
}

func (d *Dict) add(text string, syls []uint16, freq uint32) {
	d.entries = append(d.entries, entry{text: text, off: uint32(len(d.pool)), n: uint8(len(syls)), freq: freq})
	d.pool = append(d.pool, syls...)
}

func (d *Dict) syls(e *entry) []uint16 { return d.pool[e.off : e.off+uint32(e.n)] }

// Load builds the index from a gzipped word list of "词 频次" lines (assets.PinyinWords) and
// go-pinyin's character table. Characters missing from the list get frequency 0: they come after
// the common ones but are there.
func Load(wordsGz []byte) (*Dict, error) {
	zr, err := gzip.NewReader(bytes.NewReader(wordsGz))
	if err != nil {
		return nil, fmt.Errorf("pinyin word list: %w", err)
	}
	d := &Dict{sylID: map[string]uint16{}, prefix: map[string]bool{}, byShape: map[string][]int32{}}
	memo := map[rune][]uint16{}
	readings := func(r rune) []uint16 {
		if ids, ok := memo[r]; ok {
			return ids
		}
		raw := gopinyin.PinyinDict[int(r)]
		if raw == "" {
			return nil
		}
		var ids []uint16
		for _, p := range strings.Split(raw, ",") {
			id := d.syllable(toneless(p))
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		memo[r] = ids
		return ids
	}
	charFreq := map[rune]uint32{}
	sc := bufio.NewScanner(zr)
	line := 0
	for sc.Scan() {
		line++
		word, f, ok := strings.Cut(sc.Text(), " ")
		n, err := strconv.ParseUint(f, 10, 32)
		if !ok || err != nil {
			return nil, fmt.Errorf("pinyin word list line %d: %q is not \"词 频次\"", line, sc.Text())
		}
		rs := []rune(word)
		if len(rs) == 1 {
			charFreq[rs[0]] = uint32(n)
			continue
		}
		per := make([][]uint16, len(rs))
		for i, r := range rs {
			if per[i] = readings(r); per[i] == nil {
				break
			}
		}
		if per[len(rs)-1] == nil {
			continue // a character go-pinyin cannot read
		}
		for i, syls := range combos(per, maxReadings) {
			f := uint32(n)
			if i > 0 {
				f /= 20 // a word is mostly read with its characters' main readings
			}
			d.add(word, syls, f)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("pinyin word list: %w", err)
	}
	for code := range gopinyin.PinyinDict {
		r := rune(code)
		if !unicode.Is(unicode.Han, r) {
			continue
		}
		for i, id := range readings(r) {
			f := charFreq[r]
			if i > 0 {
				f /= 1000 // 但 is read yan only in old texts: after every common yan character
			}
			d.add(string(r), []uint16{id}, f)
		}
	}
	sort.SliceStable(d.entries, func(i, j int) bool {
		a, b := d.entries[i], d.entries[j]
		if a.freq != b.freq {
			return a.freq > b.freq
		}
		return a.text < b.text
	})
	for i, e := range d.entries {
		k := d.shape(d.syls(&e))
		d.byShape[k] = append(d.byShape[k], int32(i))
	}
	for _, s := range d.syl {
		for n := 1; n <= len(s); n++ {
			d.prefix[s[:n]] = true
		}
	}
	return d, nil
}

func (d *Dict) syllable(s string) uint16 {
	if id, ok := d.sylID[s]; ok {
		return id
	}
	id := uint16(len(d.syl))
	d.syl = append(d.syl, s)
	d.sylID[s] = id
	return id
}

func (d *Dict) shape(syls []uint16) string {
	b := make([]byte, len(syls))
	for i, s := range syls {
		b[i] = d.syl[s][0]
	}
	return string(b)
}

// combos are the reading combinations of a word, the first readings first, at most limit.
func combos(per [][]uint16, limit int) [][]uint16 {
	out := [][]uint16{nil}
	for _, rs := range per {
		var next [][]uint16
		for _, prefix := range out {
			if len(next) == limit {
				break
			}
			for _, r := range rs {
				if len(next) == limit {
					break
				}
				next = append(next, append(append([]uint16(nil), prefix...), r))
			}
		}
		out = next
	}
	return out
}

// toneless turns "zhāng" into "zhang" and "lǜ" into "lv" (v is how ü is typed).
func toneless(p string) string {
	var b strings.Builder
	for _, r := range p {
		switch r {
		case 'ā', 'á', 'ǎ', 'à':
			r = 'a'
		case 'ē', 'é', 'ě', 'è', 'ê', 'ế', 'ề':
			r = 'e'
		case 'ī', 'í', 'ǐ', 'ì':
			r = 'i'
		case 'ō', 'ó', 'ǒ', 'ò':
			r = 'o'
		case 'ū', 'ú', 'ǔ', 'ù':
			r = 'u'
		case 'ü', 'ǖ', 'ǘ', 'ǚ', 'ǜ':
			r = 'v'
		case 'ń', 'ň', 'ǹ':
			r = 'n'
		case 'ḿ':
			r = 'm'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ErrBadPinyin is typed letters that are no pinyin: no split of them into syllables (or their
// beginnings) exists, like "vvv" or "iii".
var ErrBadPinyin = errors.New("not pinyin")
