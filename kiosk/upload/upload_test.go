package upload

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hallkiosk/localdb"
	"hallkiosk/township/api"
	"hallkiosk/township/api/mask"
)

func TestCredentialFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cred.json")
	if _, err := LoadCredential(path); !errors.Is(err, ErrNotEnrolled) {
		t.Fatalf("missing file: %v", err)
	}
	c := Credential{URL: "http://x", DeviceID: "dev-1", Secret: []byte("s3cret")}
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %o", fi.Mode().Perm())
	}
	got, err := LoadCredential(path)
	if err != nil || got.DeviceID != "dev-1" || string(got.Secret) != "s3cret" {
		t.Fatalf("%+v %v", got, err)
	}
	_ = os.Chmod(path, 0o644)
	if _, err := LoadCredential(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable credential: %v", err)
	}
}

// The whole loop against the township binary: enrol with a code from the CLI, deliver, get the
// result note and published content back down.
func TestEnrolDeliverAndPullFromTownshipProcess(t *testing.T) {
	tp := startProc(t)
	k := newKiosk(t, tp.enrol(t, "王上村"))
	numbers := k.submit(t, 30)
	k.drain(t, 10*time.Second)
	tp.cli("set-status", numbers[3], "done", "--note", "请到村委会领取结果")
	doc := filepath.Join(t.TempDir(), "d.json")
	_ = os.WriteFile(doc, []byte(`{"id":"cw-2026q1","category":"财务公开","title":"2026年第一季度财务收支"}`), 0o600)
	tp.cli("publish", "--kind", "disclosure", "--key", "cw-2026q1", doc)
	if d := k.loop.Round(context.Background()); k.loop.Status().State != StateIdle {
		t.Fatalf("round: %+v (%s)", k.loop.Status(), d)
	}
	c, err := k.db.Case(numbers[3])
	if err != nil || c.Status != localdb.StatusDone || c.Note != "请到村委会领取结果" {
		t.Fatalf("case after pull: %+v %v", c, err)
	}
	if c2, _ := k.db.Case(numbers[4]); c2.Status != localdb.StatusReceived {
		t.Fatalf("other case status %q, want received", c2.Status)
	}
	ds, _ := k.db.DisclosureItems()
	if len(ds) != 1 || ds[0].Title != "2026年第一季度财务收支" {
		t.Fatalf("disclosure = %+v", ds)
	}
	listing := tp.cli("cases")
	if strings.Contains(listing, "李淼喆") || !strings.Contains(listing, mask.Name("李淼喆")) {
		t.Fatalf("admin list must mask names:\n%s", listing)
	}
	tp.kill()
	if items, cases := tp.count(t); items != 30 || cases != 30 {
		t.Fatalf("township holds %d items, %d cases; want 30 each", items, cases)
	}
}

// Township down for a while, records keep coming, township back: every record arrives once.
// Then the township is SIGKILLed again and again in the middle of batches.
func TestPartitionAndKillMidBatchExactlyOnce(t *testing.T) {
	tp := startProc(t)
	k := newKiosk(t, tp.enrol(t, "王上村"))
	k.submit(t, 20)
	k.drain(t, 10*time.Second)

	tp.kill()
	k.submit(t, 200)
	k.loop.Round(context.Background())
	st := k.loop.Status()
	if st.State != StateOffline || st.LastError == "" {
		t.Fatalf("with the township down: %+v", st)
	}
	due, _ := k.db.Due(time.Now(), 0)
	if len(due) != 200 || due[0].Attempts != 1 || due[0].LastError == "" {
		t.Fatalf("items after a failed attempt: %d, %+v", len(due), due[0])
	}
	k.submit(t, 1780) // 2000 in all
	tp.start()

	failedBefore := k.loop.Status().FailedRounds
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { k.loop.Run(ctx); close(done) }()
	kills := 0
	for kills < 6 && k.depth(t) > 0 {
		time.Sleep(time.Duration(5+rand.IntN(40)) * time.Millisecond)
		tp.kill()
		kills++
		time.Sleep(30 * time.Millisecond)
		tp.start()
		k.loop.Kick()
	}
	deadline := time.Now().Add(60 * time.Second)
	for k.depth(t) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if d := k.depth(t); d != 0 {
		t.Fatalf("%d items never arrived; status %+v", d, k.loop.Status())
	}
	tp.kill()
	items, cases := tp.count(t)
	if items != 2000 || cases != 2000 {
		t.Fatalf("after %d kills the township holds %d items and %d cases, want exactly 2000", kills, items, cases)
	}
	hit := k.loop.Status().FailedRounds - failedBefore
	if hit == 0 {
		t.Fatal("no kill interrupted a round; the test proved nothing")
	}
	t.Logf("%d kills, %d rounds broken by them; 2000 delivered exactly once", kills, hit)
}

