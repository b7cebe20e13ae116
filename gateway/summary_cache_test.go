package gateway

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gatewayops/gateway/redisproc"
	"gatewayops/internal/testclock"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// cacheFixture is a fixture whose Redis runs with DEBUG allowed, so active
// expiry can be switched off: a hash past its PEXPIRE then stays in memory,
// logically gone, until something reads it (the case a cache must see
// without being told).
func cacheFixture(t *testing.T) (*fixture, *SummaryCache) {
	t.Helper()
	srv, rdb := redisproc.ForTest(t, "--enable-debug-command", "yes")
	return cacheFixtureOn(t, srv, rdb)
}

// cacheFixtureOn is cacheFixture over a given server and client (srv nil:
// a client of the test's own, such as one behind a dialer or a password).
func cacheFixtureOn(t *testing.T, srv *redisproc.Server, rdb *redis.Client) (*fixture, *SummaryCache) {
	t.Helper()
	clock := testclock.New(base)
	f := &fixture{srv: srv, rdb: rdb, clock: clock, ctx: context.Background(),
		store: NewStore(rdb, StoreOptions{Now: clock.Now})}
	cache := f.store.NewSummaryCache(SummaryCacheOptions{})
	t.Cleanup(func() {
		if err := cache.Close(); err != nil {
			t.Error(err)
		}
	})
	return f, cache
}

// lockstep compares the cache's summary with a cold one, cache first (so a
// cold read's lazy expiry cannot tell the cache anything first).
type lockstep struct {
	t     *testing.T
	f     *fixture
	cache *SummaryCache
	steps int
}

func (l *lockstep) check(what string) SummaryCacheStats {
	l.t.Helper()
	l.steps++
	idx, err := l.f.store.DiscoverKeys(l.f.ctx)
	if err != nil {
		l.t.Fatal(err)
	}
	got, err := l.cache.SummaryOf(l.f.ctx, idx, 0)
	if err != nil {
		l.t.Fatalf("step %d (%s): cached summary: %v", l.steps, what, err)
	}
	want, err := l.f.store.SummaryOf(l.f.ctx, idx, 0)
	if err != nil {
		l.t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		l.t.Fatalf("step %d (%s): cached summary differs from a cold one\n got %+v\nwant %+v\nstats %+v",
			l.steps, what, got, want, l.cache.Stats())
	}
	return l.cache.Stats()
}

// mutator makes the changes of the lockstep test.
type mutator struct {
	t      *testing.T
	f      *fixture
	rng    *rand.Rand
	comms  []string
	serial int
	live   []string // community|user|key of reservations made
	check  func(what string) SummaryCacheStats
}

func (m *mutator) pick() (string, string, string, bool) {
	if len(m.live) == 0 {
		return "", "", "", false
	}
	parts := strings.SplitN(m.live[m.rng.IntN(len(m.live))], "|", 3)
	return parts[0], parts[1], parts[2], true
}

func (m *mutator) reserve() string {
	m.serial++
	c := m.comms[m.rng.IntN(len(m.comms))]
	user, key := fmt.Sprintf("u%d", m.rng.IntN(5)), fmt.Sprintf("k%d", m.serial)
	res, err := m.f.store.Reserve(m.f.ctx, ReserveInput{Community: c, User: user, IdempotencyKey: key,
		ModelAlias: "cheap", EstimateCents: int64(1 + m.rng.IntN(500))})
	if err != nil || res.Status != StatusReserved {
		m.t.Fatalf("reserve: %+v %v", res, err)
	}
	m.live = append(m.live, c+"|"+user+"|"+key)
	return "reserve"
}

