package gateway

import (
	"errors"
	"testing"
	"time"
)

func TestReserveWritesTheGatewayKeySchema(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 1000)
	res, err := f.store.Reserve(f.ctx, ReserveInput{Community: "c1", User: "u1", IdempotencyKey: "k1",
		ModelAlias: "cheap", EstimateCents: 300})
	if err != nil {
		t.Fatal(err)
	}
	if res != (ReserveResult{Status: StatusReserved, RemainingCents: 700, LimitCents: 1000}) {
		t.Fatalf("result %+v", res)
	}
	h := f.rdb.HGetAll(f.ctx, "agent:budget:reservation:c1:u1:k1").Val()
	want := map[string]string{"estimated_cost": "300", "community_id": "c1", "user_id": "u1",
		"idempotency_key": "k1", "model_alias": "cheap", "created_at_ms": "1773576000000"}
	for k, v := range want {
		if h[k] != v {
			t.Errorf("hash field %s = %q, want %q", k, h[k], v)
		}
	}
	if got := f.rdb.Get(f.ctx, "agent:budget:reserved:c1:2026-03").Val(); got != "300" {
		t.Errorf("reserved = %q", got)
	}
	score := f.rdb.ZScore(f.ctx, "agent:budget:expiry:c1:2026-03", "u1:k1").Val()
	if int64(score) != base.UnixMilli()+300000 {
		t.Errorf("expiry score %v", score)
	}
	ttl := f.rdb.PTTL(f.ctx, "agent:budget:reservation:c1:u1:k1").Val()
	if ttl <= 355*time.Second || ttl > 360*time.Second {
		t.Errorf("hash TTL %v, want ~360s", ttl)
	}
	for _, k := range []string{"agent:budget:reserved:c1:2026-03", "agent:budget:expiry:c1:2026-03"} {
		if ttl := f.rdb.PTTL(f.ctx, k).Val(); ttl < 34*24*time.Hour || ttl > 35*24*time.Hour {
			t.Errorf("%s TTL %v, want 35 days", k, ttl)
		}
	}
}

func TestReserveOutcomes(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 1000)
	f.reserve(t, "c1", "u1", "k1", 700)
	again, _ := f.store.Reserve(f.ctx, ReserveInput{Community: "c1", User: "u1", IdempotencyKey: "k1", EstimateCents: 700})
	if again.Status != StatusAlreadyReserved {
		t.Fatalf("retry: %+v", again)
	}
	warn, _ := f.store.Reserve(f.ctx, ReserveInput{Community: "c1", User: "u1", IdempotencyKey: "k2", EstimateCents: 200})
	if warn != (ReserveResult{Status: StatusReserved, RemainingCents: 100, LimitCents: 1000, Warning: true}) {
		t.Fatalf("warning reserve: %+v", warn)
	}
	over, _ := f.store.Reserve(f.ctx, ReserveInput{Community: "c1", User: "u1", IdempotencyKey: "k3", EstimateCents: 101})
	if over != (ReserveResult{Status: StatusBudgetExceeded, RemainingCents: 100, LimitCents: 1000}) {
		t.Fatalf("over budget: %+v", over)
	}
	byok, _ := f.store.Reserve(f.ctx, ReserveInput{Community: "nolimit", User: "u1", IdempotencyKey: "k1"})
	if byok.Status != StatusReserved {
		t.Fatalf("zero-cost reserve without a limit: %+v", byok)
	}
	none, _ := f.store.Reserve(f.ctx, ReserveInput{Community: "nolimit", User: "u1", IdempotencyKey: "k2", EstimateCents: 1})
	if none.Status != StatusBudgetExceeded {
		t.Fatalf("missing limit must reject: %+v", none)
	}
	if got := f.getInt(t, ReservedKey("c1", "2026-03")); got != 900 {
		t.Fatalf("reserved %d, want 900 (rejections reserve nothing)", got)
	}
}

