package latencyproxy

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/gateway/redisproc"
)

// server starts a private redis-server (unix socket) for one test.
func server(t *testing.T) *redisproc.Server {
	t.Helper()
	srv, err := redisproc.Start(t.TempDir())
	if err != nil {
		t.Fatalf("redis-server: %v", err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

// client reaches addr with no retries, so one failure is one error.
func client(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, PoolSize: 1, DialTimeout: 2 * time.Second})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// waits records the delays asked for instead of sleeping.
type waits struct {
	mu sync.Mutex
	ds []time.Duration
}

func (w *waits) wait(d time.Duration) { w.mu.Lock(); w.ds = append(w.ds, d); w.mu.Unlock() }
func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.ds...)
}

func start(t *testing.T, srv *redisproc.Server, opts Options) *Proxy {
	t.Helper()
	p, err := New("unix", srv.Socket(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	if !strings.HasPrefix(p.Addr(), "127.0.0.1:") {
		t.Fatalf("listens on %s, want loopback", p.Addr())
	}
	return p
}

// Every command sent while a delay is set waits for it once; none waits
// before or after.
func TestDelayHoldsEachClientChunk(t *testing.T) {
	var w waits
	p := start(t, server(t), Options{Wait: w.wait})
	c := client(t, p.Addr())
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	before := p.Stats().Forwarded
	p.SetDelay(40 * time.Millisecond)
	for range 3 {
		if got, err := c.Get(ctx, "k").Result(); err != nil || got != "v" {
			t.Fatalf("GET through the delayed proxy: %q, %v", got, err)
		}
	}
	p.SetDelay(0)
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	ds := w.all()
	if len(ds) != 3 {
		t.Fatalf("waits %v, want 3 of 40ms (one per GET)", ds)
	}
	for _, d := range ds {
		if d != 40*time.Millisecond {
			t.Fatalf("waits %v, want 40ms each", ds)
		}
	}
	st := p.Stats()
	if st.Delayed != 3 || st.Forwarded != before+4 || st.Accepted != 1 {
		t.Fatalf("stats %+v (forwarded before the delay %d)", st, before)
	}
}

// The default wait really sleeps: a round trip takes at least the delay
// (a lower bound time.Sleep guarantees, so it cannot flake).
func TestDelayIsReal(t *testing.T) {
	p := start(t, server(t), Options{})
	c := client(t, p.Addr())
	p.SetDelay(30 * time.Millisecond)
	if p.Delay() != 30*time.Millisecond {
		t.Fatalf("Delay %s", p.Delay())
	}
	t0 := time.Now()
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(t0); el < 30*time.Millisecond {
		t.Fatalf("PING took %s through a 30ms delay", el)
	}
}

// Cut breaks the live connection and refuses new ones; Restore heals it.
func TestCutAndRestore(t *testing.T) {
	p := start(t, server(t), Options{})
	c := client(t, p.Addr())
	ctx := context.Background()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	p.Cut()
	for i := range 2 { // the old pooled connection, then a fresh dial
		if err := c.Ping(ctx).Err(); err == nil {
			t.Fatalf("PING %d succeeded through a cut path", i+1)
		}
	}
	if p.Stats().Refused == 0 {
		t.Fatalf("stats %+v: no connection refused while cut", p.Stats())
	}
	p.Restore()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after Restore: %v", err)
	}
}

func TestNewRefusesOtherNetworks(t *testing.T) {
	if _, err := New("udp", "127.0.0.1:1", Options{}); err == nil || !strings.Contains(err.Error(), "tcp or unix") {
		t.Fatalf("New(udp): %v", err)
	}
}
