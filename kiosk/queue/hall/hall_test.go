package hall

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/queue"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

var businesses = []string{"社会救助", "社保医保", "户籍证明"}

type rig struct {
	t     testing.TB
	clk   *clock.Fake
	q     *queue.Queue
	key   []byte
	addr  string
	srv   *httptest.Server
	dir   string
	hostD *localdb.DB
}

func newRig(t testing.TB) *rig {
	t.Helper()
	r := &rig{t: t, clk: clock.NewFake(time.Date(2026, 11, 24, 9, 0, 0, 0, time.Local)), dir: t.TempDir(),
		key: api.HallKey([]byte("vote key of 王上村 from the township"))}
	db, err := localdb.Open(filepath.Join(r.dir, "host.db"), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	r.hostD = db
	if r.q, err = queue.New(queue.BoltStore{DB: db}, businesses, r.clk.Now); err != nil {
		t.Fatal(err)
	}
	r.start("127.0.0.1:0")
	return r
}

// start runs the service on addr (the same address again after stop, as a restarted host would).
func (r *rig) start(addr string) {
	r.t.Helper()
	var l net.Listener
	var err error
	for range 50 { // the port of a stopped service can take a moment to be free again
		if l, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		r.t.Fatal(err)
	}
	r.addr = l.Addr().String()
	r.srv = httptest.NewUnstartedServer(NewServer(Config{Queue: r.q, Key: r.key, Now: r.clk.Now}))
	r.srv.Listener = l
	r.srv.Start()
	srv := r.srv
	r.t.Cleanup(func() { stop(srv) })
}

func (r *rig) stop() { stop(r.srv) }

// stop drops the open event streams first: Close alone waits for them to end.
func stop(s *httptest.Server) {
	s.CloseClientConnections()
	s.Close()
}

func (r *rig) client(device string, key []byte) *Client {
	r.t.Helper()
	db, err := localdb.Open(filepath.Join(r.dir, device+".db"), localdb.Options{})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { _ = db.Close() })
	return NewClient(ClientConfig{URL: "http://" + r.addr, Device: device, Key: key, Businesses: businesses,
		DB: db, Clock: r.clk, Timeout: time.Second})
}

// follow subscribes and hands events and link changes to channels.
func (r *rig) follow(c *Client) (<-chan queue.Event, <-chan bool) {
	ctx, cancel := context.WithCancel(context.Background())
	r.t.Cleanup(cancel)
	events, links := make(chan queue.Event, 100), make(chan bool, 10)
	go c.Subscribe(ctx, func(e queue.Event) { events <- e }, func(up bool) { links <- up })
	return events, links
}

