package gateway

import (
	"fmt"
	"testing"
	"time"
)

// TestDrainBatchStopsOnItsTimeBudget: with a budget that is always spent,
// every batch returns after its first 64-member chunk, and the drain still
// claims everything, exactly once.
func TestDrainBatchStopsOnItsTimeBudget(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 1_000_000)
	f.clock.Set(base.Add(-5*time.Minute - 30*time.Second))
	for i := range 200 {
		f.reserve(t, "c1", "u", fmt.Sprint("k", i), 3)
	}
	f.clock.Set(base)
	f.store = NewStore(f.rdb, StoreOptions{Now: f.clock.Now, DrainBatchBudget: time.Nanosecond})
	for _, dry := range []bool{true, false} {
		res, err := f.store.Drain(f.ctx, DrainRequest{BatchSize: 500, DryRun: dry, Community: "c1"})
		if err != nil {
			t.Fatal(err)
		}
		// 64 + 64 + 64 + 8: the last chunk is short, so that batch is done.
		if res.Batches != 4 || res.Claimed != 200 || res.ReclaimedCents != 600 || res.Orphans != 0 {
			t.Fatalf("dry run %t: %+v; want 4 batches claiming 200 (600 cents)", dry, res)
		}
	}
	if r := f.getInt(t, ReservedKey("c1", "2026-03")); r != 0 {
		t.Fatalf("reserved %d after the drain", r)
	}
}
