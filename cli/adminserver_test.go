package cli

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/redisproc"
)

// lockedBuffer lets the test read stderr while the server goroutine writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestAdminServerRefusesToStartWithoutKeysOrRedis(t *testing.T) {
	cases := []struct {
		name, keys string
		args       []string
		mentions   []string
		secret     string
	}{
		{"no keys", "", []string{"--redis", "redis://127.0.0.1:6379"}, []string{"refusing to start", "GATEWAYOPS_ADMIN_KEYS"}, ""},
		{"malformed key", "ops:short-key-value", []string{"--redis", "redis://127.0.0.1:6379"}, []string{"entry 1"}, "short-key-value"},
		{"no redis", "ops:a-long-enough-admin-key", nil, []string{"--redis URL is required"}, ""},
		{"bad redis URL", "ops:a-long-enough-admin-key", []string{"--redis", "redis://:hunter2-redis-pw@host:notaport"}, []string{"not a valid"}, "hunter2-redis-pw"},
		{"bad rate limit", "ops:a-long-enough-admin-key", []string{"--redis", "redis://x:6379", "--rate-limit", "0"}, []string{"--rate-limit"}, ""},
		{"half TLS", "ops:a-long-enough-admin-key", []string{"--redis", "redis://x:6379", "--tls-cert", "c.pem"}, []string{"--tls-key"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GATEWAYOPS_ADMIN_KEYS", tc.keys)
			var out, errb bytes.Buffer
			code := runAdminServer(context.Background(), tc.args, &out, &errb)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr %s", code, errb.String())
			}
			for _, m := range tc.mentions {
				if !strings.Contains(errb.String(), m) {
					t.Errorf("stderr %q does not mention %q", errb.String(), m)
				}
			}
			if tc.secret != "" && strings.Contains(errb.String(), tc.secret) {
				t.Errorf("stderr echoes a secret: %s", errb.String())
			}
		})
	}
}

func TestAdminServerServesUntilCancelled(t *testing.T) {
	rs, _ := redisproc.ForTest(t)
	const key = "cmd-test-admin-key-0123456789"
	t.Setenv("GATEWAYOPS_ADMIN_KEYS", "ops:"+key)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- runAdminServer(ctx, []string{"--listen", addr, "--redis", rs.URL(), "--environment", "production", "--protected"}, &bytes.Buffer{}, stderr)
	}()
	c := gateway.NewClient("http://"+addr, gateway.ClientOptions{APIKey: key, Operator: "t",
		MaxRetries: 50, Backoff: func(int) time.Duration { return 50 * time.Millisecond }})
	st, err := c.Status(ctx)
	if err != nil || st.Environment != "production" || !st.Protected || !st.Redis.OK {
		t.Fatalf("status: %+v %v; stderr %s", st, err, stderr.String())
	}
	_, err = c.SetFlag(ctx, "agent_enabled", true, gateway.NewIdempotencyKey())
	if err == nil || !strings.Contains(err.Error(), gateway.CodeConfirmRequired) {
		t.Errorf("unconfirmed write on --protected: %v", err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d after cancel; stderr %s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("admin-server did not stop after cancel")
	}
	if strings.Contains(stderr.String(), key) {
		t.Error("the API key appears in the server log")
	}
	if !strings.Contains(stderr.String(), "admin API listening") {
		t.Errorf("no startup log line: %s", stderr.String())
	}
}
