package sim

import (
	"context"
	"fmt"
	"time"

	"gatewayops/gateway"
)

// leak writes what a worker that crashed mid-request leaves behind: claimable
// reservations that expired a moment ago (their hashes still live for about six
// minutes, as the gateway's TTL+60 s gives them) made through the real reserve
// script, and orphans whose hashes are already gone but whose estimates still
// sit in reserved.
func (sc *Scenario) leak(ctx context.Context, now time.Time) error {
	ttl := sc.store.ReservationTTL()
	past := gateway.NewStore(sc.store.Redis(), gateway.StoreOptions{
		Now:            func() time.Time { return time.Now().Add(-ttl - 20*time.Second) },
		ReservationTTL: ttl,
	})
	orphans := int(float64(sc.cfg.LeakedReservations) * sc.cfg.OrphanShare)
	month := gateway.Month(now)
	pipe := sc.store.Redis().Pipeline()
	for i := 0; i < sc.cfg.LeakedReservations; i++ {
		community := fmt.Sprintf("community-%02d", 1+i%sc.cfg.LeakCommunities)
		user, key := fmt.Sprintf("user-%d", i%40), fmt.Sprintf("crashed-%d-%d", now.Unix(), i)
		estimate := int64(2 + i%11)
		if i < orphans {
			created := now.Add(-ttl - 3*time.Minute)
			pipe.ZAdd(ctx, gateway.ExpiryKey(community, month), redisZ(created.Add(ttl), gateway.ExpiryMember(user, key)))
			pipe.IncrBy(ctx, gateway.ReservedKey(community, month), estimate)
			continue
		}
		if err := past.SetLimit(ctx, community, 10_000_000); err != nil {
			return err
		}
		in := gateway.ReserveInput{Community: community, User: user, IdempotencyKey: key, ModelAlias: "fast-code", EstimateCents: estimate}
		if _, err := past.Reserve(ctx, in); err != nil {
			return err
		}
	}
	_, err := pipe.Exec(ctx)
	return err
}
