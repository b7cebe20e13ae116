package cli

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/redisproc"
)

// probeArgs is the --probe command line for a server at srv's port, written
// the way a task definition writes it: the wildcard listen address.
func probeArgs(t *testing.T, url string, extra ...string) []string {
	t.Helper()
	_, port, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"--probe", "--listen", "0.0.0.0:" + port}, extra...)
}

func TestProbeExitsZeroOnlyWhenHealthzAnswers200(t *testing.T) {
	t.Setenv(redisURLEnv, "")
	for _, tc := range []struct {
		name   string
		status int
		want   int
	}{{"healthy", http.StatusOK, 0}, {"unhealthy", http.StatusServiceUnavailable, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			seen := make(chan string, 10)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen <- r.Method + " " + r.URL.Path
				w.WriteHeader(tc.status)
			}))
			defer srv.Close()
			var errb bytes.Buffer
			// No --redis and no keys: the probe needs neither.
			code := runAdminServer(context.Background(), probeArgs(t, srv.URL), &bytes.Buffer{}, &errb)
			if code != tc.want {
				t.Fatalf("exit %d, want %d; stderr %s", code, tc.want, errb.String())
			}
			srv.Close() // every handler has returned: seen holds all requests
			close(seen)
			var paths []string
			for p := range seen {
				paths = append(paths, p)
			}
			if len(paths) != 1 || paths[0] != "GET "+healthPath {
				t.Errorf("probe sent %q, want one GET %s", paths, healthPath)
			}
		})
	}
}

func TestProbeSpeaksTLSWhenTheServerDoes(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	var errb bytes.Buffer
	args := probeArgs(t, srv.URL, "--tls-cert", "unused.pem", "--tls-key", "unused.key")
	if code := runAdminServer(context.Background(), args, &bytes.Buffer{}, &errb); code != 0 {
		t.Fatalf("exit %d; stderr %s", code, errb.String())
	}
}

func TestProbeFailsWhenNothingListens(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var errb bytes.Buffer
	if code := runAdminServer(context.Background(), probeArgs(t, "http://"+addr), &bytes.Buffer{}, &errb); code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "--probe") {
		t.Errorf("stderr does not say the probe failed: %s", errb.String())
	}
}

// A container gets the Redis URL from a secret as an environment variable:
// the task definition's command then has no --redis at all.
func TestAdminServerTakesRedisURLFromEnvironment(t *testing.T) {
	rs, _ := redisproc.ForTest(t)
	const key = "cmd-test-admin-key-env-0123456789"
	t.Setenv(adminKeysEnv, "ops:"+key)
	t.Setenv(redisURLEnv, rs.URL())
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
	go func() { done <- runAdminServer(ctx, []string{"--listen", addr}, &bytes.Buffer{}, stderr) }()
	c := gateway.NewClient("http://"+addr, gateway.ClientOptions{APIKey: key, Operator: "t",
		MaxRetries: 50, Backoff: func(int) time.Duration { return 50 * time.Millisecond }})
	st, err := c.Status(ctx)
	if err != nil || !st.Redis.OK {
		t.Fatalf("status %+v %v; stderr %s", st, err, stderr.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d; stderr %s", code, stderr.String())
	}
}

func TestAdminServerEnvRedisURLIsNeverEchoed(t *testing.T) {
	const pw = "hunter2-env-redis-pw"
	t.Setenv(adminKeysEnv, "ops:a-long-enough-admin-key")
	t.Setenv(redisURLEnv, "redis://:"+pw+"@host:notaport")
	var errb bytes.Buffer
	if code := runAdminServer(context.Background(), []string{"--listen", "127.0.0.1:0"}, &bytes.Buffer{}, &errb); code != 2 {
		t.Fatalf("exit %d, want 2; stderr %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), redisURLEnv) || strings.Contains(errb.String(), pw) {
		t.Errorf("stderr %q: want the variable named, the password absent", errb.String())
	}
}
