package adminserver_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"gatewayops/gateway"
)

// contractDoc loads and validates gateway/openapi.yaml (embedded) once per test binary.
var contractDoc = sync.OnceValues(func() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(gateway.OpenAPISpec)
	if err != nil {
		return nil, err
	}
	return doc, doc.Validate(loader.Context)
})

// validating checks every exchange of a fixture against openapi.yaml with
// kin-openapi: every response of a documented operation, and every request
// the server accepted (2xx); requests the tests send broken on purpose are
// only checked through their answers.
type validating struct {
	t      testing.TB
	next   http.RoundTripper
	router routers.Router
}

func newValidating(t testing.TB, baseURL string, next http.RoundTripper) *validating {
	t.Helper()
	doc, err := contractDoc()
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	local := *doc
	local.Servers = openapi3.Servers{{URL: baseURL}}
	router, err := legacy.NewRouter(&local)
	if err != nil {
		t.Fatalf("openapi.yaml router: %v", err)
	}
	return &validating{t: t, next: next, router: router}
}

func (v *validating) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := v.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	route, params, ferr := v.router.FindRoute(req)
	if ferr != nil {
		return resp, nil // an undocumented path: the catch-all's shape is tested directly
	}
	respBody, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	check := req.Clone(context.Background())
	check.Body = io.NopCloser(bytes.NewReader(body))
	in := &openapi3filter.RequestValidationInput{Request: check, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if resp.StatusCode/100 == 2 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			v.t.Errorf("openapi.yaml: request %s %s (answered %d) does not match the contract: %v", req.Method, req.URL.Path, resp.StatusCode, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		v.t.Errorf("openapi.yaml: response %d to %s %s does not match the contract: %v\n%s", resp.StatusCode, req.Method, req.URL.Path, err, respBody)
	}
	return resp, nil
}
