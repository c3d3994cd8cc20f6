package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"hallkiosk/township/api"
	"hallkiosk/township/api/mask"
	"hallkiosk/township/store"
)

// Admin wire types, shared with the township CLI.
type (
	// CodeRequest asks for a one-time enrolment code.
	CodeRequest struct {
		Village string       `json:"village"`
		Name    string       `json:"name"`
		TTL     api.Duration `json:"ttl,omitempty"` // "24h0m0s"; default a day
	}
	// CodeResponse carries the code to give the technician.
	CodeResponse struct {
		Code    string    `json:"code"`
		Expires time.Time `json:"expires"`
	}
	// StatusRequest sets a case's status with a result note.
	StatusRequest struct {
		Status string `json:"status"`
		Note   string `json:"note"`
	}
	// PublishRequest puts content on the feed.
	PublishRequest struct {
		Village string          `json:"village"`
		Kind    string          `json:"kind"`
		Key     string          `json:"key"`
		Payload json.RawMessage `json:"payload"`
	}
	// RevokeResponse confirms a revocation.
	RevokeResponse struct {
		Revoked string `json:"revoked"`
	}
	// StatusResponse confirms a status change.
	StatusResponse struct {
		Number string `json:"number"`
		Status string `json:"status"`
	}
	// PublishResponse says where on the feed the content went.
	PublishResponse struct {
		Seq uint64 `json:"seq"`
	}
	// TallyResponse is a poll's count per option.
	TallyResponse struct {
		Poll  string         `json:"poll"`
		Votes map[string]int `json:"votes"`
	}
	// AdminCase is a case as the admin lists it; the applicant comes whole only with ?full=1.
	AdminCase struct {
		store.Case
		Name     string            `json:"name"`
		IDNumber string            `json:"id_number"`
		Phone    string            `json:"phone,omitempty"`
		Form     map[string]string `json:"form,omitempty"`
	}
)

