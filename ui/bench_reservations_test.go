package ui

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gatewayops/gateway/sim"
)

// benchReservationSizes are the Redis sizes of BenchmarkConsoleOverReservations
// (GATEWAYOPS_BENCH_CONSOLE_RESERVATIONS, default 10^4 and 10^6).
func benchReservationSizes(b *testing.B) []int {
	raw := os.Getenv("GATEWAYOPS_BENCH_CONSOLE_RESERVATIONS")
	if raw == "" {
		raw = "10000 1000000"
	}
	var sizes []int
	for _, f := range strings.Fields(raw) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			b.Fatalf("GATEWAYOPS_BENCH_CONSOLE_RESERVATIONS: %q is not a reservation count", f)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// BenchmarkConsoleOverReservations is the console's refresh (alarms from
// cwlocal, the admin API's status, Redis) over a gateway Redis holding N
// reservations in the bench shape (sim.Preload, 90 % live, over ten
// communities), through the real admin server and Redis. "first-ms" is the
// console's first refresh, which its first frame waits for (the alarms
// only: status and Redis are taken if they have answered by then, else the
// admin panel says waiting until the follow-up), "status-ms" the time
// until a refresh also holds status (the first status waits for the admin
// server's first key discovery), "summary-ms" until status also holds the
// admin server's first background summary, "fill-refresh-ms" the median
// refresh before that (sharing Redis with the summary's pages), ns/op a
// steady refresh after it. Status is O(communities) (decision 70), so the
// steady refresh should not grow with N.
func BenchmarkConsoleOverReservations(b *testing.B) {
	for _, n := range benchReservationSizes(b) {
		b.Run(fmt.Sprintf("reservations=%d", n), func(b *testing.B) {
			s := startStack(b, "staging", false)
			ctx := context.Background()
			communities := make([]string, 10)
			for i := range communities {
				communities[i] = fmt.Sprintf("community-%02d", i+1)
			}
			if _, err := sim.New(s.store, sim.Config{Communities: communities, Seed: 1}).Preload(ctx, n, 0.10); err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			snap, err := s.backend.Refresh(ctx)
			first := time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			// The first status waits for the admin server's first key
			// discovery; the console shows the alarms at once, the admin
			// panel waiting, and refreshes (each waiting up to 500 ms for
			// the status still out) until it is in.
			for staleAdmin(snap) && time.Since(start) < time.Minute {
				snap, err = s.backend.Refresh(ctx)
			}
			withStatus := time.Since(start)
			requireFreshAdmin(b, snap, err)
			// The admin server's first summary reads every hash (at 10^6
			// seconds of pages); refreshes until it is in share Redis with
			// it, so they are reported apart from the steady ones.
			var duringFill []float64
			for strings.Contains(snap.Redis, firstSummaryPending) && time.Since(start) < 2*time.Minute {
				t := time.Now()
				snap, err = s.backend.Refresh(ctx)
				duringFill = append(duringFill, float64(time.Since(t).Microseconds())/1000)
				requireFreshAdmin(b, snap, err)
			}
			if strings.Contains(snap.Redis, firstSummaryPending) {
				b.Fatal("the admin server's first summary was not in after 2 minutes")
			}
			summaryIn := time.Since(start)
			b.ResetTimer()
			for range b.N {
				snap, err := s.backend.Refresh(ctx)
				requireFreshAdmin(b, snap, err)
			}
			b.ReportMetric(float64(first.Microseconds())/1000, "first-ms")
			b.ReportMetric(float64(withStatus.Microseconds())/1000, "status-ms")
			b.ReportMetric(float64(summaryIn.Microseconds())/1000, "summary-ms")
			b.ReportMetric(medianMs(duringFill), "fill-refresh-ms")
			b.ReportMetric(float64(len(duringFill)), "fill-refreshes")
		})
	}
}

// medianMs is the median of ms (0 when empty).
func medianMs(ms []float64) float64 {
	if len(ms) == 0 {
		return 0
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	return s[len(s)/2]
}

// staleAdmin is true while the admin API's figures are not from this refresh.
func staleAdmin(snap Snapshot) bool {
	for _, h := range snap.Health {
		if h.Name == "admin api" && (h.LastError != "" || h.LastSuccess.IsZero()) { // failed, or still waiting
			return true
		}
	}
	return false
}

// requireFreshAdmin fails a refresh whose admin API answer failed: a timed
// out status would make a fast refresh meaningless.
func requireFreshAdmin(b *testing.B, snap Snapshot, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
	for _, h := range snap.Health {
		if h.LastError != "" {
			b.Fatalf("%s failed during the refresh: %s", h.Name, h.LastError)
		}
	}
}