func nextCall(t *testing.T, events <-chan queue.Event) queue.Call {
	t.Helper()
	for {
		select {
		case e := <-events:
			if e.Call != nil {
				return *e.Call
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no call reached the display")
		}
	}
}

func TestKioskTakesWindowCallsDisplayHears(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	kiosk, window, display := r.client("K001", r.key), r.client("K002", r.key), r.client("K003", r.key)
	events, links := r.follow(display)
	if up := <-links; !up {
		t.Fatal("display not connected")
	}
	if e := <-events; e.State == nil {
		t.Fatalf("first event %+v, want the whole state", e)
	}
	t1, ahead, err := kiosk.Take(ctx, "社会救助")
	if err != nil || t1.Number != "A001" || ahead != 0 {
		t.Fatalf("take: %+v ahead %d, %v", t1, ahead, err)
	}
	if t2, ahead, _ := kiosk.Take(ctx, "社会救助"); t2.Number != "A002" || ahead != 1 {
		t.Fatalf("second take: %s with %d ahead", t2.Number, ahead)
	}
	called, err := window.CallNext(ctx, "1号窗口", nil)
	if err != nil || called.Number != "A001" {
		t.Fatalf("call: %+v %v", called, err)
	}
	if c := nextCall(t, events); c.Number != "A001" || c.Window != "1号窗口" || c.Recall {
		t.Fatalf("display heard %+v", c)
	}
	if _, err := window.Recall(ctx, "1号窗口"); err != nil {
		t.Fatal(err)
	}
	if c := nextCall(t, events); c.Number != "A001" || !c.Recall {
		t.Fatalf("display heard %+v after 重呼", c)
	}
	// A refusal comes back as the queue's error, for the window to word.
	if err := window.Pause(ctx, "1号窗口", true); err != nil {
		t.Fatal(err)
	}
	if _, err := window.CallNext(ctx, "1号窗口", nil); !errors.Is(err, queue.ErrPaused) {
		t.Fatalf("call at a paused window: %v", err)
	}
	if _, _, err := kiosk.Take(ctx, "看病"); !errors.Is(err, queue.ErrUnknownBusiness) {
		t.Fatalf("unknown business: %v", err)
	}
	st, err := kiosk.State(ctx)
	if err != nil || st.Businesses[0].Waiting != 1 || st.Windows[0].Current == nil || !st.Windows[0].Paused {
		t.Fatalf("state %+v, %v", st, err)
	}
}

func TestForgedForeignAndReplayedRequestsChangeNothing(t *testing.T) {
	r := newRig(t)
	send := func(req *http.Request) int {
		t.Helper()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	body := []byte(`{"business":"社会救助"}`)
	newReq := func() *http.Request {
		req, _ := http.NewRequest(http.MethodPost, "http://"+r.addr+PathTickets, bytes.NewReader(body))
		return req
	}
	if code := send(newReq()); code != http.StatusUnauthorized {
		t.Errorf("unsigned: %d", code)
	}
	other := newReq()
	api.Sign(other, "K009", api.HallKey([]byte("vote key of 李家村")), body, r.clk.Now(), "n1")
	if code := send(other); code != http.StatusUnauthorized {
		t.Errorf("device of another hall: %d", code)
	}
	tampered := newReq()
	api.Sign(tampered, "K001", r.key, []byte(`{"business":"社保医保"}`), r.clk.Now(), "n2")
	if code := send(tampered); code != http.StatusUnauthorized {
		t.Errorf("body changed after signing: %d", code)
	}
	old := newReq()
	api.Sign(old, "K001", r.key, body, r.clk.Now().Add(-time.Hour), "n3")
	if code := send(old); code != http.StatusUnauthorized {
		t.Errorf("an hour old: %d", code)
	}
	if n := len(r.q.Tickets()); n != 0 {
		t.Fatalf("%d tickets after refused requests", n)
	}
	good := newReq()
	api.Sign(good, "K001", r.key, body, r.clk.Now(), "n4")
	if code := send(good); code != http.StatusOK {
		t.Fatalf("signed request: %d", code)
	}
	again := newReq()
	again.Header = good.Header.Clone()
	if code := send(again); code != http.StatusUnauthorized {
		t.Errorf("replayed: %d", code)
	}
	if n := len(r.q.Tickets()); n != 1 {
		t.Fatalf("%d tickets after one good and one replayed request", n)
	}
}

func TestServiceDownKioskUsesOwnBlockAndServiceTakesItIn(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	kiosk, fresh := r.client("K001", r.key), r.client("K004", r.key)
	if _, err := kiosk.EnsureBlock(ctx); err != nil {
		t.Fatal(err)
	}
	if t1, _, err := kiosk.Take(ctx, "社会救助"); err != nil || t1.Number != "A001" {
		t.Fatalf("online take: %+v %v", t1, err)
	}
	display := r.client("K003", r.key)
	events, links := r.follow(display)
	<-links

	r.stop() // the window PC is switched off mid-morning
	if up := <-links; up {
		t.Fatal("display did not notice the service going")
	}
	var own []string
	for range 2 {
		tk, ahead, err := kiosk.Take(ctx, "社会救助")
		if err != nil || !tk.Offline || ahead != -1 {
			t.Fatalf("take while the service is down: %+v %d %v", tk, ahead, err)
		}
		own = append(own, tk.Number)
	}
	if own[0] != "A601" || own[1] != "A602" {
		t.Fatalf("own numbers %v, want A601 A602", own)
	}
	if _, _, err := fresh.Take(ctx, "社会救助"); !errors.Is(err, ErrNoBlock) {
		t.Fatalf("a device that never met the service: %v", err)
	}

	r.start(r.addr)            // back
	r.clk.Advance(time.Second) // the display's first retry
	if up := <-links; !up {
		t.Fatal("display did not reconnect")
	}
	if e := <-events; e.State == nil {
		t.Fatalf("first event after the reconnect %+v, want the whole state", e)
	}
	if n, err := kiosk.FlushOffline(ctx); err != nil || n != 2 {
		t.Fatalf("take-in: %d, %v", n, err)
	}
	if p, _ := kiosk.Pending(); len(p) != 0 {
		t.Fatalf("%d tickets still pending after the take-in", len(p))
	}
	if n, err := kiosk.FlushOffline(ctx); err != nil || n != 0 {
		t.Fatalf("second take-in: %d, %v", n, err)
	}
	if tk, _, _ := kiosk.Take(ctx, "社会救助"); tk.Number != "A002" || tk.Offline {
		t.Fatalf("online again: %+v", tk)
	}
	seen := map[string]bool{}
	for _, tk := range r.q.Tickets() {
		if seen[tk.Number] {
			t.Fatalf("number %s given twice", tk.Number)
		}
		seen[tk.Number] = true
	}
	if len(seen) != 4 || !seen["A601"] || !seen["A602"] {
		t.Fatalf("host holds %v", seen)
	}
	// The window calls in order of time taken: A001, then the two the kiosk gave on its own.
	window := r.client("K002", r.key)
	for _, want := range []string{"A001", "A601", "A602", "A002"} {
		if c, err := window.CallNext(ctx, "1号窗口", nil); err != nil || c.Number != want {
			t.Fatalf("called %s (%v), want %s", c.Number, err, want)
		}
	}
}

// 邀请评价 through the hall: a window invites the kiosk beside it; the kiosk hears the invitation
// for it, the window hears back only that the case was rated. A bad case number is refused.
func TestInvitationReachesTheKioskAndRatedComesBack(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	window, kiosk := r.client("W001", r.key), r.client("K001", r.key)
	kev, klinks := r.follow(kiosk)
	wev, wlinks := r.follow(window)
	<-klinks
	<-wlinks
	next := func(events <-chan queue.Event, want func(queue.Event) bool) queue.Event {
		t.Helper()
		for {
			select {
			case e := <-events:
				if want(e) {
					return e
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no such event")
			}
		}
	}
	if err := window.Invite(ctx, "261124-K001-007", "1", "K001"); err != nil {
		t.Fatal(err)
	}
	inv := next(kev, func(e queue.Event) bool { return e.Invite != nil }).Invite
	if inv.Case != "261124-K001-007" || inv.Window != "1" || inv.Device != "K001" || inv.At.IsZero() {
		t.Fatalf("invitation: %+v", inv)
	}
	if err := kiosk.Rated(ctx, "261124-K001-007"); err != nil {
		t.Fatal(err)
	}
	rated := next(wev, func(e queue.Event) bool { return e.Rated != nil }).Rated
	if rated.Case != "261124-K001-007" || rated.Device != "K001" {
		t.Fatalf("rated: %+v", rated)
	}
	var re *RefusedError
	if err := window.Invite(ctx, "张三", "1", "K001"); !errors.As(err, &re) || re.Code != "bad_case" {
		t.Fatalf("a bad case number: %v", err)
	}
	if err := window.Invite(ctx, "261124-K001-007", "1", ""); !errors.As(err, &re) || re.Code != "bad_device" {
		t.Fatalf("no kiosk named: %v", err)
	}
}

// A number taken about a kiosk case names it at the window that calls it, from the service or
// from the kiosk's own block after the take-in; a malformed case number is refused.
func TestTicketNamesItsCase(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	kiosk, window := r.client("K001", r.key), r.client("W001", r.key)
	if _, err := kiosk.EnsureBlock(ctx); err != nil {
		t.Fatal(err)
	}
	if tk, _, err := kiosk.TakeFor(ctx, "社会救助", "261124-K001-007"); err != nil || tk.Case != "261124-K001-007" {
		t.Fatalf("online: %+v %v", tk, err)
	}
	r.stop()
	if tk, _, err := kiosk.TakeFor(ctx, "社会救助", "261124-K001-008"); err != nil || !tk.Offline || tk.Case != "261124-K001-008" {
		t.Fatalf("own block: %+v %v", tk, err)
	}
	r.start(r.addr)
	if n, err := kiosk.FlushOffline(ctx); err != nil || n != 1 {
		t.Fatalf("take-in: %d %v", n, err)
	}
	for _, want := range []string{"261124-K001-007", "261124-K001-008"} {
		if c, err := window.CallNext(ctx, "1", nil); err != nil || c.Case != want {
			t.Fatalf("called %+v %v, want case %s", c, err, want)
		}
	}
	var re *RefusedError
	if _, _, err := kiosk.TakeFor(ctx, "社会救助", "K001;DROP"); !errors.As(err, &re) || re.Code != "bad_case" {
		t.Fatalf("bad case: %v", err)
	}
}
