package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
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
	reads := []struct {
		name string
		read func() (int, error)
	}{
		{"ScanKeys/dense", func() (int, error) {
			keys, _, err := insp.ScanKeys(ctx, densePattern, gateway.MaxScanKeys)
			return len(keys), err
		}},
		{"KEYS/dense", func() (int, error) { return keysBaseline(ctx, rdb, densePattern) }},
		{"ScanKeys/sparse", func() (int, error) {
			keys, _, err := insp.ScanKeys(ctx, sparsePattern, gateway.MaxScanKeys)
			return len(keys), err
		}},
		{"KEYS/sparse", func() (int, error) { return keysBaseline(ctx, rdb, sparsePattern) }},
		// GET /reservations/summary of every community as the admin server
		// runs it while its background key index is at most 30 s old (a
		// console polling status keeps it so): the summary pages through
		// that index, no keyspace walk (decision 140). idx was discovered
		// after the preload, seconds before this read.
		{"ReservationSummary", func() (int, error) {
			sum, err := store.SummaryOf(ctx, idx, 0)
			return members(sum.Totals), err
		}},
		// The same with a discovery walk first: what it costs when the
		// index is older (nobody polled for 30 s), what Store's own
		// ReservationSummary and the background round run.
		{"ReservationSummary+walk", func() (int, error) {
			sum, err := store.ReservationSummary(ctx, "", 0)
			return members(sum.Totals), err
		}},
		// The walk alone.
		{"DiscoverKeys", func() (int, error) {
			idx, err := store.DiscoverKeys(ctx)
			return len(idx.Communities()), err
		}},
		// The floor of the summary's hash reads: every member's
		// estimated_cost by plain SORT_RO pages of 500, nothing classified,
		// no discovery (the benchmark knows its communities).
		{"HashReadsFloor", func() (int, error) { return hashReadsFloor(ctx, rdb, store, communities) }},
		// What GET /status reads on every call.
		{"ReservationCounts", func() (int, error) {
			c, err := store.ReservationCounts(ctx, idx)
			return c.Live + c.Expired + c.Orphaned, err
		}},
	}
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) { benchRead(b, probeClient, dbsize, r.read) })
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
func benchRead(b *testing.B, probeClient *redis.Client, dbsize int64, read func() (int, error)) {
	figs := runFigures{}
	var longest time.Duration
	found := 0
	for i := 0; i < b.N; i++ {
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
