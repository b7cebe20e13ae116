package gateway_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/sim"

	"github.com/redis/go-redis/v9"
)

// A data shape fills one Redis with n expiry members over the given
// communities and says how many of them are stale (expired).
type dataShape struct {
	name    string
	preload func(ctx context.Context, store *gateway.Store, communities []string, n int) (stale int, err error)
}

// shapes are the two the issue measures: the benchmark's (90 % live, the
// stale tenth half claimable, half orphans, by sim.Preload) and production's
// (the gateway's hash expires 360 s after its reservation while its expiry
// member stays up to 35 days, so almost every member is an orphan).
var shapes = []dataShape{
	{"bench", func(ctx context.Context, store *gateway.Store, communities []string, n int) (int, error) {
		s := sim.New(store, sim.Config{Communities: communities, Users: 1000, Seed: 1})
		st, err := s.Preload(ctx, n, 0.10)
		return st.Expired + st.Orphaned, err
	}},
	{"production", preloadProduction},
}

// Production shape: per community, productionLive live reservations and
// productionExpired expired within the last second (both with their hash),
// the rest orphans (no hash) scored evenly since the start of the month.
const (
	productionLive    = 2000
	productionExpired = 500
)

func preloadProduction(ctx context.Context, store *gateway.Store, communities []string, n int) (int, error) {
	rdb := store.Redis()
	now := store.Now()
	ttl := store.ReservationTTL()
	month := gateway.Month(now)
	monthStart := time.Date(now.UTC().Year(), now.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	per := n / len(communities)
	stale := 0
	for _, c := range communities {
		live, expired := min(productionLive, per/10), min(productionExpired, per/20)
		orphans := per - live - expired
		stale += orphans + expired
		span := now.Add(-3*time.Minute).Sub(monthStart) / time.Duration(max(orphans, 1))
		pipe := rdb.Pipeline()
		for i := range per {
			var score time.Time
			hashTTL := time.Duration(0)
			switch {
			case i < orphans:
				score = monthStart.Add(time.Duration(i) * span)
			case i < orphans+expired:
				score, hashTTL = now.Add(-time.Second), 59*time.Second
			default:
				score, hashTTL = now.Add(time.Duration(i%290+1)*time.Second), ttl+time.Minute
			}
			member := fmt.Sprintf("u%d:req-%d", i%1000, i)
			pipe.ZAdd(ctx, gateway.ExpiryKey(c, month), redis.Z{Score: float64(score.UnixMilli()), Member: member})
			if hashTTL > 0 {
				key := gateway.ReservationKeyPrefix(c) + member
				pipe.HSet(ctx, key, "estimated_cost", 25, "community_id", c, "user_id", fmt.Sprintf("u%d", i%1000),
					"idempotency_key", fmt.Sprintf("req-%d", i), "model_alias", "cheap",
					"created_at_ms", score.Add(-ttl).UnixMilli())
				pipe.PExpire(ctx, key, hashTTL)
			}
			if pipe.Len() >= 3000 {
				if _, err := pipe.Exec(ctx); err != nil {
					return 0, err
				}
			}
		}
		pipe.IncrBy(ctx, gateway.ReservedKey(c, month), int64(per)*25)
		if _, err := pipe.Exec(ctx); err != nil {
			return 0, err
		}
	}
	return stale, nil
}

// idleFloor is the longest PING round trip of the probe over an idle
// window: what the machine alone does to a PING, beside every stall figure.
func idleFloor(b *testing.B, rdb *redis.Client) {
	b.Helper()
	p := startProbe(rdb)
	time.Sleep(300 * time.Millisecond)
	b.ReportMetric(float64(p.finish().Microseconds())/1000, "idle_ping_ms")
}
