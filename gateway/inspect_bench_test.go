package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gatewayops/gateway"

	"github.com/redis/go-redis/v9"
)

// inspectKeys is GATEWAYOPS_BENCH_KEYS (default 10,000): how many keys the
// inspection benchmark's Redis holds.
func inspectKeys(b *testing.B) int { return envSize(b, "GATEWAYOPS_BENCH_KEYS", 10_000) }

// Patterns the inspection is measured with: a dense one (almost every key
// matches, so the bounded ScanKeys stops at its limit) and a sparse one (ten
// keys match, so SCAN has to walk the whole keyspace).
const (
	densePattern  = "agent:budget:reservation:*"
	sparsePattern = "agent:budget:expiry:*"
)

// BenchmarkInspect loads one Redis per data shape with GATEWAYOPS_BENCH_KEYS
// expiry members over 10 communities (the bench shape: 10% stale, half of
// those orphans without a hash, so the preload writes keys*20/19
// reservations; the production shape: almost all orphans, see shapes) and
// measures, against that one preload, our reads and the KEYS baseline.
// Every sub-benchmark reports total_ms, ping_stall_ms (longest PING round
// trip of a concurrent client), the server figures (serverWatch) and found
// (keys or reservations read).
func BenchmarkInspect(b *testing.B) {
	for _, sh := range shapes {
		b.Run("shape="+sh.name, func(b *testing.B) { benchInspectShape(b, sh) })
	}
}

func benchInspectShape(b *testing.B, sh dataShape) {
	_, rdb, probeClient := benchRedis(b)
	ctx := context.Background()
	store := gateway.NewStore(rdb, gateway.StoreOptions{})
	communities := make([]string, 10)
	for i := range communities {
		communities[i] = fmt.Sprintf("bench%02d", i)
	}
	if _, err := sh.preload(ctx, store, communities, inspectKeys(b)*20/19); err != nil {
		b.Fatal(err)
	}
	dbsize, err := rdb.DBSize(ctx).Result()
	if err != nil {
		b.Fatal(err)
	}
	idleFloor(b, probeClient)
	insp := gateway.NewInspector(rdb)
	idx, err := store.DiscoverKeys(ctx)
	if err != nil {
		b.Fatal(err)
	}
	members := func(t gateway.ReservationTotals) int { return t.Live + t.Expired + t.Orphaned }
	warm := &warmSummary{ctx: ctx, rdb: rdb, idx: idx, communities: communities}
	warm.store = gateway.NewStore(rdb, gateway.StoreOptions{Now: warm.now})
	defer warm.close()
	reads := []struct {
		name    string
		prepare func() error // untimed, before each read
		read    func() (int, error)
	}{
		{"ScanKeys/dense", nil, func() (int, error) {
			keys, _, err := insp.ScanKeys(ctx, densePattern, gateway.MaxScanKeys)
			return len(keys), err
		}},
		{"KEYS/dense", nil, func() (int, error) { return keysBaseline(ctx, rdb, densePattern) }},
		{"ScanKeys/sparse", nil, func() (int, error) {
			keys, _, err := insp.ScanKeys(ctx, sparsePattern, gateway.MaxScanKeys)
			return len(keys), err
		}},
		{"KEYS/sparse", nil, func() (int, error) { return keysBaseline(ctx, rdb, sparsePattern) }},
		// GET /reservations/summary of every community as the admin server
		// runs it while its background key index is at most 30 s old (a
		// console polling status keeps it so): the summary pages through
		// that index, no keyspace walk (decision 140). idx was discovered
		// after the preload, seconds before this read.
		// Cold: every hash inside the window read again (no cache).
		{"ReservationSummary", nil, func() (int, error) {
			sum, err := store.SummaryOf(ctx, idx, 0)
			return members(sum.Totals), err
		}},
		// The same request through a SummaryCache (decision 160) that is
		// empty: the cold read that also keeps every member found with a
		// hash (what the admin server's first round, and any round after a
		// lost invalidation connection, costs).
		{"ReservationSummary/fill", warm.reset, warm.summary},
		// Through a filled SummaryCache after warmChanges changes (half
		// new reservations, half finalized ones): re-reads only those.
		{"ReservationSummary/warm", warm.change, warm.summary},
		// The same with a discovery walk first: what it costs when the
		// index is older (nobody polled for 30 s), what Store's own
		// ReservationSummary and the background round run.
		{"ReservationSummary+walk", nil, func() (int, error) {
			sum, err := store.ReservationSummary(ctx, "", 0)
			return members(sum.Totals), err
		}},
		// The walk alone.
		{"DiscoverKeys", nil, func() (int, error) {
			idx, err := store.DiscoverKeys(ctx)
			return len(idx.Communities()), err
		}},
		// The floor of the summary's hash reads: every member's
		// estimated_cost by plain SORT_RO pages of 500, nothing classified,
		// no discovery (the benchmark knows its communities).
		{"HashReadsFloor", nil, func() (int, error) { return hashReadsFloor(ctx, rdb, store, communities) }},
		// What GET /status reads on every call.
		{"ReservationCounts", nil, func() (int, error) {
			c, err := store.ReservationCounts(ctx, idx)
			return c.Live + c.Expired + c.Orphaned, err
		}},
	}
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) { benchRead(b, probeClient, dbsize, r.prepare, r.read) })
	}
	if err := warm.verify(); err != nil {
		b.Fatal(err)
	}
}

