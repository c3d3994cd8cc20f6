// Package server is the township service's HTTP face: the device API under /v1 (enrolment, signed
// batch intake, the changes feed) and a small admin API under /admin for the township CLI.
package server

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"hallkiosk/township/api"
	"hallkiosk/township/api/textrule"
	"hallkiosk/township/store"
)

// Config sets the service's limits; zero values take the defaults in brackets.
type Config struct {
	Store         *store.Store
	Township      string        // the township's name, told to enrolled kiosks
	AdminToken    string        // bearer token for /admin (required for admin calls)
	Updates       string        // folder of the signed update repository served at /v1/updates/ ("" = none)
	MaxBatchItems int           // [500]
	MaxBodyBytes  int64         // [4 MiB]
	MaxSkew       time.Duration // [5m] how far a device's clock may be from ours
	// Wrong enrolment codes: at most EnrolFailures [10] from one address and EnrolFailuresTotal
	// [100] from all within EnrolWindow [10m]; then 429 until the window has passed.
	EnrolFailures      int
	EnrolFailuresTotal int
	EnrolWindow        time.Duration
	Log                *slog.Logger
	Now                func() time.Time
}

// Server implements http.Handler.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	mu     sync.Mutex
	nonces *api.Nonces          // device/nonce -> request time, for MaxSkew
	seen   map[string]time.Time // device -> last time its contact was written
	limit  *limiter             // failed enrolment attempts
}

// New makes the handler.
func New(cfg Config) *Server {
	if cfg.MaxBatchItems <= 0 {
		cfg.MaxBatchItems = 500
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 4 << 20
	}
	if cfg.MaxSkew <= 0 {
		cfg.MaxSkew = 5 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), nonces: api.NewNonces(2 * cfg.MaxSkew), seen: map[string]time.Time{},
		limit: newLimiter(cfg.EnrolFailures, cfg.EnrolFailuresTotal, cfg.EnrolWindow)}
	s.mux.HandleFunc("GET "+api.PathInfo, s.info)
	s.mux.HandleFunc("GET "+api.PathOpenAPI, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(api.OpenAPI)
	})
	s.mux.HandleFunc("POST "+api.PathEnrol, s.enrol)
	s.mux.HandleFunc("POST "+api.PathBatch, s.signed(s.batch))
	s.mux.HandleFunc("GET "+api.PathChanges, s.signed(s.changes))
	s.mux.HandleFunc("POST "+api.PathHeartbeat, s.signed(s.heartbeat))
	s.mux.HandleFunc("POST "+api.PathCaseFind, s.signed(s.findCases))
	if cfg.Updates != "" {
		s.mux.Handle("GET "+api.PathUpdates, s.updates(cfg.Updates))
	}
	s.admin()
	s.mux.HandleFunc("/", s.notFound)
	return s
}

// updates serves the update repository as plain files: TUF metadata carries the trust, so the
// transport needs none. No folder listings; a bundle over a slow village link may take longer than
// the server's write timeout, so its deadline is lifted for these files.
func (s *Server) updates(dir string) http.Handler {
	files := http.StripPrefix(api.PathUpdates, http.FileServer(http.Dir(dir)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			s.fail(w, http.StatusNotFound, api.ErrNotFound, "no file "+textrule.Escape(r.URL.Path))
			return
		}
		_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
		files.ServeHTTP(w, r)
	})
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// notFound is the router's fallback ("/"): every answer is JSON, the 404s and 405s included. Only
// requests that match no endpoint come here, so the probe of other methods costs nothing else.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, p := s.mux.Handler(r2); p != "" && p != "/" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.fail(w, http.StatusMethodNotAllowed, api.ErrMethod, fmt.Sprintf("%s takes %s, not %s", r.URL.Path, strings.Join(allow, ", "), r.Method))
		return
	}
	s.fail(w, http.StatusNotFound, api.ErrNotFound, "no endpoint "+textrule.Escape(r.URL.Path)+" (see "+api.PathOpenAPI+")")
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

