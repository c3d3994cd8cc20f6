package upload

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"hallkiosk/township/api"
)

// A township that sends what the text rule refuses (a rogue or broken one: the real one refuses to
// publish it) gets none of it stored; the good changes of the same page are stored, the cursor
// moves past the page, and the log names each refusal with the field and the code point, escaped.
func TestFeedPageCheckedByTextRule(t *testing.T) {
	page := api.ChangesResponse{Cursor: 7, Changes: []api.Change{
		{Seq: 1, Kind: "disclosure", Key: "ok-1", Payload: json.RawMessage(`{"id":"ok-1","title":"2026年第一季度财务收支","body":"收入\n支出"}`)},
		{Seq: 2, Kind: "disclosure", Key: "bidi", Payload: json.RawMessage(`{"id":"bidi","title":"财务\u202e公开"}`)},
		{Seq: 3, Kind: "disclosure", Key: "zw", Payload: json.RawMessage(`{"id":"zw","title":"ok","body":"a\u200bb"}`)},
		{Seq: 4, Kind: "poll", Key: "esc", Payload: json.RawMessage(`{"id":"esc","title":"\u001b[2J投票","options":["同意","反对"]}`)},
		{Seq: 5, Kind: "disclosure", Key: "bad\u0000key", Payload: json.RawMessage(`{"title":"x"}`)},
		{Seq: 6, Kind: "disclosure", Key: "long", Payload: json.RawMessage(`{"id":"long","title":"` + strings.Repeat("长", 101) + `"}`)},
		{Seq: 7, Kind: "poll", Key: "ok-2", Payload: json.RawMessage(`{"id":"ok-2","title":"修路","options":["同意","反对"]}`)},
	}}
	// Invalid UTF-8 and a lone surrogate escape, as raw bytes on the wire.
	raw, _ := json.Marshal(page)
	raw = bytes.Replace(raw, []byte(`"changes":[`), []byte("\"changes\":[{\"seq\":1,\"kind\":\"disclosure\",\"key\":\"utf\",\"payload\":{\"title\":\"a\xff\xfe\"}},"+
		`{"seq":1,"kind":"message_reply","key":"sur","payload":{"reply":"x\ud800y"}},`), 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("after") != "0" {
			_, _ = w.Write([]byte(`{"changes":[],"cursor":7,"more":false}`))
			return
		}
		_, _ = w.Write(raw)
	}))
	defer srv.Close()
	k := newKiosk(t, Credential{URL: srv.URL, DeviceID: "dev-1", Secret: []byte("s"), KioskCode: "K001"})
	k.loop.Client.HTTP, _ = HTTPClient("", 5*time.Second) // a rogue township: its answers are off the contract on purpose
	var logs bytes.Buffer
	k.loop.Log = slog.New(slog.NewTextHandler(&logs, nil))
	if err := k.loop.pull(context.Background()); err != nil {
		t.Fatal(err)
	}
	ds, _ := k.db.DisclosureItems()
	ps, _ := k.db.Polls()
	if len(ds) != 1 || ds[0].Title != "2026年第一季度财务收支" || len(ps) != 1 || ps[0].ID != "ok-2" {
		t.Fatalf("stored disclosure %+v, polls %+v; want only ok-1 and ok-2", ds, ps)
	}
	if cur, _ := k.db.ChangesCursor(); cur != 7 {
		t.Fatalf("cursor %d, want 7 (past the refused changes)", cur)
	}
	out := logs.String()
	for _, want := range []string{"payload.title: U+202E", "payload.body: U+200B", "payload.title: U+001B", "key: U+0000",
		"101 characters, at most 100", "payload.title: U+FFFD", "payload.reply: U+FFFD"} {
		if !strings.Contains(out, want) {
			t.Errorf("log does not name %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"\u202e", "\x1b", "\u200b", "\x00"} {
		if strings.Contains(out, bad) {
			t.Errorf("log carries %q raw", bad)
		}
	}
}
