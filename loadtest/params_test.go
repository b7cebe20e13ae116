package loadtest

import (
	"os"
	"sort"
	"time"
)

// loadParams: the full load when GATEWAYOPS_LOAD=1, else a short round that
// keeps `make test` quick while every assertion still runs.
type loadParams struct {
	clients  int
	duration time.Duration
}

func params(full, short loadParams) loadParams {
	if os.Getenv("GATEWAYOPS_LOAD") == "1" {
		return full
	}
	return short
}

// percentile of sorted latencies (p in 0..100), nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func sortDurations(d []time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
}