func TestFinalizeOutcomes(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 10000)
	f.reserve(t, "c1", "u1", "k1", 500)
	f.reserve(t, "c1", "u1", "k2", 400)
	res, err := f.store.Finalize(f.ctx, "c1", "u1", "k1", 320)
	if err != nil || res != (FinalizeResult{StatusFinalized, 320}) {
		t.Fatalf("finalize: %+v %v", res, err)
	}
	if r, c := f.getInt(t, ReservedKey("c1", "2026-03")), f.getInt(t, CommittedKey("c1", "2026-03")); r != 400 || c != 320 {
		t.Fatalf("reserved %d committed %d, want 400 320", r, c)
	}
	if dup, _ := f.store.Finalize(f.ctx, "c1", "u1", "k1", 999); dup.Status != StatusAlreadyFinalized {
		t.Fatalf("duplicate finalize: %+v", dup)
	}
	// The hash of k2 expired before its finalize arrived: LATE_FINALIZE
	// commits the actual cost but must not touch reserved.
	f.expireHash(t, "c1", "u1", "k2")
	late, _ := f.store.Finalize(f.ctx, "c1", "u1", "k2", 50)
	if late != (FinalizeResult{StatusLateFinalize, 50}) {
		t.Fatalf("late finalize: %+v", late)
	}
	if r, c := f.getInt(t, ReservedKey("c1", "2026-03")), f.getInt(t, CommittedKey("c1", "2026-03")); r != 400 || c != 370 {
		t.Fatalf("after late finalize reserved %d committed %d, want 400 370", r, c)
	}
	if n := f.rdb.ZCard(f.ctx, ExpiryKey("c1", "2026-03")).Val(); n != 0 {
		t.Fatalf("expiry members left: %d", n)
	}
	if ttl := f.rdb.PTTL(f.ctx, FinalizedKey("c1", "u1", "k1")).Val(); ttl < 23*time.Hour {
		t.Fatalf("finalized marker TTL %v, want 24h", ttl)
	}
}

func TestFinalizeClampsReservedAtZero(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 10000)
	f.reserve(t, "c1", "u1", "k1", 500)
	f.rdb.Set(f.ctx, ReservedKey("c1", "2026-03"), 100, 0) // drift: counter below the estimate
	if res, _ := f.store.Finalize(f.ctx, "c1", "u1", "k1", 10); res.Status != StatusFinalized {
		t.Fatalf("finalize %+v", res)
	}
	if r := f.getInt(t, ReservedKey("c1", "2026-03")); r != 0 {
		t.Fatalf("reserved %d, want clamp at 0", r)
	}
}

func TestReapIsTheGatewayReaper(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 100000)
	f.clock.Set(base.Add(-10 * time.Minute))
	f.reserve(t, "c1", "u1", "old1", 100)
	f.reserve(t, "c1", "u1", "old2", 200)
	f.reserve(t, "c1", "u1", "orphan", 400)
	f.expireHash(t, "c1", "u1", "orphan")
	f.clock.Set(base)
	f.reserve(t, "c1", "u1", "live", 800)
	res, err := f.store.Reap(f.ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	// Count covers every expired member, claimed or not; only claimed ones reclaim.
	if res != (ReapResult{Count: 3, ReclaimedCents: 300}) {
		t.Fatalf("reap %+v", res)
	}
	if r := f.getInt(t, ReservedKey("c1", "2026-03")); r != 1200 {
		t.Fatalf("reserved %d, want 1200 (800 live + 400 leaked by the orphan)", r)
	}
	if m := f.rdb.ZRange(f.ctx, ExpiryKey("c1", "2026-03"), 0, -1).Val(); len(m) != 1 || m[0] != "u1:live" {
		t.Fatalf("expiry members %v", m)
	}
	// Finalize after the reaper claimed it: late, reserved untouched.
	if late, _ := f.store.Finalize(f.ctx, "c1", "u1", "old1", 90); late.Status != StatusLateFinalize {
		t.Fatalf("finalize after reap: %+v", late)
	}
	if r := f.getInt(t, ReservedKey("c1", "2026-03")); r != 1200 {
		t.Fatalf("reserved %d after late finalize", r)
	}
}

func TestBudgetOperationsRejectBadInput(t *testing.T) {
	f := newFixture(t)
	cases := map[string]error{}
	_, cases["community"] = f.store.Reserve(f.ctx, ReserveInput{Community: "a:b", User: "u", IdempotencyKey: "k"})
	_, cases["user"] = f.store.Reserve(f.ctx, ReserveInput{Community: "c", User: "", IdempotencyKey: "k"})
	_, cases["idempotencyKey"] = f.store.Reserve(f.ctx, ReserveInput{Community: "c", User: "u", IdempotencyKey: string(make([]byte, 129))})
	_, cases["estimateCents"] = f.store.Reserve(f.ctx, ReserveInput{Community: "c", User: "u", IdempotencyKey: "k", EstimateCents: -1})
	_, cases["actualCents"] = f.store.Finalize(f.ctx, "c", "u", "k", -5)
	cases["limitCents"] = f.store.SetLimit(f.ctx, "c", -1)
	for field, err := range cases {
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != field {
			t.Errorf("%s: got %v, want a ValidationError on %s", field, err, field)
		}
	}
	if n := f.rdb.DBSize(f.ctx).Val(); n != 0 {
		t.Fatalf("bad input wrote %d keys", n)
	}
}
