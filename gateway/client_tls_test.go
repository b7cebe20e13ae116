package gateway

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// A server certificate that fails verification fails at once: retrying the
// same handshake cannot succeed, so the client does not (and says why).
func TestClientDoesNotRetryAFailedCertificateCheck(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := NewClient(srv.URL, ClientOptions{APIKey: "k", MaxRetries: 3})
	_, err := c.Status(context.Background())
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("self-signed certificate: err = %v", err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for one failed certificate check, want 1", n)
	}
}
