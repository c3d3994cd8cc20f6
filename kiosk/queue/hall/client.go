package hall

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/queue"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

// Errors of the client beside the queue's own (which come back as *RefusedError wrapping them).
var (
	// ErrNoBlock: the service cannot be reached and this device has no block of its own yet (it
	// gets one the first time it reaches the service).
	ErrNoBlock = errors.New("hall service unreachable and no number block of this device")
	// ErrBlockUsed: the service cannot be reached and today's block is used up.
	ErrBlockUsed = errors.New("hall service unreachable and today's number block is used up")
)

// RefusedError is the service's refusal; Unwrap gives the queue's error so callers can word it.
type RefusedError struct {
	Status  int
	Code    string
	Message string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("hall service refused (%d %s): %s", e.Status, e.Code, e.Message)
}

// Unwrap maps the code back to the queue's error.
func (e *RefusedError) Unwrap() error {
	for _, c := range codes {
		if c.code == e.Code {
			return c.err
		}
	}
	return nil
}

// ClientConfig is what a device needs to reach its hall's service.
type ClientConfig struct {
	// URL is the host's address, like http://192.168.1.20:8470.
	URL string
	// Device is this device's kiosk code; Key the hall key (api.HallKey).
	Device string
	Key    []byte
	// Businesses give the ticket letters, in the host's order (the same i18n file).
	Businesses []string
	// DB keeps the device's block, its own numbers and the tickets to take in.
	DB    *localdb.DB
	Clock clock.Clock
	Log   *slog.Logger
	// Timeout bounds each request (not the event stream); 0 means 3 s.
	Timeout time.Duration
}

// Client talks to the hall's queue service.
type Client struct {
	cfg    ClientConfig
	hc     *http.Client
	stream *http.Client
}

var bucketHall = []byte("hall_client")

// NewClient makes a client; it does not reach the service yet.
func NewClient(cfg ClientConfig) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	return &Client{cfg: cfg, hc: &http.Client{Timeout: cfg.Timeout}, stream: &http.Client{}}
}

// do sends one signed request and decodes the answer into out.
func (c *Client) do(ctx context.Context, hc *http.Client, method, path string, in, out any) error {
	resp, err := c.send(ctx, hc, method, path, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("hall service %s: answer to %s: %w", c.cfg.URL, path, err)
	}
	return nil
}

// send sends one signed request; an answer other than 200 comes back as an error.
func (c *Client) send(ctx context.Context, hc *http.Client, method, path string, in any) (*http.Response, error) {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.URL+path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("hall request %s: %w", path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	api.Sign(req, c.cfg.Device, c.cfg.Key, body, c.cfg.Clock.Now(), api.NewNonce())
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("hall service %s: %w", c.cfg.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		var e api.Error
		if json.NewDecoder(resp.Body).Decode(&e) != nil || e.Code == "" {
			return nil, fmt.Errorf("hall service %s: %s", c.cfg.URL, resp.Status)
		}
		return nil, &RefusedError{Status: resp.StatusCode, Code: e.Code, Message: e.Message}
	}
	return resp, nil
}

// unreachable tells a service that is away (no answer, or an answer from something that is not
// the service) from one that refused.
func unreachable(err error) bool {
	var r *RefusedError
	return err != nil && (!errors.As(err, &r) || r.Status >= 500)
}

// Take gives a resident a number: from the service when it answers (ahead = how many wait before
// it), else from this device's own block (ahead = -1: unknown), stored before it is returned and
// taken in by the service later (FlushOffline).
func (c *Client) Take(ctx context.Context, business string) (t queue.Ticket, ahead int, err error) {
	return c.TakeFor(ctx, business, "")
}

// TakeFor is Take for a resident who comes to the window about a kiosk case: the ticket names it.
func (c *Client) TakeFor(ctx context.Context, business, caseNumber string) (t queue.Ticket, ahead int, err error) {
	var res TakeResponse
	err = c.do(ctx, c.hc, http.MethodPost, PathTickets, TakeRequest{Business: business, Case: caseNumber}, &res)
	if err == nil {
		return res.Ticket, res.Ahead, nil
	}
	if !unreachable(err) {
		return queue.Ticket{}, 0, err
	}
	c.cfg.Log.Warn("hall service unreachable; number from this device's block", "err", err)
	t, oerr := c.takeOwn(business, caseNumber)
	if oerr != nil {
		return queue.Ticket{}, 0, fmt.Errorf("%w (%v)", oerr, err)
	}
	return t, -1, nil
}

func (c *Client) takeOwn(business, caseNumber string) (queue.Ticket, error) {
	prefix, err := queue.PrefixOf(c.cfg.Businesses, business)
	if err != nil {
		return queue.Ticket{}, err
	}
	now := c.cfg.Clock.Now()
	day := now.Format("2006-01-02")
	var t queue.Ticket
	err = c.cfg.DB.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketHall)
		if err != nil {
			return err
		}
		var blk queue.Block
		if raw := b.Get([]byte("block")); raw == nil || json.Unmarshal(raw, &blk) != nil || blk.Slot == 0 {
			return ErrNoBlock
		}
		counter := []byte("n/" + day + "/" + prefix)
		n := blk.First
		if raw := b.Get(counter); raw != nil {
			var last int
			_ = json.Unmarshal(raw, &last)
			n = max(last+1, blk.First)
		}
		if n > blk.Last {
			return ErrBlockUsed
		}
		t = queue.Ticket{Day: day, Number: queue.Number(prefix, n), Business: business,
			Source: c.cfg.Device, Offline: true, Status: queue.Waiting, TakenAt: now.UTC(), Case: caseNumber}
		raw, _ := json.Marshal(t)
		if err := b.Put([]byte("out/"+day+"/"+t.Number), raw); err != nil {
			return err
		}
		nraw, _ := json.Marshal(n)
		return b.Put(counter, nraw)
	})
	return t, err
}