func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	s.reply(w, api.Info{Service: "hallkiosk township", APIVersion: "v1", Time: s.cfg.Now().UTC(),
		MaxBatchItems: s.cfg.MaxBatchItems, MaxBodyBytes: s.cfg.MaxBodyBytes, MaxSkew: api.Duration(s.cfg.MaxSkew),
		Kinds: api.KnownKinds})
}

// readBody reads at most MaxBodyBytes; a bigger body is a 413 and nothing is read further.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Method == http.MethodPost {
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			s.fail(w, http.StatusUnsupportedMediaType, api.ErrMediaType, fmt.Sprintf("the body must be sent as Content-Type: application/json, not %q", textrule.Escape(r.Header.Get("Content-Type"))))
			return nil, false
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.fail(w, http.StatusRequestEntityTooLarge, api.ErrTooLarge, fmt.Sprintf("body is larger than %d bytes", s.cfg.MaxBodyBytes))
		return nil, false
	}
	if err != nil {
		s.fail(w, http.StatusBadRequest, api.ErrBadRequest, "read body: "+err.Error())
		return nil, false
	}
	return body, true
}

func (s *Server) enrol(w http.ResponseWriter, r *http.Request) {
	source, at := sourceAddr(r), s.cfg.Now()
	tries, wait := s.limit.take(source, at)
	if wait > 0 {
		s.cfg.Log.Warn("enrolment refused", "reason", "too many wrong codes", "remote", source, "failures_from_remote", tries)
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
		s.fail(w, http.StatusTooManyRequests, api.ErrRateLimited,
			fmt.Sprintf("too many wrong enrolment codes; try again in %s", wait.Round(time.Second)))
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		s.limit.forgive(source, at)
		return
	}
	// Only a wrong code counts against the source: a malformed request guesses nothing.
	var req api.EnrolRequest
	if err := api.DecodeStrict(body, &req); err != nil {
		s.limit.forgive(source, at)
		s.fail(w, http.StatusBadRequest, api.ErrBadJSON, "enrolment takes {\"code\": \"XXXX-XXXX-XXXX\", \"name\": \"...\"}: "+err.Error())
		return
	}
	if err := api.ValidateEnrol(req); err != nil {
		s.limit.forgive(source, at)
		s.fail(w, http.StatusUnprocessableEntity, api.ErrInvalidField, err.Error())
		return
	}
	d, voteKey, err := s.cfg.Store.Enrol(req.Code, req.Name, req.LocalCode)
	if errors.Is(err, store.ErrBadCode) {
		s.cfg.Log.Warn("enrolment refused", "reason", "bad code", "remote", source, "failures_from_remote", tries)
		s.fail(w, http.StatusForbidden, api.ErrBadCode, store.ErrBadCode.Error())
		return
	}
	s.limit.forgive(source, at)
	if err != nil {
		s.cfg.Log.Error("enrol", "err", err)
		s.fail(w, http.StatusInternalServerError, api.ErrServerFailure, "could not enrol")
		return
	}
	s.cfg.Log.Info("device enrolled", "device", d.ID, "village", d.Village, "name", d.Name)
	s.reply(w, api.EnrolResponse{DeviceID: d.ID, Secret: d.Secret, Village: d.Village, Township: s.cfg.Township,
		KioskCode: d.Code, VoteKey: voteKey})
}

