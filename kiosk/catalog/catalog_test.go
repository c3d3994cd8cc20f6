package catalog

import (
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"

	"hallkiosk/assets"
)

func defaultCatalog(t testing.TB) *Catalog {
	t.Helper()
	c, probs, err := Parse(assets.CatalogName, assets.DefaultCatalog)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs {
		t.Errorf("default catalog: %v", p)
	}
	return c
}

func TestDefaultCatalogIsCompleteAndCoversEveryWindow(t *testing.T) {
	c := defaultCatalog(t)
	if len(c.Items) < 30 {
		t.Errorf("default catalog has %d items, want at least 30", len(c.Items))
	}
	want := []string{"党建廉政", "社会救助", "劳动保障", "人口计生", "文明创建", "综治信访", "便民服务"}
	var got []string
	for _, w := range c.Windows {
		got = append(got, w.Name)
		if n := len(c.ItemsIn(w.ID)); n < 3 {
			t.Errorf("window %s has %d items, want at least 3", w.Name, n)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("windows %v, want %v", got, want)
	}
	for _, it := range c.Items {
		if len(it.FAQ) == 0 || len(it.Keywords) == 0 {
			t.Errorf("%s %s: default items carry FAQ and keywords", it.Code, it.Name)
		}
	}
}

// mutate returns the default catalog JSON with item i changed by fn.
func mutate(t *testing.T, fn func(items []map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(assets.DefaultCatalog, &doc); err != nil {
		t.Fatal(err)
	}
	raw := doc["items"].([]any)
	items := make([]map[string]any, len(raw))
	for i := range raw {
		items[i] = raw[i].(map[string]any)
	}
	fn(items)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBadItemsAreNamedAndTheRestLoads(t *testing.T) {
	var codes [5]string
	data := mutate(t, func(items []map[string]any) {
		for i := range codes {
			codes[i] = items[i]["code"].(string)
		}
		items[0]["promised_limit_days"] = "二十"                           // wrong type
		items[1]["fee_amount"] = 5                                       // unknown field
		delete(items[2], "place")                                        // missing field
		items[3]["materials"].([]any)[0].(map[string]any)["form"] = "传真" // bad enum inside a list
		items[4]["type"] = "行政许可"                                        // type letters disagree with code
		items[8]["code"] = items[6]["code"]                              // duplicate, same type
	})
	c, probs, err := Parse("township.json", data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ // code -> field
		codes[0]: "promised_limit_days",
		codes[1]: "fee_amount",
		codes[2]: "place",
		codes[3]: "materials[0].form",
		codes[4]: "code",
	}
	if len(probs) != 6 {
		t.Fatalf("got %d problems, want 6: %v", len(probs), probs)
	}
	for _, p := range probs[:5] {
		if p.File != "township.json" || want[p.Code] != p.Field {
			t.Errorf("problem %+v: want file township.json and field %q for %s", p, want[p.Code], p.Code)
		}
		if msg := p.Error(); !strings.Contains(msg, "township.json") || !strings.Contains(msg, p.Code) || !strings.Contains(msg, p.Field) {
			t.Errorf("message %q does not name file, code and field", msg)
		}
	}
	if !strings.Contains(probs[5].Msg, "duplicate") {
		t.Errorf("duplicate not reported: %+v", probs[5])
	}
	full := defaultCatalog(t)
	if len(c.Items) != len(full.Items)-6 {
		t.Errorf("%d items loaded, want %d", len(c.Items), len(full.Items)-6)
	}
}

func TestUnusableCatalogs(t *testing.T) {
	cases := map[string]string{
		"not json":   "{\"version\": \"x\",\n \"windows\": [\n}",
		"no windows": `{"version":"x","windows":[],"items":[]}`,
		"no items":   `{"version":"x","windows":[{"id":"a","name":"甲"}],"items":[]}`,
	}
	for name, data := range cases {
		_, probs, err := Parse("bad.json", []byte(data))
		if !errors.Is(err, ErrUnusable) || !strings.Contains(err.Error(), "bad.json") {
			t.Errorf("%s: err %v, want ErrUnusable naming the file", name, err)
		}
		if name == "not json" && (len(probs) == 0 || !strings.Contains(probs[0].Msg, "line 3")) {
			t.Errorf("syntax error should give the line: %v", probs)
		}
	}
}

// TestSchemaMatchesCode keeps the published JSON Schema and the Go decoder describing the same fields.
func TestSchemaMatchesCode(t *testing.T) {
	var schema struct {
		Defs map[string]struct {
			Required   []string                   `json:"required"`
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(assets.CatalogSchema, &schema); err != nil {
		t.Fatal(err)
	}
	for def, typ := range map[string]reflect.Type{"item": reflect.TypeOf(Item{}), "material": reflect.TypeOf(Material{}), "field": reflect.TypeOf(Field{})} {
		var tags []string
		for i := 0; i < typ.NumField(); i++ {
			tags = append(tags, typ.Field(i).Tag.Get("json"))
		}
		var props []string
		for k := range schema.Defs[def].Properties {
			props = append(props, k)
		}
		sort.Strings(tags)
		sort.Strings(props)
		if !reflect.DeepEqual(tags, props) {
			t.Errorf("%s: schema properties %v, Go fields %v", def, props, tags)
		}
	}
}

func TestSearch(t *testing.T) {
	idx := NewIndex(defaultCatalog(t))
	first := func(q string) string {
		r := idx.Search(q)
		if len(r) == 0 {
			return ""
		}
		return r[0].Name
	}
	cases := map[string]string{
		"dbsq": "最低生活保障申请",     // keyword 低保申请 by initials
		"DBSQ": "最低生活保障申请",     // letter case does not matter
		"低保":   "最低生活保障申请",     // Chinese word
		"gljt": "高龄津贴申请",       // name initials
		"sbk":  "社会保障卡补换与密码重置", // keyword 社保卡
		"宅基地":  "农村村民宅基地建房申请",
		"jzz":  "居住证申领",
	}
	for q, want := range cases {
		if got := first(q); got != want {
			t.Errorf("Search(%q) first = %q, want %q", q, got, want)
		}
	}
	if r := idx.Search("xyzq"); len(r) != 0 {
		t.Errorf("nonsense query found %v", r[0].Name)
	}
	if r := idx.Search("  "); r != nil {
		t.Error("blank query must find nothing")
	}
	kw := idx.Keywords(14)
	if len(kw) != 14 || kw[0] != "低保" || kw[1] != "养老保险" || kw[7] != "特困" {
		t.Errorf("Keywords(14) = %v, want one per window in turn", kw)
	}
	if all := idx.Keywords(0); len(all) != len(defaultCatalog(t).Items) {
		t.Errorf("Keywords(0) gave %d words, want one per item", len(all))
	}
}

func TestHeteronymInitials(t *testing.T) {
	c := &Catalog{Items: []Item{{Name: "长期护理"}, {Name: "银行卡"}}}
	idx := NewIndex(c)
	for _, q := range []string{"cqhl", "zqhl", "yhk", "yxk"} {
		if len(idx.Search(q)) != 1 {
			t.Errorf("%q should match through 多音字 initials", q)
		}
	}
}