func (m *mutator) do(op int) string {
	f, ctx := m.f, m.f.ctx
	c, user, key, ok := m.pick()
	if !ok {
		return m.reserve()
	}
	hash := ReservationKey(c, user, key)
	zset := ExpiryKey(c, Month(f.clock.Now()))
	must := func(err error) {
		if err != nil && err != redis.Nil {
			m.t.Fatal(err)
		}
	}
	switch op {
	case 0, 1, 2:
		return m.reserve()
	case 3:
		_, err := f.store.Finalize(ctx, c, user, key, int64(m.rng.IntN(300)))
		must(err)
		return "finalize"
	case 4:
		f.clock.Advance(time.Duration(m.rng.IntN(200)) * time.Second)
		return "clock"
	case 5:
		_, err := f.store.Reap(ctx, c)
		must(err)
		return "reap"
	case 6:
		_, err := f.store.Drain(ctx, DrainRequest{Community: c})
		must(err)
		return "drain"
	case 7: // an operator edits an estimate
		must(f.rdb.HSet(ctx, hash, "estimated_cost", m.rng.IntN(900)).Err())
		return "edit estimate"
	case 8: // the hash alone goes (finalize lost its member)
		must(f.rdb.Del(ctx, hash).Err())
		return "delete hash"
	case 9: // a member without a hash
		m.serial++
		score := float64(f.clock.Now().Add(time.Duration(m.rng.IntN(600)-300) * time.Second).UnixMilli())
		must(f.rdb.ZAdd(ctx, zset, redis.Z{Score: score, Member: fmt.Sprintf("ghost:%d", m.serial)}).Err())
		return "orphan member"
	case 10:
		m.expireUnseen(hash)
		return "hash expires unseen"
	case 11: // the hash's created_at no longer matches its member (a month collision)
		must(f.rdb.HSet(ctx, hash, "created_at_ms", 1).Err())
		return "collision"
	}
	return m.reserve()
}

// expireUnseen gives hash 100 ms to live in Redis's clock, lets a summary
// read it alive (and cache its expiry), then waits out the TTL with active
// expiry off, without reading the hash: Redis keeps it in memory, logically
// gone, and says nothing until something reads it.
func (m *mutator) expireUnseen(hash string) {
	f, ctx := m.f, m.f.ctx
	if err := f.rdb.Do(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0").Err(); err != nil {
		m.t.Fatal(err)
	}
	at := redisMs(m.t, f) + 100
	if n, err := f.rdb.PExpireAt(ctx, hash, time.UnixMilli(at)).Result(); err != nil || !n {
		return // the hash is gone already
	}
	m.check("a hash with 100 ms to live")
	for redisMs(m.t, f) <= at { // wait on Redis's own clock
	}
}

func redisMs(t *testing.T, f *fixture) int64 {
	t.Helper()
	now, err := f.rdb.Time(f.ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	return now.UnixMilli()
}

// killTracker closes the cache's invalidation connection from the server side.
func killTracker(t *testing.T, f *fixture, cache *SummaryCache) {
	t.Helper()
	cache.mu.Lock()
	inv := cache.inv
	cache.mu.Unlock()
	id, _ := inv.connection()
	if err := f.rdb.Do(f.ctx, "CLIENT", "KILL", "ID", id).Err(); err != nil {
		t.Fatal(err)
	}
}

// TestSummaryCacheMatchesAColdSummaryStepByStep drives random reserves,
// finalizes, reaps, drains, clock moves, operator edits, orphan members,
// hashes expiring unseen and month collisions, with a flush, killed
// invalidation connections and a month rollover between, and after every
// change compares the cached summary with a cold one.
func TestSummaryCacheMatchesAColdSummaryStepByStep(t *testing.T) {
	f, cache := cacheFixture(t)
	comms := []string{"c1", "c2", "c-3"}
	setLimits := func() {
		for _, c := range comms {
			f.setLimit(t, c, 1_000_000_000)
		}
	}
	setLimits()
	l := &lockstep{t: t, f: f, cache: cache}
	m := &mutator{t: t, f: f, rng: rand.New(rand.NewPCG(160, 1)), comms: comms, check: l.check}
	for range 30 {
		m.reserve()
	}
	l.check("first fill")
	for step := range 400 {
		what := m.do(m.rng.IntN(16)) // 12-15: reserve
		before := cache.Stats()
		switch step {
		case 120:
			if err := f.rdb.FlushDB(f.ctx).Err(); err != nil {
				t.Fatal(err)
			}
			setLimits()
			m.live = nil
			what = "flushdb"
		case 200, 300:
			killTracker(t, f, cache)
			what = "client kill"
		case 250: // into the next month
			f.clock.Set(time.Date(2026, 4, 1, 0, 0, 30, 0, time.UTC))
			what = "month rollover"
		}
		after := l.check(what)
		switch what {
		case "flushdb", "client kill", "month rollover":
			if after.Warm != before.Warm {
				t.Fatalf("step %d (%s): the summary after it was warm: %+v -> %+v", step, what, before, after)
			}
		}
		// A plain cold read means tracking was unusable: right after a
		// killed connection that is the designed fallback (on a loaded
		// machine the round may verify the connection before the client has
		// seen it die); anywhere else it is a fault.
		if what != "client kill" && after.Cold != before.Cold {
			t.Fatalf("step %d (%s): a cold read without a lost connection: %+v -> %+v", step, what, before, after)
		}
	}
	st := cache.Stats()
	t.Logf("%d steps: %+v", l.steps, st)
	if st.Warm < 1000 || st.Reread == 0 {
		t.Fatalf("the walk was not mostly warm: %+v", st)
	}
}

// countHook counts the commands a client sends (a pipeline's one by one).
type countHook struct {
	n     atomic.Int64
	mu    sync.Mutex
	names []string
}

func (h *countHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}
func (h *countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(int64(len(cmds)))
		h.mu.Lock()
		for _, c := range cmds {
			h.names = append(h.names, c.Name())
		}
		h.mu.Unlock()
		return next(ctx, cmds)
	}
}