// sourceAddr is the request's source address without its port: the unit of the enrolment limit.
func sourceAddr(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

type authed func(w http.ResponseWriter, r *http.Request, dev store.Device, body []byte, nonce store.Nonce)

// signed checks a request's signature, body digest, time and nonce before the handler runs. The
// order matters: nothing about the device is believed before its signature checks out.
func (s *Server) signed(h authed) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, ok := s.readBody(w, r)
		if !ok {
			return
		}
		id, nonce := r.Header.Get(api.HeaderDevice), r.Header.Get(api.HeaderNonce)
		unix, terr := strconv.ParseInt(r.Header.Get(api.HeaderTime), 10, 64)
		if id == "" || !api.ValidNonce(nonce) || terr != nil {
			s.fail(w, http.StatusUnauthorized, api.ErrUnauthorized,
				"request is not signed (the device, time and nonce headers are required; a nonce is 1-64 letters, digits, '-' or '_')")
			return
		}
		dev, err := s.cfg.Store.Device(id)
		if err != nil {
			s.cfg.Log.Warn("request refused", "reason", "unknown device", "device", id)
			s.fail(w, http.StatusUnauthorized, api.ErrUnauthorized, "unknown device "+id)
			return
		}
		if !api.SignatureOK(r, dev.Secret, body, unix, nonce) {
			s.cfg.Log.Warn("request refused", "reason", "bad signature", "device", id)
			s.fail(w, http.StatusUnauthorized, api.ErrUnauthorized, "signature does not match")
			return
		}
		if !dev.Revoked.IsZero() {
			s.cfg.Log.Warn("request refused", "reason", "revoked", "device", id)
			s.fail(w, http.StatusForbidden, api.ErrRevoked, "device "+id+" was revoked by the township; enrol again")
			return
		}
		now := s.cfg.Now()
		at := time.Unix(unix, 0)
		if d := now.Sub(at); d > s.cfg.MaxSkew || d < -s.cfg.MaxSkew {
			s.cfg.Log.Warn("request refused", "reason", "clock skew", "device", id, "skew", d.Round(time.Second))
			s.fail(w, http.StatusUnauthorized, api.ErrClockSkew,
				fmt.Sprintf("device clock is %s off the township's (allowed %s)", d.Round(time.Second), s.cfg.MaxSkew))
			return
		}
		if s.replayed(id, nonce, at) {
			s.cfg.Log.Warn("request refused", "reason", "replay", "device", id)
			s.fail(w, http.StatusUnauthorized, api.ErrReplay, "nonce was used before")
			return
		}
		s.touch(id)
		h(w, r, dev, body, store.Nonce{Device: id, Nonce: nonce, At: at})
	}
}

// replayed remembers nonces for twice MaxSkew (beyond that the timestamp check refuses the request
// anyway). Nonces of stored batches are also in the file, so a replay after a restart is caught.
// The file is read outside the lock: requests from all kiosks pass here.
func (s *Server) replayed(device, nonce string, at time.Time) bool {
	key := device + "/" + nonce
	if s.nonces.Seen(key) {
		return true
	}
	if stored, err := s.cfg.Store.SeenNonce(device, nonce); err == nil && stored {
		return true
	}
	return !s.nonces.Add(key, at, s.cfg.Now())
}

// touch records when a device was last heard from, at most once a minute per device: it is a
// write, and a busy kiosk sends a batch every few hundred milliseconds.
func (s *Server) touch(device string) {
	now := s.cfg.Now()
	s.mu.Lock()
	last, ok := s.seen[device]
	if ok && now.Sub(last) < time.Minute {
		s.mu.Unlock()
		return
	}
	s.seen[device] = now
	s.mu.Unlock()
	if err := s.cfg.Store.Touch(device); err != nil {
		s.cfg.Log.Error("record last contact", "device", device, "err", err)
	}
}