// The township stores a batch but the answer is lost on the way back: the kiosk sends it again and
// the township answers duplicate, so each record is counted once.
func TestLostAnswerReplayedAsDuplicate(t *testing.T) {
	tw := newInproc(t)
	target, _ := url.Parse(tw.srv.URL)
	var lose atomic.Int32
	lose.Store(2)
	var dups atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		httputil.NewSingleHostReverseProxy(target).ServeHTTP(rec, r)
		if r.URL.Path == api.PathBatch && lose.Add(-1) >= 0 {
			http.Error(w, "connection reset", http.StatusBadGateway)
			return
		}
		if strings.Contains(rec.Body.String(), `"duplicate"`) {
			dups.Add(int32(strings.Count(rec.Body.String(), `"duplicate"`)))
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	defer proxy.Close()
	cred := tw.enrol(t, "王上村")
	cred.URL = proxy.URL
	k := newKiosk(t, cred)
	k.submit(t, 40)
	k.drain(t, 10*time.Second)
	if n, _ := tw.st.ItemCount(""); n != 40 {
		t.Fatalf("township holds %d, want 40", n)
	}
	if dups.Load() == 0 {
		t.Fatal("the resent batch was not answered as duplicates")
	}
}

func TestConflictQuarantinesOnlyThatItem(t *testing.T) {
	tw := newInproc(t)
	k := newKiosk(t, tw.enrol(t, "王上村"))
	k.submit(t, 5)
	due, _ := k.db.Due(time.Now(), 0)
	// Something else already used the third item's key with other content.
	clash := due[2]
	var p api.CasePayload
	_ = json.Unmarshal(clash.Payload, &p)
	p.ItemName = "临时救助"
	other, _ := json.Marshal(p)
	if _, err := k.loop.Client.Send(context.Background(), []api.Item{{Key: clash.Key, Kind: clash.Kind, Payload: other}}); err != nil {
		t.Fatal(err)
	}
	k.drain(t, 5*time.Second)
	q, _ := k.db.Quarantined()
	if len(q) != 1 || q[0].Key != clash.Key || !strings.HasPrefix(q[0].Reason, "conflict") {
		t.Fatalf("quarantine = %+v", q)
	}
	if st, _ := k.db.Stats(); st.Quarantined != 1 || st.Depth != 0 {
		t.Fatalf("stats %+v", st)
	}
	// Retried by hand, it is still a conflict and goes back to quarantine; nothing is lost.
	_ = k.db.Requeue(q[0].Seq)
	k.drain(t, 5*time.Second)
	if q, _ := k.db.Quarantined(); len(q) != 1 {
		t.Fatalf("after requeue: %+v", q)
	}
}

func TestRevokedDeviceStopsQueue(t *testing.T) {
	tw := newInproc(t)
	cred := tw.enrol(t, "王上村")
	k := newKiosk(t, cred)
	k.submit(t, 7)
	if err := tw.st.Revoke(cred.DeviceID); err != nil {
		t.Fatal(err)
	}
	wait := k.loop.Round(context.Background())
	st := k.loop.Status()
	if st.State != StateStopped || !strings.Contains(st.Alarm, "revoked") || wait != k.loop.BackoffCap {
		t.Fatalf("status %+v, wait %s", st, wait)
	}
	due, _ := k.db.Due(time.Now(), 0)
	if len(due) != 7 || due[0].Attempts != 0 {
		t.Fatalf("a stopped queue must hold its items untouched: %d items, attempts %d", len(due), due[0].Attempts)
	}
}

func TestSkewedClockStopsThenResumes(t *testing.T) {
	tw := newInproc(t)
	k := newKiosk(t, tw.enrol(t, "王上村"))
	k.submit(t, 3)
	k.loop.Client.Now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	k.loop.Round(context.Background())
	st := k.loop.Status()
	if st.State != StateStopped || !strings.Contains(st.Alarm, "clock") {
		t.Fatalf("status %+v", st)
	}
	k.loop.Client.Now = nil // the technician set the time
	k.drain(t, 5*time.Second)
	if st := k.loop.Status(); st.State != StateIdle || st.Alarm != "" {
		t.Fatalf("after the fix: %+v", st)
	}
	if n, _ := tw.st.ItemCount(""); n != 3 {
		t.Fatalf("township holds %d", n)
	}
}

func TestBacklogOf10000(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 fsynced submits")
	}
	tw := newInproc(t)
	k := newKiosk(t, tw.enrol(t, "王上村"))
	k.submit(t, 10000)
	start := time.Now()
	k.drain(t, 120*time.Second)
	t.Logf("drained 10,000 in %s", time.Since(start).Round(time.Millisecond))
	if n, _ := tw.st.ItemCount(api.KindCase); n != 10000 {
		t.Fatalf("township holds %d", n)
	}
}

func TestFullJitterBackoff(t *testing.T) {
	l := &Loop{BackoffBase: time.Second, BackoffCap: 10 * time.Minute}
	l.init()
	for n := 1; n <= 40; n++ {
		ceil := min(time.Second<<min(n, 20), 10*time.Minute)
		var maxSeen time.Duration
		for range 200 {
			d := l.backoff(n)
			if d < 0 || d > ceil {
				t.Fatalf("attempt %d: %s outside [0, %s]", n, d, ceil)
			}
			maxSeen = max(maxSeen, d)
		}
		if maxSeen < ceil/2 {
			t.Fatalf("attempt %d: never above %s of %s: not full jitter", n, maxSeen, ceil)
		}
	}
}
