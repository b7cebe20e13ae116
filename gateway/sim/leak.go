package sim

import (
	"context"
	"fmt"
	"time"

	"gatewayops/gateway"
)

// Leak is what a worker that crashed mid-request leaves behind, as of Now:
// N reservations over Communities communities and Users users, made through
// the real reserve script on a store whose clock is set back so that they
// expired ClaimableAge ago (their hashes still live for about a minute, as
// the gateway's TTL+60 s gives them), of which the first Orphans have
// already lost their hash (expired OrphanAge ago: only the expiry member and
// the estimate in reserved remain).
type Leak struct {
	Now                     time.Time
	N, Orphans              int
	Communities, Users      int
	ClaimableAge, OrphanAge time.Duration
	// KeyPrefix starts each idempotency key (keys must differ between leaks
	// of one month).
	KeyPrefix string
}

// WriteLeak writes l through store's Redis.
func WriteLeak(ctx context.Context, store *gateway.Store, l Leak) error {
	ttl := store.ReservationTTL()
	created := l.Now.Add(-ttl - l.ClaimableAge)
	past := gateway.NewStore(store.Redis(), gateway.StoreOptions{Now: func() time.Time { return created }, ReservationTTL: ttl})
	month := gateway.Month(l.Now)
	pipe := store.Redis().Pipeline()
	limited := map[string]bool{}
	for i := range l.N {
		community := fmt.Sprintf("community-%02d", 1+i%l.Communities)
		user, key := fmt.Sprintf("user-%d", i%l.Users), fmt.Sprintf("%s-%d", l.KeyPrefix, i)
		estimate := int64(2 + i%11)
		if i < l.Orphans {
			expired := l.Now.Add(-l.OrphanAge)
			pipe.ZAdd(ctx, gateway.ExpiryKey(community, month), redisZ(expired, gateway.ExpiryMember(user, key)))
			pipe.IncrBy(ctx, gateway.ReservedKey(community, month), estimate)
			continue
		}
		if !limited[community] {
			if err := past.SetLimit(ctx, community, 10_000_000); err != nil {
				return err
			}
			limited[community] = true
		}
		in := gateway.ReserveInput{Community: community, User: user, IdempotencyKey: key, ModelAlias: "fast-code", EstimateCents: estimate}
		if _, err := past.Reserve(ctx, in); err != nil {
			return err
		}
	}
	_, err := pipe.Exec(ctx)
	return err
}

// leak is the demo scenario's crashed worker: claimable reservations that
// expired 20 s ago and orphans that expired 3 minutes ago.
func (sc *Scenario) leak(ctx context.Context, now time.Time) error {
	return WriteLeak(ctx, sc.store, Leak{Now: now, N: sc.cfg.LeakedReservations,
		Orphans:     int(float64(sc.cfg.LeakedReservations) * sc.cfg.OrphanShare),
		Communities: sc.cfg.LeakCommunities, Users: 40,
		ClaimableAge: 20 * time.Second, OrphanAge: 3 * time.Minute,
		KeyPrefix: fmt.Sprintf("crashed-%d", now.Unix())})
}
