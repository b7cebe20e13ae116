package cwlocal

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Statistic names the aggregate of one period: SampleCount, Sum, Average,
// Minimum, Maximum, or a percentile pNN (p99, p99.9).
type Statistic struct {
	Name       string
	Percentile float64 // set when Name is a pNN
}

// statNames are the accepted plain statistics.
var statNames = []string{"SampleCount", "Sum", "Average", "Minimum", "Maximum"}

// ParseStatistic checks a statistic name and says which ones exist when it is unknown.
func ParseStatistic(s string) (Statistic, error) {
	for _, n := range statNames {
		if s == n {
			return Statistic{Name: s}, nil
		}
	}
	if len(s) > 1 && s[0] == 'p' {
		v, err := strconv.ParseFloat(s[1:], 64)
		if err == nil && v >= 0 && v <= 100 && !strings.ContainsAny(s[1:], "eE+-") {
			return Statistic{Name: s, Percentile: v}, nil
		}
	}
	return Statistic{}, fmt.Errorf("unknown statistic %q (accepted: %s, or pNN such as p99 or p99.9)", s, strings.Join(statNames, ", "))
}

// IsPercentile reports whether the statistic is an extended (pNN) one.
func (s Statistic) IsPercentile() bool { return s.Name != "" && s.Name[0] == 'p' }

// maxPeriod bounds a period at 31 days, so period arithmetic never overflows.
const maxPeriodSeconds = 31 * 24 * 3600

// ValidPeriod reports whether CloudWatch accepts p seconds as a period.
func ValidPeriod(p int) bool {
	return p == 1 || p == 5 || p == 10 || p == 30 || (p >= 60 && p%60 == 0 && p <= maxPeriodSeconds)
}

// bucket is the aggregate of one period.
type bucket struct {
	start              time.Time
	sum, min, max, cnt float64
	values             []float64
	allRaw             bool // every point in the bucket carried raw values
}

// aggregate groups the points in [from, to) into period buckets aligned to the epoch.
func aggregate(points []point, from, to time.Time, period int) map[int64]*bucket {
	out := map[int64]*bucket{}
	for _, p := range points {
		if p.t.Before(from) || !p.t.Before(to) {
			continue
		}
		k := p.t.Unix() - mod(p.t.Unix(), int64(period))
		b, ok := out[k]
		if !ok {
			b = &bucket{start: time.Unix(k, 0).UTC(), min: math.Inf(1), max: math.Inf(-1), allRaw: true}
			out[k] = b
		}
		b.sum += p.sum
		b.cnt += p.cnt
		b.min = math.Min(b.min, p.min)
		b.max = math.Max(b.max, p.max)
		if p.values == nil {
			b.allRaw = false
		}
		b.values = append(b.values, p.values...)
	}
	return out
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// value computes the statistic of a bucket; ok is false when it has no answer
// (a percentile over points that only carried statistic sets).
func (b *bucket) value(s Statistic) (float64, bool) {
	switch s.Name {
	case "SampleCount":
		return b.cnt, true
	case "Sum":
		return b.sum, true
	case "Average":
		if b.cnt == 0 {
			return 0, false
		}
		return b.sum / b.cnt, true
	case "Minimum":
		return b.min, true
	case "Maximum":
		return b.max, true
	}
	if !b.allRaw || len(b.values) == 0 {
		return 0, false
	}
	return nearestRank(b.values, s.Percentile), true
}

// nearestRank is the percentile by the nearest-rank method: the smallest
// sample such that at least p% of the samples are <= it (rank ceil(p/100*n)).
// We chose it over interpolation because it always returns an observed value,
// which is what an on-call engineer compares with a latency threshold.
func nearestRank(values []float64, p float64) float64 {
	v := append([]float64(nil), values...)
	sort.Float64s(v)
	rank := int(math.Ceil(p / 100 * float64(len(v))))
	if rank < 1 {
		rank = 1
	}
	return v[rank-1]
}

// timeValue is one datapoint of a result series.
type timeValue struct {
	t     time.Time
	v     float64
	count float64
}

// statSeries computes the statistic per period over [from, to), oldest first.
func statSeries(points []point, from, to time.Time, period int, s Statistic) []timeValue {
	buckets := aggregate(points, from, to, period)
	out := make([]timeValue, 0, len(buckets))
	for _, b := range buckets {
		if v, ok := b.value(s); ok {
			out = append(out, timeValue{t: b.start, v: v, count: b.cnt})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].t.Before(out[j].t) })
	return out
}
