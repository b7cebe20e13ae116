package ops

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
	"gatewayops/gateway"
	"gatewayops/gateway/admintest"
	"gatewayops/gateway/redisproc"
)

const testAdminKey = "gwk-test-key-0123456789abcdef"

// stack is a real admin server over a real redis-server, a local CloudWatch
// reached through the real AWS SDK, and a journal in a temp dir.
type stack struct {
	t       *testing.T
	redis   *redisproc.Server
	rdb     *redis.Client
	store   *gateway.Store
	cw      *cwlocal.Service
	env     *Env
	journal *Journal
	policy  *Policy
	runner  *Runner
	// requests counts admin API requests by "METHOD path".
	requests *requestCounter
	adminURL string
}

type requestCounter struct {
	mu sync.Mutex
	n  map[string]int
}

// wrap counts each request, and the confirmed writes, before serving it.
func (c *requestCounter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.n[r.Method+" "+r.URL.Path]++
		if r.Header.Get(gateway.HeaderConfirmEnv) != "" {
			c.n["confirmed "+r.Method]++
		}
		c.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (c *requestCounter) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

func newStack(t *testing.T, envName, safety string) *stack {
	t.Helper()
	return newStackOn(t, envName, safety, stackOptions{})
}

// stackOptions adjusts newStackOn's admin server: its clock, and a handler
// wrapped inside the request counter (to act between requests).
type stackOptions struct {
	now  func() time.Time // nil: time.Now
	wrap func(http.Handler) http.Handler
}

func newStackOn(t *testing.T, envName, safety string, o stackOptions) *stack {
	t.Helper()
	counter := &requestCounter{n: map[string]int{}}
	wrap := counter.wrap
	if o.wrap != nil {
		wrap = func(h http.Handler) http.Handler { return counter.wrap(o.wrap(h)) }
	}
	admin := admintest.Start(t, admintest.Options{Environment: envName, Protected: safety == Protected, Key: testAdminKey,
		Now: o.now, Store: gateway.StoreOptions{EnforcementDefault: gateway.EnforcementReject}, Wrap: wrap})
	rs, rdb, store, ts := admin.Redis, admin.RDB, admin.Store, admin.HTTP
	cw, cwURL := cwlocal.StartForTest(t)
	cwc, err := cwlocal.NewSDKClient(context.Background(), cwURL)
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{
		Name:         envName,
		Config:       Environment{Name: envName, Safety: safety, AdminURL: ts.URL, Region: "us-east-1"},
		AdminURL:     ts.URL,
		AdminOptions: gateway.ClientOptions{APIKey: testAdminKey, Operator: "oncall-test", MaxRetries: -1},
		CloudWatch:   cwc,
		Alarms:       alarms.NewSource(cwc, ""),
		Inspector:    gateway.NewInspector(rdb),
	}
	j, err := OpenJournal(filepath.Join(t.TempDir(), "journal.jsonl"), NewRedactor(testAdminKey))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	policy, err := NewPolicy(envName, safety, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &stack{t: t, redis: rs, rdb: rdb, store: store, cw: cw, env: env, journal: j, policy: policy, requests: counter, adminURL: ts.URL}
	s.runner = &Runner{Registry: DefaultRegistry(), Env: env, Policy: policy, Journal: j, Operator: "oncall-test"}
	return s
}

// openBreaker records failures until the breaker opens. The gateway keys
// failures by millisecond, so each one is recorded 1 ms after the previous.
func (s *stack) openBreaker(component string) {
	s.t.Helper()
	base := time.Now().Add(-time.Second)
	for i := range 10 {
		at := base.Add(time.Duration(i) * time.Millisecond)
		failing := gateway.NewStore(s.rdb, gateway.StoreOptions{Now: func() time.Time { return at }})
		state, err := failing.BreakerFailure(context.Background(), component)
		if err != nil {
			s.t.Fatal(err)
		}
		if state == gateway.BreakerOpen {
			return
		}
	}
	s.t.Fatalf("breaker %s did not open after 10 failures", component)
}

// leakReservations makes n reservations per community that expired 30 s
// ago: their hashes still exist (the gateway's live 60 s past the TTL), so
// they are claimable, as a leak is until the hash expires.
func (s *stack) leakReservations(communities []string, n int, estimate int64) {
	s.t.Helper()
	ctx := context.Background()
	past := gateway.NewStore(s.rdb, gateway.StoreOptions{Now: func() time.Time { return time.Now().Add(-5*time.Minute - 30*time.Second) }})
	for _, c := range communities {
		if err := past.SetLimit(ctx, c, 1_000_000); err != nil {
			s.t.Fatal(err)
		}
		for i := range n {
			r, err := past.Reserve(ctx, gateway.ReserveInput{Community: c, User: fmt.Sprintf("u%d", i),
				IdempotencyKey: fmt.Sprintf("req-%d", i), ModelAlias: "cheap", EstimateCents: estimate})
			if err != nil || r.Status != "RESERVED" {
				s.t.Fatalf("reserve: %+v %v", r, err)
			}
		}
	}
}

// standardYes is the confirmation of a standard environment's one-key confirm.
var standardYes = Confirmation{StartKey: "enter", ConfirmKey: "y"}

// run parses, plans and executes a line, failing the test on error.
func (s *stack) run(line string, c Confirmation) Outcome {
	s.t.Helper()
	out, err := s.runner.Run(context.Background(), line, c)
	if err != nil {
		s.t.Fatalf("%s: %v", line, err)
	}
	return out
}
