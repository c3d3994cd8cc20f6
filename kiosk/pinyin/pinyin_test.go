package pinyin

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"hallkiosk/assets"
)

var shared = sync.OnceValues(func() (*Dict, error) { return Load(assets.PinyinWords) })

func dict(t testing.TB) *Dict {
	t.Helper()
	d, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func texts(cs []Candidate, n int) []string {
	var out []string
	for _, c := range cs[:min(n, len(cs))] {
		out = append(out, c.Text)
	}
	return out
}

func rank(cs []Candidate, text string) int {
	return slices.IndexFunc(cs, func(c Candidate) bool { return c.Text == text })
}

func TestWordsAndCharactersFromFullInitialsAndMixedPinyin(t *testing.T) {
	d := dict(t)
	for _, tc := range []struct {
		in, want string
		within   int
		used     int
	}{
		{"zhongguo", "中国", 1, 8},
		{"zg", "中国", 5, 2},
		{"zhongg", "中国", 3, 6},
		{"shehui", "社会", 2, 6},
		{"dibao", "低保", 5, 5},
		{"minzheng", "民政", 3, 8},
		{"wang", "王", 5, 4},
		{"lv", "绿", 10, 2},
		{"xi'an", "西安", 3, 5},
		{"fangan", "方案", 5, 6},
		{"fangan", "反感", 10, 6},
		{"zhangsanfeng", "张", 40, 5},
	} {
		cs, err := d.Lookup(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		r := rank(cs, tc.want)
		if r < 0 || r >= tc.within {
			t.Errorf("%s: %s at %d (want within %d): %v", tc.in, tc.want, r, tc.within, texts(cs, 12))
			continue
		}
		if cs[r].Used != tc.used {
			t.Errorf("%s: %s uses %d letters, want %d", tc.in, tc.want, cs[r].Used, tc.used)
		}
	}
	// Words that use all of the input come before those that use only its beginning.
	cs, _ := d.Lookup("zhangsan")
	if rank(cs, "张") < rank(cs, "张三") && rank(cs, "张三") >= 0 {
		t.Errorf("zhangsan: 张 before the whole word: %v", texts(cs, 10))
	}
}

// Rare characters of names are reachable by their one syllable, exact readings first.
func TestRareNameCharactersAreReachable(t *testing.T) {
	d := dict(t)
	for in, r := range map[string]string{"yan": "䶮", "kun": "堃", "zhe": "喆", "yun": "昀", "xin": "鑫"} {
		cs, err := d.Lookup(in)
		if err != nil {
			t.Fatal(err)
		}
		i := rank(cs, r)
		if i < 0 {
			t.Errorf("%s: %s not among %d candidates", in, r, len(cs))
			continue
		}
		if longer := slices.IndexFunc(cs, func(c Candidate) bool { return c.Text == "样" || c.Text == "困" }); in == "yan" && longer >= 0 && longer < i {
			t.Errorf("yan: a yang character before %s", r)
		}
	}
}

func TestNoPinyinIsRefusedByName(t *testing.T) {
	d := dict(t)
	for _, in := range []string{"vvv", "iiii", "zhang3", "张", "x-y", "uuu"} {
		_, err := d.Lookup(in)
		if !errors.Is(err, ErrBadPinyin) || !strings.Contains(err.Error(), in) {
			t.Errorf("Lookup(%q) = %v", in, err)
		}
	}
	if cs, err := d.Lookup(""); err != nil || cs != nil {
		t.Errorf("empty input: %v %v", cs, err)
	}
}

// The goal: candidates for a keystroke in under 5 ms. Each op types one name and one phrase letter
// by letter, looking up after every key (24 lookups): ns/op / 24 is the time per keystroke.
func BenchmarkKeystroke(b *testing.B) {
	d := dict(b)
	words := []string{"zhangsanfeng", "shehuijiuzhu", "zgrmyh", "nongcundibao", "y", "wangxiaoming"}
	keys := 0
	for _, w := range words {
		keys += len(w)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, w := range words {
			for i := 1; i <= len(w); i++ {
				if _, err := d.Lookup(w[:i]); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(keys)/1000, "ms/keystroke")
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(assets.PinyinWords); err != nil {
			b.Fatal(err)
		}
	}
}

// Typing a name syllable by syllable and picking by number, as a member of staff does.
func TestComposerTypesANameInPieces(t *testing.T) {
	c := NewComposer(dict(t))
	for _, r := range "zhangsanfeng" {
		c.Letter(r)
	}
	on, page, pages := c.Page()
	if len(on) != PerPage || page != 1 || pages < 2 || on[0].Text != "张三丰" {
		t.Fatalf("first page %v (%d/%d)", on, page, pages)
	}
	// Pick 张 (a character using "zhang"): the rest stays to be composed.
	i := rank(on, "张")
	if i < 0 {
		t.Fatalf("张 not on the first page: %v", on)
	}
	got, ok := c.Pick(i + 1)
	if !ok || got != "张" || c.Typed() != "sanfeng" {
		t.Fatalf("pick 张: %q %v, left %q", got, ok, c.Typed())
	}
	on, _, _ = c.Page()
	got, _ = c.Pick(rank(on, "三丰") + 1)
	if got != "三丰" || c.Active() {
		t.Errorf("then %q, left %q", got, c.Typed())
	}
	// A rare character on a later page: 䶮 is reached by turning pages.
	for _, r := range "yan" {
		c.Letter(r)
	}
	found := false
	for range 100 {
		on, _, _ := c.Page()
		if i := rank(on, "䶮"); i >= 0 {
			got, _ := c.Pick(i + 1)
			found = got == "䶮"
			break
		}
		c.NextPage()
	}
	if !found {
		t.Error("䶮 not reached by paging through yan")
	}
	// Bad letters say why; backspace takes them back; Esc and Enter end it.
	for _, r := range "vvv" {
		c.Letter(r)
	}
	if !errors.Is(c.Err, ErrBadPinyin) {
		t.Errorf("vvv: %v", c.Err)
	}
	if _, ok := c.Pick(1); ok {
		t.Error("picked a candidate of vvv")
	}
	c.Cancel()
	c.Letter('o')
	c.Letter('k')
	if c.Raw() != "ok" || c.Active() {
		t.Error("Raw did not give the letters back")
	}
}