func (s *Server) batch(w http.ResponseWriter, r *http.Request, dev store.Device, body []byte, nonce store.Nonce) {
	var b api.Batch
	if err := api.DecodeStrict(body, &b); err != nil {
		s.fail(w, http.StatusBadRequest, api.ErrBadJSON, "batch is not valid JSON: "+err.Error())
		return
	}
	if len(b.Items) == 0 {
		s.fail(w, http.StatusBadRequest, api.ErrBadRequest, "batch has no items")
		return
	}
	if len(b.Items) > s.cfg.MaxBatchItems {
		s.fail(w, http.StatusRequestEntityTooLarge, api.ErrTooLarge,
			fmt.Sprintf("batch has %d items, at most %d are taken (see %s)", len(b.Items), s.cfg.MaxBatchItems, api.PathInfo))
		return
	}
	results, err := s.cfg.Store.Intake(dev, b.Items, nonce)
	if err != nil {
		s.cfg.Log.Error("intake", "device", dev.ID, "err", err)
		s.fail(w, http.StatusServiceUnavailable, api.ErrServerFailure, "could not store the batch; send it again")
		return
	}
	counts := map[string]int{}
	for _, r := range results {
		counts[r.Status]++
	}
	s.cfg.Log.Info("batch", "device", dev.ID, "items", len(results), "accepted", counts[api.Accepted],
		"duplicate", counts[api.Duplicate], "conflict", counts[api.Conflict], "rejected", counts[api.Rejected])
	if counts[api.Rejected] == len(results) {
		// Nothing in it was taken: a clear 4xx, with the same per-item reasons in the body.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_ = json.NewEncoder(w).Encode(rejectedBatch{Error: api.Error{Code: api.ErrInvalidItems,
			Message: "no item of the batch is valid: " + results[0].Reason, ServerTime: s.cfg.Now().UTC()}, Results: results})
		return
	}
	s.reply(w, api.BatchResponse{Results: results})
}

// rejectedBatch is the 422 body: an api.Error and the per-item answers together.
type rejectedBatch struct {
	api.Error
	Results []api.Result `json:"results"`
}

func (s *Server) changes(w http.ResponseWriter, r *http.Request, dev store.Device, _ []byte, _ store.Nonce) {
	q := r.URL.Query()
	after, err1 := strconv.ParseUint(q.Get("after"), 10, 64)
	if q.Get("after") == "" {
		after, err1 = 0, nil
	}
	limit := 100
	if l := q.Get("limit"); l != "" {
		var err error
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > 500 {
			s.fail(w, http.StatusBadRequest, api.ErrBadRequest, "query limit must be 1-500")
			return
		}
	}
	if err1 != nil {
		s.fail(w, http.StatusBadRequest, api.ErrBadRequest, "query after must be a change number")
		return
	}
	resp, err := s.cfg.Store.Changes(dev.Village, after, limit)
	if err != nil {
		s.cfg.Log.Error("changes", "err", err)
		s.fail(w, http.StatusInternalServerError, api.ErrServerFailure, "could not read changes")
		return
	}
	s.reply(w, resp)
}

// findCases serves a window the village's kiosk cases it may continue; the applicant travels whole
// (the window checks it with the resident) over the signed link, and the lookup is not logged
// with its query.
func (s *Server) findCases(w http.ResponseWriter, r *http.Request, dev store.Device, body []byte, _ store.Nonce) {
	q, err := api.ValidateCaseFind(body)
	if err != nil {
		s.fail(w, http.StatusBadRequest, api.ErrBadRequest, err.Error())
		return
	}
	cs, err := s.cfg.Store.FindCases(dev.Village, q)
	if err != nil {
		s.cfg.Log.Error("find cases", "device", dev.ID, "err", err)
		s.fail(w, http.StatusInternalServerError, api.ErrServerFailure, "could not read cases")
		return
	}
	out := api.CaseFindResponse{Cases: []api.FoundCase{}}
	for _, c := range cs {
		life := c.Life
		if life == "" {
			life = "received"
		}
		out.Cases = append(out.Cases, api.FoundCase{Number: c.Number, ItemCode: c.ItemCode, ItemName: c.ItemName, Applicant: *c.Applicant,
			Form: c.Form, Missing: c.Missing, Life: life, SubmittedAt: c.Submitted, PromisedBy: c.Promised})
	}
	s.cfg.Log.Info("cases found for a window", "device", dev.ID, "found", len(out.Cases))
	s.reply(w, out)
}

func (s *Server) checkAdmin(w http.ResponseWriter, r *http.Request) bool {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if s.cfg.AdminToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.AdminToken)) != 1 {
		s.fail(w, http.StatusUnauthorized, api.ErrUnauthorized, "admin token missing or wrong")
		return false
	}
	return true
}
