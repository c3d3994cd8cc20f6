package wall

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallkiosk/township/api"
)

// The demo's wall content (assets/demo/wall, published by make demo) is content a village could
// publish: every file passes the township's text rule for the feed and the wall's own checks.
func TestDemoContentPublishes(t *testing.T) {
	files, err := filepath.Glob("../../assets/demo/wall/*.json")
	if err != nil || len(files) < 5 {
		t.Fatalf("demo content: %v %v", files, err)
	}
	kinds := map[string]bool{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		from, until := time.Now().AddDate(0, 0, -1).Format(time.RFC3339), time.Now().AddDate(0, 2, 0).Format(time.RFC3339)
		doc := strings.NewReplacer("__FROM__", from, "__UNTIL__", until).Replace(string(raw))
		var it Item
		if err := json.Unmarshal([]byte(doc), &it); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := api.ValidateChange(api.ChangeDisclosure, it.ID, []byte(doc)); err != nil {
			t.Errorf("%s: the feed refuses it: %v", f, err)
		}
		if r := Check(it); r != nil {
			t.Errorf("%s: %v", f, r)
		}
		kinds[it.Kind] = true
	}
	for _, k := range []string{KindNotice, KindTable, KindRoster, KindApproval} {
		if !kinds[k] {
			t.Errorf("the demo has no %s", k)
		}
	}
}
