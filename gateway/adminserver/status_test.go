package adminserver_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
	"gatewayops/gateway/admintest"
	"gatewayops/gateway/sim"
	"gatewayops/internal/testclock"
)

// statusCommands preloads n reservations (10 % stale) over three
// communities, lets the background summary run once, then counts the Redis
// commands one GET /status sends (INFO commandstats, which also counts the
// commands a script runs).
func statusCommands(t *testing.T, n int) (map[string]int64, gateway.Status, sim.PreloadStats) {
	t.Helper()
	clock := testclock.New(time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC))
	srv := admintest.Start(t, admintest.Options{Now: clock.Now,
		// Count only what status itself sends, not the per-key limiter's script.
		Config: func(c *adminserver.Config) { c.KeyLimitInProcess = true }})
	ctx := context.Background()
	s := sim.New(srv.Store, sim.Config{Communities: []string{"c1", "c2", "c3"}, Seed: 1})
	stats, err := s.Preload(ctx, n, 0.10)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Admin.RefreshSummary(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.RDB.ConfigResetStat(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	st, err := gateway.NewClient(srv.URL, gateway.ClientOptions{APIKey: admintest.Key}).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return commandCalls(t, srv.RDB), st, stats
}

// commandCalls reads INFO commandstats as command -> calls, leaving out
// the CONFIG RESETSTAT before and this INFO.
func commandCalls(t *testing.T, rdb *redis.Client) map[string]int64 {
	t.Helper()
	raw, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, line := range strings.Split(raw, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		name, isCmd := strings.CutPrefix(name, "cmdstat_")
		if !ok || !isCmd || name == "config|resetstat" || name == "info" {
			continue
		}
		calls, _, _ := strings.Cut(strings.TrimPrefix(rest, "calls="), ",")
		out[name], _ = strconv.ParseInt(calls, 10, 64)
	}
	return out
}

func TestStatusCostsTheSameRedisCommandsAtAnyReservationCount(t *testing.T) {
	small, stSmall, preSmall := statusCommands(t, 300)
	large, stLarge, preLarge := statusCommands(t, 6000)
	if len(small) == 0 {
		t.Fatal("no commands counted: the count is wrong")
	}
	for _, c := range []map[string]int64{small, large} {
		for name := range c {
			if name == "scan" || name == "keys" || strings.HasPrefix(name, "eval") || name == "hmget" || name == "hget" {
				t.Errorf("status sent %s: it must not walk keys or read hashes (%v)", name, c)
			}
		}
	}
	if len(small) != len(large) {
		t.Fatalf("commands per status: %v at 300 reservations, %v at 6,000", small, large)
	}
	for name, n := range small {
		if large[name] != n {
			t.Errorf("%s: %d calls at 300 reservations, %d at 6,000", name, n, large[name])
		}
	}
	for _, c := range []struct {
		st  gateway.Status
		pre sim.PreloadStats
	}{{stSmall, preSmall}, {stLarge, preLarge}} {
		r := c.st.Reservations
		if r.Communities != 3 || r.Live != c.pre.Live || r.Expired != c.pre.Expired || r.Orphaned != c.pre.Orphaned ||
			r.ReservedCents != c.pre.ReservedCents || r.KeysAsOf.IsZero() {
			t.Errorf("status counts %+v; the preload wrote %+v", r, c.pre)
		}
		if r.Summary == nil || r.Summary.Totals.Live != c.pre.Live || r.Summary.Totals.Orphaned != c.pre.Orphaned ||
			r.Summary.Totals.LiveEstimateCents == 0 || r.Summary.AgeMs != 0 {
			t.Errorf("background summary %+v; the preload wrote %+v", r.Summary, c.pre)
		}
	}
}

// TestDrainOfEveryCommunityUsesTheBackgroundIndex: plan, apply and verify of
// an all-community drain send no SCAN; the background round walked once.
func TestDrainOfEveryCommunityUsesTheBackgroundIndex(t *testing.T) {
	clock := testclock.New(time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC))
	srv := admintest.Start(t, admintest.Options{Now: clock.Now,
		// Count only what status itself sends, not the per-key limiter's script.
		Config: func(c *adminserver.Config) { c.KeyLimitInProcess = true }})
	ctx := context.Background()
	s := sim.New(srv.Store, sim.Config{Communities: []string{"c1", "c2"}, Seed: 1})
	pre, err := s.Preload(ctx, 2000, 0.10)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Admin.RefreshSummary(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.RDB.ConfigResetStat(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	c := gateway.NewClient(srv.URL, gateway.ClientOptions{APIKey: admintest.Key, Operator: "test"})
	var claimed []int
	for _, dry := range []bool{true, false, true} {
		res, err := c.Drain(ctx, gateway.DrainRequest{DryRun: dry}, gateway.NewIdempotencyKey())
		if err != nil {
			t.Fatal(err)
		}
		claimed = append(claimed, res.Claimed+res.Orphans)
	}
	if claimed[0] != pre.Expired+pre.Orphaned || claimed[1] != claimed[0] || claimed[2] != 0 {
		t.Fatalf("plan, apply, verify claimed %v; the preload left %d expired and %d orphans", claimed, pre.Expired, pre.Orphaned)
	}
	if n := commandCalls(t, srv.RDB)["scan"]; n != 0 {
		t.Fatalf("the drains sent %d SCANs; they must use the background index", n)
	}
}

// TestFirstStatusWaitsForDiscoveryNotTheSummary: the first GET /status
// waits for the background round's key discovery, not for its summary
// (at 10^6 reservations the summary's first fill took 4-6 s and the
// console's first status timed out). CLIENT PAUSE WRITE holds the summary's
// scripts (EVALSHA may write) and lets discovery's SCANs and status's reads
// through, so a status that waited for the summary cannot answer.
func TestFirstStatusWaitsForDiscoveryNotTheSummary(t *testing.T) {
	srv := admintest.Start(t, admintest.Options{Config: func(c *adminserver.Config) { c.KeyLimitInProcess = true }})
	ctx := context.Background()
	if _, err := sim.New(srv.Store, sim.Config{Communities: []string{"c1", "c2"}, Seed: 1}).Preload(ctx, 200, 0.10); err != nil {
		t.Fatal(err)
	}
	if err := srv.RDB.Do(ctx, "CLIENT", "PAUSE", 60000, "WRITE").Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.RDB.Do(context.Background(), "CLIENT", "UNPAUSE").Err() })
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second) // a bound on a hang, not a timing assertion
	defer cancel()
	st, err := gateway.NewClient(srv.URL, gateway.ClientOptions{APIKey: admintest.Key}).Status(ctx)
	if err != nil {
		t.Fatalf("the first status did not answer while the summary was held: %v", err)
	}
	if st.Reservations.Communities != 2 || st.Reservations.Live == 0 {
		t.Fatalf("the first status counts %+v; want the 2 communities and their live members", st.Reservations)
	}
	if st.Reservations.Summary != nil {
		t.Fatalf("the first status serves a summary (%+v) while the summary's first round is held", st.Reservations.Summary)
	}
}