// keysBaseline is how an inspector without SCAN would list keys: one KEYS
// call, which Redis answers in a single step over the whole keyspace. It
// exists only here, as the baseline; product code never sends KEYS.
func keysBaseline(ctx context.Context, rdb *redis.Client, pattern string) (int, error) {
	keys, err := rdb.Keys(ctx, pattern).Result()
	return len(keys), err
}

// hashReadsFloor reads the estimated_cost of every current-month member of
// communities inside the hash's lifetime (what the summary reads) with
// plain SORT_RO BY nosort LIMIT pages of 500, four communities at a time
// like the summary (no script, no cursor, nothing classified): what the
// summary's pages cost Redis at least. Benchmark-only, like KEYS.
func hashReadsFloor(ctx context.Context, rdb *redis.Client, store *gateway.Store, communities []string) (int, error) {
	month := gateway.Month(store.Now())
	windowStart := strconv.FormatInt(store.Now().Add(-2*time.Minute).UnixMilli(), 10)
	read := func(c string) (int, error) {
		key, n := gateway.ExpiryKey(c, month), 0
		from, err := rdb.ZCount(ctx, key, "-inf", windowStart).Result()
		if err != nil {
			return 0, err
		}
		card, err := rdb.ZCard(ctx, key).Result()
		if err != nil {
			return 0, err
		}
		n += int(from)
		for r := from; r < card; r += 500 {
			vals, err := rdb.SortRO(ctx, key, &redis.Sort{By: "nosort", Offset: r, Count: 500,
				Get: []string{gateway.ReservationKeyPrefix(c) + "*->estimated_cost"}}).Result()
			if err != nil {
				return n, err
			}
			n += len(vals)
		}
		return n, nil
	}
	var wg sync.WaitGroup
	found := make([]int, len(communities))
	errs := make([]error, len(communities))
	work := make(chan int)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				found[i], errs[i] = read(communities[i])
			}
		}()
	}
	for i := range communities {
		work <- i
	}
	close(work)
	wg.Wait()
	total := 0
	for _, n := range found {
		total += n
	}
	return total, errors.Join(errs...)
}

// benchRead times read under a PING probe, and measures it server-side;
// with -benchtime Nx every figure is the median of the N reads (see
// benchReclaim) and server_longest_max_ms the longest command of all.
func benchRead(b *testing.B, probeClient *redis.Client, dbsize int64, prepare func() error, read func() (int, error)) {
	figs := runFigures{}
	var longest time.Duration
	found := 0
	for i := 0; i < b.N; i++ {
		if prepare != nil {
			if err := prepare(); err != nil {
				b.Fatal(err)
			}
		}
		watch := watchServer(b, probeClient)
		probe := startProbe(probeClient)
		start := time.Now()
		n, err := read()
		figs.note("total_ms", float64(time.Since(start).Microseconds())/1000)
		figs.note("ping_stall_ms", float64(probe.finish().Microseconds())/1000)
		server := watch.finish(b)
		server.note(figs.note)
		longest = max(longest, server.longest)
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			b.Fatal("the read found nothing: the fixture is wrong")
		}
		found = n
	}
	figs.report(b)
	b.ReportMetric(float64(longest.Microseconds())/1000, "server_longest_max_ms")
	b.ReportMetric(float64(found), "found")
	b.ReportMetric(float64(dbsize), "dbsize")
}

