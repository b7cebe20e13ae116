package gateway

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// summaryScene is c1 as the gateway leaves it: two orphans whose hash
// expired 5 minutes ago, one 10-minute-old member whose hash "exists" (it
// cannot: the hash lives 60 s past expiry, so only a newer reservation of the
// same name could be there; it counts as an orphan), two expired 30 s ago
// with their hash (claimable), one expired 30 s ago whose hash is gone
// (finalize lost), one live.
func summaryScene(t *testing.T) *fixture {
	f := newFixture(t)
	f.setLimit(t, "c1", 1_000_000)
	f.clock.Set(base.Add(-10 * time.Minute))
	f.reserve(t, "c1", "u1", "orph1", 400)
	f.reserve(t, "c1", "u3", "orph2", 800)
	f.reserve(t, "c1", "u4", "zombie", 50)
	f.expireHash(t, "c1", "u1", "orph1")
	f.expireHash(t, "c1", "u3", "orph2")
	f.clock.Set(base.Add(-5*time.Minute - 30*time.Second))
	f.reserve(t, "c1", "u1", "exp1", 100)
	f.reserve(t, "c1", "u2", "exp2", 200)
	f.reserve(t, "c1", "u2", "gone", 1)
	f.expireHash(t, "c1", "u2", "gone")
	f.clock.Set(base)
	f.reserve(t, "c1", "u1", "live", 1600)
	return f
}

func TestReservationSummary(t *testing.T) {
	f := summaryScene(t)
	f.setLimit(t, "c2", 5000)
	f.clock.Set(time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC))
	f.reserve(t, "c2", "u1", "feb", 5)
	f.clock.Set(base)
	f.reserve(t, "c2", "u1", "now", 40)
	if _, err := f.store.Finalize(f.ctx, "c1", "u1", "live", 0); err != nil { // keep one finalize in the picture
		t.Fatal(err)
	}
	f.reserve(t, "c1", "u1", "live2", 1600)
	sum, err := f.store.ReservationSummary(f.ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Month != "2026-03" || len(sum.Communities) != 2 || sum.Truncated {
		t.Fatalf("summary %+v", sum)
	}
	c1 := sum.Communities[0]
	want := CommunityReservations{Community: "c1", Month: "2026-03", Live: 1, Expired: 2, Orphaned: 4,
		ReservedCents: 3151, LiveEstimateCents: 1600, ExpiredEstimateCents: 300, DriftCents: 1251,
		LimitCents: 1_000_000, OldestExpiredAgeMs: 10 * 60 * 1000}
	if c1 != want {
		t.Fatalf("c1\n got %+v\nwant %+v", c1, want)
	}
	c2 := sum.Communities[1]
	if c2.Live != 1 || c2.PreviousMonth != 1 || c2.ReservedCents != 40 || c2.DriftCents != 0 {
		t.Fatalf("c2 %+v", c2)
	}
	if sum.Totals.Communities != 2 || sum.Totals.Orphaned != 4 || sum.Totals.DriftCents != 1251 || sum.Totals.Live != 2 {
		t.Fatalf("totals %+v", sum.Totals)
	}
	named, err := f.store.ReservationSummary(f.ctx, "c2", 0)
	if err != nil || len(named.Communities) != 1 || named.Communities[0] != c2 {
		t.Fatalf("c2 by name (no keyspace walk): %+v %v; want %+v", named, err, c2)
	}
	one, _ := f.store.ReservationSummary(f.ctx, "", 1)
	if !one.Truncated || len(one.Communities) != 1 {
		t.Fatalf("maxCommunities 1: %+v", one)
	}
	var ve *ValidationError
	if _, err := f.store.ReservationSummary(f.ctx, "", 1001); !errors.As(err, &ve) || ve.Field != "maxCommunities" {
		t.Fatalf("bad max: %v", err)
	}
}

