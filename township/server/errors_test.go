package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"hallkiosk/township/api"
)

// Every answer that is not a success is the JSON error with a code that says what went wrong,
// the router's 404 and 405 included.
func TestEveryErrorIsJSON(t *testing.T) {
	f := newFixture(t)
	admin := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+f.token) }
	cases := []struct {
		name, method, path, body string
		auth                     func(*http.Request)
		status                   int
		code                     string
	}{
		{"", "GET", "/v1/nothing", "", nil, 404, api.ErrNotFound},
		{"", "GET", "/", "", nil, 404, api.ErrNotFound},
		{"", "GET", api.PathBatch, "", nil, 405, api.ErrMethod},
		{"", "DELETE", api.PathEnrol, "", nil, 405, api.ErrMethod},
		{"", "POST", api.PathEnrol, `{"code":`, nil, 400, api.ErrBadJSON},
		{"", "POST", api.PathEnrol, `{"code":"AAAA-BBBB-CCCC","name":"` + strings.Repeat("机", 100000) + `"}`, nil, 413, api.ErrTooLarge},
		{"", "POST", api.PathEnrol, `{"code":"AAAA-BBBB-CCCC","name":"` + strings.Repeat("机", 41) + `"}`, nil, 422, api.ErrInvalidField},
		{"", "POST", api.PathEnrol, `{"code":"AAAA-BBBB-CCCC","name":"一号\u0000机"}`, nil, 422, api.ErrInvalidField},
		{"", "POST", api.PathEnrol, `{"code":"AAAA-BBBB-CCCC","name":"\u001b[2J"}`, nil, 422, api.ErrInvalidField},
		{"", "POST", api.PathEnrol, `{"code":"AAAA-BBBB-CCCC","name":"一号机"}`, nil, 403, api.ErrBadCode},
		{"", "GET", "/admin/cases", "", nil, 401, api.ErrUnauthorized},
		{"", "GET", "/admin/cases/261124-K001-999", "", admin, 404, api.ErrNotFound},
		{"", "POST", "/admin/cases/" + cn(1) + "/status", `{"status":"done","note":"ok"}`, admin, 404, api.ErrNotFound},
		{"", "POST", "/admin/codes", `{"village":"王上\u202e村"}`, admin, 422, api.ErrInvalidField},
		{"", "POST", "/admin/codes", `{"village":`, admin, 400, api.ErrBadJSON},
		{"", "POST", "/admin/publish", `{"kind":"disclosure","key":"d1","payload":{"title":"a\u200bb"}}`, admin, 422, api.ErrInvalidField},
		{"", "GET", "/admin/polls/none/tally", "", admin, 404, api.ErrNotFound},
		{"", "PUT", "/admin/stats", "", admin, 405, api.ErrMethod},
		{"plain text body", "POST", api.PathEnrol, `{"code":"AAAA-BBBB-CCCC"}`, nil, 415, api.ErrMediaType},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path+" "+c.code, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, f.srv.URL+c.path, strings.NewReader(c.body))
			if c.body != "" && !strings.Contains(c.name, "plain") {
				req.Header.Set("Content-Type", "application/json")
			}
			if c.auth != nil {
				c.auth(req)
			}
			resp, body := f.do(req)
			var e api.Error
			if err := api.DecodeStrict(body, &e); err != nil || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("%d, not the JSON error (%v): %s", resp.StatusCode, err, body)
			}
			if resp.StatusCode != c.status || e.Code != c.code || e.Message == "" || e.ServerTime.IsZero() {
				t.Fatalf("got %d %+v, want %d %s", resp.StatusCode, e, c.status, c.code)
			}
		})
	}
	if resp, _ := f.do(mustReq("GET", f.srv.URL+api.PathBatch)); resp.Header.Get("Allow") != "POST" {
		t.Errorf("405 without Allow: %v", resp.Header)
	}
	if devs, _ := f.st.Devices(); len(devs) != 1 {
		t.Fatalf("refused enrolments made devices: %d", len(devs))
	}
}

func mustReq(method, url string) *http.Request {
	r, _ := http.NewRequest(method, url, nil)
	return r
}

// Wrong enrolment codes: 10 from one address in 10 minutes, then 429 with Retry-After (even for a
// right code) until the window passes; every refusal is logged with the address.
func TestEnrolmentAttemptsLimited(t *testing.T) {
	f := newFixture(t)
	var logs bytes.Buffer
	f.srv.Config.Handler = New(Config{Store: f.st, Township: "五泉镇", AdminToken: f.token, Now: f.clk.now,
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	try := func(code string) (int, api.Error, http.Header) {
		resp, body := f.post(api.PathEnrol, fmt.Sprintf(`{"code":%q}`, code), nil)
		var e api.Error
		_ = json.Unmarshal(body, &e)
		return resp.StatusCode, e, resp.Header
	}
	for i := range 10 {
		if st, e, _ := try(fmt.Sprintf("AAAA-BBBB-%04d", i)); st != 403 {
			t.Fatalf("wrong code %d: %d %+v", i, st, e)
		}
	}
	good := f.code("王上村")
	st, e, h := try(good)
	if st != 429 || e.Code != api.ErrRateLimited || h.Get("Retry-After") == "" {
		t.Fatalf("11th attempt: %d %+v %v", st, e, h)
	}
	f.clk.add(10*time.Minute + time.Second)
	if st, _, _ := try(good); st != 200 {
		t.Fatalf("after the window, the right code: %d", st)
	}
	if n := strings.Count(logs.String(), "enrolment refused"); n != 11 || !strings.Contains(logs.String(), "remote=127.0.0.1") {
		t.Fatalf("%d refusals logged, want 11 with the address:\n%s", n, logs.String())
	}
}

func TestLimiterTotal(t *testing.T) {
	l := newLimiter(10, 100, 10*time.Minute)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for i := range 100 {
		if _, wait := l.take(fmt.Sprintf("10.0.%d.%d", i/250, i%250), now); wait != 0 {
			t.Fatalf("attempt %d refused", i)
		}
	}
	if _, wait := l.take("10.9.9.9", now); wait != 10*time.Minute {
		t.Fatalf("101st attempt from a new address: wait %s, want 10m", wait)
	}
	// A right code is forgiven: it does not count against anyone.
	l2 := newLimiter(2, 100, time.Minute)
	for range 5 {
		_, wait := l2.take("a", now)
		if wait != 0 {
			t.Fatal("forgiven attempts counted")
		}
		l2.forgive("a", now)
	}
}