// serverCalls is INFO commandstats' calls of one command.
func serverCalls(t *testing.T, f *fixture, cmd string) int64 {
	t.Helper()
	info, err := f.rdb.Info(f.ctx, "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if rest, ok := strings.CutPrefix(line, "cmdstat_"+cmd+":calls="); ok {
			n, _ := strconv.ParseInt(strings.SplitN(rest, ",", 2)[0], 10, 64)
			return n
		}
	}
	return 0
}

// TestWarmSummaryCostsChangesNotMembers: after k changes, a warm summary
// over N reservations sends the same commands whatever N, re-reads exactly
// the k members Redis named, and reads no page of hashes.
func TestWarmSummaryCostsChangesNotMembers(t *testing.T) {
	type cost struct{ commands, reread, hmgets, sorts int64 }
	var lastNames []string
	measure := func(n, k int) cost {
		f, cache := cacheFixture(t)
		comms := []string{"a", "b"}
		for _, c := range comms {
			f.setLimit(t, c, 1_000_000_000)
		}
		pipe := f.rdb.Pipeline()
		for i := range n { // reserve.lua's writes, pipelined
			c, member := comms[i%2], fmt.Sprintf("u:%d", i)
			created := f.clock.Now().Add(-time.Duration(i%200) * time.Second).UnixMilli()
			pipe.HSet(f.ctx, ReservationKeyPrefix(c)+member, "estimated_cost", i%97, "created_at_ms", created)
			pipe.PExpire(f.ctx, ReservationKeyPrefix(c)+member, 6*time.Minute)
			pipe.ZAdd(f.ctx, ExpiryKey(c, Month(f.clock.Now())), redis.Z{Score: float64(created + 300_000), Member: member})
		}
		if _, err := pipe.Exec(f.ctx); err != nil {
			t.Fatal(err)
		}
		l := &lockstep{t: t, f: f, cache: cache}
		l.check("fill")
		l.check("warm, nothing changed")
		idx, err := f.store.DiscoverKeys(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := &mutator{t: t, f: f, rng: rand.New(rand.NewPCG(uint64(n), 2)), comms: comms}
		for i := range k {
			if i%2 == 0 {
				m.reserve()
			} else if _, err := f.store.Finalize(f.ctx, comms[i%2], "u", strconv.Itoa(i), 1); err != nil { // a preloaded one
				t.Fatal(err)
			}
		}
		before := cache.Stats()
		hm, so := serverCalls(t, f, "hmget"), serverCalls(t, f, "sort_ro")
		hook := &countHook{}
		f.rdb.AddHook(hook)
		if _, err := cache.SummaryOf(f.ctx, idx, 0); err != nil {
			t.Fatal(err)
		}
		after := cache.Stats()
		if after.Warm-before.Warm != 2 {
			t.Fatalf("N=%d: the second summary was not warm: %+v", n, after)
		}
		lastNames = hook.names
		c := cost{commands: hook.n.Load(), reread: int64(after.Reread - before.Reread),
			hmgets: serverCalls(t, f, "hmget") - hm, sorts: serverCalls(t, f, "sort_ro") - so}
		l.check("after the counted round") // and it was right
		return c
	}
	const k = 10
	small, large := measure(400, k), measure(1600, k)
	t.Logf("N=400: %+v; N=1600: %+v %v", small, large, lastNames)
	if small != large {
		t.Fatalf("a warm summary's cost depends on N: N=400 %+v, N=1600 %+v", small, large)
	}
	// Per community: TIME, ZCARD, 2 ZCOUNT, ZRANGE, 3 GET, one re-read
	// script; plus one CLIENT LIST for the round.
	if small.commands > 2*9+1 || small.sorts != 0 || small.reread > k || small.hmgets > k {
		t.Fatalf("a warm summary after %d changes: %+v", k, small)
	}
}

// TestSummaryCacheSeesWhatNoHashWriteTells: the two changes of an expiry
// set whose hash nobody writes. A drain removes a member whose hash's
// created_at_ms does not match its score (a month collision) and leaves the
// hash; the cache re-reads such members every round. An operator's ZREM of
// a member whose hash exists (outside the gateway's model) leaves the set
// with fewer members than the cache holds; the warm read sees the counts
// disagree and reads the community cold.
func TestSummaryCacheSeesWhatNoHashWriteTells(t *testing.T) {
	f, cache := cacheFixture(t)
	// In the month's last hour, where the drain checks created_at_ms in
	// the current month's set too (decisions.md 185).
	f.clock.Set(time.Date(2026, 3, 31, 23, 40, 0, 0, time.UTC))
	f.setLimit(t, "c1", 1_000_000)
	l := &lockstep{t: t, f: f, cache: cache}
	f.reserve(t, "c1", "u1", "collide", 100)
	f.reserve(t, "c1", "u1", "other", 200)
	l.check("fill")
	if err := f.rdb.HSet(f.ctx, ReservationKey("c1", "u1", "collide"), "created_at_ms", 1).Err(); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5*time.Minute + 30*time.Second) // both expired, inside the hash window
	if st := l.check("expired"); st.Warm != 1 {
		t.Fatalf("not warm: %+v", st)
	}
	res, err := f.store.Drain(f.ctx, DrainRequest{Community: "c1"})
	if err != nil || res.Communities[0].Orphans != 1 || res.Communities[0].Claimed != 1 {
		t.Fatalf("drain %+v %v", res, err)
	}
	if n := f.rdb.Exists(f.ctx, ReservationKey("c1", "u1", "collide")).Val(); n != 1 {
		t.Fatal("the drain took the colliding hash")
	}
	if st := l.check("drained"); st.Warm != 2 {
		t.Fatalf("not warm: %+v", st)
	}
	f.reserve(t, "c1", "u2", "live", 300)
	l.check("reserved")
	if err := f.rdb.ZRem(f.ctx, ExpiryKey("c1", Month(f.clock.Now())), ExpiryMember("u2", "live")).Err(); err != nil {
		t.Fatal(err)
	}
	st := l.check("operator ZREM")
	if !strings.Contains(st.LastFallback, "lost members") || st.Warm != 3 {
		t.Fatalf("the lost member was not noticed: %+v", st)
	}
}

