package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallkiosk/township/api"
	"hallkiosk/township/api/casenum"
	"hallkiosk/township/api/mask"
	"hallkiosk/township/server"
	"hallkiosk/township/store"
)

type town struct {
	dir string
	st  *store.Store
	srv *httptest.Server
}

func newTown(t *testing.T, h http.Handler) *town {
	t.Helper()
	tw := &town{dir: t.TempDir()}
	if err := os.WriteFile(filepath.Join(tw.dir, "admin.token"), []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if h == nil {
		st, err := store.Open(filepath.Join(tw.dir, "t.db"), filepath.Join(tw.dir, "t.key"), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		tw.st = st
		h = server.New(server.Config{Store: st, AdminToken: "tok"})
	}
	tw.srv = httptest.NewServer(h)
	t.Cleanup(tw.srv.Close)
	return tw
}

func (tw *town) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := adminCmd(args[0], append(args[1:], "--addr", tw.srv.URL, "--data", tw.dir), &out)
	return out.String(), err
}

func idNumber(first17 string) string {
	c, _ := api.IDCheckDigit(first17)
	return first17 + string(c)
}

// A village given on the command line is one query value, whatever it holds: '王上村&full=1' does
// not turn into full=1 and unmask ID numbers.
func TestCasesQueryBuiltWithValues(t *testing.T) {
	tw := newTown(t, nil)
	code, _, _ := tw.st.NewCode("王上村&full=1", "", time.Hour)
	d, _, err := tw.st.Enrol(code, "一号机", "")
	if err != nil {
		t.Fatal(err)
	}
	id := idNumber("61040319520304123")
	p, _ := json.Marshal(api.CasePayload{Number: casenum.Format(time.Now(), d.Code, 1), ItemCode: "61040300MZ-JF-0001", ItemName: "低保申请",
		Applicant: api.Applicant{Name: "李淼喆", IDNumber: id}, SubmittedAt: time.Now()})
	if rs, err := tw.st.Intake(d, []api.Item{{Key: "k1", Kind: api.KindCase, Payload: p}}, store.Nonce{}); err != nil || rs[0].Status != api.Accepted {
		t.Fatal(rs, err)
	}
	whole, err := tw.run(t, "case", casenum.Format(time.Now(), d.Code, 1))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(whole, "\n") < 10 || !strings.Contains(whole, "\n  \"id_number\": \""+id+"\"") {
		t.Fatalf("case prints one indented JSON field a line, whole:\n%s", whole)
	}
	out, err := tw.run(t, "cases", "--village", "王上村&full=1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, id) || !strings.Contains(out, mask.ID(id)) || !strings.Contains(out, "低保申请") {
		t.Fatalf("cases --village '王上村&full=1' must list that village's case masked:\n%s", out)
	}
}

// The device list prints a hostile name as visible escapes: enrolling cannot clear the admin's
// terminal or reorder what it shows.
func TestDevicesEscaped(t *testing.T) {
	tw := newTown(t, nil)
	code, _, _ := tw.st.NewCode("王上村", "", time.Hour)
	if _, _, err := tw.st.Enrol(code, "\x1b[2J机\u202e", ""); err != nil { // as an older township stored it
		t.Fatal(err)
	}
	out, err := tw.run(t, "devices")
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out, "\x1b\u202e") || !strings.Contains(out, `\u{001B}[2J机\u{202E}`) {
		t.Fatalf("devices printed raw control characters:\n%q", out)
	}
}

// township devices shows each kiosk online or offline with its heartbeat's figures.
func TestDevicesShowHeartbeat(t *testing.T) {
	tw := newTown(t, nil)
	var ids []string
	for _, name := range []string{"一号机", "二号机"} {
		code, _, _ := tw.st.NewCode("王上村", "", time.Hour)
		d, _, err := tw.st.Enrol(code, name, "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	err := tw.st.PutHeartbeat(ids[0], api.Heartbeat{Version: "1.4.0", UpdateState: api.UpdateTrial, UpdatePendingVersion: "1.4.0",
		IntervalSeconds: 300, UploadQueueItems: 2, UploadQueueOldestAgeSeconds: 5400, CardReaderState: api.DeviceReady,
		PrinterState: api.DevicePaperOut, StoreSizeBytes: 900 << 20, StoreCapBytes: 1024 << 20, ClockSkewSeconds: -7201})
	if err != nil {
		t.Fatal(err)
	}
	out, err := tw.run(t, "devices")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "STATE") {
		t.Fatalf("devices:\n%s", out)
	}
	one, two := lines[1], lines[2]
	if !strings.Contains(one, "一号机") {
		one, two = two, one
	}
	for _, want := range []string{"online", "1.4.0", "trial 1.4.0", "1h30m0s", "ready", "paper_out", "900 MB of 1024 (87%)", "-7201s"} {
		if !strings.Contains(one, want) {
			t.Errorf("the kiosk with a heartbeat lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(two, "never") {
		t.Errorf("a kiosk that never sent a heartbeat:\n%s", out)
	}
}

// An answer the CLI does not understand is an error, not a success.
func TestUnexpectedAnswersAreErrors(t *testing.T) {
	answer := map[string]string{
		"/admin/devices/dev-1/revoke": `{}`,
		"/admin/codes":                `{"code":"","expires":"2026-11-25T00:00:00Z"}`,
		"/admin/publish":              `{"seq":0}`,
		"/admin/cases/x/status":       `{"number":"x","status":"accepted"}`,
		"/admin/stats":                `{"Devices":1,"Surprise":2}`,
		"/admin/cases":                `<html>proxy login</html>`,
	}
	tw := newTown(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(answer[r.URL.Path]))
	}))
	doc := filepath.Join(tw.dir, "d.json")
	_ = os.WriteFile(doc, []byte(`{"title":"t"}`), 0o600)
	for _, args := range [][]string{
		{"revoke", "dev-1"}, {"code", "--village", "王上村"}, {"publish", "--kind", "disclosure", "--key", "d1", doc},
		{"set-status", "x", "done"}, {"stats"}, {"cases"},
	} {
		out, err := tw.run(t, args...)
		if err == nil {
			t.Errorf("township %s: no error; printed %q", strings.Join(args, " "), out)
		}
	}
}

