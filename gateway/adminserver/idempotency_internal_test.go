package adminserver

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"gatewayops/gateway"
	"gatewayops/gateway/redisproc"
)

// TestPendingClaimIsALeaseOwnedByItsRequest: a claim lives PendingLease, not
// a day; a re-sent claim of the same request owns it, another request gets
// 409; only the owner releases or finishes it, and a finished record lives
// IdemTTL.
func TestPendingClaimIsALeaseOwnedByItsRequest(t *testing.T) {
	_, rdb := redisproc.ForTest(t)
	ctx := context.Background()
	s := idempotency{rdb: rdb}
	key := IdemRedisKey("oncall", "k1")
	if rec, _, err := s.begin(ctx, key, "fp", "req-1"); rec != nil || err != nil {
		t.Fatalf("first claim: %v %v", rec, err)
	}
	if ttl := rdb.PTTL(ctx, key).Val(); ttl <= 0 || ttl > PendingLease {
		t.Fatalf("pending claim TTL %s, want (0, %s]", ttl, PendingLease)
	}
	rec, mine, err := s.begin(ctx, key, "fp", "req-1")
	if rec != nil || err != nil {
		t.Fatalf("re-sent claim of the same request: %v %v", rec, err)
	}
	_, other, err := s.begin(ctx, key, "fp", "req-2")
	var apiErr *apiError
	if !errors.As(err, &apiErr) || apiErr.status != http.StatusConflict || apiErr.code != gateway.CodeIdempotencyPending {
		t.Fatalf("other request's claim: %v", err)
	}
	if err := s.release(ctx, other); err != nil || rdb.Exists(ctx, key).Val() != 1 {
		t.Fatalf("another request released the claim (%v)", err)
	}
	if err := s.finish(ctx, other, 200, []byte(`{}`)); !errors.Is(err, errClaimLost) {
		t.Fatalf("another request finished the claim: %v", err)
	}
	if err := s.finish(ctx, mine, 200, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.finish(ctx, mine, 200, []byte(`{}`)); err != nil {
		t.Fatalf("re-sent finish: %v", err)
	}
	if ttl := rdb.PTTL(ctx, key).Val(); ttl <= PendingLease || ttl > IdemTTL {
		t.Fatalf("finished record TTL %s, want about %s", ttl, IdemTTL)
	}
	stored, _, err := s.begin(ctx, key, "fp", "req-3")
	if err != nil || stored == nil || stored.State != idemDone {
		t.Fatalf("replay after finish: %+v %v", stored, err)
	}
}
