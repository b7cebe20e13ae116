package gateway_test

import (
	"context"
	"os"
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

// benchReclaim preloads reservations (10% stale) in one community, then
// times reclaim while a PING probe measures the stall it causes.
func benchReclaim(b *testing.B, reclaim func(context.Context, *gateway.Store) error) {
	n := benchSize(b)
	srv, rdb := redisproc.ForTest(b)
	probeClient := redis.NewClient(&redis.Options{Network: "unix", Addr: srv.Socket()})
	b.Cleanup(func() { _ = probeClient.Close() })
	ctx := context.Background()
	store := gateway.NewStore(rdb, gateway.StoreOptions{})
	var total, stall time.Duration
	b.ResetTimer() // starting redis-server is not part of the measurement
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := rdb.FlushAll(ctx).Err(); err != nil {
			b.Fatal(err)
		}
		s := sim.New(store, sim.Config{Communities: []string{"bench"}, Seed: int64(i)})
		if _, err := s.Preload(ctx, n, 0.10); err != nil {
			b.Fatal(err)
		}
		probe := startProbe(probeClient)
		b.StartTimer()
		start := time.Now()
		if err := reclaim(ctx, store); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		b.StopTimer()
		stall = max(stall, probe.finish())
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "total_ms")
	b.ReportMetric(float64(stall.Microseconds())/1000, "ping_stall_ms")
}

// BenchmarkDrain is the console's drain: bounded batches of 500.
func BenchmarkDrain(b *testing.B) {
	benchReclaim(b, func(ctx context.Context, s *gateway.Store) error {
		res, err := s.Drain(ctx, gateway.DrainRequest{BatchSize: 500})
		if err == nil && res.Claimed+res.Orphans == 0 {
			b.Fatal("drain found nothing to reclaim")
		}
		if err == nil {
			b.ReportMetric(float64(res.Batches), "batches")
			b.ReportMetric(res.LongestBatchMs, "longest_batch_ms")
		}
		return err
	})
}

// BenchmarkReapUnbounded is the gateway's reaper: one script call over every
// expired member, the baseline the bounded drain is compared with.
func BenchmarkReapUnbounded(b *testing.B) {
	benchReclaim(b, func(ctx context.Context, s *gateway.Store) error {
		res, err := s.Reap(ctx, "bench")
		if err == nil && res.Count == 0 {
			b.Fatal("reap found nothing to reclaim")
		}
		return err
	})
}