// The service's errors reach the admin with their code and message.
func TestServiceErrorShown(t *testing.T) {
	tw := newTown(t, nil)
	_, err := tw.run(t, "set-status", "261124-K001-001", "done")
	if err == nil || !strings.Contains(err.Error(), "not_found") {
		t.Fatalf("set-status of an unknown case: %v", err)
	}
	_, err = tw.run(t, "code", "--village", "王上\u202e村")
	if err == nil || !strings.Contains(err.Error(), "invalid_field") || strings.Contains(err.Error(), "\u202e") {
		t.Fatalf("code with a bidi village: %v", err)
	}
}

// township audit lists a device's lines in its order and shows a gap in its numbers as a line the
// township has not received.
func TestAuditShowsGaps(t *testing.T) {
	tw := newTown(t, nil)
	code, _, _ := tw.st.NewCode("王上村", "", time.Hour)
	dev, _, err := tw.st.Enrol(code, "综合窗口", "")
	if err != nil {
		t.Fatal(err)
	}
	var items []api.Item
	for _, l := range []api.AuditPayload{
		{Seq: 1, Actor: "Z01", Action: "signin", Subject: "Z01"},
		{Seq: 2, Actor: "Z01", Action: "case.accept", Subject: "261124-K001-007"},
		{Seq: 5, Actor: "Z01", Action: "signout", Subject: "Z01"},
	} {
		l.At = time.Date(2026, 11, 24, 9, 0, int(l.Seq), 0, time.UTC)
		raw, _ := json.Marshal(l)
		items = append(items, api.Item{Key: "a" + string(rune('0'+l.Seq)), Kind: api.KindAudit, Payload: raw})
	}
	if _, err := tw.st.Intake(dev, items, store.Nonce{}); err != nil {
		t.Fatal(err)
	}
	out, err := tw.run(t, "audit", "--device", dev.ID)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.Contains(lines[0], "ACTION") || !strings.Contains(lines[2], "case.accept") ||
		!strings.Contains(lines[3], "3-4") || !strings.Contains(lines[3], "(not received)") || !strings.Contains(lines[4], "signout") {
		t.Fatalf("audit:\n%s", out)
	}
}

// township staff sends an account down the village's feed without any PIN; bad ones are refused
// before they reach the service.
func TestStaffCommand(t *testing.T) {
	tw := newTown(t, nil)
	out, err := tw.run(t, "staff", "0012", "--village", "王上村", "--name", "李社工", "--role", "worker")
	if err != nil || !strings.Contains(out, "first sign-in") {
		t.Fatalf("staff: %q %v", out, err)
	}
	page, err := tw.st.Changes("王上村", 0, 10)
	if err != nil || len(page.Changes) != 1 {
		t.Fatalf("feed: %+v %v", page, err)
	}
	ch := page.Changes[0]
	if ch.Kind != api.ChangeStaff || ch.Key != "0012" || string(ch.Payload) != `{"id":"0012","name":"李社工","role":"worker"}` {
		t.Fatalf("change: %s %s %s", ch.Kind, ch.Key, ch.Payload)
	}
	if other, _ := tw.st.Changes("李下村", 0, 10); len(other.Changes) != 0 {
		t.Fatalf("another village got the account: %+v", other)
	}
	for _, args := range [][]string{
		{"staff", "0013", "--village", "王上村", "--name", "赵", "--role", "boss"},
		{"staff", "0013", "--name", "赵", "--role", "worker"},
		{"staff", "0013", "--village", "王上村", "--role", "worker"},
	} {
		if out, err := tw.run(t, args...); err == nil {
			t.Errorf("township %s: no error; printed %q", strings.Join(args, " "), out)
		}
	}
	if out, err := tw.run(t, "staff", "0012", "--village", "王上村", "--name", "李社工", "--role", "worker", "--disable"); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("disable: %q %v", out, err)
	}
}

// township display lists what stood on a hall's wall and when, and names the gap a power cut left.
func TestDisplayShowsGaps(t *testing.T) {
	tw := newTown(t, nil)
	code, _, _ := tw.st.NewCode("王上村", "", time.Hour)
	dev, _, err := tw.st.Enrol(code, "村务公开屏", "")
	if err != nil {
		t.Fatal(err)
	}
	at := func(h, m int) time.Time { return time.Date(2026, 11, 24, h, m, 0, 0, time.UTC) }
	var items []api.Item
	for i, sp := range []api.DisplayPayload{{Item: "tz-fire", From: at(1, 0), To: at(3, 0)}, {Item: "tz-fire", From: at(5, 30), To: at(9, 0)},
		{Item: "db-q4", From: at(1, 0), To: at(9, 0)}} {
		raw, _ := json.Marshal(sp)
		items = append(items, api.Item{Key: fmt.Sprint("d", i), Kind: api.KindDisplay, Payload: raw})
	}
	if _, err := tw.st.Intake(dev, items, store.Nonce{}); err != nil {
		t.Fatal(err)
	}
	out, err := tw.run(t, "display", "--village", "王上村", "--item", "tz-fire")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.Contains(lines[2], "(not shown)") || strings.Contains(out, "db-q4") {
		t.Fatalf("display:\n%s", out)
	}
}
