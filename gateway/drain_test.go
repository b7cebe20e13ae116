package gateway

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// staleScene builds, in community c1 (March), as the gateway leaves it: 2
// reservations expired 30 s ago whose hash still exists (100 + 200 cents), 2
// orphans expired 5 minutes ago whose hash has expired (400 + 800 cents,
// leaked into reserved) and 1 live reservation (1600).
func staleScene(t *testing.T) *fixture {
	f := newFixture(t)
	f.setLimit(t, "c1", 1_000_000)
	f.clock.Set(base.Add(-5*time.Minute - 30*time.Second))
	f.reserve(t, "c1", "u1", "exp1", 100)
	f.reserve(t, "c1", "u2", "exp2", 200)
	f.clock.Set(base.Add(-10 * time.Minute))
	f.reserve(t, "c1", "u1", "orph1", 400)
	f.reserve(t, "c1", "u3", "orph2", 800)
	f.expireHash(t, "c1", "u1", "orph1")
	f.expireHash(t, "c1", "u3", "orph2")
	f.clock.Set(base)
	f.reserve(t, "c1", "u1", "live", 1600)
	return f
}

func TestDrainReapClaimsExpiredAndRemovesOrphans(t *testing.T) {
	f := staleScene(t)
	res, err := f.store.Drain(f.ctx, DrainRequest{Mode: DrainReap})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Communities) != 1 {
		t.Fatalf("communities %+v", res.Communities)
	}
	cd := res.Communities[0]
	sort.Strings(cd.OrphanSample)
	want := CommunityDrain{Community: "c1", Month: "2026-03", Claimed: 2, ReclaimedCents: 300, Orphans: 2,
		OrphanSample: []string{"u1:orph1", "u3:orph2"}, ReservedBeforeCents: 3100, ReservedAfterCents: 2800}
	if !reflect.DeepEqual(cd, want) {
		t.Fatalf("drain\n got %+v\nwant %+v", cd, want)
	}
	if res.Claimed != 2 || res.ReclaimedCents != 300 || res.Orphans != 2 || res.Batches != 1 || res.OlderThan != "5m" {
		t.Fatalf("totals %+v", res)
	}
	if m := f.rdb.ZRange(f.ctx, ExpiryKey("c1", "2026-03"), 0, -1).Val(); !reflect.DeepEqual(m, []string{"u1:live"}) {
		t.Fatalf("expiry members left %v", m)
	}
	if f.rdb.Exists(f.ctx, ReservationKey("c1", "u1", "exp1"), ReservationKey("c1", "u2", "exp2")).Val() != 0 {
		t.Fatal("claimed hashes still exist")
	}
	again, _ := f.store.Drain(f.ctx, DrainRequest{})
	if again.Claimed != 0 || again.Orphans != 0 || again.ReclaimedCents != 0 {
		t.Fatalf("second drain found work: %+v", again)
	}
}