// TestSummaryCacheAfterAFlushAndAClockGoingBack: a FLUSHDB's null
// invalidation drops the cache even when the expiry set comes back with the
// same members (restored without their hashes, so nothing else tells); a
// clock that goes back past members the cache dropped out of the window
// makes the community cold again.
func TestSummaryCacheAfterAFlushAndAClockGoingBack(t *testing.T) {
	f, cache := cacheFixture(t)
	f.setLimit(t, "c1", 1_000_000)
	l := &lockstep{t: t, f: f, cache: cache}
	f.reserve(t, "c1", "u1", "a", 100)
	f.reserve(t, "c1", "u1", "b", 200)
	l.check("fill")
	l.check("warm")
	key := ExpiryKey("c1", Month(f.clock.Now()))
	members := f.rdb.ZRangeWithScores(f.ctx, key, 0, -1).Val()
	if err := f.rdb.FlushDB(f.ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := f.rdb.ZAdd(f.ctx, key, members...).Err(); err != nil {
		t.Fatal(err)
	}
	if st := l.check("flushed, set restored"); st.Warm != 1 {
		t.Fatalf("warm after a flush: %+v", st)
	}
	f.setLimit(t, "c1", 1_000_000)
	f.reserve(t, "c1", "u1", "c", 300)
	f.clock.Advance(8 * time.Minute) // c leaves the window (its hash lives on in Redis's clock)
	l.check("c out of the window")
	f.clock.Advance(-3 * time.Minute)
	if st := l.check("clock back"); st.LastFallback != "the clock went back" {
		t.Fatalf("clock back: %+v", st)
	}
}

// TestSummaryCacheOnARedisWithoutPEXPIRETIME (Redis before 7.0, here the
// command renamed away): the fill fails, the community is read cold, and
// later rounds do not try again.
func TestSummaryCacheOnARedisWithoutPEXPIRETIME(t *testing.T) {
	srv, rdb := redisproc.ForTest(t, "--rename-command", "PEXPIRETIME", "")
	f, cache := cacheFixtureOn(t, srv, rdb)
	f.setLimit(t, "c1", 1_000_000)
	f.reserve(t, "c1", "u1", "a", 100)
	l := &lockstep{t: t, f: f, cache: cache}
	l.check("fill fails")
	st := l.check("again")
	if st.Warm != 0 || st.Filled != 1 || st.Cold != 1 || !strings.Contains(st.LastFallback, "fill failed") {
		t.Fatalf("%+v", st)
	}
}

// TestSummaryCacheOnAnotherRedis: the store's client reconnects to another
// server (a failover behind one address) while the invalidation connection
// stays on the first; the round's CLIENT LIST check finds no connection of
// ours there and the summary is read cold from the new server.
func TestSummaryCacheOnAnotherRedis(t *testing.T) {
	srvA, rdbA := redisproc.ForTest(t)
	srvB, rdbB := redisproc.ForTest(t)
	var target atomic.Value
	target.Store(srvA.Socket())
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: "failover",
		Dialer: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", target.Load().(string))
		}})
	t.Cleanup(func() { _ = rdb.Close() })
	f, cache := cacheFixtureOn(t, nil, rdb)
	clock := f.clock
	l := &lockstep{t: t, f: f, cache: cache}
	f.setLimit(t, "c1", 1_000_000)
	f.reserve(t, "c1", "u1", "on-a", 100)
	l.check("fill on A")
	l.check("warm on A")
	// B holds other reservations of the same community.
	storeB := NewStore(rdbB, StoreOptions{Now: clock.Now})
	if err := storeB.SetLimit(f.ctx, "c1", 1_000_000); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"on-b1", "on-b2"} {
		if _, err := storeB.Reserve(f.ctx, ReserveInput{Community: "c1", User: "u1", IdempotencyKey: k,
			ModelAlias: "cheap", EstimateCents: 7}); err != nil {
			t.Fatal(err)
		}
	}
	target.Store(srvB.Socket())
	// Drop the store's pooled connections to A (not the Pub/Sub one).
	if err := rdbA.Do(f.ctx, "CLIENT", "KILL", "TYPE", "normal").Err(); err != nil {
		t.Fatal(err)
	}
	st := l.check("after the failover")
	if st.Warm != 1 || !strings.Contains(st.LastFallback, "not on this Redis") {
		t.Fatalf("read warm from the old server's cache: %+v", st)
	}
}

