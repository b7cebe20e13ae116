package gateway

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gatewayops/internal/testclock"
)

// TestDrainSurvivesRedisKilledMidDrain SIGKILLs redis-server while a drain is
// working through its batches, restarts it from its append-only file (fsync
// on every write, so whatever Redis acknowledged survives the crash), drains
// again and reconciles. Every stale estimate must leave reserved exactly once
// (a batch replayed from the AOF or re-run after the restart must not reclaim
// again) and reserved must end equal to the live estimates.
func TestDrainSurvivesRedisKilledMidDrain(t *testing.T) {
	srv, rdb := newFixtureWithArgs(t, "--appendonly", "yes", "--appendfsync", "everysec")
	clock := testclock.New(base)
	f := &fixture{srv: srv, rdb: rdb, clock: clock, ctx: context.Background(),
		store: NewStore(rdb, StoreOptions{Now: clock.Now})}
	f.setLimit(t, "c1", 1_000_000_000)

	const stale, live, orphanEvery = 1500, 40, 5
	var claimable, orphaned, liveCents, maxEstimate int64
	f.clock.Set(base.Add(-5*time.Minute - 30*time.Second)) // expired 30 s ago, inside the hash's lifetime
	for i := range stale {
		cents := int64(1 + i%97)
		key := fmt.Sprint("s", i)
		f.reserve(t, "c1", "u", key, cents)
		maxEstimate = max(maxEstimate, cents)
		if i%orphanEvery == 0 {
			f.expireHash(t, "c1", "u", key)
			orphaned += cents
		} else {
			claimable += cents
		}
	}
	f.clock.Set(base)
	for i := range live {
		cents := int64(1000 + i)
		f.reserve(t, "c1", "u", fmt.Sprint("l", i), cents)
		liveCents += cents
	}
	// Preloading was fast; from now on every acknowledged write is on disk.
	if err := rdb.ConfigSet(f.ctx, "appendfsync", "always").Err(); err != nil {
		t.Fatal(err)
	}
	reserved := ReservedKey("c1", "2026-03")
	expiry := ExpiryKey("c1", "2026-03")
	if got := f.getInt(t, reserved); got != claimable+orphaned+liveCents {
		t.Fatalf("preloaded reserved %d, want %d", got, claimable+orphaned+liveCents)
	}

	first := drainUntilKilled(t, f, expiry, stale+live-stale/3)
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	left := rdb.ZCard(f.ctx, expiry).Val()
	if left <= live || left >= stale+live {
		t.Fatalf("after restart the expiry set holds %d members: the AOF lost or replayed the drain's progress", left)
	}

	second, err := f.store.Drain(f.ctx, DrainRequest{Mode: DrainReap, BatchSize: 50})
	if err != nil || second.Communities[0].Error != "" {
		t.Fatalf("drain after restart: %v %+v", err, second)
	}
	// Reap alone: reserved drops by exactly the claimable estimates, once
	// each; the orphans' estimates stay leaked until reconcile.
	if got := f.getInt(t, reserved); got != liveCents+orphaned {
		t.Fatalf("after reap reserved = %d, want live %d + orphaned %d: an estimate was reclaimed twice or never",
			got, liveCents, orphaned)
	}
	reported := first.ReclaimedCents + second.ReclaimedCents
	// A batch Redis applied but whose reply died with it is not in first's
	// report; a live drain keeps a second batch queued beside the running
	// one, so with BatchSize 1 that is at most two estimates.
	if reported > claimable || reported < claimable-2*maxEstimate {
		t.Fatalf("drains reported %d + %d reclaimed, want %d (at most two lost replies of <= %d)",
			first.ReclaimedCents, second.ReclaimedCents, claimable, maxEstimate)
	}

	rec, err := f.store.Drain(f.ctx, DrainRequest{Mode: DrainReconcile})
	if err != nil || !rec.Communities[0].Reconciled {
		t.Fatalf("reconcile: %v %+v", err, rec)
	}
	if got := f.getInt(t, reserved); got != liveCents || rec.ReconcileDeltaCents != -orphaned {
		t.Fatalf("after reconcile reserved = %d (delta %d), want the live %d (delta %d)",
			got, rec.ReconcileDeltaCents, liveCents, -orphaned)
	}
	if n := rdb.ZCard(f.ctx, expiry).Val(); n != live {
		t.Fatalf("expiry set holds %d members, want only the %d live ones", n, live)
	}
}

// drainUntilKilled runs a drain of one-member batches and SIGKILLs Redis once
// the expiry set has shrunk below killBelow; it returns the drain's report,
// insisting the drain really was cut short by the kill.
func drainUntilKilled(t *testing.T, f *fixture, expiry string, killBelow int) DrainResult {
	t.Helper()
	probe := f.srv.Client()
	defer probe.Close()
	done := make(chan DrainResult, 1)
	go func() {
		res, err := f.store.Drain(f.ctx, DrainRequest{Mode: DrainReap, BatchSize: 1})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	deadline := time.Now().Add(30 * time.Second)
	for probe.ZCard(f.ctx, expiry).Val() >= int64(killBelow) {
		if time.Now().After(deadline) {
			t.Fatal("the drain made no progress")
		}
		time.Sleep(time.Millisecond)
	}
	f.srv.Kill()
	res := <-done
	if len(res.Communities) != 1 || res.Communities[0].Error == "" {
		t.Fatalf("the drain finished before the kill, so nothing was tested: %+v", res)
	}
	return res
}
