package gateway_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/redisproc"
	"gatewayops/gateway/sim"

	"github.com/redis/go-redis/v9"
)

// benchSize is GATEWAYOPS_BENCH_RESERVATIONS (default 100,000).
func benchSize(b *testing.B) int { return envSize(b, "GATEWAYOPS_BENCH_RESERVATIONS", 100_000) }

// envSize reads a positive size from the environment, else def.
func envSize(b *testing.B, name string, def int) int {
	raw := os.Getenv(name)
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive integer", name, raw)
	}
	return n
}

// pingProbe PINGs in a loop on its own connection and keeps the longest
// round trip: how long another client stalls while the drain runs.
type pingProbe struct {
	stop    chan struct{}
	done    sync.WaitGroup
	longest time.Duration
	count   int
}

func startProbe(rdb *redis.Client) *pingProbe {
	p := &pingProbe{stop: make(chan struct{})}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		ctx := context.Background()
		for {
			select {
			case <-p.stop:
				return
			default:
			}
			start := time.Now()
			_ = rdb.Ping(ctx).Err()
			p.longest = max(p.longest, time.Since(start))
			p.count++
		}
	}()
	return p
}

func (p *pingProbe) finish() time.Duration {
	close(p.stop)
	p.done.Wait()
	return p.longest
}

// reclaimer is one contender of a reclaim benchmark: it reclaims the stale
// reservations of community bench and reports its own per-run figures
// through note.
type reclaimer func(ctx context.Context, b *testing.B, s *gateway.Store, note noter) error

// contender names a reclaimer; its figures are reported under prefix+unit.
type contender struct {
	prefix  string
	reclaim reclaimer
}

// benchReclaim runs the contenders over each data shape: for every run and
// every contender a fresh preload of benchSize members in community "bench"
// (the same seeded data each time), then the contender timed under a PING
// probe and measured server-side (serverWatch), beside an idle probe floor
// from the same run. Two contenders alternate which goes first from run to
// run, so drift of the shared machine lands on both alike, and each run also
// notes their ratio (ratio_to_<second prefix>, first/second). With
// -benchtime Nx every figure is the median of the N runs (a run the shared
// machine preempted moves it less than a mean), and server_longest_max_ms is
// the longest command of all runs.
func benchReclaim(b *testing.B, cs ...contender) {
	for _, sh := range shapes {
		b.Run("shape="+sh.name, func(b *testing.B) { benchReclaimShape(b, sh, cs) })
	}
}

// noter records one per-run figure under a unit.
type noter func(unit string, v float64)

// runFigures collects per-run figures and reports their medians.
type runFigures map[string][]float64

func (r runFigures) note(unit string, v float64) { r[unit] = append(r[unit], v) }

func (r runFigures) report(b *testing.B) {
	for unit, vs := range r {
		b.ReportMetric(median(vs), unit)
	}
}

func median(vs []float64) float64 {
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func benchReclaimShape(b *testing.B, sh dataShape, cs []contender) {
	n := benchSize(b)
	_, rdb, probeClient := benchRedis(b)
	ctx := context.Background()
	store := gateway.NewStore(rdb, gateway.StoreOptions{})
	figs := runFigures{}
	longest := map[string]time.Duration{}
	stale := 0
	b.ResetTimer() // starting redis-server is not part of the measurement
	for i := 0; i < b.N; i++ {
		took := map[string]time.Duration{}
		for j := range cs {
			c := cs[(i+j)%len(cs)] // alternate which contender goes first
			d, server := reclaimRun(ctx, b, rdb, probeClient, store, sh, n, i == 0 && j == 0, c, figs, &stale)
			took[c.prefix] = d
			longest[c.prefix] = max(longest[c.prefix], server)
		}
		if len(cs) == 2 {
			figs.note("ratio_to_"+strings.TrimSuffix(cs[1].prefix, "_"), float64(took[cs[0].prefix])/float64(took[cs[1].prefix]))
		}
	}
	figs.report(b)
	for prefix, l := range longest {
		b.ReportMetric(float64(l.Microseconds())/1000, prefix+"server_longest_max_ms")
	}
	b.ReportMetric(float64(stale), "stale")
}

// reclaimRun is one contender's run over a fresh preload; it notes the
// run's figures under the contender's prefix and returns its time and its
// longest command.
func reclaimRun(ctx context.Context, b *testing.B, rdb, probeClient *redis.Client, store *gateway.Store, sh dataShape,
	n int, floor bool, c contender, figs runFigures, stale *int) (time.Duration, time.Duration) {
	b.StopTimer()
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		b.Fatal(err)
	}
	var err error
	if *stale, err = sh.preload(ctx, store, []string{"bench"}, n); err != nil {
		b.Fatal(err)
	}
	if floor {
		idleFloor(b, probeClient)
	}
	note := func(unit string, v float64) { figs.note(c.prefix+unit, v) }
	watch := watchServer(b, probeClient)
	probe := startProbe(probeClient)
	b.StartTimer()
	start := time.Now()
	if err := c.reclaim(ctx, b, store, note); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	b.StopTimer()
	note("total_ms", float64(took.Microseconds())/1000)
	note("ping_stall_ms", float64(probe.finish().Microseconds())/1000)
	server := watch.finish(b)
	server.note(note)
	return took, server.longest
}