// TestSummaryCacheLeavesAnOddEstimateCold: an estimated_cost the script
// would read as Lua reads it ("2.5") keeps the community out of the cache
// and its rounds cold (not a fill each round), and the figures right.
func TestSummaryCacheLeavesAnOddEstimateCold(t *testing.T) {
	f, cache := cacheFixture(t)
	f.setLimit(t, "c1", 1_000_000)
	f.reserve(t, "c1", "u1", "a", 100)
	l := &lockstep{t: t, f: f, cache: cache}
	l.check("fill")
	if err := f.rdb.HSet(f.ctx, ReservationKey("c1", "u1", "a"), "estimated_cost", "2.5").Err(); err != nil {
		t.Fatal(err)
	}
	l.check("odd estimate")
	l.check("again")
	if st := l.check("and again"); st.Filled != 2 || st.Cold != 2 || st.Warm != 0 {
		t.Fatalf("%+v", st)
	}
}

// TestSummaryCacheWithAPassword: the invalidation connection authenticates
// as the store's client does; when it cannot (the password changed under
// it), rounds read cold and nothing they report holds the password.
func TestSummaryCacheWithAPassword(t *testing.T) {
	const secret, next = "s3cret-summary-pw", "n3xt-summary-pw"
	srv, first := redisproc.ForTest(t) // redisproc checks a server without a password
	if err := first.ConfigSet(context.Background(), "requirepass", secret).Err(); err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: srv.Socket(), Password: secret})
	t.Cleanup(func() { _ = rdb.Close() })
	adm := redis.NewClient(&redis.Options{Network: "unix", Addr: srv.Socket(), Password: secret})
	t.Cleanup(func() { _ = adm.Close() })
	f, cache := cacheFixtureOn(t, srv, rdb)
	l := &lockstep{t: t, f: f, cache: cache}
	f.setLimit(t, "c1", 1_000_000)
	f.reserve(t, "c1", "u1", "a", 100)
	l.check("fill")
	if st := l.check("warm"); st.Warm != 1 {
		t.Fatalf("not warm with a password: %+v", st)
	}
	if err := adm.ConfigSet(f.ctx, "requirepass", next).Err(); err != nil {
		t.Fatal(err)
	}
	killTracker(t, f, cache)
	st := l.check("the invalidation connection cannot log in again")
	if st.Warm != 1 || st.Cold == 0 || st.LastFallback == "" {
		t.Fatalf("%+v", st)
	}
	if strings.Contains(st.LastFallback, secret) || strings.Contains(st.LastFallback, next) {
		t.Fatalf("a password in the fallback reason: %q", st.LastFallback)
	}
	t.Logf("fallback: %s", st.LastFallback)
}

