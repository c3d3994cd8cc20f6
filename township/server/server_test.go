package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hallkiosk/township/api"
	"hallkiosk/township/api/apitest"
	"hallkiosk/township/api/casenum"
	"hallkiosk/township/api/mask"
	"hallkiosk/township/store"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	t     *testing.T
	dir   string
	clk   *clock
	st    *store.Store
	srv   *httptest.Server
	dev   api.EnrolResponse
	token string
	// hc checks every exchange against the published contract (openapi.json).
	hc       *http.Client
	contract *apitest.Transport
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: t.TempDir(), clk: &clock{t: time.Now().UTC()}, token: "admintoken"}
	contract, err := apitest.Load()
	if err != nil {
		t.Fatal(err)
	}
	f.contract = &apitest.Transport{Contract: contract, T: t}
	f.hc = &http.Client{Transport: f.contract}
	f.start()
	t.Cleanup(f.stop)
	code := f.code("王上村")
	resp, body := f.post(api.PathEnrol, fmt.Sprintf(`{"code":%q,"name":"一号机"}`, code), nil)
	if resp.StatusCode != 200 {
		t.Fatalf("enrol: %d %s", resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, &f.dev); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) start() {
	st, err := store.Open(filepath.Join(f.dir, "t.db"), filepath.Join(f.dir, "t.key"), f.clk.now)
	if err != nil {
		f.t.Fatal(err)
	}
	f.st = st
	f.srv = httptest.NewServer(New(Config{Store: st, Township: "五泉镇", AdminToken: f.token, Now: f.clk.now, MaxBatchItems: 50, MaxBodyBytes: 64 << 10}))
}

func (f *fixture) stop() {
	f.srv.Close()
	f.st.Close()
}

func (f *fixture) code(village string) string {
	c, _, err := f.st.NewCode(village, "", time.Hour)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) post(path, body string, sign func(*http.Request, []byte)) (*http.Response, []byte) {
	req, _ := http.NewRequest("POST", f.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sign != nil {
		sign(req, []byte(body))
	}
	return f.do(req)
}

func (f *fixture) do(req *http.Request) (*http.Response, []byte) {
	resp, err := f.hc.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

var nonceN int

func (f *fixture) signer(id string, secret []byte, skew time.Duration) func(*http.Request, []byte) {
	return func(r *http.Request, body []byte) {
		nonceN++
		api.Sign(r, id, secret, body, f.clk.now().Add(skew), fmt.Sprintf("n%d-%d", nonceN, time.Now().UnixNano()))
	}
}

func (f *fixture) batch(items ...api.Item) (*http.Response, []byte) {
	b, _ := json.Marshal(api.Batch{Items: items})
	return f.post(api.PathBatch, string(b), f.signer(f.dev.DeviceID, f.dev.Secret, 0))
}

// idNumber makes a valid 18-character ID number from 17 digits.
func idNumber(first17 string) string {
	c, _ := api.IDCheckDigit(first17)
	return first17 + string(c)
}

// cn is a case number in the fixture kiosk's numbering (the first enrolled: K001).
func cn(seq int) string {
	return casenum.Format(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), "K001", seq)
}

func caseItem(key, number string) api.Item {
	p, _ := json.Marshal(api.CasePayload{Number: number, ItemCode: "61040300MZ-JF-0001", ItemName: "低保申请",
		Applicant:   api.Applicant{Name: "李淼喆", IDNumber: idNumber("61040319520304123")},
		SubmittedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)})
	return api.Item{Key: key, Kind: api.KindCase, Payload: p}
}

func results(t *testing.T, body []byte) []api.Result {
	t.Helper()
	var r api.BatchResponse
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return r.Results
}