// benchRedis starts a redis-server with a client whose reads wait as long
// as the unbounded baselines take at 10^6 (the reaper's one call, KEYS), and
// a second client for the PING probe and the server figures.
func benchRedis(b *testing.B) (*redisproc.Server, *redis.Client, *redis.Client) {
	srv, _ := redisproc.ForTest(b)
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: srv.Socket(), ReadTimeout: 5 * time.Minute})
	probeClient := redis.NewClient(&redis.Options{Network: "unix", Addr: srv.Socket()})
	b.Cleanup(func() { _ = rdb.Close(); _ = probeClient.Close() })
	return srv, rdb, probeClient
}

// drainBench is the console's drain of community bench: bounded,
// time-boxed batches of 500, the community's keys looked up by name (as the
// reaper is given the community; an every-community drain through the admin
// server reads the background index, without a walk either).
func drainBench(ctx context.Context, b *testing.B, s *gateway.Store, dry bool) (gateway.DrainResult, error) {
	res, err := s.Drain(ctx, gateway.DrainRequest{BatchSize: 500, Community: "bench", DryRun: dry})
	if err == nil && !dry && res.Claimed+res.Orphans == 0 {
		b.Fatal("drain found nothing to reclaim")
	}
	return res, err
}

// BenchmarkDrain is the console's drain, run by turns with the gateway's
// reaper over the same preloads (its figures under reaper_; the ratio of
// each pair as ratio_to_reaper).
func BenchmarkDrain(b *testing.B) {
	benchReclaim(b, contender{"", func(ctx context.Context, b *testing.B, s *gateway.Store, note noter) error {
		res, err := drainBench(ctx, b, s, false)
		if err == nil {
			note("batches", float64(res.Batches))
			note("longest_batch_ms", res.LongestBatchMs)
		}
		return err
	}}, contender{"reaper_", reap})
}

// BenchmarkDrainPlanApplyVerify is what an operator's drain costs: the plan
// (a dry run of the same batches: it reads the hash of every stale member
// inside the hash's lifetime and counts the older ones by rank), the drain,
// and the verification (a dry run that finds nothing left). drain_ms is the
// apply alone, from the same run.
func BenchmarkDrainPlanApplyVerify(b *testing.B) {
	benchReclaim(b, contender{"", func(ctx context.Context, b *testing.B, s *gateway.Store, note noter) error {
		plan, err := drainBench(ctx, b, s, true)
		if err != nil {
			return err
		}
		start := time.Now()
		res, err := drainBench(ctx, b, s, false)
		if err != nil {
			return err
		}
		note("drain_ms", float64(time.Since(start).Microseconds())/1000)
		verify, err := drainBench(ctx, b, s, true)
		// Live members may expire between the calls (the clock is real), so
		// the drain claims at least what the plan said.
		if err == nil && res.Claimed < plan.Claimed {
			b.Fatalf("plan %d, drain %d: the drain claimed less than planned", plan.Claimed, res.Claimed)
		}
		note("left", float64(verify.Claimed+verify.Orphans))
		return err
	}})
}

// BenchmarkReapUnbounded is the gateway's reaper alone: one script call over
// every expired member, the baseline the bounded drain is compared with
// (BenchmarkDrain runs it by turns with the drain).
func BenchmarkReapUnbounded(b *testing.B) {
	benchReclaim(b, contender{"", reap})
}

// reap is the gateway's reaper of community bench.
func reap(ctx context.Context, b *testing.B, s *gateway.Store, _ noter) error {
	res, err := s.Reap(ctx, "bench")
	if err == nil && res.Count == 0 {
		b.Fatal("reap found nothing to reclaim")
	}
	return err
}

// BenchmarkReconcile is reconcile's single atomic call (decisions.md 6),
// exempt from the stall bound: its cost at 1,000 and 2,000 live members is
// the longest command of the drain (server_longest_ms).
func BenchmarkReconcile(b *testing.B) {
	for _, live := range []int{1000, 2000} {
		b.Run(fmt.Sprintf("live=%d", live), func(b *testing.B) {
			srv, rdb := redisproc.ForTest(b)
			probeClient := redis.NewClient(&redis.Options{Network: "unix", Addr: srv.Socket()})
			b.Cleanup(func() { _ = probeClient.Close() })
			ctx := context.Background()
			store := gateway.NewStore(rdb, gateway.StoreOptions{})
			var server serverFigures
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				_ = rdb.FlushAll(ctx).Err()
				s := sim.New(store, sim.Config{Communities: []string{"bench"}, Seed: int64(i)})
				if _, err := s.Preload(ctx, live*10/9, 0.10); err != nil {
					b.Fatal(err)
				}
				watch := watchServer(b, probeClient)
				b.StartTimer()
				res, err := store.Drain(ctx, gateway.DrainRequest{Mode: gateway.DrainReconcile, Community: "bench", BatchSize: 500})
				b.StopTimer()
				server = watch.finish(b)
				if err != nil || !res.Communities[0].Reconciled {
					b.Fatalf("reconcile: %+v %v", res, err)
				}
			}
			server.report(b)
		})
	}
}