// EnsureBlock asks the service for this device's block (the same one every time) and keeps it;
// the store is written only when the block is new or changed (a host set up again).
func (c *Client) EnsureBlock(ctx context.Context) (queue.Block, error) {
	var b queue.Block
	if err := c.do(ctx, c.hc, http.MethodPost, PathSlot, struct{}{}, &b); err != nil {
		return queue.Block{}, err
	}
	raw, _ := json.Marshal(b)
	var kept []byte
	_ = c.cfg.DB.View(func(tx *bolt.Tx) error {
		if bk := tx.Bucket(bucketHall); bk != nil {
			kept = bytes.Clone(bk.Get([]byte("block")))
		}
		return nil
	})
	if bytes.Equal(kept, raw) {
		return b, nil
	}
	err := c.cfg.DB.Update(func(tx *bolt.Tx) error {
		bk, err := tx.CreateBucketIfNotExists(bucketHall)
		if err != nil {
			return err
		}
		return bk.Put([]byte("block"), raw)
	})
	return b, err
}

// Pending lists the tickets of this device's block the service has not taken in yet.
func (c *Client) Pending() ([]queue.Ticket, error) {
	var out []queue.Ticket
	err := c.cfg.DB.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHall)
		if b == nil {
			return nil
		}
		cur := b.Cursor()
		for k, v := cur.Seek([]byte("out/")); k != nil && bytes.HasPrefix(k, []byte("out/")); k, v = cur.Next() {
			var t queue.Ticket
			if err := json.Unmarshal(v, &t); err == nil {
				out = append(out, t)
			}
		}
		return nil
	})
	return out, err
}

// FlushOffline hands the service the tickets this device gave while it was away. A ticket the
// service refuses for good (an earlier day's, say) is dropped with a log line; the rest wait for
// the next try.
func (c *Client) FlushOffline(ctx context.Context) (taken int, err error) {
	pending, err := c.Pending()
	if err != nil || len(pending) == 0 {
		return 0, err
	}
	for len(pending) > 0 {
		chunk := pending[:min(200, len(pending))]
		pending = pending[len(chunk):]
		var res []TakeInResult
		if err := c.do(ctx, c.hc, http.MethodPost, PathTakeIn, TakeInRequest{Tickets: chunk}, &res); err != nil {
			return taken, err
		}
		byNumber := map[string]queue.Ticket{}
		for _, t := range chunk {
			byNumber[t.Number] = t
		}
		err := c.cfg.DB.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketHall)
			for _, r := range res {
				t, ok := byNumber[r.Number]
				if !ok {
					continue
				}
				if r.Code != "" {
					c.cfg.Log.Warn("hall service refused a ticket of this device's block; dropped", "number", r.Number, "day", t.Day, "code", r.Code)
				} else {
					taken++
				}
				if err := b.Delete([]byte("out/" + t.Day + "/" + t.Number)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return taken, fmt.Errorf("hall: forget taken-in tickets: %w", err)
		}
	}
	return taken, nil
}

// State is the queue now.
func (c *Client) State(ctx context.Context) (queue.State, error) {
	var st queue.State
	err := c.do(ctx, c.hc, http.MethodGet, PathState, nil, &st)
	return st, err
}

