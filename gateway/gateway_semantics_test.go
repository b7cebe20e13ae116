package gateway

import (
	"testing"
)

// The two behaviours where the simulator's scripts differed from the
// gateway's (gateway-domain.md 4.3 and 3.3, checked there by driving the
// gateway's real scripts).

// TestZeroCentReserveIsRefusedOverTheLimit: BYOK (0 cents) reserves while
// committed + reserved <= limit, and is BUDGET_EXCEEDED once over it.
func TestZeroCentReserveIsRefusedOverTheLimit(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 1000)
	f.reserve(t, "c1", "u1", "full", 1000) // effective == limit
	at, err := f.store.Reserve(f.ctx, ReserveInput{Community: "c1", User: "u1", IdempotencyKey: "byok-at", ModelAlias: "byok"})
	if err != nil || at.Status != StatusReserved {
		t.Fatalf("0-cent reserve at the limit: %+v %v, want RESERVED", at, err)
	}
	if err := f.rdb.IncrBy(f.ctx, CommittedKey("c1", "2026-03"), 1).Err(); err != nil { // now over the limit
		t.Fatal(err)
	}
	over, err := f.store.Reserve(f.ctx, ReserveInput{Community: "c1", User: "u1", IdempotencyKey: "byok-over", ModelAlias: "byok"})
	if err != nil || over != (ReserveResult{Status: StatusBudgetExceeded, RemainingCents: 0, LimitCents: 1000}) {
		t.Fatalf("0-cent reserve over the limit: %+v %v, want BUDGET_EXCEEDED 0/1000", over, err)
	}
	if f.rdb.Exists(f.ctx, ReservationKey("c1", "u1", "byok-over")).Val() != 0 {
		t.Fatal("the refused reserve wrote a hash")
	}
}

// TestBreakerSuccessOnAnOpenBreakerClearsItsFailures: the state stays open
// (openedAt too) but the failure zset and the legacy field are gone.
func TestBreakerSuccessOnAnOpenBreakerClearsItsFailures(t *testing.T) {
	f := newFixture(t)
	for _, want := range []string{BreakerClosed, BreakerClosed, BreakerOpen} {
		f.fail(t, "kms", want)
	}
	opened := f.rdb.HGet(f.ctx, BreakerKey("kms"), "openedAt").Val()
	if err := f.store.BreakerSuccess(f.ctx, "kms"); err != nil {
		t.Fatal(err)
	}
	h := f.rdb.HGetAll(f.ctx, BreakerKey("kms")).Val()
	if h["state"] != "open" || h["openedAt"] != opened {
		t.Fatalf("success changed the open state: %v", h)
	}
	if _, ok := h["failures"]; ok {
		t.Fatalf("legacy failures field kept: %v", h)
	}
	if n := f.rdb.Exists(f.ctx, BreakerFailuresKey("kms")).Val(); n != 0 {
		t.Fatal("failure zset kept")
	}
	f.check(t, "kms", false, BreakerOpen)
}