// TestSummaryCacheOverMiniredis (the demo's fallback without redis-server):
// no CLIENT TRACKING, so every round reads cold, and after the first
// refusal no round dials the invalidation connection again for MaxAge.
func TestSummaryCacheOverMiniredis(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	f, cache := cacheFixtureOn(t, nil, rdb)
	clock := f.clock
	l := &lockstep{t: t, f: f, cache: cache}
	f.setLimit(t, "c1", 1_000_000)
	f.reserve(t, "c1", "u1", "a", 100)
	l.check("refused")
	st := l.check("again")
	if st.Cold != 2 || !strings.Contains(st.LastFallback, "refused") || cache.inv != nil {
		t.Fatalf("%+v (connection %v)", st, cache.inv != nil)
	}
	clock.Advance(DefaultSummaryCacheMaxAge + time.Second)
	l.check("after MaxAge: tries again, refused again")
	if !cache.retryAt.After(clock.Now()) {
		t.Fatalf("did not try again after MaxAge: retry at %v", cache.retryAt)
	}
}

// TestOwnClientOptionsShareNothingTheOriginalWrites: a derived client's
// options do not point at the original's maintenance-notification config
// (its client writes it during a handshake while NewClient clones the
// copy: the data race CI's race detector caught in TestLoadAdminServer)
// nor carry its push processor.
func TestOwnClientOptionsShareNothingTheOriginalWrites(t *testing.T) {
	orig := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", Password: "pw"})
	defer orig.Close()
	opt := OwnClientOptions(orig)
	if opt.MaintNotificationsConfig == nil || opt.MaintNotificationsConfig == orig.Options().MaintNotificationsConfig {
		t.Fatal("the copy shares the original's maintenance-notification config")
	}
	if opt.PushNotificationProcessor != nil {
		t.Fatal("the copy carries the original's push processor")
	}
	if opt.Addr != "127.0.0.1:1" || opt.Password != "pw" {
		t.Fatalf("the copy lost the address or credentials: %q", opt.Addr)
	}
}

// TestMemberTableKeepsNamesWithTheSameHashApart: with a hash that sends
// every name to one slot, put, find, del and compact still tell the names
// apart (the clash map), and the figures stay with their names.
func TestMemberTableKeepsNamesWithTheSameHashApart(t *testing.T) {
	for _, same := range []bool{false, true} {
		tab := newMemberTable()
		if same {
			tab.hash = func(string) uint64 { return 7 }
		}
		want := map[string]int64{}
		for i := range 3000 {
			m := fmt.Sprintf("u%d:req-%d", i%10, i)
			tab.put(m, cachedMember{estimate: int64(i)})
			want[m] = int64(i)
		}
		tab.put("u1:req-1", cachedMember{estimate: -1}) // an update, not a second entry
		want["u1:req-1"] = -1
		for i := 0; i < 3000; i += 2 {
			m := fmt.Sprintf("u%d:req-%d", i%10, i)
			tab.del(m)
			delete(want, m)
		}
		tab.del("not there")
		tab.each(func(i int32, e *cachedMember) {
			if e.estimate == 3 {
				tab.delAt(i) // deleting the entry being visited
				delete(want, tab.name(i))
			}
		})
		tab.compact()
		got := map[string]int64{}
		tab.each(func(i int32, e *cachedMember) { got[tab.name(i)] = e.estimate })
		if !reflect.DeepEqual(got, want) || tab.len() != len(want) {
			t.Fatalf("same hash %t: %d members (len %d), want %d", same, len(got), tab.len(), len(want))
		}
		for m, est := range want {
			if i := tab.find(m); i < 0 || tab.entries[i].estimate != est {
				t.Fatalf("same hash %t: %s not found with %d", same, m, est)
			}
		}
		if tab.find("u0:req-0") >= 0 {
			t.Fatalf("same hash %t: a deleted member is still found", same)
		}
	}
}