// Window actions: what the window's buttons do.

// CallNext is 叫下一位.
func (c *Client) CallNext(ctx context.Context, window string, businesses []string) (queue.Ticket, error) {
	return c.windowAction(ctx, window, "call", WindowRequest{Businesses: businesses})
}

// Recall is 重呼.
func (c *Client) Recall(ctx context.Context, window string) (queue.Ticket, error) {
	return c.windowAction(ctx, window, "recall", WindowRequest{})
}

// Miss is 过号.
func (c *Client) Miss(ctx context.Context, window string) (queue.Ticket, error) {
	return c.windowAction(ctx, window, "miss", WindowRequest{})
}

// Finish marks the current resident served.
func (c *Client) Finish(ctx context.Context, window string) (queue.Ticket, error) {
	return c.windowAction(ctx, window, "finish", WindowRequest{})
}

// Transfer is 转窗口 (toWindow) or 转业务 (toBusiness).
func (c *Client) Transfer(ctx context.Context, window, toWindow, toBusiness string) (queue.Ticket, error) {
	return c.windowAction(ctx, window, "transfer", WindowRequest{ToWindow: toWindow, ToBusiness: toBusiness})
}

// Pause is 暂停 (and its undoing).
func (c *Client) Pause(ctx context.Context, window string, paused bool) error {
	_, err := c.windowAction(ctx, window, "pause", WindowRequest{Paused: paused})
	return err
}

// Returned is 回来了 for a missed number.
func (c *Client) Returned(ctx context.Context, number string) (queue.Ticket, error) {
	var t queue.Ticket
	err := c.do(ctx, c.hc, http.MethodPost, pathReturned, ReturnedRequest{Number: number}, &t)
	return t, err
}

// Invite asks the kiosk device to show the rating of a case to the resident at window (邀请评价
// for a window PC with no screen facing the resident).
func (c *Client) Invite(ctx context.Context, caseNumber, window, device string) error {
	var out queue.Invite
	return c.do(ctx, c.hc, http.MethodPost, PathInvite, queue.Invite{Case: caseNumber, Window: window, Device: device}, &out)
}

// Rated tells the windows that an invited case was rated; the grade stays on this kiosk and goes
// to the township only.
func (c *Client) Rated(ctx context.Context, caseNumber string) error {
	var out queue.Invite
	return c.do(ctx, c.hc, http.MethodPost, PathRated, queue.Invite{Case: caseNumber}, &out)
}

func (c *Client) windowAction(ctx context.Context, window, action string, req WindowRequest) (queue.Ticket, error) {
	var t queue.Ticket
	err := c.do(ctx, c.hc, http.MethodPost, pathWindow+url.PathEscape(window)+"/"+action, req, &t)
	return t, err
}

// Subscribe follows the calls until ctx ends: onEvent gets the whole state first after every
// (re)connect, then each call and each new state; onConnected (may be nil) hears when the link
// comes and goes. After a lost link it tries again after 1 s, doubling up to 30 s.
func (c *Client) Subscribe(ctx context.Context, onEvent func(queue.Event), onConnected func(bool)) {
	wait := time.Second
	for ctx.Err() == nil {
		connected := false
		err := c.stream1(ctx, func(e queue.Event) {
			if !connected {
				connected, wait = true, time.Second
				if onConnected != nil {
					onConnected(true)
				}
			}
			onEvent(e)
		})
		if connected && onConnected != nil {
			onConnected(false)
		}
		if ctx.Err() != nil {
			return
		}
		c.cfg.Log.Warn("hall event stream lost; reconnecting", "err", err, "in", wait)
		done, t := clock.After(c.cfg.Clock, wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-done:
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// stream1 reads one connection's events.
func (c *Client) stream1(ctx context.Context, onEvent func(queue.Event)) error {
	resp, err := c.send(ctx, c.stream, http.MethodGet, PathEvents, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var name string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data := []byte(strings.TrimPrefix(line, "data: "))
			var e queue.Event
			switch name {
			case "call":
				e.Call = new(queue.Call)
				err = json.Unmarshal(data, e.Call)
			case "state":
				e.State = new(queue.State)
				err = json.Unmarshal(data, e.State)
			case "invite":
				e.Invite = new(queue.Invite)
				err = json.Unmarshal(data, e.Invite)
			case "rated":
				e.Rated = new(queue.Invite)
				err = json.Unmarshal(data, e.Rated)
			default:
				continue
			}
			if err != nil {
				return fmt.Errorf("hall event %s: %w", name, err)
			}
			onEvent(e)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return errors.New("hall event stream closed")
}
