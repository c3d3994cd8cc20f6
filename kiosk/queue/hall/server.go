// Package hall is the hall's queue service on the LAN and its client. One window PC hosts the
// service (Server); kiosks take tickets from it, windows call, and displays subscribe to the calls
// (Client). Every request is signed like a request to the township (township/api: HMAC-SHA256 over
// method, path, time, nonce and body digest) but with the hall key (api.HallKey), which every device
// enrolled for the village has and no other device has: a device of another hall, or anything on the
// LAN without the key, is refused, and a replayed request too.
package hall

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"hallkiosk/kiosk/queue"
	"hallkiosk/township/api"
	"hallkiosk/township/api/casenum"
	"hallkiosk/township/api/textrule"
)

// Paths of the service.
const (
	PathTickets  = "/hall/v1/tickets"
	PathTakeIn   = "/hall/v1/tickets/in"
	PathSlot     = "/hall/v1/slot"
	PathState    = "/hall/v1/state"
	PathEvents   = "/hall/v1/events"
	pathWindow   = "/hall/v1/windows/"
	pathReturned = "/hall/v1/returned"
	// PathInvite is a window's 邀请评价 on the kiosk beside it; PathRated the kiosk's word back.
	PathInvite    = "/hall/v1/invitations"
	PathRated     = "/hall/v1/invitations/rated"
	maxBody       = 64 << 10
	defaultSkew   = 10 * time.Minute
	eventKeepOpen = 15 * time.Second
)

// Error codes, one per refusal of the queue and of the door.
var codes = []struct {
	err  error
	code string
}{
	{queue.ErrUnknownBusiness, "unknown_business"},
	{queue.ErrNoTicket, "no_ticket"},
	{queue.ErrNobodyWaiting, "nobody_waiting"},
	{queue.ErrPaused, "paused"},
	{queue.ErrNoCurrent, "no_current"},
	{queue.ErrNotMissed, "not_missed"},
	{queue.ErrNotOwnBlock, "not_own_block"},
	{queue.ErrExists, "exists"},
	{queue.ErrNoSlot, "no_slot"},
	{queue.ErrBadWindow, "bad_window"},
}

// Config is what the service needs.
type Config struct {
	Queue *queue.Queue
	// Key is the hall key (api.HallKey of the host's vote key).
	Key []byte
	Now func() time.Time
	Log *slog.Logger
	// MaxSkew is how far a device's clock may be off the host's; 0 means 10 minutes.
	MaxSkew time.Duration
}

// Server is the hall's queue service.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	nonces *api.Nonces
}

// NewServer builds the service's handler.
func NewServer(cfg Config) *Server {
	if cfg.MaxSkew <= 0 {
		cfg.MaxSkew = defaultSkew
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), nonces: api.NewNonces(2 * cfg.MaxSkew)}
	s.mux.HandleFunc("POST "+PathTickets, s.signed(s.take))
	s.mux.HandleFunc("POST "+PathTakeIn, s.signed(s.takeIn))
	s.mux.HandleFunc("POST "+PathSlot, s.signed(s.slot))
	s.mux.HandleFunc("GET "+PathState, s.signed(s.state))
	s.mux.HandleFunc("GET "+PathEvents, s.signed(s.events))
	s.mux.HandleFunc("POST "+pathWindow+"{window}/{action}", s.signed(s.window))
	s.mux.HandleFunc("POST "+pathReturned, s.signed(s.returned))
	s.mux.HandleFunc("POST "+PathInvite, s.signed(s.invite))
	s.mux.HandleFunc("POST "+PathRated, s.signed(s.rated))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, http.StatusNotFound, "not_found", "no such path: "+r.URL.Path)
	})
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

type handler func(w http.ResponseWriter, r *http.Request, device string, body []byte)

// signed lets a request through only with a good signature under the hall key, a time within
// MaxSkew of the host's and a nonce not seen before.
func (s *Server) signed(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			s.fail(w, http.StatusRequestEntityTooLarge, "too_large", "request body over 64 KB")
			return
		}
		device, nonce := r.Header.Get(api.HeaderDevice), r.Header.Get(api.HeaderNonce)
		unix, terr := strconv.ParseInt(r.Header.Get(api.HeaderTime), 10, 64)
		if device == "" || len(device) > 16 || !api.ValidNonce(nonce) || terr != nil ||
			!api.SignatureOK(r, s.cfg.Key, body, unix, nonce) {
			s.cfg.Log.Warn("hall request refused", "reason", "not signed with this hall's key", "remote", r.RemoteAddr, "path", r.URL.Path)
			s.fail(w, http.StatusUnauthorized, "unauthorized", "request is not signed with this hall's key")
			return
		}
		now := s.cfg.Now()
		at := time.Unix(unix, 0)
		if d := now.Sub(at); d > s.cfg.MaxSkew || d < -s.cfg.MaxSkew {
			s.cfg.Log.Warn("hall request refused", "reason", "clock skew", "device", device, "skew", d.Round(time.Second))
			s.fail(w, http.StatusUnauthorized, "clock_skew", fmt.Sprintf("device clock is %s off the host's", d.Round(time.Second)))
			return
		}
		if !s.nonces.Add(device+"/"+nonce, at, now) {
			s.cfg.Log.Warn("hall request refused", "reason", "replay", "device", device)
			s.fail(w, http.StatusUnauthorized, "replay", "nonce was used before")
			return
		}
		h(w, r, device, body)
	}
}