// warmChanges is how many changes a warm summary follows: half new
// reservations (reserve.lua's HSET, PEXPIRE and ZADD), half finalized ones
// (finalize.lua's DEL and ZREM), spread over the communities.
const warmChanges = 1000

// warmSummary is the SummaryCache of the fill and warm rows.
type warmSummary struct {
	ctx         context.Context
	rdb         *redis.Client
	store       *gateway.Store
	idx         gateway.KeyIndex
	communities []string
	cache       *gateway.SummaryCache
	serial      int
	frozen      atomic.Pointer[time.Time] // verify's clock: the two summaries it compares see one instant
}

func (w *warmSummary) now() time.Time {
	if t := w.frozen.Load(); t != nil {
		return *t
	}
	return time.Now()
}

func (w *warmSummary) close() {
	if w.cache != nil {
		_ = w.cache.Close()
	}
}

// reset starts an empty cache, so the next summary fills it.
func (w *warmSummary) reset() error {
	w.close()
	w.cache = w.store.NewSummaryCache(gateway.SummaryCacheOptions{})
	return nil
}

func (w *warmSummary) summary() (int, error) {
	sum, err := w.cache.SummaryOf(w.ctx, w.idx, 0)
	t := sum.Totals
	return t.Live + t.Expired + t.Orphaned, err
}

// change fills the cache if it is not (untimed, like the changes), then
// makes warmChanges changes.
func (w *warmSummary) change() error {
	if w.cache == nil {
		if err := w.reset(); err != nil {
			return err
		}
		if _, err := w.summary(); err != nil {
			return err
		}
	}
	month := gateway.Month(w.store.Now())
	now := w.store.Now().UnixMilli()
	pipe := w.rdb.Pipeline()
	per := warmChanges / 2 / len(w.communities)
	for _, c := range w.communities {
		key := gateway.ExpiryKey(c, month)
		old, err := w.rdb.ZRangeByScore(w.ctx, key, &redis.ZRangeBy{Min: "(" + strconv.FormatInt(now, 10),
			Max: "+inf", Count: int64(per)}).Result()
		if err != nil {
			return err
		}
		for _, m := range old {
			pipe.Del(w.ctx, gateway.ReservationKeyPrefix(c)+m)
			pipe.ZRem(w.ctx, key, m)
		}
		for range per {
			w.serial++
			m := fmt.Sprintf("warm:%d", w.serial)
			hash := gateway.ReservationKeyPrefix(c) + m
			pipe.HSet(w.ctx, hash, "estimated_cost", 25, "created_at_ms", now, "model_alias", "cheap")
			pipe.PExpire(w.ctx, hash, 6*time.Minute)
			pipe.ZAdd(w.ctx, key, redis.Z{Score: float64(now + 300_000), Member: m})
		}
	}
	_, err := pipe.Exec(w.ctx)
	return err
}

// verify is one more warm summary beside a cold one (untimed): the warm
// row's figures are of a summary that gives what the cold one gives.
func (w *warmSummary) verify() error {
	if w.cache == nil {
		return nil
	}
	at := time.Now()
	w.frozen.Store(&at)
	defer w.frozen.Store(nil)
	got, err := w.cache.SummaryOf(w.ctx, w.idx, 0)
	if err != nil {
		return err
	}
	want, err := w.store.SummaryOf(w.ctx, w.idx, 0)
	if err != nil {
		return err
	}
	if g, w := boundaryFree(got.Totals), boundaryFree(want.Totals); g != w {
		return fmt.Errorf("the warm summary differs from a cold one:\n got %+v\nwant %+v", got.Totals, want.Totals)
	}
	return nil
}

// boundaryFree is what a warm and a cold summary must agree on even when
// hashes expire while the cold one reads: Redis expires them on its own
// clock, not the frozen one, and the cold read takes 1.5 s at 10^6 (the
// bench shape's hashes, written together at preload, expired by tens of
// thousands within it), so an expired member whose hash went meanwhile is
// an orphan to the cold read and expired to the warm one. Exactness at
// one instant is the lockstep tests' (TestSummaryCache*).
func boundaryFree(t gateway.ReservationTotals) gateway.ReservationTotals {
	t.Expired, t.Orphaned = t.Expired+t.Orphaned, 0
	t.DriftCents = 0
	return t
}
