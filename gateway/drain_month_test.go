package gateway

import (
	"strings"
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
	// November's member (score 00:03) is stale and inside the hash window (so its
	// hash is read, not removed by rank), December's (00:06) is live.
	f.clock.Set(monthEdge.Add(6 * time.Minute))

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
	f.clock.Set(monthEdge.Add(6 * time.Minute)) // November's member is read, as above
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

// TestOwnMonthAtLeavesTheMonthsEdges: the current month's set is drained
// without the ownership check only away from the month's first and last
// monthEdgeMargin (decisions.md 185).
func TestOwnMonthAtLeavesTheMonthsEdges(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 12, 15, 12, 0, 0, 0, time.UTC), "2026-12"},
		{time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), "2026-12"},
		{time.Date(2026, 12, 1, 0, 59, 0, 0, time.UTC), ""},
		{time.Date(2026, 12, 31, 22, 59, 0, 0, time.UTC), "2026-12"},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC), ""},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), ""},
		{time.Date(2026, 12, 15, 12, 0, 0, 0, time.FixedZone("UTC+14", 14*3600)), "2026-12"}, // months are UTC's
	} {
		if got := ownMonthAt(c.at); got != c.want {
			t.Errorf("ownMonthAt(%s) = %q, want %q", c.at, got, c.want)
		}
	}
}

// TestDrainChecksTheCurrentMonthsOwnershipOnlyNearItsEdges: mid-month a
// current-month member's hash is its own (every reserve of that name in the
// month rewrites the member's score), so the drain claims it with one HGET,
// even when its created_at_ms was altered by hand; in the month's first and
// last hour, where a gateway task with a skewed clock may write the
// neighbouring month, the same hash is compared (HMGET) and left alone.
func TestDrainChecksTheCurrentMonthsOwnershipOnlyNearItsEdges(t *testing.T) {
	for _, c := range []struct {
		name    string
		reserve time.Time
		claimed bool
	}{
		{"mid-month", time.Date(2026, 12, 15, 12, 0, 0, 0, time.UTC), true},
		{"first hour", time.Date(2026, 12, 1, 0, 1, 0, 0, time.UTC), false},
		{"last hour", time.Date(2026, 12, 31, 23, 40, 0, 0, time.UTC), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.setLimit(t, "c1", 1_000_000)
			f.clock.Set(c.reserve)
			f.reserve(t, "c1", "u1", "k1", 40)
			key := ReservationKey("c1", "u1", "k1")
			if err := f.rdb.HSet(f.ctx, key, "created_at_ms", 1).Err(); err != nil {
				t.Fatal(err)
			}
			f.clock.Set(c.reserve.Add(6 * time.Minute)) // stale, inside the hash window
			f.rdb.ConfigResetStat(f.ctx)
			res, err := f.store.Drain(f.ctx, DrainRequest{Community: "c1"})
			if err != nil {
				t.Fatal(err)
			}
			stats := f.rdb.Info(f.ctx, "commandstats").Val()
			kept := f.rdb.Exists(f.ctx, key).Val() == 1
			if c.claimed {
				if res.Claimed != 1 || res.ReclaimedCents != 40 || kept || !strings.Contains(stats, "cmdstat_hget:calls=1,") ||
					strings.Contains(stats, "cmdstat_hmget") {
					t.Fatalf("want the hash claimed with one HGET: %+v, hash kept %t\n%s", res, kept, stats)
				}
				return
			}
			if res.Claimed != 0 || res.Orphans != 1 || !kept || !strings.Contains(stats, "cmdstat_hmget:calls=1,") {
				t.Fatalf("want the hash compared (one HMGET) and left alone: %+v, hash kept %t\n%s", res, kept, stats)
			}
		})
	}
}
