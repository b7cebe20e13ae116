package gateway

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"gatewayops/gateway/redisproc"
	"gatewayops/internal/testclock"

	"github.com/redis/go-redis/v9"
)

// base is mid-month, so moving the clock by minutes never changes the month.
var base = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

type fixture struct {
	srv   *redisproc.Server
	rdb   *redis.Client
	clock *testclock.Clock
	store *Store
	ctx   context.Context
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	srv, rdb := redisproc.ForTest(t)
	clock := testclock.New(base)
	return &fixture{srv: srv, rdb: rdb, clock: clock, ctx: context.Background(),
		store: NewStore(rdb, StoreOptions{Now: clock.Now})}
}

func (f *fixture) getInt(t testing.TB, key string) int64 {
	t.Helper()
	n, err := f.rdb.Get(f.ctx, key).Int64()
	if errors.Is(err, redis.Nil) {
		return 0 // a missing counter is 0, as the gateway reads it
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) setLimit(t testing.TB, community string, cents int64) {
	t.Helper()
	if err := f.store.SetLimit(f.ctx, community, cents); err != nil {
		t.Fatal(err)
	}
}

// reserveExpired makes n reservations in community (keys k0.., user u,
// cents(i) each) that expired 30 s before base, as the gateway leaves them
// for a drain (every hash still there to read), and returns their sum. The
// clock is left at base.
func (f *fixture) reserveExpired(t testing.TB, community string, n int, cents func(i int) int64) int64 {
	t.Helper()
	f.setLimit(t, community, 1_000_000_000)
	f.clock.Set(base.Add(-5*time.Minute - 30*time.Second))
	var total int64
	for i := range n {
		total += cents(i)
		f.reserve(t, community, "u", fmt.Sprint("k", i), cents(i))
	}
	f.clock.Set(base)
	return total
}

// reserve reserves and insists on RESERVED.
func (f *fixture) reserve(t testing.TB, community, user, key string, cents int64) {
	t.Helper()
	res, err := f.store.Reserve(f.ctx, ReserveInput{Community: community, User: user, IdempotencyKey: key,
		ModelAlias: "cheap", EstimateCents: cents})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusReserved {
		t.Fatalf("reserve %s/%s/%s: %+v", community, user, key, res)
	}
}

// expireHash stands in for the hash's own 360 s TTL, which a test cannot wait for.
func (f *fixture) expireHash(t testing.TB, community, user, key string) {
	t.Helper()
	if n := f.rdb.Del(f.ctx, ReservationKey(community, user, key)).Val(); n != 1 {
		t.Fatalf("hash of %s:%s did not exist", user, key)
	}
}

// keyState captures every key with its type and content, to compare states.
func (f *fixture) keyState(t testing.TB, keys ...string) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, k := range keys {
		switch typ := f.rdb.Type(f.ctx, k).Val(); typ {
		case "none":
			out[k] = nil
		case "hash":
			out[k] = f.rdb.HGetAll(f.ctx, k).Val()
		case "zset":
			out[k] = f.rdb.ZRangeWithScores(f.ctx, k, 0, -1).Val()
		case "string":
			out[k] = f.rdb.Get(f.ctx, k).Val()
		default:
			t.Fatalf("unexpected type %s of %s", typ, k)
		}
	}
	return out
}

func newFixtureWithArgs(t testing.TB, args ...string) (*redisproc.Server, *redis.Client) {
	t.Helper()
	return redisproc.ForTest(t, args...)
}
