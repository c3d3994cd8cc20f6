// Package apitest holds the township API's contract (api.OpenAPI) against real traffic: tests wrap
// their HTTP client's transport, and every request they send and every answer they get is checked
// with github.com/getkin/kin-openapi. A server that answers otherwise than the document says, or
// takes a request the document refuses, fails the test: the document cannot drift from the server.
package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"hallkiosk/township/api"
)

// Contract is the loaded, validated document and a router over its paths.
type Contract struct {
	doc    *openapi3.T
	router routers.Router
}

// Load reads api.OpenAPI and checks it is a valid OpenAPI 3.1 document, once per process: every
// test that starts a township shares the result.
func Load() (*Contract, error) { return load() }

var load = sync.OnceValues(func() (*Contract, error) {
	ctx := context.Background()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load openapi.json: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("openapi.json is not a valid OpenAPI document: %w", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		return nil, fmt.Errorf("openapi.json is OpenAPI %s, not 3.1", doc.OpenAPI)
	}
	// Tests serve on any port: route by path alone.
	doc.Servers = nil
	r, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route openapi.json: %w", err)
	}
	return &Contract{doc: doc, router: r}, nil
})

// Doc is the loaded document.
func (c *Contract) Doc() *openapi3.T { return c.doc }

// Check validates one exchange. reqErr says the request is not one the document describes (no
// such operation, a missing header, a body off its schema); respErr says the answer is not one the
// document lists for that operation and status.
func (c *Contract) Check(req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) (reqErr, respErr error) {
	ctx := context.Background()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		// No operation: the answer must still be the API's error.
		return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err), c.checkError(status, header, respBody)
	}
	r2 := req.Clone(ctx)
	r2.Body = io.NopCloser(bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{Request: r2, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: false}}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		reqErr = fmt.Errorf("request %s %s: %w", req.Method, req.URL.Path, err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
		Body: io.NopCloser(bytes.NewReader(respBody)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		respErr = fmt.Errorf("answer %d to %s %s: %w: %.300s", status, req.Method, req.URL.Path, err, respBody)
	}
	return reqErr, respErr
}

// checkError validates an answer to a request that matches no operation: a 404 or 405 Error.
func (c *Contract) checkError(status int, header http.Header, body []byte) error {
	if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
		return fmt.Errorf("answer %d to a request the document does not describe (want 404 or 405)", status)
	}
	if header.Get("Content-Type") != "application/json" {
		return fmt.Errorf("%d answer is %q, not application/json", status, header.Get("Content-Type"))
	}
	var v any
	if err := jsonDecode(body, &v); err != nil {
		return fmt.Errorf("%d answer is not JSON: %w", status, err)
	}
	if err := c.doc.Components.Schemas["Error"].Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("%d answer is not the Error schema: %w: %s", status, err, body)
	}
	return nil
}

// Reporter is the part of testing.TB the transport needs.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// Transport checks every exchange that passes through it. An answer off the document is an error;
// so is a request the document refuses that the server took (a 2xx). A request the document
// refuses and the server refuses too is what a test of refusals sends, and passes.
type Transport struct {
	Contract *Contract
	Base     http.RoundTripper
	T        Reporter
	// Checked counts exchanges, so a test can see the checks ran; Refused counts requests the
	// document refuses.
	Checked, Refused atomic.Int64
}

// RoundTrip sends the request and checks it and its answer.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if err != nil {
		return resp, nil // a cut connection: the caller sees the short body
	}
	if resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusGatewayTimeout {
		// A proxy's answer (tests put a faulty one between kiosk and township): the township
		// never answers these.
		return resp, nil
	}
	reqErr, respErr := t.Contract.Check(req, reqBody, resp.StatusCode, resp.Header, respBody)
	t.Checked.Add(1)
	if reqErr != nil {
		t.Refused.Add(1)
	}
	if respErr != nil {
		t.T.Errorf("openapi.json: %v", respErr)
	}
	switch {
	case reqErr != nil && resp.StatusCode < 300 && req.Method == http.MethodPost && req.URL.Path == api.PathBatch:
		// A batch is answered item by item: items the document refuses must each be rejected.
		if err := t.Contract.checkItems(reqBody, respBody); err != nil {
			t.T.Errorf("openapi.json: %v", err)
		}
	case reqErr != nil && resp.StatusCode < 300:
		t.T.Errorf("openapi.json refuses a request the server took with %d: %v", resp.StatusCode, reqErr)
	}
	return resp, nil
}

// checkItems: every item of a batch that the document's Item schema refuses was rejected.
func (c *Contract) checkItems(reqBody, respBody []byte) error {
	var b struct{ Items []any }
	var r api.BatchResponse
	if err := jsonDecode(reqBody, &b); err != nil {
		return fmt.Errorf("a batch that is not JSON was taken: %w", err)
	}
	if err := jsonDecode(respBody, &r); err != nil || len(r.Results) != len(b.Items) {
		return fmt.Errorf("batch answer does not match its items: %v", err)
	}
	item := c.doc.Components.Schemas["Item"].Value
	for i, it := range b.Items {
		if err := item.VisitJSON(it, openapi3.EnableJSONSchema2020()); err != nil && r.Results[i].Status != api.Rejected {
			return fmt.Errorf("item %d was %s although the document refuses it: %w", i, r.Results[i].Status, err)
		}
	}
	return nil
}