func TestIntakeAnswersEachItem(t *testing.T) {
	f := newFixture(t)
	resp, body := f.batch(caseItem("k1", cn(1)), caseItem("k2", cn(2)))
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	for _, r := range results(t, body) {
		if r.Status != api.Accepted {
			t.Fatalf("first send: %+v", r)
		}
	}
	changed := caseItem("k2", cn(2))
	changed.Payload = bytes.Replace(changed.Payload, []byte("低保申请"), []byte("临时救助"), 1)
	bad := api.Item{Key: "k4", Kind: api.KindRating, Payload: json.RawMessage(`{"case_number":"` + cn(1) + `","grade":9,"rated_at":"2026-03-02T10:00:00Z"}`)}
	resp, body = f.batch(caseItem("k1", cn(1)), changed, caseItem("k3", cn(1)), bad, caseItem("k5", cn(5)))
	if resp.StatusCode != 200 {
		t.Fatalf("second send: %d %s", resp.StatusCode, body)
	}
	got := results(t, body)
	want := []string{api.Duplicate, api.Conflict, api.Conflict, api.Rejected, api.Accepted}
	for i, r := range got {
		if r.Status != want[i] {
			t.Errorf("item %d (%s): %s %q, want %s", i, r.Key, r.Status, r.Reason, want[i])
		}
	}
	if !strings.Contains(got[3].Reason, "grade") {
		t.Errorf("rejection reason %q does not name the field", got[3].Reason)
	}
	if n, _ := f.st.ItemCount(api.KindCase); n != 3 {
		t.Fatalf("township holds %d cases, want 3", n)
	}
	c, err := f.st.Case(cn(1))
	if err != nil || c.Applicant.Name != "李淼喆" || c.Village != "王上村" {
		t.Fatalf("case = %+v %v", c, err)
	}
}

// Bad requests get a 4xx with a code and a message, and the township's data does not move.
func TestBadInputRefusedAndChangesNothing(t *testing.T) {
	f := newFixture(t)
	before, _ := f.st.Stats()
	good := f.signer(f.dev.DeviceID, f.dev.Secret, 0)
	many := make([]api.Item, 51)
	for i := range many {
		many[i] = caseItem(fmt.Sprintf("m%d", i), cn(100+i))
	}
	manyJSON, _ := json.Marshal(api.Batch{Items: many})
	unknown := `{"items":[{"key":"u1","kind":"hologram","payload":{}}]}`
	valid, _ := json.Marshal(api.Batch{Items: []api.Item{caseItem("v1", cn(201))}})
	cases := []struct {
		name, body string
		sign       func(*http.Request, []byte)
		status     int
		code       string
	}{
		{"malformed JSON", `{"items":[`, good, 400, api.ErrBadJSON},
		{"not a batch", `{"things":[]}`, good, 400, api.ErrBadJSON},
		{"empty batch", `{"items":[]}`, good, 400, api.ErrBadRequest},
		{"oversized body", `{"items":[],"pad":"` + strings.Repeat("x", 70<<10) + `"}`, good, 413, api.ErrTooLarge},
		{"too many items", string(manyJSON), good, 413, api.ErrTooLarge},
		{"unknown kind", unknown, good, 422, api.ErrInvalidItems},
		{"unsigned", string(valid), nil, 401, api.ErrUnauthorized},
		{"wrong secret", string(valid), f.signer(f.dev.DeviceID, []byte("guess"), 0), 401, api.ErrUnauthorized},
		{"unknown device", string(valid), f.signer("dev-000000000000", f.dev.Secret, 0), 401, api.ErrUnauthorized},
		{"clock 10 min fast", string(valid), f.signer(f.dev.DeviceID, f.dev.Secret, 10*time.Minute), 401, api.ErrClockSkew},
		{"clock 10 min slow", string(valid), f.signer(f.dev.DeviceID, f.dev.Secret, -10*time.Minute), 401, api.ErrClockSkew},
		{"body swapped after signing", string(valid), func(r *http.Request, _ []byte) { good(r, []byte(unknown)) }, 401, api.ErrUnauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := f.post(api.PathBatch, c.body, c.sign)
			var e api.Error
			_ = json.Unmarshal(body, &e)
			if resp.StatusCode != c.status || e.Code != c.code || e.Message == "" {
				t.Fatalf("got %d %q %q, want %d %s", resp.StatusCode, e.Code, e.Message, c.status, c.code)
			}
		})
	}
	after, _ := f.st.Stats()
	if after.Items != before.Items || after.Cases != before.Cases || after.Changes != before.Changes {
		t.Fatalf("bad requests changed the store: %+v -> %+v", before, after)
	}
	_, body := f.post(api.PathBatch, unknown, good)
	if !strings.Contains(string(body), `unknown kind \"hologram\"`) {
		t.Errorf("unknown kind answer does not name the kind: %s", body)
	}
}

