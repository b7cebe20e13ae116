package gateway_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
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

// benchReclaim runs reclaim over each data shape: for every run a fresh
// preload of benchSize members in community "bench", then reclaim timed
// under a PING probe and measured server-side (serverWatch), beside an idle
// probe floor from the same run. With -benchtime Nx every figure is the
// median of the N runs (a run the shared machine preempted moves it less
// than a mean), and server_longest_max_ms is the longest command of all runs.
// reclaim reports its own per-run figures through note.
func benchReclaim(b *testing.B, reclaim func(ctx context.Context, b *testing.B, s *gateway.Store, note noter) error) {
	for _, sh := range shapes {
		b.Run("shape="+sh.name, func(b *testing.B) { benchReclaimShape(b, sh, reclaim) })
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

func benchReclaimShape(b *testing.B, sh dataShape, reclaim func(context.Context, *testing.B, *gateway.Store, noter) error) {
	n := benchSize(b)
	_, rdb, probeClient := benchRedis(b)
	ctx := context.Background()
	store := gateway.NewStore(rdb, gateway.StoreOptions{})
	figs := runFigures{}
	var longest time.Duration
	stale := 0
	b.ResetTimer() // starting redis-server is not part of the measurement
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := rdb.FlushAll(ctx).Err(); err != nil {
			b.Fatal(err)
		}
		var err error
		if stale, err = sh.preload(ctx, store, []string{"bench"}, n); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			idleFloor(b, probeClient)
		}
		watch := watchServer(b, probeClient)
		probe := startProbe(probeClient)
		b.StartTimer()
		start := time.Now()
		if err := reclaim(ctx, b, store, figs.note); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		b.StopTimer()
		figs.note("total_ms", float64(took.Microseconds())/1000)
		figs.note("ping_stall_ms", float64(probe.finish().Microseconds())/1000)
		server := watch.finish(b)
		server.note(figs.note)
		longest = max(longest, server.longest)
	}
	figs.report(b)
	b.ReportMetric(float64(longest.Microseconds())/1000, "server_longest_max_ms")
	b.ReportMetric(float64(stale), "stale")
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

// BenchmarkDrain is the console's drain.
func BenchmarkDrain(b *testing.B) {
	benchReclaim(b, func(ctx context.Context, b *testing.B, s *gateway.Store, note noter) error {
		res, err := drainBench(ctx, b, s, false)
		if err == nil {
			note("batches", float64(res.Batches))
			note("longest_batch_ms", res.LongestBatchMs)
		}
		return err
	})
}

// BenchmarkDrainPlanApplyVerify is what an operator's drain costs: the plan
// (a dry run of the same batches: it reads the hash of every stale member
// inside the hash's lifetime and counts the older ones by rank), the drain,
// and the verification (a dry run that finds nothing left). drain_ms is the
// apply alone, from the same run.
func BenchmarkDrainPlanApplyVerify(b *testing.B) {
	benchReclaim(b, func(ctx context.Context, b *testing.B, s *gateway.Store, note noter) error {
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
	})
}

// BenchmarkReapUnbounded is the gateway's reaper: one script call over every
// expired member, the baseline the bounded drain is compared with.
func BenchmarkReapUnbounded(b *testing.B) {
	benchReclaim(b, func(ctx context.Context, b *testing.B, s *gateway.Store, _ noter) error {
		res, err := s.Reap(ctx, "bench")
		if err == nil && res.Count == 0 {
			b.Fatal("reap found nothing to reclaim")
		}
		return err
	})
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