func TestDrainReconcileFixesTheLeak(t *testing.T) {
	f := staleScene(t)
	res, err := f.store.Drain(f.ctx, DrainRequest{Mode: DrainReconcile, Community: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	cd := res.Communities[0]
	// reap releases 300 (3100 -> 2800); reconcile releases the 1200 leaked by the orphans.
	if cd.ReservedBeforeCents != 3100 || cd.ReclaimedCents != 300 || !cd.Reconciled ||
		cd.ReconcileDeltaCents != -1200 || cd.ReservedAfterCents != 1600 || cd.Error != "" {
		t.Fatalf("reconcile %+v", cd)
	}
	if r := f.getInt(t, ReservedKey("c1", "2026-03")); r != 1600 {
		t.Fatalf("reserved %d, want 1600 = the live estimate", r)
	}
	if res.Batches != 2 || res.ReconcileDeltaCents != -1200 {
		t.Fatalf("batches %d delta %d, want 1 drain batch + 1 reconcile call", res.Batches, res.ReconcileDeltaCents)
	}
	// The budget is usable again: the freed cents are reservable.
	sum, _ := f.store.ReservationSummary(f.ctx, "c1", 0)
	if sum.Communities[0].DriftCents != 0 {
		t.Fatalf("drift after reconcile %+v", sum.Communities[0])
	}
}

func TestDrainReconcileZeroesACounterWithoutExpirySet(t *testing.T) {
	f := newFixture(t)
	f.rdb.Set(f.ctx, ReservedKey("c9", "2026-03"), 4200, 0) // leaked counter, every member long gone
	res, err := f.store.Drain(f.ctx, DrainRequest{Mode: DrainReconcile})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Communities) != 1 || res.Communities[0].ReconcileDeltaCents != -4200 || f.getInt(t, ReservedKey("c9", "2026-03")) != 0 {
		t.Fatalf("reconcile %+v", res.Communities)
	}
}

func TestDrainPreviousMonthAgainstItsOwnCounter(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 1_000_000)
	// Reserved in February's last minutes and drained 4 minutes into March,
	// while feb1's hash still lives (it expires 60 s after the reservation).
	f.clock.Set(time.Date(2026, 2, 28, 23, 58, 30, 0, time.UTC))
	f.reserve(t, "c1", "u1", "feb1", 250)
	f.reserve(t, "c1", "u1", "feb2", 750)
	f.expireHash(t, "c1", "u1", "feb2")
	f.clock.Set(time.Date(2026, 3, 1, 0, 4, 0, 0, time.UTC))
	f.reserve(t, "c1", "u1", "mar1", 10)
	res, err := f.store.Drain(f.ctx, DrainRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Communities) != 2 {
		t.Fatalf("want February and March entries, got %+v", res.Communities)
	}
	feb, mar := res.Communities[0], res.Communities[1]
	if feb.Month != "2026-02" || feb.Claimed != 1 || feb.ReclaimedCents != 250 || feb.Orphans != 1 ||
		feb.ReservedBeforeCents != 1000 || feb.ReservedAfterCents != 750 {
		t.Fatalf("february %+v", feb)
	}
	if mar.Month != "2026-03" || mar.Claimed != 0 || mar.Orphans != 0 || mar.ReservedAfterCents != 10 {
		t.Fatalf("march %+v", mar)
	}
	if f.rdb.Exists(f.ctx, ExpiryKey("c1", "2026-02")).Val() != 0 {
		t.Fatal("february expiry set not emptied")
	}
}

func TestDrainOlderThanSparesYoungerExpired(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 1_000_000)
	// Aged 5.5 minutes (its hash lives 30 s more) and 20 minutes (an orphan:
	// its hash expired 14 minutes ago).
	f.clock.Set(base.Add(-5*time.Minute - 30*time.Second))
	f.reserve(t, "c1", "u1", "young", 70)
	f.clock.Set(base.Add(-20 * time.Minute))
	f.reserve(t, "c1", "u1", "twenty", 200)
	f.expireHash(t, "c1", "u1", "twenty")
	f.clock.Set(base)
	res, _ := f.store.Drain(f.ctx, DrainRequest{OlderThan: "10m"})
	if res.Claimed != 0 || res.Orphans != 1 || f.rdb.ZScore(f.ctx, ExpiryKey("c1", "2026-03"), "u1:young").Err() != nil {
		t.Fatalf("olderThan 10m: %+v; want the 20-minute orphan removed and the younger member kept", res)
	}
	res, _ = f.store.Drain(f.ctx, DrainRequest{OlderThan: "5m"})
	if res.Claimed != 1 || res.ReclaimedCents != 70 {
		t.Fatalf("olderThan 5m: %+v", res)
	}
}

// StaleAsOfMs moves the instant staleness is judged at back, never forward:
// a verify of an earlier drain sees only what that drain was asked to take,
// and an instant later than now (another server's clock ahead) is now, so
// an in-flight reservation is never selected.
func TestDrainJudgesStalenessAsOfTheInstantItIsGivenButNeverLater(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 1_000_000)
	f.clock.Set(base.Add(-5*time.Minute - 30*time.Second)) // expired 30 s before base
	f.reserve(t, "c1", "u1", "old", 70)
	f.clock.Set(base.Add(-4 * time.Minute)) // in flight at base, expires a minute after it
	f.reserve(t, "c1", "u1", "inflight", 40)
	f.clock.Set(base)
	asOf := func(at time.Time) DrainRequest {
		return DrainRequest{DryRun: true, StaleAsOfMs: at.UnixMilli()}
	}
	for _, c := range []struct {
		name    string
		req     DrainRequest
		claimed int
		asOf    time.Time
	}{
		{"now", DrainRequest{DryRun: true}, 1, base},
		{"before the old one expired", asOf(base.Add(-time.Minute)), 0, base.Add(-time.Minute)},
		{"an hour ahead", asOf(base.Add(time.Hour)), 1, base},
	} {
		res, err := f.store.Drain(f.ctx, c.req)
		if err != nil || res.Claimed != c.claimed || res.StaleAsOfMs != c.asOf.UnixMilli() {
			t.Errorf("%s: claimed %d as of %d (%v), want %d as of %d", c.name, res.Claimed, res.StaleAsOfMs, err, c.claimed, c.asOf.UnixMilli())
		}
	}
}

