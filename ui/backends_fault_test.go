package ui

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
	"gatewayops/gateway/redisproc"
	"gatewayops/ops"
	"gatewayops/runbooks"
)

// deadAddresses are addresses where nothing listens yet: a unix socket path
// in a fresh directory for Redis, and two loopback ports taken from the
// kernel and released, for the admin API and CloudWatch.
type deadAddresses struct {
	redisDir, adminAddr, cwAddr string
}

func reserveDeadAddresses(t *testing.T) deadAddresses {
	t.Helper()
	port := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}
	return deadAddresses{redisDir: t.TempDir(), adminAddr: port(), cwAddr: port()}
}

// startDeadStack wires the console's real dependencies to addresses where no
// backend runs yet, exactly as cmd_console would from a config file.
func startDeadStack(t *testing.T, env string, d deadAddresses) (*stack, *redis.Client) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: filepath.Join(d.redisDir, "redis.sock"), MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	client, err := cwlocal.NewSDKClient(context.Background(), "http://"+d.cwAddr)
	if err != nil {
		t.Fatal(err)
	}
	catalog := alarms.DefaultCatalog().ForEnv(env)
	src := alarms.NewSource(client, "arrakis-"+env+"-")
	poller := alarms.NewPoller(src, catalog, alarms.PollerOptions{MaxBackoff: time.Second})
	policy, err := ops.NewPolicy(env, ops.Standard, nil)
	if err != nil {
		t.Fatal(err)
	}
	jpath := filepath.Join(t.TempDir(), "journal.jsonl")
	journal, err := ops.OpenJournal(jpath, ops.NewRedactor(testAPIKey))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { journal.Close() })
	runner := &ops.Runner{
		Registry: testRegistry(),
		Env: &ops.Env{Name: env, AdminURL: "http://" + d.adminAddr, CloudWatch: client, Alarms: src,
			Inspector:    gateway.NewInspector(rdb),
			AdminOptions: gateway.ClientOptions{APIKey: testAPIKey, Operator: "f1-test", MaxRetries: -1}},
		Policy: policy, Journal: journal, Operator: "f1-test",
	}
	lib, err := runbooks.Default()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBackend(Deps{Poller: poller, Runbooks: lib, Runner: runner, Region: "us-east-1", ExportDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return &stack{env: env, store: gateway.NewStore(rdb, gateway.StoreOptions{}), backend: b, runner: runner, journal: jpath}, rdb
}

// serveOn serves h on addr (a port released earlier) until the test ends.
func serveOn(t *testing.T, addr string, h http.Handler) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on the released address %s: %v", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve %s: %v", addr, err)
		}
	}()
	t.Cleanup(func() { srv.Close() })
}

// TestFlowEveryBackendDownAtStartThenComingUp starts the console with Redis,
// the admin API and CloudWatch all unreachable: it must show each one as
// down with its cause and keep running; once the backends come up on those
// same addresses, a refresh shows them fresh and the firing alarm appears.
func TestFlowEveryBackendDownAtStartThenComingUp(t *testing.T) {
	const env = "staging"
	d := reserveDeadAddresses(t)
	s, rdb := startDeadStack(t, env, d)
	f := startFlow(t, s)
	scr := f.waitFor("cloudwatch down", "admin api down", "redis down")
	if !strings.Contains(scr, "refused") && !strings.Contains(scr, "no such file") {
		t.Fatalf("the header does not say why the backends are down:\n%s", scr)
	}
	t.Logf("header while down: %s", strings.Split(scr, "\n")[1])
	f.keys("r") // a refresh while everything is still down must not end the program
	f.waitFor("cloudwatch down", "admin api down", "redis down")

	srv, err := redisproc.Start(d.redisDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	k, err := adminserver.NewKey("test", testAPIKey)
	if err != nil {
		t.Fatal(err)
	}
	as, err := adminserver.New(adminserver.Config{Store: s.store, Redis: rdb, Keys: []adminserver.Key{k},
		Environment: env, RateLimitPerMinute: 10000})
	if err != nil {
		t.Fatal(err)
	}
	serveOn(t, d.adminAddr, as.Handler())
	cw := cwlocal.New(cwlocal.Config{})
	if err := cw.ProvisionCatalog(alarms.DefaultCatalog().ForEnv(env)); err != nil {
		t.Fatal(err)
	}
	serveOn(t, d.cwAddr, cw.Handler())
	s.cw = cw
	s.fireBreakerAlarm(t)

	f.keys("r")
	f.waitUntil("every backend fresh", func(scr string) bool {
		health := strings.Split(scr, "\n")[1] // the data-age line of the header
		return !strings.Contains(health, "down") && !strings.Contains(health, "stale") &&
			strings.Contains(health, "redis ") && strings.Contains(scr, "✗ ALARM") &&
			strings.Contains(scr, "circuit-breaker-open")
	})
	m := f.quit()
	if m.refreshErr != "" {
		t.Fatalf("refresh error after recovery: %s", m.refreshErr)
	}
}
