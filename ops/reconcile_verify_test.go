package ops

import (
	"context"
	"strings"
	"testing"
	"time"

	"gatewayops/gateway"
)

// A reconcile verifies the invariant it promises (reserved equals the sum of
// live estimates), not only that nothing is left to claim.
func TestReconcileVerifiesReservedEqualsLiveEstimates(t *testing.T) {
	s := newStack(t, "staging", Standard)
	s.leakReservations([]string{"c1"}, 2, 100)
	ctx := context.Background()
	// 77 cents of a reservation whose hash and member are both gone: only reconcile recovers them.
	if err := s.rdb.IncrBy(ctx, gateway.ReservedKey("c1", gateway.Month(time.Now())), 77).Err(); err != nil {
		t.Fatal(err)
	}
	out := s.run("reservations.drain older=5m mode=reconcile", standardYes)
	if !strings.Contains(out.Result.Text(), "reconcile reserved by -77 cents") {
		t.Errorf("result = %q", out.Result.Text())
	}
	if !out.OK() || !strings.Contains(out.Verification.Detail, "differs from the live estimates by 0 cents") {
		t.Errorf("verification = %+v", out.Verification)
	}
	sum, err := s.store.ReservationSummary(ctx, "c1", 10)
	if err != nil || sum.Totals.DriftCents != 0 || sum.Totals.ReservedCents != 0 {
		t.Errorf("after reconcile: %+v %v", sum.Totals, err)
	}
}
