package gateway_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gatewayops/gateway"
)

// alwaysFailingProxy forwards every request to the real server and then
// answers with fault regardless of what the server did: "503" or "cut"
// (close the connection after half the headers).
type alwaysFailingProxy struct {
	upstream string
	fault    string
	calls    atomic.Int32
}

func (p *alwaysFailingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.calls.Add(1)
	body, _ := io.ReadAll(r.Body)
	req, _ := http.NewRequest(r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	req.Header = r.Header.Clone()
	if resp, err := http.DefaultTransport.RoundTrip(req); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if p.fault == "cut" {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: appl")
		_ = buf.Flush()
		conn.Close()
		return
	}
	http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
}

// TestWriteThatNeverGetsAnAnswerFailsClearlyAndAppliedOnce: when every
// attempt's answer is lost (the server applied the write each time it was
// asked), the client gives up after its retries with an error naming the
// failure, and the server still applied the write exactly once: each retry
// carried the same Idempotency-Key and was answered from the record.
func TestWriteThatNeverGetsAnAnswerFailsClearlyAndAppliedOnce(t *testing.T) {
	for _, fault := range []string{"503", "cut"} {
		t.Run(fault, func(t *testing.T) {
			s := newStack(t, nil)
			proxy := &alwaysFailingProxy{upstream: s.api.URL, fault: fault}
			front := httptest.NewServer(proxy)
			defer front.Close()
			c := s.client(front.URL, gateway.ClientOptions{MaxRetries: 2})
			_, err := c.SetEnforcement(context.Background(), gateway.EnforcementReject, gateway.NewIdempotencyKey())
			if err == nil {
				t.Fatal("a write whose every answer was lost reported success")
			}
			var apiErr *gateway.APIError
			if fault == "503" && (!errors.As(err, &apiErr) || apiErr.Status != http.StatusServiceUnavailable) {
				t.Errorf("error does not carry the 503: %v", err)
			}
			if fault == "cut" && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "malformed") {
				t.Errorf("error does not say the connection was cut: %v", err)
			}
			if got := proxy.calls.Load(); got != 3 {
				t.Errorf("attempts = %d, want 1 + 2 retries", got)
			}
			if n := s.auditCount(t, "enforcement.set"); n != 1 {
				t.Errorf("enforcement.set applied %d times, want exactly once", n)
			}
			if e, err := s.store.Enforcement(context.Background()); err != nil || e.Mode != gateway.EnforcementReject {
				t.Errorf("enforcement after the lost answers: %+v %v", e, err)
			}
		})
	}
}

// TestReadTimesOutPerAttemptAndRecovers: a server slower than the client's
// timeout costs one attempt each, and the read succeeds once it answers in time.
func TestReadTimesOutPerAttemptAndRecovers(t *testing.T) {
	s := newStack(t, nil)
	var slow atomic.Int32
	slow.Store(2)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slow.Add(-1) >= 0 {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		req, _ := http.NewRequest(r.Method, s.api.URL+r.URL.RequestURI(), nil)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	defer front.Close()
	c := s.client(front.URL, gateway.ClientOptions{HTTPClient: &http.Client{Timeout: 200 * time.Millisecond}})
	f, err := c.Flags(context.Background())
	if err != nil || len(f.Values) != len(gateway.FlagNames()) {
		t.Fatalf("read after two timed-out attempts: %+v %v", f, err)
	}
	if left := slow.Load(); left != -1 {
		t.Errorf("attempts: %d slow answers left, want all used and one good attempt", left)
	}
}
