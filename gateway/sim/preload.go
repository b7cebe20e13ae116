package sim

import (
	"context"
	"fmt"
	"math"
	"time"

	"gatewayops/gateway"
)

// PreloadStats says what Preload wrote.
type PreloadStats struct {
	Live          int   `json:"live"`
	Expired       int   `json:"expired"`  // stale, hash still there (claimable)
	Orphaned      int   `json:"orphaned"` // stale, hash already expired
	ReservedCents int64 `json:"reservedCents"`
}

// preloadChunk is how many reservations one pipeline carries.
const preloadChunk = 500

// Preload writes n reservations of the current month straight through the
// key schema with pipelining (a benchmark fixture, far faster than n reserve
// scripts). round(n*staleShare) of them are stale: half still have their
// hash (an expired, claimable reservation), half are orphans whose hash has
// already expired; their estimates are all in reserved, as the leak leaves them.
func (s *Sim) Preload(ctx context.Context, n int, staleShare float64) (PreloadStats, error) {
	if err := s.cfg.Validate(); err != nil {
		return PreloadStats{}, err
	}
	if n < 0 {
		return PreloadStats{}, fmt.Errorf("sim: Preload n is %d; it must be 0 or more", n)
	}
	if staleShare < 0 || staleShare > 1 || math.IsNaN(staleShare) {
		return PreloadStats{}, fmt.Errorf("sim: Preload staleShare is %v; it must be within 0..1", staleShare)
	}
	stale := int(math.Round(float64(n) * staleShare))
	var st PreloadStats
	reserved := map[string]int64{}
	for start := 0; start < n; start += preloadChunk {
		if err := s.preloadChunk(ctx, start, min(n, start+preloadChunk), stale, &st, reserved); err != nil {
			return st, err
		}
	}
	month := gateway.Month(s.store.Now())
	pipe := s.store.Redis().Pipeline()
	for c, cents := range reserved {
		pipe.IncrBy(ctx, gateway.ReservedKey(c, month), cents)
		pipe.PExpire(ctx, gateway.ReservedKey(c, month), 35*24*time.Hour)
		pipe.PExpire(ctx, gateway.ExpiryKey(c, month), 35*24*time.Hour)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return st, fmt.Errorf("sim: preload counters: %w", err)
	}
	return st, nil
}

// preloadChunk writes reservations [from, to) in one pipeline.
func (s *Sim) preloadChunk(ctx context.Context, from, to, stale int, st *PreloadStats, reserved map[string]int64) error {
	now := s.store.Now()
	ttl := s.store.ReservationTTL()
	month := gateway.Month(now)
	pipe := s.store.Redis().Pipeline()
	for i := from; i < to; i++ {
		r := s.draw()
		c, u, k := r.in.Community, r.in.User, r.in.IdempotencyKey
		var created time.Time
		hashTTL := ttl + time.Minute
		switch {
		case i < stale && i%2 == 0: // expired a second ago: its hash lives ~59 s more,
			// long enough to outlast a 1M-reservation preload (about 35 s on 2 cores)
			created, hashTTL = now.Add(-ttl-time.Second), 59*time.Second
			st.Expired++
		case i < stale: // orphan: its hash has expired
			created, hashTTL = now.Add(-ttl-2*time.Minute-time.Duration(i)*time.Millisecond), 0
			st.Orphaned++
		default:
			created = now.Add(-time.Duration(i%int(ttl.Milliseconds()/2)) * time.Millisecond)
			st.Live++
		}
		if hashTTL > 0 {
			key := gateway.ReservationKey(c, u, k)
			pipe.HSet(ctx, key, "estimated_cost", r.in.EstimateCents, "community_id", c, "user_id", u,
				"idempotency_key", k, "model_alias", r.in.ModelAlias, "created_at_ms", created.UnixMilli())
			pipe.PExpire(ctx, key, hashTTL)
		}
		pipe.ZAdd(ctx, gateway.ExpiryKey(c, month), redisZ(created.Add(ttl), gateway.ExpiryMember(u, k)))
		reserved[c] += r.in.EstimateCents
		st.ReservedCents += r.in.EstimateCents
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("sim: preload: %w", err)
	}
	return nil
}
