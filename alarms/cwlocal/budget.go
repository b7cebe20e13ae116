package cwlocal

import (
	"fmt"
	"time"
)

// Retention is how long each tier keeps its buckets before rolling them up
// into the next (the last one drops them).
type Retention struct {
	Second, Minute, FiveMinutes, Hour time.Duration
}

func (r Retention) tiers() [numTiers]time.Duration {
	return [numTiers]time.Duration{r.Second, r.Minute, r.FiveMinutes, r.Hour}
}

// String is the retention as the start-up line prints it.
func (r Retention) String() string {
	return fmt.Sprintf("1 s buckets %s, 60 s buckets %s, 5 min buckets %s, 1 h buckets %s",
		short(r.Second), short(r.Minute), short(r.FiveMinutes), short(r.Hour))
}

func short(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%.1fd", d.Hours()/24)
	case d >= 2*time.Hour:
		return fmt.Sprintf("%.1fh", d.Hours())
	}
	return d.Round(time.Second).String()
}

// budgetBucketBytes is the planning cost of one bucket in process memory:
// measured 225 B of RSS a bucket (86 B accounted: the rest is slice growth
// and the garbage collector's headroom) at 10,000 series x a day of minutes
// (BenchmarkStore10000SeriesDay). Retention is derived from it, so the
// budget holds when every series is full.
const budgetBucketBytes = 256

// minBucketsPerTier keeps a tiny budget usable: every tier holds at least
// this many buckets.
const minBucketsPerTier = 10

// DeriveRetention turns a memory budget into retention (docs/decisions.md
// 31): the budget is shared by maxSeries full series, and each series gives
// a quarter of its share to each tier. With the defaults (2 GiB, 10,000
// series) that is 209 buckets a tier: 1 s buckets 3m29s, 60 s 3.5 h,
// 5 min 17.4 h, 1 h 8.7 d.
func DeriveRetention(budget int64, maxSeries int) Retention {
	perTier := budget / int64(maxSeries) / numTiers / budgetBucketBytes
	perTier = max(perTier, minBucketsPerTier)
	var d [numTiers]time.Duration
	for i := range d {
		d[i] = time.Duration(perTier*tierRes[i]) * time.Second
	}
	return Retention{Second: d[0], Minute: d[1], FiveMinutes: d[2], Hour: d[3]}
}