// TakeRequest asks for a number.
type TakeRequest struct {
	Business string `json:"business"`
	// Case is the kiosk case the resident comes to the window about (optional).
	Case string `json:"case,omitempty"`
}

// TakeResponse is the number and how many wait before it.
type TakeResponse struct {
	Ticket queue.Ticket `json:"ticket"`
	Ahead  int          `json:"ahead"`
}

func (s *Server) take(w http.ResponseWriter, r *http.Request, device string, body []byte) {
	var req TakeRequest
	if !s.decode(w, body, &req) {
		return
	}
	if req.Case != "" && !casenum.Canonical(req.Case) {
		s.fail(w, http.StatusBadRequest, "bad_case", "case is not a case number")
		return
	}
	t, err := s.cfg.Queue.TakeFor(req.Business, device, req.Case)
	if err != nil {
		s.refuse(w, device, "take", err)
		return
	}
	s.reply(w, TakeResponse{Ticket: t, Ahead: ahead(s.cfg.Queue.State(), t.Business) - 1})
}

func ahead(st queue.State, business string) int {
	for _, b := range st.Businesses {
		if b.Business == business {
			return b.Waiting
		}
	}
	return 0
}

// TakeInRequest carries the tickets a device gave from its own block.
type TakeInRequest struct {
	Tickets []queue.Ticket `json:"tickets"`
}

// TakeInResult answers one of them: taken in, or refused for good with a code.
type TakeInResult struct {
	Number string `json:"number"`
	Code   string `json:"code,omitempty"`
}

func (s *Server) takeIn(w http.ResponseWriter, r *http.Request, device string, body []byte) {
	var req TakeInRequest
	if !s.decode(w, body, &req) {
		return
	}
	if len(req.Tickets) > 200 {
		s.fail(w, http.StatusBadRequest, "bad_request", "at most 200 tickets a request")
		return
	}
	out := []TakeInResult{}
	for _, t := range req.Tickets {
		res := TakeInResult{Number: t.Number}
		if _, err := s.cfg.Queue.TakeIn(t, device); err != nil {
			res.Code = code(err)
			if res.Code == "" {
				s.cfg.Log.Error("hall take-in failed", "device", device, "number", t.Number, "err", err)
				s.fail(w, http.StatusInternalServerError, "internal", "could not store the ticket")
				return
			}
			s.cfg.Log.Warn("hall ticket refused", "device", device, "number", t.Number, "err", err)
		}
		out = append(out, res)
	}
	s.reply(w, out)
}

func (s *Server) slot(w http.ResponseWriter, r *http.Request, device string, body []byte) {
	b, err := s.cfg.Queue.Slot(device)
	if err != nil {
		s.refuse(w, device, "slot", err)
		return
	}
	s.reply(w, b)
}

func (s *Server) state(w http.ResponseWriter, r *http.Request, device string, body []byte) {
	s.reply(w, s.cfg.Queue.State())
}

// WindowRequest is what a window sends with an action: the businesses it serves (call) or where
// a ticket goes (transfer), or whether it pauses.
type WindowRequest struct {
	Businesses []string `json:"businesses,omitempty"`
	ToWindow   string   `json:"to_window,omitempty"`
	ToBusiness string   `json:"to_business,omitempty"`
	Paused     bool     `json:"paused,omitempty"`
}

func (s *Server) window(w http.ResponseWriter, r *http.Request, device string, body []byte) {
	var req WindowRequest
	if len(body) > 0 && !s.decode(w, body, &req) {
		return
	}
	q, win := s.cfg.Queue, r.PathValue("window")
	var t queue.Ticket
	var err error
	switch action := r.PathValue("action"); action {
	case "call":
		t, err = q.CallNext(win, req.Businesses)
	case "recall":
		t, err = q.Recall(win)
	case "miss":
		t, err = q.Miss(win)
	case "finish":
		t, err = q.Finish(win)
	case "transfer":
		t, err = q.Transfer(win, req.ToWindow, req.ToBusiness)
	case "pause":
		err = q.Pause(win, req.Paused)
	default:
		s.fail(w, http.StatusNotFound, "not_found", "no such window action: "+action)
		return
	}
	if err != nil {
		s.refuse(w, device, r.PathValue("action"), err)
		return
	}
	s.cfg.Log.Info("hall window action", "device", device, "window", win, "action", r.PathValue("action"), "number", t.Number)
	s.reply(w, t)
}

