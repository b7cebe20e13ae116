package admintest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"gatewayops/gateway"
)

// contract wraps the admin handler and checks, with kin-openapi, every
// exchange against gateway/openapi.yaml: each request the server answered
// 2xx (requests sent broken on purpose are judged by their answers) and every
// response of a documented operation. Undocumented paths are skipped: the
// catch-all's shape is tested directly.
type contract struct {
	t      testing.TB
	next   http.Handler
	router routers.Router
}

func newContract(t testing.TB, next http.Handler) http.Handler {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(gateway.OpenAPISpec)
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	// Without servers the router matches the bare path a server sees.
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("openapi.yaml router: %v", err)
	}
	return &contract{t: t, next: next, router: router}
}

func (c *contract) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route, params, ferr := c.router.FindRoute(r)
	if ferr != nil {
		c.next.ServeHTTP(w, r)
		return
	}
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	rec := &recorder{ResponseWriter: w}
	c.next.ServeHTTP(rec, r)
	c.check(r, body, route, params, rec)
}

func (c *contract) check(r *http.Request, body []byte, route *routers.Route, params map[string]string, rec *recorder) {
	status := rec.statusOr200()
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(body))
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if status/100 == 2 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			c.t.Errorf("openapi.yaml: request %s %s (answered %d) does not match the contract: %v", r.Method, r.URL.Path, status, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: rec.Header(),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(rec.body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		c.t.Errorf("openapi.yaml: response %d to %s %s does not match the contract: %v\n%s", status, r.Method, r.URL.Path, err, rec.body.Bytes())
	}
}

// recorder passes a response through and keeps its status and body.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(p)
	return r.ResponseWriter.Write(p)
}

func (r *recorder) statusOr200() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}
