package gateway

import (
	"testing"
	"time"
)

// monthEdge is two minutes before the end of November 2026 (UTC).
var monthEdge = time.Date(2026, 11, 30, 23, 58, 0, 0, time.UTC)

// TestDrainPreviousMonthSparesTheLiveHashOfTheSameKey makes the month
// collision on purpose: a November reservation leaks (its hash expires, its
// member stays in November's expiry set), then the same user and
// idempotency key reserve again in December. The reservation hash has no
// month in its name, so November's stale member names December's live hash.
// Draining must count November's member as an orphan and leave the live
// hash, December's reserved and the gateway's finalize alone.
func TestDrainPreviousMonthSparesTheLiveHashOfTheSameKey(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 1_000_000)
	f.clock.Set(monthEdge)
	f.reserve(t, "c1", "u1", "k1", 40)
	f.expireHash(t, "c1", "u1", "k1") // the 360 s hash TTL, which a test cannot wait for
	f.clock.Set(monthEdge.Add(3 * time.Minute))
	f.reserve(t, "c1", "u1", "k1", 25)
	f.clock.Set(monthEdge.Add(7 * time.Minute)) // November's member is stale, December's is live

	res, err := f.store.Drain(f.ctx, DrainRequest{Mode: DrainReap})
	if err != nil {
		t.Fatal(err)
	}
	if res.Claimed != 0 || res.ReclaimedCents != 0 || res.Orphans != 1 {
		t.Fatalf("drain claimed %d (%d cents), %d orphans; want 0, 0 and November's member as the one orphan: %+v",
			res.Claimed, res.ReclaimedCents, res.Orphans, res)
	}
	if n := f.rdb.Exists(f.ctx, ReservationKey("c1", "u1", "k1")).Val(); n != 1 {
		t.Fatal("the drain of November destroyed December's live reservation hash")
	}
	if got := f.getInt(t, ReservedKey("c1", "2026-12")); got != 25 {
		t.Fatalf("December reserved = %d, want 25", got)
	}
	if n := f.rdb.ZCard(f.ctx, ExpiryKey("c1", "2026-11")).Val(); n != 0 {
		t.Fatalf("November's expiry set still holds %d members", n)
	}
	fin, err := f.store.Finalize(f.ctx, "c1", "u1", "k1", 20)
	if err != nil || fin.Status != StatusFinalized {
		t.Fatalf("finalize of the live December reservation: %+v %v (want FINALIZED)", fin, err)
	}
	if got := f.getInt(t, ReservedKey("c1", "2026-12")); got != 0 {
		t.Fatalf("December reserved after finalize = %d, want 0", got)
	}
}

// TestDrainDryRunPredictsTheMonthCollision: the dry run reports the same
// orphan and no claim, changing nothing.
func TestDrainDryRunPredictsTheMonthCollision(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 1_000_000)
	f.clock.Set(monthEdge)
	f.reserve(t, "c1", "u1", "k1", 40)
	f.expireHash(t, "c1", "u1", "k1")
	f.clock.Set(monthEdge.Add(3 * time.Minute))
	f.reserve(t, "c1", "u1", "k1", 25)
	f.clock.Set(monthEdge.Add(7 * time.Minute))
	dry, err := f.store.Drain(f.ctx, DrainRequest{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if dry.Claimed != 0 || dry.Orphans != 1 {
		t.Fatalf("dry run claimed %d, %d orphans; want 0 and 1", dry.Claimed, dry.Orphans)
	}
	if n := f.rdb.ZCard(f.ctx, ExpiryKey("c1", "2026-11")).Val(); n != 1 {
		t.Fatalf("dry run changed November's expiry set (%d members)", n)
	}
}

// TestReconcileCountsAHashOnlyInItsOwnMonth: a November reservation made in
// the last minutes of the month is finalized on December 1st (the gateway's
// finalize removes the member from the current month's set, so November's
// member stays), and the same key reserves again. Reconciling November must
// not count December's hash among November's live reservations.
func TestReconcileCountsAHashOnlyInItsOwnMonth(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 1_000_000)
	f.clock.Set(monthEdge.Add(time.Minute))
	f.reserve(t, "c1", "u1", "k1", 40)
	f.clock.Set(monthEdge.Add(2*time.Minute + 30*time.Second))
	if fin, err := f.store.Finalize(f.ctx, "c1", "u1", "k1", 40); err != nil || fin.Status != StatusFinalized {
		t.Fatalf("finalize: %+v %v", fin, err)
	}
	f.clock.Set(monthEdge.Add(3 * time.Minute))
	f.reserve(t, "c1", "u1", "k1", 25)
	f.clock.Set(monthEdge.Add(4 * time.Minute)) // November's member (score 00:04) is still "live"

	res, err := f.store.Drain(f.ctx, DrainRequest{Mode: DrainReconcile})
	if err != nil {
		t.Fatal(err)
	}
	for _, cd := range res.Communities {
		if cd.Error != "" {
			t.Fatalf("%s %s: %s", cd.Community, cd.Month, cd.Error)
		}
		want := map[string]int64{"2026-11": 0, "2026-12": 25}[cd.Month]
		if cd.ReservedAfterCents != want {
			t.Fatalf("%s reconciled to %d, want %d: a hash was counted in a month it does not belong to", cd.Month, cd.ReservedAfterCents, want)
		}
	}
	if got := f.getInt(t, ReservedKey("c1", "2026-11")); got != 0 {
		t.Fatalf("November reserved = %d, want 0", got)
	}
}