func (s *Server) admin() {
	h := func(pattern string, fn http.HandlerFunc) {
		s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if s.checkAdmin(w, r) {
				fn(w, r)
			}
		})
	}
	h("POST /admin/codes", func(w http.ResponseWriter, r *http.Request) {
		var req CodeRequest
		if !s.decodeAdmin(w, r, &req) {
			return
		}
		if req.TTL <= 0 {
			req.TTL = api.Duration(24 * time.Hour)
		}
		if time.Duration(req.TTL) > 30*24*time.Hour {
			s.fail(w, http.StatusUnprocessableEntity, api.ErrInvalidField, "ttl: a code is valid for at most 30 days")
			return
		}
		code, exp, err := s.cfg.Store.NewCode(req.Village, req.Name, time.Duration(req.TTL))
		if s.adminErr(w, err) {
			return
		}
		s.reply(w, CodeResponse{Code: code, Expires: exp})
	})
	h("GET /admin/devices", func(w http.ResponseWriter, r *http.Request) {
		d, err := s.deviceStatuses()
		if !s.adminErr(w, err) {
			s.reply(w, d)
		}
	})
	h("GET /admin/metrics", func(w http.ResponseWriter, r *http.Request) {
		d, err := s.deviceStatuses()
		if s.adminErr(w, err) {
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		if err := writeMetrics(w, d); err != nil {
			s.cfg.Log.Warn("metrics: write", "err", err)
		}
	})
	h("GET /admin/audit", func(w http.ResponseWriter, r *http.Request) {
		limit := 0
		if v := r.URL.Query().Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				s.fail(w, http.StatusBadRequest, api.ErrBadRequest, "query limit must be a count")
				return
			}
			limit = n
		}
		lines, err := s.cfg.Store.AuditLog(r.URL.Query().Get("device"), limit)
		if s.adminErr(w, err) {
			return
		}
		if lines == nil {
			lines = []store.AuditLine{}
		}
		s.reply(w, lines)
	})
	h("POST /admin/devices/{id}/revoke", func(w http.ResponseWriter, r *http.Request) {
		if !s.adminErr(w, s.cfg.Store.Revoke(r.PathValue("id"))) {
			s.cfg.Log.Info("device revoked", "device", r.PathValue("id"))
			s.reply(w, RevokeResponse{Revoked: r.PathValue("id")})
		}
	})
	h("GET /admin/cases", func(w http.ResponseWriter, r *http.Request) {
		cs, err := s.cfg.Store.Cases(r.URL.Query().Get("village"))
		if s.adminErr(w, err) {
			return
		}
		out := make([]AdminCase, 0, len(cs))
		for _, c := range cs {
			out = append(out, adminCase(c, r.URL.Query().Get("full") == "1"))
		}
		s.reply(w, out)
	})
	h("GET /admin/cases/{number}", func(w http.ResponseWriter, r *http.Request) {
		c, err := s.cfg.Store.Case(r.PathValue("number"))
		if !s.adminErr(w, err) {
			s.reply(w, adminCase(c, true))
		}
	})
	h("POST /admin/cases/{number}/status", func(w http.ResponseWriter, r *http.Request) {
		var req StatusRequest
		if !s.decodeAdmin(w, r, &req) {
			return
		}
		if !s.adminErr(w, s.cfg.Store.SetStatus(r.PathValue("number"), req.Status, req.Note)) {
			s.reply(w, StatusResponse{Number: r.PathValue("number"), Status: req.Status})
		}
	})
	h("POST /admin/publish", func(w http.ResponseWriter, r *http.Request) {
		var req PublishRequest
		if !s.decodeAdmin(w, r, &req) {
			return
		}
		seq, err := s.cfg.Store.Publish(req.Village, req.Kind, req.Key, req.Payload)
		if !s.adminErr(w, err) {
			s.reply(w, PublishResponse{Seq: seq})
		}
	})
	h("GET /admin/ratings", func(w http.ResponseWriter, r *http.Request) {
		rs, err := s.cfg.Store.Ratings(r.URL.Query().Get("village"))
		if !s.adminErr(w, err) {
			if rs == nil {
				rs = []store.Rating{}
			}
			s.reply(w, rs)
		}
	})
	h("GET /admin/display", func(w http.ResponseWriter, r *http.Request) {
		ds, err := s.cfg.Store.Displays(r.URL.Query().Get("village"), r.URL.Query().Get("item"))
		if !s.adminErr(w, err) {
			if ds == nil {
				ds = []store.Display{}
			}
			s.reply(w, ds)
		}
	})
	h("GET /admin/polls/{id}/tally", func(w http.ResponseWriter, r *http.Request) {
		t, err := s.cfg.Store.Tally(r.PathValue("id"))
		if !s.adminErr(w, err) {
			s.reply(w, TallyResponse{Poll: r.PathValue("id"), Votes: t})
		}
	})
	h("GET /admin/stats", func(w http.ResponseWriter, r *http.Request) {
		st, err := s.cfg.Store.Stats()
		if !s.adminErr(w, err) {
			s.reply(w, st)
		}
	})
}

func adminCase(c store.Case, full bool) AdminCase {
	a := AdminCase{Case: c}
	if c.Applicant != nil {
		a.Name, a.IDNumber, a.Phone = c.Applicant.Name, c.Applicant.IDNumber, c.Applicant.Phone
		if !full {
			a.Name, a.IDNumber, a.Phone = mask.Name(a.Name), mask.ID(a.IDNumber), ""
		} else {
			a.Form = c.Form
		}
	}
	return a
}

func (s *Server) decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	body, ok := s.readBody(w, r)
	if !ok {
		return false
	}
	if err := api.DecodeStrict(body, v); err != nil {
		s.fail(w, http.StatusBadRequest, api.ErrBadJSON, "request is not valid JSON: "+err.Error())
		return false
	}
	return true
}

func (s *Server) adminErr(w http.ResponseWriter, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrBadInput):
		s.fail(w, http.StatusUnprocessableEntity, api.ErrInvalidField, err.Error())
	case errors.Is(err, store.ErrNoCase), errors.Is(err, store.ErrNoDevice), errors.Is(err, store.ErrNoPoll):
		s.fail(w, http.StatusNotFound, api.ErrNotFound, err.Error())
	default:
		s.cfg.Log.Error("admin", "err", err)
		s.fail(w, http.StatusInternalServerError, api.ErrServerFailure, err.Error())
	}
	return true
}
