package gateway_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
	"gatewayops/gateway/admintest"
	"gatewayops/internal/testclock"
)

const (
	apiKeyName = "console"
	apiKey     = "gwk-client-test-5a4b3c2d1e0f9a8b"
)

type stack struct {
	rdb   *redis.Client
	store *gateway.Store
	clock *testclock.Clock
	srv   *adminserver.Server
	api   *httptest.Server
}

// newStack runs the real admin server over a real redis-server behind real HTTP.
func newStack(t *testing.T, mutate func(*adminserver.Config)) *stack {
	t.Helper()
	clk := testclock.New(time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC))
	s := admintest.Start(t, admintest.Options{KeyName: apiKeyName, Key: apiKey, RateLimitPerMinute: 1000, Now: clk.Now, Config: mutate})
	return &stack{rdb: s.RDB, store: s.Store, clock: clk, srv: s.Admin, api: s.HTTP}
}

func (s *stack) client(baseURL string, opts gateway.ClientOptions) *gateway.Client {
	if opts.APIKey == "" {
		opts.APIKey = apiKey
	}
	opts.Operator = "bob"
	if opts.Backoff == nil {
		opts.Backoff = func(int) time.Duration { return time.Millisecond }
	}
	return gateway.NewClient(baseURL, opts)
}

func (s *stack) auditCount(t *testing.T, action string) int {
	t.Helper()
	raw, err := s.rdb.LRange(context.Background(), adminserver.AuditKey, 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	// Replays are audited too (marked replayed); count only applied writes.
	n := 0
	for _, rec := range raw {
		if strings.Contains(rec, `"action":"`+action+`"`) && !strings.Contains(rec, `"replayed":true`) {
			n++
		}
	}
	return n
}

// faultProxy forwards to the real server; on the first request it applies
// fault AFTER the server has answered, so the write has really happened.
type faultProxy struct {
	upstream string
	fault    string // "502", "cut" or "delay"
	delay    time.Duration
	calls    atomic.Int32
	replayed atomic.Int32
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := p.calls.Add(1)
	body, _ := io.ReadAll(r.Body)
	req, _ := http.NewRequest(r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	respBody, _ := io.ReadAll(resp.Body)
	if resp.Header.Get(gateway.HeaderReplayed) == "true" {
		p.replayed.Add(1)
	}
	if n == 1 {
		switch p.fault {
		case "502":
			http.Error(w, "upstream connect error", http.StatusBadGateway)
			return
		case "cut":
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				panic(err)
			}
			fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(respBody))
			buf.Write(respBody[:len(respBody)/2])
			buf.Flush()
			conn.Close()
			return
		case "delay":
			time.Sleep(p.delay)
		}
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(respBody)
}

func TestWriteRetriedAfterWireFaultAppliesOnce(t *testing.T) {
	for _, fault := range []string{"502", "cut", "delay"} {
		t.Run(fault, func(t *testing.T) {
			s := newStack(t, nil)
			proxy := &faultProxy{upstream: s.api.URL, fault: fault, delay: 1500 * time.Millisecond}
			front := httptest.NewServer(proxy)
			defer front.Close()
			c := s.client(front.URL, gateway.ClientOptions{HTTPClient: &http.Client{Timeout: 500 * time.Millisecond}})
			ch, err := c.SetFlag(context.Background(), "ensemble_enabled", true, gateway.NewIdempotencyKey())
			if err != nil {
				t.Fatalf("SetFlag through a %s fault: %v", fault, err)
			}
			if !ch.Changed || ch.Before || !ch.After || ch.Name != "ensemble_enabled" {
				t.Errorf("result after retry: %+v (want the first application's change)", ch)
			}
			if got := proxy.calls.Load(); got != 2 {
				t.Errorf("requests through the proxy = %d, want 2 (fault, then retry)", got)
			}
			if got := proxy.replayed.Load(); got != 1 {
				t.Errorf("replayed responses = %d, want 1: the retry must be answered from the idempotency record", got)
			}
			if n := s.auditCount(t, "flags.set"); n != 1 {
				t.Errorf("flags.set applied %d times, want exactly once", n)
			}
			if f, _ := s.store.Flags(context.Background()); !f.Values["ensemble_enabled"] {
				t.Errorf("flag not set: %+v", f)
			}
		})
	}
}

func TestClientDoesNotRetryRefusals(t *testing.T) {
	s := newStack(t, nil)
	proxy := &faultProxy{upstream: s.api.URL}
	front := httptest.NewServer(proxy)
	defer front.Close()
	c := s.client(front.URL, gateway.ClientOptions{})
	_, err := c.SetEnforcement(context.Background(), "block", gateway.NewIdempotencyKey())
	var apiErr *gateway.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Code != gateway.CodeInvalidRequest || apiErr.RequestID == "" {
		t.Fatalf("bad enum: %v", err)
	}
	if !strings.Contains(apiErr.Message, "warn") || !strings.Contains(apiErr.Message, "reject") {
		t.Errorf("message does not list accepted values: %q", apiErr.Message)
	}
	if got := proxy.calls.Load(); got != 1 {
		t.Errorf("a 400 was sent %d times, want 1", got)
	}
}

func TestClientErrorsNeverContainTheKey(t *testing.T) {
	s := newStack(t, nil)
	wrong := "gwk-client-test-5a4b3c2d1e0f9a8c"
	_, err := s.client(s.api.URL, gateway.ClientOptions{APIKey: wrong}).Flags(context.Background())
	var apiErr *gateway.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 403 || apiErr.Code != gateway.CodeForbidden {
		t.Fatalf("wrong key: %v", err)
	}
	// A server that is gone: transport errors after every retry.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	attempts := 0
	c := s.client(deadURL, gateway.ClientOptions{MaxRetries: 2, Backoff: func(int) time.Duration { attempts++; return time.Millisecond }})
	_, err2 := c.ResetBreaker(context.Background(), "kms", gateway.NewIdempotencyKey())
	if err2 == nil || attempts != 2 {
		t.Fatalf("connection refused: err=%v after %d backoffs, want an error after 2 retries", err2, attempts)
	}
	for _, e := range []error{err, err2} {
		if strings.Contains(e.Error(), wrong) || strings.Contains(e.Error(), apiKey) {
			t.Errorf("error text contains an API key: %v", e)
		}
	}
	if _, err := c.ResetBreaker(context.Background(), "kms", ""); err == nil || !strings.Contains(err.Error(), "idempotency key") {
		t.Errorf("write without idempotency key: %v", err)
	}
}

// preload creates reservations through the gateway-equivalent Lua: n per
// community, estimate 25 cents each, at the current clock.
func preload(t *testing.T, s *stack, communities []string, n int) {
	t.Helper()
	ctx := context.Background()
	for _, c := range communities {
		if err := s.store.SetLimit(ctx, c, 1_000_000); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			res, err := s.store.Reserve(ctx, gateway.ReserveInput{Community: c, User: "u" + strconv.Itoa(i),
				IdempotencyKey: "req-" + strconv.Itoa(i), ModelAlias: "cheap", EstimateCents: 25})
			if err != nil || res.Status != gateway.StatusReserved {
				t.Fatalf("reserve %s/%d: %+v %v", c, i, res, err)
			}
		}
	}
}