// TestSummaryPagesLoseAndRepeatNothing walks 300 members in pages cut after
// every chunk (a zero time budget), with 60 members per score so that a page
// boundary falls inside one score's members.
func TestSummaryPagesLoseAndRepeatNothing(t *testing.T) {
	f := newFixture(t)
	now := f.store.nowMs()
	ttl := ms(f.store.opts.ReservationTTL)
	key := ExpiryKey("c1", "2026-03")
	pipe := f.rdb.Pipeline()
	var wantLive, wantExpired int
	var wantCents int64
	for i := range 300 {
		score := now + int64(i/60-2)*1000 // scores now-2s .. now+2s: 120 expired, 180 live
		member := fmt.Sprintf("u%03d:k", i)
		pipe.ZAdd(f.ctx, key, redis.Z{Score: float64(score), Member: member})
		if i%7 == 0 {
			continue // no hash: an orphan
		}
		pipe.HSet(f.ctx, ReservationKeyPrefix("c1")+member, "estimated_cost", i, "created_at_ms", score-ttl)
		if score > now {
			wantLive++
			wantCents += int64(i)
		} else {
			wantExpired++
		}
	}
	if _, err := pipe.Exec(f.ctx); err != nil {
		t.Fatal(err)
	}
	var cr CommunityReservations
	calls, err := f.store.summarizeWindow(f.ctx, key, ReservationKeyPrefix("c1"), now, now-ms(hashWindow), 0, &cr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Live != wantLive || cr.Expired != wantExpired || cr.Orphaned != 300-wantLive-wantExpired || cr.LiveEstimateCents != wantCents {
		t.Fatalf("summary %+v; want %d live (%d cents), %d expired, %d orphans", cr, wantLive, wantCents, wantExpired, 300-wantLive-wantExpired)
	}
	// Each call reads one chunk and returns: 128 expired (two scores and 8
	// of the next), the other 52 expired (no chunk straddles the first live
	// member), then the 120 live.
	if calls != 3 {
		t.Fatalf("%d calls, want 3: the pages were not cut where this test means to cut them", calls)
	}
	var plain CommunityReservations // the path for a Redis without SORT_RO (miniredis)
	if err := f.store.summarizeWindowPlain(f.ctx, "c1", "2026-03", now, now-ms(hashWindow), &plain); err != nil || plain != cr {
		t.Fatalf("without the script: %+v %v; with it %+v", plain, err, cr)
	}
	// A cursor whose member went away (finalized between two pages) resumes
	// right after where that member was: u061 had score now-1s.
	f.rdb.ZRem(f.ctx, key, "u061:k")
	vals, err := f.store.reads.summaryPage.Run(f.ctx, f.rdb, []string{key}, ReservationKeyPrefix("c1"), now,
		now-1000, "u061:k", 1_000_000).Slice()
	if err != nil {
		t.Fatal(err)
	}
	if seen := asInt(vals[0]) + asInt(vals[2]) + asInt(vals[4]); seen != 238 || asInt(vals[5]) != 1 {
		t.Fatalf("from a vanished cursor: %v; want 238 members (u062..u299) and done", vals)
	}
}

func TestListReservationsPagesEverythingOnce(t *testing.T) {
	f := staleScene(t) // c1: 5 members
	f.setLimit(t, "c2", 5000)
	for i := range 4 {
		f.reserve(t, "c2", "u7", fmt.Sprint("k", i), int64(i+1))
	}
	seen := map[string]int{}
	states := map[string]int{}
	cursor, pages := "", 0
	for {
		page, err := f.store.ListReservations(f.ctx, "", cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range page.Items {
			seen[r.Community+"/"+r.Member]++
			states[r.State]++
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if len(seen) != 9 || pages != 5 {
		t.Fatalf("saw %d reservations in %d pages: %v", len(seen), pages, seen)
	}
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("%s listed %d times", k, n)
		}
	}
	if states[ReservationLive] != 5 || states[ReservationExpired] != 2 || states[ReservationOrphaned] != 2 {
		t.Fatalf("states %v", states)
	}
	page, _ := f.store.ListReservations(f.ctx, "c1", "", 0)
	first := page.Items[0]
	if len(page.Items) != 5 || first.AgeMs != 600000 || first.User == "" || first.IdempotencyKey == "" ||
		!first.ExpiresAt.Equal(base.Add(-5*time.Minute)) {
		t.Fatalf("c1 listing %+v", page.Items)
	}
	var ve *ValidationError
	if _, err := f.store.ListReservations(f.ctx, "", "garbage", 10); !errors.As(err, &ve) || ve.Field != "cursor" {
		t.Fatalf("bad cursor: %v", err)
	}
	if _, err := f.store.ListReservations(f.ctx, "", "", 501); !errors.As(err, &ve) || ve.Field != "limit" {
		t.Fatalf("bad limit: %v", err)
	}
}

func TestBudget(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 1000)
	f.setLimit(t, "idle", 500)
	f.reserve(t, "c1", "u", "a", 600)
	f.reserve(t, "c1", "u", "b", 100)
	if _, err := f.store.Finalize(f.ctx, "c1", "u", "a", 150); err != nil {
		t.Fatal(err)
	}
	list, err := f.store.Budget(f.ctx, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if list.Month != "2026-03" || len(list.Communities) != 2 {
		t.Fatalf("budget %+v", list)
	}
	want := BudgetCounters{Community: "c1", Month: "2026-03", CommittedCents: 150, ReservedCents: 100,
		LimitCents: 1000, RemainingCents: 750, PercentUsed: 25}
	if list.Communities[0] != want {
		t.Fatalf("c1 %+v", list.Communities[0])
	}
	if idle := list.Communities[1]; idle.Community != "idle" || idle.RemainingCents != 500 || idle.PercentUsed != 0 {
		t.Fatalf("idle %+v", idle)
	}
	f.reserve(t, "c1", "u", "c", 600)
	one, _ := f.store.Budget(f.ctx, "c1", "2026-03", 0)
	if c := one.Communities[0]; c.PercentUsed != 85 || !c.Warning || c.RemainingCents != 150 {
		t.Fatalf("warning %+v", c)
	}
	feb, _ := f.store.Budget(f.ctx, "c1", "2026-02", 0)
	if c := feb.Communities[0]; c.CommittedCents != 0 || c.ReservedCents != 0 || c.LimitCents != 1000 {
		t.Fatalf("february %+v", c)
	}
	var ve *ValidationError
	if _, err := f.store.Budget(f.ctx, "", "2026-3", 0); !errors.As(err, &ve) || ve.Field != "month" {
		t.Fatalf("bad month: %v", err)
	}
}
