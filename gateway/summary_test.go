package gateway

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestReservationSummary(t *testing.T) {
	f := staleScene(t) // c1: 2 expired (300), 2 orphans (1200 leaked), 1 live (1600)
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
	want := CommunityReservations{Community: "c1", Month: "2026-03", Live: 1, Expired: 2, Orphaned: 2,
		ReservedCents: 3100, LiveEstimateCents: 1600, ExpiredEstimateCents: 300, DriftCents: 1200,
		LimitCents: 1_000_000, OldestExpiredAgeMs: 10 * 60 * 1000}
	if c1 != want {
		t.Fatalf("c1\n got %+v\nwant %+v", c1, want)
	}
	c2 := sum.Communities[1]
	if c2.Live != 1 || c2.PreviousMonth != 1 || c2.ReservedCents != 40 || c2.DriftCents != 0 {
		t.Fatalf("c2 %+v", c2)
	}
	if sum.Totals.Communities != 2 || sum.Totals.Orphaned != 2 || sum.Totals.DriftCents != 1200 || sum.Totals.Live != 2 {
		t.Fatalf("totals %+v", sum.Totals)
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