func TestReplayRefusedEvenAfterRestart(t *testing.T) {
	f := newFixture(t)
	b, _ := json.Marshal(api.Batch{Items: []api.Item{caseItem("r1", cn(301))}})
	req, _ := http.NewRequest("POST", f.srv.URL+api.PathBatch, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	f.signer(f.dev.DeviceID, f.dev.Secret, 0)(req, b)
	headers := req.Header.Clone()
	if resp, body := f.do(req); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	again := func() (int, string) {
		req, _ := http.NewRequest("POST", f.srv.URL+api.PathBatch, bytes.NewReader(b))
		req.Header = headers.Clone()
		resp, body := f.do(req)
		var e api.Error
		_ = json.Unmarshal(body, &e)
		return resp.StatusCode, e.Code
	}
	if st, code := again(); st != 401 || code != api.ErrReplay {
		t.Fatalf("replay: %d %s", st, code)
	}
	f.stop()
	f.start()
	if st, code := again(); st != 401 || code != api.ErrReplay {
		t.Fatalf("replay after restart: %d %s", st, code)
	}
}

func TestRevokedDeviceRefused(t *testing.T) {
	f := newFixture(t)
	if err := f.st.Revoke(f.dev.DeviceID); err != nil {
		t.Fatal(err)
	}
	resp, body := f.batch(caseItem("x1", cn(401)))
	if resp.StatusCode != 403 || !strings.Contains(string(body), api.ErrRevoked) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

func TestEnrolmentCodeIsOneTimeAndExpires(t *testing.T) {
	f := newFixture(t)
	c := f.code("东沟村")
	if resp, _ := f.post(api.PathEnrol, `{"code":"`+strings.ToLower(c)+`"}`, nil); resp.StatusCode != 200 {
		t.Fatalf("first use (typed in lower case): %d", resp.StatusCode)
	}
	if resp, _ := f.post(api.PathEnrol, `{"code":"`+c+`"}`, nil); resp.StatusCode != 403 {
		t.Fatalf("second use: %d", resp.StatusCode)
	}
	c2 := f.code("东沟村")
	f.clk.add(2 * time.Hour)
	if resp, _ := f.post(api.PathEnrol, `{"code":"`+c2+`"}`, nil); resp.StatusCode != 403 {
		t.Fatalf("expired: %d", resp.StatusCode)
	}
}

func TestChangesScopedToVillageAndPaged(t *testing.T) {
	f := newFixture(t)
	f.batch(caseItem("c1", cn(501)))
	for i := range 5 {
		if _, err := f.st.Publish("", "disclosure", fmt.Sprintf("d%d", i), json.RawMessage(`{"title":"公开"}`)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.st.Publish("东沟村", "disclosure", "other", json.RawMessage(`{"title":"别村"}`)); err != nil {
		t.Fatal(err)
	}
	if err := f.st.SetStatus(cn(501), "done", "已办结"); err != nil {
		t.Fatal(err)
	}
	var all []api.Change
	var cursor uint64
	for pages := 0; ; pages++ {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s%s?after=%d&limit=2", f.srv.URL, api.PathChanges, cursor), nil)
		f.signer(f.dev.DeviceID, f.dev.Secret, 0)(req, nil)
		resp, body := f.do(req)
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		var page api.ChangesResponse
		_ = json.Unmarshal(body, &page)
		all = append(all, page.Changes...)
		cursor = page.Cursor
		if !page.More || pages > 10 {
			break
		}
	}
	var keys []string
	for _, c := range all {
		keys = append(keys, c.Kind+":"+c.Key)
	}
	want := "case_status:" + cn(501) + " disclosure:d0 disclosure:d1 disclosure:d2 disclosure:d3 disclosure:d4 case_status:" + cn(501)
	if strings.Join(keys, " ") != want {
		t.Fatalf("feed = %v\nwant  %s", keys, want)
	}
}

func TestAdminNeedsToken(t *testing.T) {
	f := newFixture(t)
	req, _ := http.NewRequest("GET", f.srv.URL+"/admin/cases", nil)
	if resp, _ := f.do(req); resp.StatusCode != 401 {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	f.batch(caseItem("a1", cn(601)))
	req, _ = http.NewRequest("GET", f.srv.URL+"/admin/cases", nil)
	req.Header.Set("Authorization", "Bearer "+f.token)
	resp, body := f.do(req)
	if resp.StatusCode != 200 || strings.Contains(string(body), "李淼喆") || !strings.Contains(string(body), mask.Name("李淼喆")) {
		t.Fatalf("case list (masked unless full): %d %s", resp.StatusCode, body)
	}
	// The admin masks an ID number by the kiosk's rule: the same 8 characters, never the first 6.
	id := idNumber("61040319520304123")
	if !strings.Contains(string(body), `"id_number":"`+mask.ID(id)+`"`) {
		t.Fatalf("case list shows the ID number otherwise than mask.ID: %s", body)
	}
}

// FuzzBatchBody throws arbitrary bodies at the signed intake: the answer is 200, 413 or 4xx, never
// a 5xx or a crash, and a refused body stores nothing.
func FuzzBatchBody(f *testing.F) {
	good, _ := json.Marshal(api.Batch{Items: []api.Item{caseItem("f1", cn(701))}})
	for _, s := range []string{string(good), `{"items":[`, `{"items":[{"key":"a","kind":"case","payload":{"number":1}}]}`,
		`{"items":[{"key":"a","kind":"vote","payload":{"poll_id":"p","option":"\u0000"}}]}`, `null`, `[]`, `{"items":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fx := newFixture(t)
		before, _ := fx.st.Stats()
		resp, out := fx.post(api.PathBatch, string(body), fx.signer(fx.dev.DeviceID, fx.dev.Secret, 0))
		if resp.StatusCode >= 500 {
			t.Fatalf("%d %s", resp.StatusCode, out)
		}
		if resp.StatusCode != 200 {
			after, _ := fx.st.Stats()
			if after != before {
				t.Fatalf("refused body changed the store")
			}
		}
	})
}

// Two copies of one batch arriving at once (a kiosk retrying while its first try is still being
// stored) are joined in one group commit; each item is taken once and the other copy is a duplicate.
func TestConcurrentCopiesTakenOnce(t *testing.T) {
	f := newFixture(t)
	items := []api.Item{caseItem("c1", cn(501)), caseItem("c2", cn(502)), caseItem("c3", cn(503))}
	var wg sync.WaitGroup
	statuses := make([][]api.Result, 8)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _ := json.Marshal(api.Batch{Items: items})
			req, _ := http.NewRequest("POST", f.srv.URL+api.PathBatch, bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			api.Sign(req, f.dev.DeviceID, f.dev.Secret, b, f.clk.now(), fmt.Sprintf("conc-%d", i))
			resp, err := f.hc.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			var r api.BatchResponse
			_ = json.Unmarshal(body, &r)
			statuses[i] = r.Results
		}()
	}
	wg.Wait()
	accepted := map[string]int{}
	for _, rs := range statuses {
		for _, r := range rs {
			if r.Status == api.Accepted {
				accepted[r.Key]++
			} else if r.Status != api.Duplicate {
				t.Errorf("%s: %s %s", r.Key, r.Status, r.Reason)
			}
		}
	}
	if accepted["c1"] != 1 || accepted["c2"] != 1 || accepted["c3"] != 1 {
		t.Fatalf("accepted counts %v, want each once", accepted)
	}
	if n, _ := f.st.ItemCount(""); n != 3 {
		t.Fatalf("township holds %d items", n)
	}
}