// allKeys snapshots every key with its content (SCAN, bounded by the test's size).
func allKeys(t *testing.T, f *fixture) map[string]any {
	t.Helper()
	keys, _, err := NewInspector(f.rdb).ScanKeys(f.ctx, "*", MaxScanKeys)
	if err != nil {
		t.Fatal(err)
	}
	return f.keyState(t, keys...)
}

func TestDrainDryRunChangesNothingAndPredictsTheRun(t *testing.T) {
	for _, mode := range []string{DrainReap, DrainReconcile} {
		t.Run(mode, func(t *testing.T) {
			f := staleScene(t)
			before := allKeys(t, f)
			dry, err := f.store.Drain(f.ctx, DrainRequest{Mode: mode, DryRun: true, BatchSize: 1})
			if err != nil {
				t.Fatal(err)
			}
			if after := allKeys(t, f); !reflect.DeepEqual(before, after) {
				t.Fatalf("dry run changed Redis:\nbefore %v\nafter  %v", before, after)
			}
			// The two orphans past their hash's lifetime go in one call (by
			// rank, up to 4 x batchSize) with the first claimable one; the
			// second call reads the other and sees nothing left at or below
			// the cutoff (reconcile's own call counts as one more).
			want := 2
			if mode == DrainReconcile {
				want++
			}
			if !dry.DryRun || dry.Batches != want {
				t.Fatalf("dry run with batchSize 1 over 4 stale members made %d batches, want %d", dry.Batches, want)
			}
			real, err := f.store.Drain(f.ctx, DrainRequest{Mode: mode})
			if err != nil {
				t.Fatal(err)
			}
			dc, rc := dry.Communities[0], real.Communities[0]
			sort.Strings(dc.OrphanSample)
			sort.Strings(rc.OrphanSample)
			if !reflect.DeepEqual(dc, rc) {
				t.Fatalf("dry run predicted\n%+v\nthe run did\n%+v", dc, rc)
			}
		})
	}
}

