package gateway

import (
	"testing"
	"time"
)

// TestDrainBatchStopsOnItsTimeBudget: with a budget that is always spent,
// every batch returns after its first 16 members, and the drain still
// claims everything, exactly once (a live drain's queued batches too: one is
// sent beside the running one only while more is left than a batch reads).
func TestDrainBatchStopsOnItsTimeBudget(t *testing.T) {
	f := newFixture(t)
	f.reserveExpired(t, "c1", 200, func(int) int64 { return 3 })
	f.store = NewStore(f.rdb, StoreOptions{Now: f.clock.Now, DrainBatchBudget: time.Nanosecond})
	for _, dry := range []bool{true, false} {
		res, err := f.store.Drain(f.ctx, DrainRequest{BatchSize: 500, DryRun: dry, Community: "c1"})
		if err != nil {
			t.Fatal(err)
		}
		// 12 x 16 + 8: the last chunk is short, so that batch is done.
		if res.Batches != 13 || res.Claimed != 200 || res.ReclaimedCents != 600 || res.Orphans != 0 {
			t.Fatalf("dry run %t: %+v; want 13 batches claiming 200 (600 cents)", dry, res)
		}
	}
	if r := f.getInt(t, ReservedKey("c1", "2026-03")); r != 0 {
		t.Fatalf("reserved %d after the drain", r)
	}
}
