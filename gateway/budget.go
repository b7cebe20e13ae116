package gateway

import (
	"context"
	"fmt"
)

// Reservation outcomes (the gateway's status strings).
const (
	StatusReserved         = "RESERVED"
	StatusAlreadyReserved  = "ALREADY_RESERVED"
	StatusBudgetExceeded   = "BUDGET_EXCEEDED"
	StatusInvalidInput     = "INVALID_INPUT"
	StatusFinalized        = "FINALIZED"
	StatusLateFinalize     = "LATE_FINALIZE"
	StatusAlreadyFinalized = "ALREADY_FINALIZED"
)

// ReserveInput is one budget reservation request.
type ReserveInput struct {
	Community, User, IdempotencyKey, ModelAlias string
	EstimateCents                               int64
}

// ReserveResult is the reserve script's answer.
type ReserveResult struct {
	Status                     string // RESERVED|ALREADY_RESERVED|BUDGET_EXCEEDED|INVALID_INPUT
	RemainingCents, LimitCents int64
	Warning                    bool
}

// FinalizeResult is the finalize script's answer.
type FinalizeResult struct {
	Status      string // FINALIZED|LATE_FINALIZE|ALREADY_FINALIZED
	ActualCents int64
}

// ReapResult is the gateway reaper's answer: Count is every expired member
// removed (claimed or not), ReclaimedCents what was released from reserved.
type ReapResult struct {
	Count          int
	ReclaimedCents int64
}

// Reserve reserves an estimate against the community's monthly budget.
func (s *Store) Reserve(ctx context.Context, in ReserveInput) (ReserveResult, error) {
	if err := checkID("community", in.Community); err != nil {
		return ReserveResult{}, err
	}
	if err := checkID("user", in.User); err != nil {
		return ReserveResult{}, err
	}
	if err := checkIdemKey(in.IdempotencyKey); err != nil {
		return ReserveResult{}, err
	}
	if in.EstimateCents < 0 {
		return ReserveResult{}, invalid("estimateCents", "is %d; it must be 0 or more cents", in.EstimateCents)
	}
	month := Month(s.now())
	keys := []string{
		CommittedKey(in.Community, month), ReservedKey(in.Community, month), LimitKey(in.Community),
		ReservationKey(in.Community, in.User, in.IdempotencyKey), ExpiryKey(in.Community, month),
	}
	vals, err := runNoRetry(ctx, s.rdb, s.scripts.reserve, keys,
		in.EstimateCents, in.User, in.IdempotencyKey, in.Community, in.ModelAlias,
		s.nowMs(), ms(s.opts.ReservationTTL), ms(counterTTL), ms(hashGrace)).Slice()
	if err != nil {
		return ReserveResult{}, fmt.Errorf("reserve: %w", err)
	}
	if len(vals) != 4 {
		return ReserveResult{}, fmt.Errorf("reserve: unexpected reply %v", vals)
	}
	return ReserveResult{
		Status:         asString(vals[0]),
		RemainingCents: asInt(vals[1]),
		LimitCents:     asInt(vals[2]),
		Warning:        asInt(vals[3]) == 1,
	}, nil
}

// Finalize settles a reservation with its actual cost.
func (s *Store) Finalize(ctx context.Context, community, user, idemKey string, actualCents int64) (FinalizeResult, error) {
	if err := checkID("community", community); err != nil {
		return FinalizeResult{}, err
	}
	if err := checkID("user", user); err != nil {
		return FinalizeResult{}, err
	}
	if err := checkIdemKey(idemKey); err != nil {
		return FinalizeResult{}, err
	}
	if actualCents < 0 {
		return FinalizeResult{}, invalid("actualCents", "is %d; it must be 0 or more cents", actualCents)
	}
	month := Month(s.now())
	keys := []string{
		CommittedKey(community, month), ReservedKey(community, month),
		ReservationKey(community, user, idemKey), ExpiryKey(community, month),
		FinalizedKey(community, user, idemKey),
	}
	vals, err := runNoRetry(ctx, s.rdb, s.scripts.finalize, keys,
		actualCents, ExpiryMember(user, idemKey), ms(counterTTL), ms(finalizedMarkerTTL)).Slice()
	if err != nil {
		return FinalizeResult{}, fmt.Errorf("finalize: %w", err)
	}
	if len(vals) != 2 {
		return FinalizeResult{}, fmt.Errorf("finalize: unexpected reply %v", vals)
	}
	return FinalizeResult{Status: asString(vals[0]), ActualCents: asInt(vals[1])}, nil
}

// Reap is the gateway's reaper for the current month: ONE unbounded script
// call over every expired member. It exists as the baseline that Drain's
// bounded batches are measured against.
func (s *Store) Reap(ctx context.Context, community string) (ReapResult, error) {
	if err := checkID("community", community); err != nil {
		return ReapResult{}, err
	}
	month := Month(s.now())
	keys := []string{ReservedKey(community, month), ExpiryKey(community, month)}
	vals, err := runNoRetry(ctx, s.rdb, s.scripts.reap, keys,
		s.nowMs(), ReservationKeyPrefix(community), ms(counterTTL)).Slice()
	if err != nil {
		return ReapResult{}, fmt.Errorf("reap: %w", err)
	}
	if len(vals) != 3 || asString(vals[0]) != "REAPED" {
		return ReapResult{}, fmt.Errorf("reap: unexpected reply %v", vals)
	}
	return ReapResult{Count: int(asInt(vals[1])), ReclaimedCents: asInt(vals[2])}, nil
}

// SetLimit sets agent:budget:limit:{community} (persistent, like the gateway's limit sync).
func (s *Store) SetLimit(ctx context.Context, community string, cents int64) error {
	if err := checkID("community", community); err != nil {
		return err
	}
	if cents < 0 {
		return invalid("limitCents", "is %d; it must be 0 or more cents", cents)
	}
	if err := s.rdb.Set(ctx, LimitKey(community), cents, 0).Err(); err != nil {
		return fmt.Errorf("set limit: %w", err)
	}
	return nil
}

// asString and asInt read Lua replies (status strings and integers).
func asString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case string:
		var n int64
		_, _ = fmt.Sscan(x, &n)
		return n
	}
	return 0
}
