package sim_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/redisproc"
	"gatewayops/gateway/sim"
)

var base = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

func newStore(t *testing.T) *gateway.Store {
	_, rdb := redisproc.ForTest(t)
	return gateway.NewStore(rdb, gateway.StoreOptions{Now: func() time.Time { return base }})
}

func TestStepFinalizesOrLeaksAndLeavesConsistentCounters(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	s := sim.New(store, sim.Config{Communities: []string{"c1", "c2"}, Users: 5, LeakShare: 0.3, Seed: 7})
	for range 300 {
		if err := s.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	st := s.Stats()
	if st.Reserved != 300 || st.Finalized+st.Leaked != 300 || st.Leaked < 50 || st.Leaked > 130 || st.Errors != 0 {
		t.Fatalf("stats %+v", st)
	}
	sum, err := store.ReservationSummary(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	// Leaked reservations are still live (no time passed): reserved is exactly their estimates.
	if int64(sum.Totals.Live) != st.Leaked || sum.Totals.DriftCents != 0 || sum.Totals.ReservedCents != sum.Totals.LiveEstimateCents {
		t.Fatalf("summary %+v vs stats %+v", sum.Totals, st)
	}
	budget, _ := store.Budget(ctx, "c1", "", 0)
	if budget.Communities[0].CommittedCents == 0 {
		t.Fatalf("finalized spend not committed: %+v", budget)
	}
}

func TestSameSeedSameTraffic(t *testing.T) {
	ctx := context.Background()
	run := func() (sim.Stats, gateway.ReservationTotals) {
		store := newStore(t)
		s := sim.New(store, sim.Config{Communities: []string{"c1"}, LeakShare: 0.5, Seed: 42})
		for range 100 {
			if err := s.Step(ctx); err != nil {
				t.Fatal(err)
			}
		}
		sum, _ := store.ReservationSummary(ctx, "", 0)
		return s.Stats(), sum.Totals
	}
	s1, t1 := run()
	s2, t2 := run()
	if s1 != s2 || t1 != t2 {
		t.Fatalf("seeded runs differ: %+v %+v / %+v %+v", s1, t1, s2, t2)
	}
}

func TestStepCountsRejections(t *testing.T) {
	s := sim.New(newStore(t), sim.Config{LimitCents: 100, MeanEstimateCents: 60, Seed: 1})
	for range 20 {
		if err := s.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if st := s.Stats(); st.Rejected == 0 || st.Reserved+st.Rejected != 20 {
		t.Fatalf("stats %+v", st)
	}
}

func TestRunPacesTrafficAndBreakerFailuresUntilCancelled(t *testing.T) {
	store := newStore(t)
	s := sim.New(store, sim.Config{ReservesPerSecond: 200, BreakerFailuresPerSecond: 100, Seed: 3})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for st := s.Stats(); st.Reserved < 10 || st.BreakerFailures < 3; st = s.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("no traffic: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v", err)
	}
	after := s.Stats()
	time.Sleep(50 * time.Millisecond)
	if s.Stats() != after {
		t.Fatal("traffic continued after cancel")
	}
	// The failures all land in the same ms of the fixed clock, so the zset
	// holds one member; the breaker's hash shows the failures were recorded.
	b, err := store.Breaker(context.Background(), "kms")
	if err != nil || b.RecentFailures < 1 {
		t.Fatalf("breaker %+v %v", b, err)
	}
}

func TestPreloadWritesLiveExpiredAndOrphaned(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	s := sim.New(store, sim.Config{Communities: []string{"c1", "c2", "c3"}, Seed: 9})
	st, err := s.Preload(ctx, 2000, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if st.Live != 1800 || st.Expired != 100 || st.Orphaned != 100 {
		t.Fatalf("preload %+v", st)
	}
	sum, err := store.ReservationSummary(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	tot := sum.Totals
	if tot.Live != 1800 || tot.Expired != 100 || tot.Orphaned != 100 || tot.ReservedCents != st.ReservedCents || tot.DriftCents <= 0 {
		t.Fatalf("summary %+v", tot)
	}
	res, err := store.Drain(ctx, gateway.DrainRequest{Mode: gateway.DrainReconcile})
	if err != nil {
		t.Fatal(err)
	}
	if res.Claimed != 100 || res.Orphans != 100 || res.ReconcileDeltaCents != -tot.DriftCents {
		t.Fatalf("drain %+v, want 100 claimed, 100 orphans, delta %d", res, -tot.DriftCents)
	}
}

func TestConfigErrorsNameTheField(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	cases := map[string]sim.Config{
		"LeakShare":         {LeakShare: 1.5},
		"ReservesPerSecond": {ReservesPerSecond: -1},
		"Users":             {Users: -2},
	}
	for field, cfg := range cases {
		s := sim.New(store, cfg)
		if err := s.Step(ctx); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: Step error %v", field, err)
		}
		if err := s.Run(ctx); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: Run error %v", field, err)
		}
	}
	if _, err := sim.New(store, sim.Config{}).Preload(ctx, 10, 2); err == nil || !strings.Contains(err.Error(), "staleShare") {
		t.Errorf("Preload staleShare: %v", err)
	}
	if n := store.Redis().DBSize(ctx).Val(); n != 0 {
		t.Fatalf("bad configs wrote %d keys", n)
	}
}

// TestReconcileHoldsTheInvariantUnderTraffic reconciles repeatedly while a
// goroutine keeps reserving and finalizing; once traffic stops, reserved must
// equal the sum of the live estimates (the leak from preloaded orphans gone).
func TestReconcileHoldsTheInvariantUnderTraffic(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	s := sim.New(store, sim.Config{Communities: []string{"c1", "c2"}, LeakShare: 0.3, Seed: 11})
	if _, err := s.Preload(ctx, 400, 0.5); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			if err := s.Step(ctx); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 10 {
		if _, err := store.Drain(ctx, gateway.DrainRequest{Mode: gateway.DrainReconcile, BatchSize: 50}); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if s.Stats().Reserved < 10 {
		t.Fatalf("traffic did not overlap the reconciles: %+v", s.Stats())
	}
	sum, err := store.ReservationSummary(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range sum.Communities {
		if c.ReservedCents != c.LiveEstimateCents+c.ExpiredEstimateCents || c.Orphaned != 0 || c.Expired != 0 {
			t.Fatalf("invariant broken for %s: %+v", c.Community, c)
		}
	}
}

func TestRunSurvivesARedisOutage(t *testing.T) {
	srv, rdb := redisproc.ForTest(t)
	store := gateway.NewStore(rdb, gateway.StoreOptions{Now: func() time.Time { return base }})
	s := sim.New(store, sim.Config{ReservesPerSecond: 200, Seed: 5})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	waitFor := func(what string, ok func(sim.Stats) bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !ok(s.Stats()) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %+v", what, s.Stats())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("traffic", func(st sim.Stats) bool { return st.Reserved >= 5 })
	srv.Kill()
	waitFor("errors counted", func(st sim.Stats) bool { return st.Errors >= 3 && st.LastError != "" })
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	// The restarted server came back empty (no limit keys), so the gateway
	// semantics reject every reservation: traffic resumes as rejections.
	before := s.Stats()
	waitFor("traffic resumes", func(st sim.Stats) bool { return st.Reserved+st.Rejected >= before.Reserved+before.Rejected+5 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v", err)
	}
}