func TestDrainEndToEndThroughClient(t *testing.T) {
	s := newStack(t, nil)
	ctx := context.Background()
	preload(t, s, []string{"c1", "c2"}, 6)
	// Two of c1's requests finish normally; the rest leak.
	for _, i := range []string{"0", "1"} {
		if _, err := s.store.Finalize(ctx, "c1", "u"+i, "req-"+i, 10); err != nil {
			t.Fatal(err)
		}
	}
	// One of c2's reservation hashes has already expired (as the gateway's do
	// 60 s after their TTL): its 25 cents can only be recovered by reconcile.
	if err := s.rdb.Del(ctx, gateway.ReservationKey("c2", "u5", "req-5")).Err(); err != nil {
		t.Fatal(err)
	}
	// Expired 30 s ago: the hashes still exist, as they do for 60 s after the
	// TTL (a summary takes any older member for an orphan without reading).
	s.clock.Advance(5*time.Minute + 30*time.Second)
	c := s.client(s.api.URL, gateway.ClientOptions{})

	sum, err := c.ReservationSummary(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Totals.Expired != 9 || sum.Totals.Orphaned != 1 || sum.Totals.ReservedCents != 250 {
		t.Fatalf("summary before drain: %+v", sum.Totals)
	}
	dry, err := c.Drain(ctx, gateway.DrainRequest{DryRun: true}, gateway.NewIdempotencyKey())
	if err != nil || !dry.DryRun || dry.Claimed != 9 || dry.ReclaimedCents != 225 || dry.Orphans != 1 {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	if again, _ := c.ReservationSummary(ctx, ""); again.Totals != sum.Totals {
		t.Fatalf("dry run changed Redis: %+v", again.Totals)
	}
	res, err := c.Drain(ctx, gateway.DrainRequest{Mode: gateway.DrainReap}, gateway.NewIdempotencyKey())
	if err != nil || res.Claimed != 9 || res.ReclaimedCents != 225 || res.Orphans != 1 || len(res.Communities) != 2 {
		t.Fatalf("reap: %+v %v", res, err)
	}
	after, err := c.ReservationSummary(ctx, "")
	if err != nil || after.Totals.Expired != 0 || after.Totals.Orphaned != 0 || after.Totals.ReservedCents != 25 {
		t.Fatalf("summary after reap (the orphan's 25 cents stay leaked): %+v %v", after.Totals, err)
	}
	rec, err := c.Drain(ctx, gateway.DrainRequest{Mode: gateway.DrainReconcile, Community: "c2"}, gateway.NewIdempotencyKey())
	if err != nil || rec.ReconcileDeltaCents != -25 {
		t.Fatalf("reconcile: %+v %v", rec, err)
	}
	for _, community := range []string{"c1", "c2"} {
		budget, err := c.Budget(ctx, community, "")
		if err != nil || len(budget.Communities) != 1 || budget.Communities[0].ReservedCents != 0 {
			t.Fatalf("budget of %s after drain: %+v %v", community, budget, err)
		}
	}
	audit, err := c.Audit(ctx, 10, "")
	if err != nil || len(audit.Records) != 3 || audit.Records[0].Action != "reservations.drain" || audit.Records[0].Operator != "bob" {
		t.Fatalf("audit: %+v %v", audit, err)
	}
}

func TestEveryReadThroughClient(t *testing.T) {
	s := newStack(t, nil)
	ctx := context.Background()
	preload(t, s, []string{"c1"}, 5)
	c := s.client(s.api.URL, gateway.ClientOptions{})

	st, err := c.Status(ctx)
	if err != nil || !st.Redis.OK || st.Environment != "staging" || st.Reservations.Live != 5 || len(st.Breakers) == 0 || st.Enforcement.Mode == "" {
		t.Fatalf("status: %+v %v", st, err)
	}
	bl, err := c.Breakers(ctx)
	if err != nil || len(bl.Breakers) < 2 {
		t.Fatalf("breakers: %+v %v", bl, err)
	}
	var seen []string
	cursor := ""
	for range 5 {
		page, err := c.Reservations(ctx, "c1", cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Items {
			seen = append(seen, r.Member)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) != 5 {
		t.Errorf("paged reservations: %v, want 5", seen)
	}
	if ch, err := c.SetEnforcement(ctx, gateway.EnforcementWarn, gateway.NewIdempotencyKey()); err != nil || ch.After != "warn" {
		t.Fatalf("set enforcement: %+v %v", ch, err)
	}
	if e, err := c.Enforcement(ctx); err != nil || e.Mode != "warn" || e.Source != "runtime" {
		t.Errorf("enforcement: %+v %v", e, err)
	}
	if f, err := c.Flags(ctx); err != nil || len(f.Values) != len(gateway.FlagNames()) {
		t.Errorf("flags: %+v %v", f, err)
	}
	if _, err := c.ResetBreaker(ctx, "loa-finn", gateway.NewIdempotencyKey()); err == nil {
		t.Error("reset of the in-process breaker succeeded")
	}
}

func TestClientRefusesARelativeBaseURL(t *testing.T) {
	c := gateway.NewClient("admin.internal:8089", gateway.ClientOptions{APIKey: apiKey})
	_, err := c.Status(context.Background())
	if err == nil || !strings.Contains(err.Error(), "base URL must be absolute") {
		t.Fatalf("relative base URL: %v", err)
	}
}

func TestConcurrentRetriesOfOneWriteApplyOnce(t *testing.T) {
	s := newStack(t, nil)
	c := s.client(s.api.URL, gateway.ClientOptions{MaxRetries: 20, Backoff: func(int) time.Duration { return 5 * time.Millisecond }})
	key := gateway.NewIdempotencyKey()
	results := make([]gateway.BreakerReset, 6)
	errs := make([]error, len(results))
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i], errs[i] = c.ResetBreaker(context.Background(), "kms", key) })
	}
	wg.Wait()
	for i := range results {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if results[i] != results[0] {
			t.Errorf("call %d answered %+v, call 0 %+v: every caller must see the one application", i, results[i], results[0])
		}
	}
	if n := s.auditCount(t, "breaker.reset"); n != 1 {
		t.Errorf("breaker.reset applied %d times, want 1", n)
	}
}