// ReturnedRequest names a missed ticket whose resident came back (回来了).
type ReturnedRequest struct {
	Number string `json:"number"`
}

func (s *Server) returned(w http.ResponseWriter, r *http.Request, device string, body []byte) {
	var req ReturnedRequest
	if !s.decode(w, body, &req) {
		return
	}
	t, err := s.cfg.Queue.Returned(req.Number)
	if err != nil {
		s.refuse(w, device, "returned", err)
		return
	}
	s.reply(w, t)
}

// invite passes a window's invitation to rate a case on to the kiosk it names.
func (s *Server) invite(w http.ResponseWriter, r *http.Request, device string, body []byte) {
	var inv queue.Invite
	if !s.decode(w, body, &inv) || !s.checkInvite(w, inv, true) {
		return
	}
	inv.At = s.cfg.Now().UTC()
	s.cfg.Queue.Announce(queue.Event{Invite: &inv})
	s.reply(w, inv)
}

// rated passes the kiosk's word that an invited case was rated (never how) back to the windows.
func (s *Server) rated(w http.ResponseWriter, r *http.Request, device string, body []byte) {
	var inv queue.Invite
	if !s.decode(w, body, &inv) || !s.checkInvite(w, inv, false) {
		return
	}
	inv.At, inv.Device = s.cfg.Now().UTC(), device
	s.cfg.Queue.Announce(queue.Event{Rated: &inv})
	s.reply(w, inv)
}

func (s *Server) checkInvite(w http.ResponseWriter, inv queue.Invite, needDevice bool) bool {
	switch {
	case !casenum.Canonical(inv.Case):
		s.fail(w, http.StatusBadRequest, "bad_case", "case is not a case number")
	case textrule.Check("window", inv.Window, textrule.Line(16)) != nil:
		s.fail(w, http.StatusBadRequest, "bad_window", "window is not a window's number")
	case needDevice && (inv.Device == "" || len(inv.Device) > 16):
		s.fail(w, http.StatusBadRequest, "bad_device", "device must name the kiosk to show the rating")
	default:
		return true
	}
	return false
}

// events streams server-sent events: "state" (the whole state, first after every connect and after
// every change) and "call"; a comment every 15 s keeps idle connections open through the LAN.
func (s *Server) events(w http.ResponseWriter, r *http.Request, device string, body []byte) {
	fl, ok := w.(http.Flusher)
	if !ok {
		s.fail(w, http.StatusInternalServerError, "internal", "streaming is not supported here")
		return
	}
	ch, cancel := s.cfg.Queue.Subscribe()
	defer cancel()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	tick := time.NewTicker(eventKeepOpen)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			if _, err := io.WriteString(w, ": open\n\n"); err != nil {
				return
			}
			fl.Flush()
		case e, ok := <-ch:
			if !ok {
				return // fell behind: the device reconnects and takes the whole state
			}
			name, v := "state", any(e.State)
			switch {
			case e.Call != nil:
				name, v = "call", e.Call
			case e.Invite != nil:
				name, v = "invite", e.Invite
			case e.Rated != nil:
				name, v = "rated", e.Rated
			}
			raw, _ := json.Marshal(v)
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, raw); err != nil {
				return
			}
			fl.Flush()
		}
	}
}

func (s *Server) decode(w http.ResponseWriter, body []byte, v any) bool {
	if err := json.Unmarshal(body, v); err != nil {
		s.fail(w, http.StatusBadRequest, "bad_json", "body is not the expected JSON: "+err.Error())
		return false
	}
	return true
}

func code(err error) string {
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ""
}

func (s *Server) refuse(w http.ResponseWriter, device, action string, err error) {
	c := code(err)
	if c == "" {
		s.cfg.Log.Error("hall queue failed", "device", device, "action", action, "err", err)
		s.fail(w, http.StatusInternalServerError, "internal", "the queue could not be stored")
		return
	}
	s.cfg.Log.Info("hall request refused", "device", device, "action", action, "code", c)
	s.fail(w, http.StatusConflict, c, err.Error())
}

func (s *Server) fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(api.Error{Code: code, Message: msg, ServerTime: s.cfg.Now().UTC()})
}

func (s *Server) reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
