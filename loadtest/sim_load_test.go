package loadtest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
	"gatewayops/gateway/redisproc"
	"gatewayops/gateway/sim"
)

// accountingProbe reads, in one atomic script, a community's reserved
// counter and the sum of the estimates of every reservation still holding
// its hash (claimable by finalize or a drain, so still owed to reserved).
// Orphans (hash gone) leak into reserved, so reserved >= sum always, and
// reserved == sum right after a reconcile with no traffic.
var accountingProbe = redis.NewScript(`
local reserved = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local sum = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  sum = sum + (tonumber(redis.call('HGET', ARGV[1] .. m, 'estimated_cost') or '0') or 0)
end
return {reserved, sum}
`)

func probeAccounting(ctx context.Context, store *gateway.Store, community string) (reserved, owed int64, err error) {
	month := gateway.Month(store.Now())
	vals, err := accountingProbe.Run(ctx, store.Redis(), []string{gateway.ReservedKey(community, month),
		gateway.ExpiryKey(community, month)}, gateway.ReservationKeyPrefix(community)).Int64Slice()
	if err != nil {
		return 0, 0, err
	}
	return vals[0], vals[1], nil
}

// TestLoadSimulatorWhileDrainsRun drives the simulator unpaced from several
// goroutines (its highest rate here) over preloaded stale and orphaned
// reservations while reap and reconcile drains loop and a probe checks that
// reserved never falls below what live reservations still owe. With the
// traffic stopped, a final reconcile must leave reserved equal to the live
// estimates in every community.
func TestLoadSimulatorWhileDrainsRun(t *testing.T) {
	p := params(loadParams{clients: 8, duration: 30 * time.Second}, loadParams{clients: 4, duration: time.Second})
	ctx := context.Background()
	_, rdb := redisproc.ForTest(t)
	base := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC) // fixed: no reservation turns stale mid-run
	store := gateway.NewStore(rdb, gateway.StoreOptions{Now: func() time.Time { return base }})
	communities := []string{"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"}
	s := sim.New(store, sim.Config{Communities: communities, LeakShare: 0.05, Seed: 42})
	pre, err := s.Preload(ctx, 2000, 0.5)
	if err != nil {
		t.Fatal(err)
	}

	var stop atomic.Bool
	var wg sync.WaitGroup
	for range p.clients {
		wg.Go(func() {
			for !stop.Load() {
				if err := s.Step(ctx); err != nil {
					t.Errorf("sim step: %v", err)
					return
				}
			}
		})
	}
	var drains, probes atomic.Int64
	for _, req := range []gateway.DrainRequest{{Mode: gateway.DrainReap, BatchSize: 20}, {Mode: gateway.DrainReconcile, BatchSize: 1000}} {
		wg.Go(func() { loopDrain(t, ctx, store, req, &stop, &drains) })
	}
	wg.Go(func() { loopProbe(t, ctx, store, communities, &stop, &probes) })
	time.Sleep(p.duration)
	stop.Store(true)
	wg.Wait()
	if t.Failed() {
		return
	}
	final, err := store.Drain(ctx, gateway.DrainRequest{Mode: gateway.DrainReconcile, BatchSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, cd := range final.Communities {
		if cd.Error != "" || !cd.Reconciled {
			t.Fatalf("final reconcile of %s: %+v", cd.Community, cd)
		}
		reserved, owed, err := probeAccounting(ctx, store, cd.Community)
		if err != nil || reserved != owed {
			t.Fatalf("%s after the final reconcile: reserved %d, live estimates %d (%v)", cd.Community, reserved, owed, err)
		}
	}
	st := s.Stats()
	if st.Errors != 0 || st.Reserved == 0 || drains.Load() < 2 || probes.Load() < 2 {
		t.Fatalf("the run did not overlap: sim %+v, %d drains, %d probes", st, drains.Load(), probes.Load())
	}
	line := fmt.Sprintf("LOAD sim workers=%d seconds=%.0f preloaded=%d reserves=%d finalizes=%d leaks=%d steps_per_s=%.0f drains=%d probes=%d",
		p.clients, p.duration.Seconds(), pre.Live+pre.Expired+pre.Orphaned, st.Reserved, st.Finalized, st.Leaked,
		float64(st.Reserved+st.Rejected)/p.duration.Seconds(), drains.Load(), probes.Load())
	t.Log(line)
	fmt.Println(line)
}

// loopDrain repeats one drain until stop; a community-level error (for
// example a reconcile refused above its bound) fails the test.
func loopDrain(t *testing.T, ctx context.Context, store *gateway.Store, req gateway.DrainRequest, stop *atomic.Bool, n *atomic.Int64) {
	for !stop.Load() {
		res, err := store.Drain(ctx, req)
		if err != nil {
			t.Errorf("%s drain: %v", req.Mode, err)
			return
		}
		for _, cd := range res.Communities {
			if cd.Error != "" {
				t.Errorf("%s drain of %s: %s", req.Mode, cd.Community, cd.Error)
				return
			}
		}
		n.Add(1)
	}
}

// loopProbe checks reserved >= owed in every community until stop.
func loopProbe(t *testing.T, ctx context.Context, store *gateway.Store, communities []string, stop *atomic.Bool, n *atomic.Int64) {
	for !stop.Load() {
		for _, c := range communities {
			reserved, owed, err := probeAccounting(ctx, store, c)
			if err != nil {
				t.Errorf("probe %s: %v", c, err)
				return
			}
			if reserved < owed {
				t.Errorf("%s: reserved %d is below the %d its live reservations still owe", c, reserved, owed)
				return
			}
		}
		n.Add(1)
		time.Sleep(5 * time.Millisecond)
	}
}
