package apitest

import (
	"net/http"
	"strings"
	"testing"
)

func TestDocumentIsValidOpenAPI31(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/v1/info", "/v1/enrol", "/v1/batch", "/v1/changes", "/v1/openapi.json", "/admin/codes", "/admin/devices",
		"/admin/devices/{id}/revoke", "/admin/cases", "/admin/cases/{number}", "/admin/cases/{number}/status", "/admin/publish",
		"/admin/ratings", "/admin/polls/{id}/tally", "/admin/stats"} {
		if c.Doc().Paths.Find(p) == nil {
			t.Errorf("no path %s", p)
		}
	}
}

// The checks can fail: an answer off the document, an unsigned request, an unknown field.
func TestCheckCatchesDrift(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	json := http.Header{"Content-Type": {"application/json"}}
	get := func(path string) *http.Request { r, _ := http.NewRequest("GET", "http://x"+path, nil); return r }
	info := `{"service":"s","api_version":"v1","time":"2026-11-24T09:00:00Z","max_batch_items":500,"max_body_bytes":4194304,"max_skew":"5m0s","kinds":["case"]}`
	if _, respErr := c.Check(get("/v1/info"), nil, 200, json, []byte(info)); respErr != nil {
		t.Fatalf("a good answer refused: %v", respErr)
	}
	for _, bad := range []string{`{}`, strings.Replace(info, `"kinds"`, `"extra":1,"kinds"`, 1), strings.Replace(info, `"v1"`, `"v2"`, 1)} {
		if _, respErr := c.Check(get("/v1/info"), nil, 200, json, []byte(bad)); respErr == nil {
			t.Errorf("answer %s passed", bad)
		}
	}
	if _, respErr := c.Check(get("/v1/info"), nil, 404, http.Header{"Content-Type": {"text/plain"}}, []byte("404 page not found")); respErr == nil {
		t.Error("a plain-text 404 passed")
	}
	if reqErr, _ := c.Check(get("/v1/changes?after=0"), nil, 401, json, []byte(`{"code":"unauthorized","message":"m","server_time":"2026-11-24T09:00:00Z"}`)); reqErr == nil {
		t.Error("an unsigned changes request passed")
	}
	refused := `{"items":[{"key":"k1","kind":"rating","payload":{"case_number":"261124-K001-001","grade":9,"rated_at":"2026-11-24T09:00:00Z"}}]}`
	if err := c.checkItems([]byte(refused), []byte(`{"results":[{"key":"k1","status":"accepted"}]}`)); err == nil {
		t.Error("an accepted item with grade 9 passed")
	}
	if err := c.checkItems([]byte(refused), []byte(`{"results":[{"key":"k1","status":"rejected","reason":"grade"}]}`)); err != nil {
		t.Errorf("a rejected bad item: %v", err)
	}
}
