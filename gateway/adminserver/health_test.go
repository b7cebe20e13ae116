package adminserver_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
)

func getHealth(t *testing.T, f *fixture, path string) (int, http.Header, string) {
	t.Helper()
	resp, err := f.ts.Client().Get(f.ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, strings.TrimSpace(string(b))
}

// TestHealthEndpoints: /healthz and /readyz answer without a key, say ok
// and nothing else, are never audited, and /readyz turns 503 NOT_READY
// (no detail) when Redis is gone while /healthz stays 200.
func TestHealthEndpoints(t *testing.T) {
	f := newFixture(t, nil)
	for _, p := range []string{gateway.HealthzPath, gateway.ReadyzPath} {
		status, h, body := getHealth(t, f, p)
		if status != http.StatusOK || body != `{"status":"ok"}` || h.Get(gateway.HeaderRequestID) == "" {
			t.Fatalf("GET %s: %d %q (request id %q)", p, status, body, h.Get(gateway.HeaderRequestID))
		}
	}
	if n := f.rdb.Exists(context.Background(), adminserver.AuditKey).Val(); n != 0 {
		t.Fatal("a health check was audited")
	}
	f.redis.Kill()
	if status, _, _ := getHealth(t, f, gateway.HealthzPath); status != http.StatusOK {
		t.Fatalf("healthz with Redis down: %d, want 200 (liveness is the process)", status)
	}
	status, h, body := getHealth(t, f, gateway.ReadyzPath)
	want := `{"error":"NOT_READY","message":"not ready","requestId":"` + h.Get(gateway.HeaderRequestID) + `"}`
	if status != http.StatusServiceUnavailable || body != want {
		t.Fatalf("readyz with Redis down: %d %s, want 503 %s", status, body, want)
	}
}

// TestHealthEndpointsAreLimitedPerAddress like any key-less caller.
func TestHealthEndpointsAreLimitedPerAddress(t *testing.T) {
	f := newFixture(t, func(c *adminserver.Config) { c.RateLimitPerMinute = 2 })
	for i, want := range []int{200, 200, 429} {
		status, h, _ := getHealth(t, f, gateway.HealthzPath)
		if status != want || (want == 429 && h.Get("Retry-After") == "") {
			t.Fatalf("call %d: %d (Retry-After %q), want %d", i+1, status, h.Get("Retry-After"), want)
		}
	}
}
