// Package upload is the kiosk's link to the township: enrolment, the signed HTTP client, and the
// loop that drains the outbox and pulls the changes feed. It decides what each answer means for the
// queue; localdb keeps the queue, township/api defines the wire.
package upload

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"hallkiosk/township/api"
)

// Credential is what enrolment gives a kiosk. It is kept in its own file, mode 0600.
type Credential struct {
	URL      string `json:"url"`
	DeviceID string `json:"device_id"`
	Secret   []byte `json:"secret"`
	Village  string `json:"village"`
	Township string `json:"township"`
	// KioskCode is this kiosk's short code in the township, part of every case number.
	KioskCode string `json:"kiosk_code"`
	// VoteKey makes the voter tokens of this kiosk's village (api.VoterToken).
	VoteKey []byte `json:"vote_key,omitempty"`
}

// ErrNotEnrolled is a kiosk without a credential file: it keeps taking records and sends nothing.
var ErrNotEnrolled = errors.New("kiosk is not enrolled with a township (run: hallkiosk enrol --township URL --code CODE)")

// LoadCredential reads the credential file; a missing file is ErrNotEnrolled, a file others can
// read is refused.
func LoadCredential(path string) (Credential, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Credential{}, fmt.Errorf("credential %s: %w", path, ErrNotEnrolled)
	}
	if err != nil {
		return Credential{}, fmt.Errorf("credential %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return Credential{}, fmt.Errorf("credential %s: readable by others (mode %o); chmod 600 it", path, fi.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return Credential{}, fmt.Errorf("credential %s: %w", path, err)
	}
	var c Credential
	if err := json.Unmarshal(raw, &c); err != nil || c.DeviceID == "" || len(c.Secret) == 0 {
		return Credential{}, fmt.Errorf("credential %s: damaged; enrol again", path)
	}
	return c, nil
}

// Save writes the credential atomically with mode 0600.
func (c Credential) Save(path string) error {
	raw, _ := json.MarshalIndent(c, "", "  ")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save credential %s: %w", path, err)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("save credential %s: %w", path, err)
	}
	if _, err := f.Write(raw); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("save credential %s: %w", path, err)
	}
	return nil
}

// HTTPClient makes the client for the township. With caFile set, HTTPS is trusted only for
// certificates signed by that CA (the township's own): the system roots are not consulted, so a
// hall's network cannot put itself in the middle with some other valid certificate.
func HTTPClient(caFile string, timeout time.Duration) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if caFile != "" {
		cfg, err := api.PinnedTLS(caFile)
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = cfg
	}
	return &http.Client{Transport: tr, Timeout: timeout}, nil
}

// Client talks to one township as one device.
type Client struct {
	Cred Credential
	HTTP *http.Client
	Now  func() time.Time
}

// APIError is an answer with an api.Error body, or a status without one.
type APIError struct {
	Status     int
	Code       string
	Message    string
	ServerTime time.Time
	raw        []byte
}

func (e *APIError) Error() string {
	return fmt.Sprintf("township answered %d %s: %s", e.Status, e.Code, e.Message)
}

// Stops reports whether the error would fail every request the same way (bad credential, revoked
// device, wrong clock): the queue must stop and a person must act.
func (e *APIError) Stops() bool {
	switch e.Code {
	case api.ErrUnauthorized, api.ErrRevoked, api.ErrClockSkew:
		return true
	}
	return false
}

// Enrol trades a one-time code for a credential. localCode is the X code this kiosk numbered its
// cases with before (casenum.LocalKioskCode), so the township takes them from it.
func Enrol(ctx context.Context, hc *http.Client, url, code, name, localCode string) (Credential, error) {
	body, _ := json.Marshal(api.EnrolRequest{Code: strings.TrimSpace(code), Name: norm.NFC.String(name), LocalCode: localCode})
	var out api.EnrolResponse
	c := &Client{HTTP: hc, Cred: Credential{URL: url}}
	if err := c.do(ctx, http.MethodPost, api.PathEnrol, body, false, &out); err != nil {
		return Credential{}, fmt.Errorf("enrol at %s: %w", url, err)
	}
	return Credential{URL: strings.TrimRight(url, "/"), DeviceID: out.DeviceID, Secret: out.Secret, Village: out.Village,
		Township: out.Township, KioskCode: out.KioskCode, VoteKey: out.VoteKey}, nil
}

// Info reads the township's limits.
func (c *Client) Info(ctx context.Context) (api.Info, error) {
	var out api.Info
	err := c.do(ctx, http.MethodGet, api.PathInfo, nil, false, &out)
	return out, err
}

// Send posts one batch and returns the per-item answers.
func (c *Client) Send(ctx context.Context, items []api.Item) ([]api.Result, error) {
	body, err := json.Marshal(api.Batch{Items: items})
	if err != nil {
		return nil, err
	}
	var out api.BatchResponse
	err = c.do(ctx, http.MethodPost, api.PathBatch, body, true, &out)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusUnprocessableEntity {
		// Every item was rejected; the answers are in the body like a 200's.
		if jerr := json.Unmarshal(ae.raw, &out); jerr != nil || len(out.Results) != len(items) {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	if len(out.Results) != len(items) {
		return nil, fmt.Errorf("township answered %d results for %d items", len(out.Results), len(items))
	}
	return out.Results, nil
}

// Heartbeat sends the device's health; the answer carries the township's time.
func (c *Client) Heartbeat(ctx context.Context, h api.Heartbeat) (api.HeartbeatResponse, error) {
	var out api.HeartbeatResponse
	body, err := json.Marshal(h)
	if err != nil {
		return out, err
	}
	err = c.do(ctx, http.MethodPost, api.PathHeartbeat, body, true, &out)
	return out, err
}

// Changes reads one page of the feed after cursor.
func (c *Client) Changes(ctx context.Context, after uint64, limit int) (api.ChangesResponse, error) {
	var out api.ChangesResponse
	path := api.PathChanges + "?after=" + strconv.FormatUint(after, 10) + "&limit=" + strconv.Itoa(limit)
	err := c.do(ctx, http.MethodGet, path, nil, true, &out)
	return out, err
}

// FindCases asks the township for the village's kiosk cases a window may continue.
func (c *Client) FindCases(ctx context.Context, q api.CaseFindRequest) ([]api.FoundCase, error) {
	body, err := json.Marshal(q)
	if err != nil {
		return nil, err
	}
	var out api.CaseFindResponse
	if err := c.do(ctx, http.MethodPost, api.PathCaseFind, body, true, &out); err != nil {
		return nil, fmt.Errorf("find cases: %w", err)
	}
	return out.Cases, nil
}

func (c *Client) do(ctx context.Context, method, path string, body []byte, sign bool, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.Cred.URL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if sign {
		now := time.Now
		if c.Now != nil {
			now = c.Now
		}
		api.Sign(req, c.Cred.DeviceID, c.Cred.Secret, body, now(), api.NewNonce())
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var body api.Error
		e := &APIError{Status: resp.StatusCode, raw: raw}
		if json.Unmarshal(raw, &body) != nil || body.Code == "" {
			e.Code, e.Message = http.StatusText(resp.StatusCode), strings.TrimSpace(string(raw))
		} else {
			e.Code, e.Message, e.ServerTime = body.Code, body.Message, body.ServerTime
		}
		return e
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("township answer to %s %s: %w", method, path, err)
	}
	return nil
}