func TestDrainIsBoundedByBatchSize(t *testing.T) {
	f := newFixture(t)
	total := f.reserveExpired(t, "big", 2500, func(i int) int64 { return int64(i%7 + 1) }) // every hash is read
	// Batches are counted here, so no batch may stop early on the clock.
	f.store = NewStore(f.rdb, StoreOptions{Now: f.clock.Now, DrainBatchBudget: time.Hour})
	f.rdb.ConfigResetStat(f.ctx)
	res, err := f.store.Drain(f.ctx, DrainRequest{BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	// 25 full batches of 100; the last sees nothing left at or below the
	// cutoff, so no empty batch follows.
	if res.Batches != 25 || res.Claimed != 2500 || res.ReclaimedCents != total || res.Orphans != 0 {
		t.Fatalf("drain %+v, want 25 batches, 2500 claimed, %d cents", res, total)
	}
	if r := f.getInt(t, ReservedKey("big", "2026-03")); r != 0 {
		t.Fatalf("reserved %d after draining everything", r)
	}
	stats := f.rdb.Info(f.ctx, "commandstats").Val()
	if !strings.Contains(stats, "cmdstat_evalsha:calls=25,") {
		t.Fatalf("want exactly 25 script calls, commandstats:\n%s", stats)
	}
}

func TestDrainRejectsBadRequestsAndChangesNothing(t *testing.T) {
	f := staleScene(t)
	before := allKeys(t, f)
	cases := []struct {
		req   DrainRequest
		field string
		text  string
	}{
		{DrainRequest{OlderThan: "4m59s"}, "olderThan", "in-flight reservations are never drained"},
		{DrainRequest{OlderThan: "five minutes"}, "olderThan", "Go duration"},
		{DrainRequest{Mode: "purge"}, "mode", "reap, reconcile"},
		{DrainRequest{BatchSize: 1001}, "batchSize", "1..1000"},
		{DrainRequest{BatchSize: -1}, "batchSize", "1..1000"},
		{DrainRequest{Community: "c1*"}, "community", "not a valid id"},
		{DrainRequest{StaleAsOfMs: -1}, "staleAsOfMs", "not a Unix time in milliseconds"},
	}
	for _, c := range cases {
		_, err := f.store.Drain(f.ctx, c.req)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != c.field || !strings.Contains(ve.Message, c.text) {
			t.Errorf("%+v: got %v, want %s error mentioning %q", c.req, err, c.field, c.text)
		}
	}
	if after := allKeys(t, f); !reflect.DeepEqual(before, after) {
		t.Fatal("a rejected drain changed Redis")
	}
}

func TestDrainReconcileRefusesAboveItsBound(t *testing.T) {
	f := staleScene(t)
	// batchSize 1 allows 4 live members; add 4 more to the 1 live one.
	for i := range 4 {
		f.reserve(t, "c1", "u9", fmt.Sprint("extra", i), 1)
	}
	res, err := f.store.Drain(f.ctx, DrainRequest{Mode: DrainReconcile, BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	cd := res.Communities[0]
	if cd.Reconciled || !strings.Contains(cd.Error, "5 live reservations exceed the bound of 4") {
		t.Fatalf("want a refusal, got %+v", cd)
	}
	if cd.Claimed != 2 || f.getInt(t, ReservedKey("c1", "2026-03")) != 2804 {
		t.Fatalf("the reap part must still run: %+v reserved %d", cd, f.getInt(t, ReservedKey("c1", "2026-03")))
	}
}

// TestDrainRacingFinalizeNeverDoubleCounts finalizes every stale reservation
// while drains run: each estimate must leave reserved exactly once.
func TestDrainRacingFinalizeNeverDoubleCounts(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 1_000_000_000)
	const n = 400
	f.clock.Set(base.Add(-10 * time.Minute))
	for i := range n {
		f.reserve(t, "c1", "u", fmt.Sprint("k", i), 10)
	}
	f.clock.Set(base)
	f.reserve(t, "c1", "u", "live", 5000) // a double reclaim would eat into this
	var wg sync.WaitGroup
	var drained int64
	var finalizedEstimates int64
	var mu sync.Mutex
	wg.Add(2)
	go func() {
		defer wg.Done()
		for range 20 {
			res, err := f.store.Drain(f.ctx, DrainRequest{BatchSize: 7})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			drained += res.ReclaimedCents
			mu.Unlock()
		}
	}()
	go func() {
		defer wg.Done()
		for i := range n {
			res, err := f.store.Finalize(f.ctx, "c1", "u", fmt.Sprint("k", i), 3)
			if err != nil {
				t.Error(err)
				return
			}
			if res.Status == StatusFinalized {
				mu.Lock()
				finalizedEstimates += 10
				mu.Unlock()
			}
		}
	}()
	wg.Wait()
	if drained+finalizedEstimates != n*10 {
		t.Fatalf("drain reclaimed %d + finalize released %d != %d", drained, finalizedEstimates, n*10)
	}
	if r := f.getInt(t, ReservedKey("c1", "2026-03")); r != 5000 {
		t.Fatalf("reserved %d, want exactly the live 5000", r)
	}
	if c := f.getInt(t, CommittedKey("c1", "2026-03")); c != n*3 {
		t.Fatalf("committed %d, want %d", c, n*3)
	}
}

func TestDrainReportsRedisOutage(t *testing.T) {
	f := staleScene(t)
	f.srv.Kill()
	_, err := f.store.Drain(f.ctx, DrainRequest{})
	var ve *ValidationError
	if err == nil || errors.As(err, &ve) {
		t.Fatalf("drain against a dead Redis: %v", err)
	}
	if err := f.srv.Restart(); err != nil {
		t.Fatal(err)
	}
}

// TestDrainRemovesMembersPastTheHashLifetimeWithoutReadingThem: 1,001
// members expired 10 minutes ago (their hashes expired 9 minutes ago) go by
// rank, 4 x batchSize a call, without one hash read; the 3 expired 30 s ago
// are read and claimed. One old member's hash was made to outlive it (no
// gateway does: PERSIST by hand); it counts as an orphan and is left alone.
func TestDrainRemovesMembersPastTheHashLifetimeWithoutReadingThem(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 1_000_000_000)
	f.clock.Set(base.Add(-10 * time.Minute))
	var orphaned int64
	for i := range 1001 {
		f.reserve(t, "c1", "u", fmt.Sprint("old", i), 3)
		orphaned += 3
		if i != 500 {
			f.expireHash(t, "c1", "u", fmt.Sprint("old", i))
		}
	}
	f.clock.Set(base.Add(-5*time.Minute - 30*time.Second))
	for i := range 3 {
		f.reserve(t, "c1", "u", fmt.Sprint("new", i), 100)
	}
	f.clock.Set(base)
	kept := ReservationKey("c1", "u", "old500")
	f.rdb.Persist(f.ctx, kept)
	before := allKeys(t, f)
	dry, err := f.store.Drain(f.ctx, DrainRequest{BatchSize: 100, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, allKeys(t, f)) {
		t.Fatal("the dry run changed Redis")
	}
	f.rdb.ConfigResetStat(f.ctx)
	res, err := f.store.Drain(f.ctx, DrainRequest{BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	cd := res.Communities[0]
	if cd.Claimed != 3 || cd.ReclaimedCents != 300 || cd.Orphans != 1001 || res.Batches != 3 || len(cd.OrphanSample) != maxOrphanSample {
		t.Fatalf("drain %+v %+v; want 3 claimed (300 cents), 1001 orphans in 3 batches (400, 400, 201 + 3 read)", res, cd)
	}
	dc := dry.Communities[0]
	dc.ReservedAfterCents = cd.ReservedAfterCents // a dry run predicts reserved after as before - reclaimed
	if !reflect.DeepEqual(dc, cd) || dry.Batches != res.Batches {
		t.Fatalf("dry run predicted\n%+v (%d batches)\nthe run did\n%+v (%d batches)", dc, dry.Batches, cd, res.Batches)
	}
	stats := f.rdb.Info(f.ctx, "commandstats").Val()
	if !strings.Contains(stats, "cmdstat_hget:calls=3,") || strings.Contains(stats, "cmdstat_hmget") {
		t.Fatalf("want exactly 3 hash reads, one HGET each (the members inside the hash's lifetime, in the current month), commandstats:\n%s", stats)
	}
	if f.rdb.Exists(f.ctx, kept).Val() != 1 || f.rdb.ZCard(f.ctx, ExpiryKey("c1", "2026-03")).Val() != 0 {
		t.Fatal("the hash that outlived its member must be left alone, and every member removed")
	}
	if got := f.getInt(t, ReservedKey("c1", "2026-03")); got != orphaned {
		t.Fatalf("reserved %d, want the orphans' %d leaked until reconcile", got, orphaned)
	}
}

// TestDrainStopsAtAReservedCounterThatIsNotAnInteger: the batch script reads
// the counter first and changes nothing when it is not an integer.
func TestDrainStopsAtAReservedCounterThatIsNotAnInteger(t *testing.T) {
	f := staleScene(t)
	f.rdb.Set(f.ctx, ReservedKey("c1", "2026-03"), "12abc", 0)
	before := allKeys(t, f)
	res, err := f.store.Drain(f.ctx, DrainRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if e := res.Communities[0].Error; !strings.Contains(e, `holds "12abc", not an integer`) {
		t.Fatalf("error %q", e)
	}
	after := allKeys(t, f)
	for k := range after {
		if strings.HasPrefix(k, OnceKeyPrefix) {
			delete(after, k) // the once-script's stored reply (once.go), not data
		}
	}
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("the drain changed Redis:\nbefore %v\nafter  %v", before, after)
	}
}

// TestDrainTimeBoxesTheRemovalByRank: with no time budget left after the
// first chunk, a batch removes one chunk of 512 members past their hash's
// lifetime and returns, so even the cheap removal never blocks Redis long.
func TestDrainTimeBoxesTheRemovalByRank(t *testing.T) {
	f := newFixture(t)
	month := "2026-03"
	pipe := f.rdb.Pipeline()
	for i := range 1100 {
		pipe.ZAdd(f.ctx, ExpiryKey("c1", month), redis.Z{Score: float64(base.Add(-time.Hour).UnixMilli() + int64(i)), Member: fmt.Sprint("u:old", i)})
	}
	if _, err := pipe.Exec(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.store = NewStore(f.rdb, StoreOptions{Now: f.clock.Now, DrainBatchBudget: time.Nanosecond})
	res, err := f.store.Drain(f.ctx, DrainRequest{BatchSize: 1000, Community: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	// 512 + 512 + 76, each call stopped by the clock after its first chunk.
	if res.Orphans != 1100 || res.Batches != 3 {
		t.Fatalf("drain %+v: want 1100 orphans in 3 batches", res)
	}
}
