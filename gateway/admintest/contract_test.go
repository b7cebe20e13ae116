package admintest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// errorsTB keeps what the contract check reports instead of failing the test.
type errorsTB struct {
	testing.TB
	errs []string
}

func (e *errorsTB) Errorf(format string, args ...any) {
	e.errs = append(e.errs, fmt.Sprintf(format, args...))
}

func serveOnce(t *testing.T, status int, body, target string) []string {
	t.Helper()
	tb := &errorsTB{TB: t}
	h := newContract(tb, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	if rec.Code != status || rec.Body.String() != body {
		t.Fatalf("the check changed the answer: %d %q", rec.Code, rec.Body.String())
	}
	return tb.errs
}

func TestContractPassesAConformingExchange(t *testing.T) {
	if errs := serveOnce(t, 200, `{"status":"ok"}`, "/healthz"); len(errs) != 0 {
		t.Fatalf("errors for a conforming exchange: %q", errs)
	}
}

func TestContractReportsAResponseOutsideTheSchema(t *testing.T) {
	errs := serveOnce(t, 200, `{"status":"down"}`, "/healthz")
	if len(errs) != 1 || !strings.Contains(errs[0], "response 200 to GET /healthz") || !strings.Contains(errs[0], "status") {
		t.Fatalf("want one error naming the route, status and field, got %q", errs)
	}
}

func TestContractReportsABadRequestOnlyWhenAccepted(t *testing.T) {
	const target = "/admin/gateway/v1/reservations?limit=0"
	accepted := serveOnce(t, 200, `{}`, target)
	if len(accepted) == 0 || !strings.Contains(accepted[0], "request GET /admin/gateway/v1/reservations (answered 200)") {
		t.Fatalf("limit=0 answered 200 not reported as a request error: %q", accepted)
	}
	for _, e := range serveOnce(t, 400, `{"error":"invalid_request","message":"limit","requestId":"r1"}`, target) {
		if strings.Contains(e, "request GET") {
			t.Fatalf("a refused bad request was reported: %q", e)
		}
	}
}

func TestContractSkipsUndocumentedPaths(t *testing.T) {
	if errs := serveOnce(t, 200, `not json`, "/nowhere"); len(errs) != 0 {
		t.Fatalf("errors for an undocumented path: %q", errs)
	}
}
