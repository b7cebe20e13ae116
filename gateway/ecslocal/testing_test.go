package ecslocal

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go"
)

// NewSDKClient re-sends a call once when the connection is lost mid-reply
// (what the SDK's standard retryer does in production), and nothing else:
// a throttle it injects is seen once, not retried away.
func TestSDKClientResendsALostConnectionOnceAndNothingElse(t *testing.T) {
	s, _, _ := setup(t, ServiceSpec{})
	var calls, cut atomic.Int32
	h := s.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if cut.CompareAndSwap(1, 2) { // the armed call: headers, half a body, then a reset
			w.Header().Set("Content-Length", "400")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"services":[`))
			w.(http.Flusher).Flush()
			conn, _, err := http.NewResponseController(w).Hijack()
			if tcp, ok := conn.(*net.TCPConn); err == nil && ok {
				_ = tcp.SetLinger(0) // close with RST, as a lost connection does
				_ = tcp.Close()
			}
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c := NewSDKClient(srv.URL)
	ctx := context.Background()
	in := &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{svcName}}

	cut.Store(1)
	out, err := c.DescribeServices(ctx, in)
	if err != nil || len(out.Services) != 1 || calls.Load() != 2 {
		t.Fatalf("after a cut reply: %d calls, err %v, want the call re-sent once and answered", calls.Load(), err)
	}

	calls.Store(0)
	s.Throttle("DescribeServices", 1)
	_, err = c.DescribeServices(ctx, in)
	var api smithy.APIError
	if !errors.As(err, &api) || !strings.Contains(api.ErrorCode(), "Throttling") || calls.Load() != 1 {
		t.Fatalf("a throttle: %d calls, err %v, want it answered once, not retried", calls.Load(), err)
	}
}
