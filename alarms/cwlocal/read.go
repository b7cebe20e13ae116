package cwlocal

import (
	"sort"
	"time"
)

// timeValue is one datapoint of a result series.
type timeValue struct {
	t     time.Time
	v     float64
	count float64
}

// periodAgg is the aggregate of one query period over a series' buckets.
// A period of one bucket reads that bucket in place (the common case: the
// period is the storage resolution); a second bucket starts a merged copy.
type periodAgg struct {
	b      bucket
	single *bucket
	n      int // buckets in the period
}

func (a *periodAgg) bucket() *bucket {
	if a.n == 1 {
		return a.single
	}
	return &a.b
}

// statSeries computes the statistic per period over [from, to), oldest
// first. Periods align to the epoch. A standard-resolution series answers
// no period under 60 s, and a Unit that differs from the series' unit
// matches nothing, as CloudWatch documents.
func (st *store) statSeries(sr *series, from, to time.Time, period int, stat Statistic, unit string) []timeValue {
	if sr == nil || (period < 60 && !sr.highRes) || (unit != "" && unit != sr.unit) {
		return nil
	}
	aggs := st.periods(sr, from.Unix(), to.Unix(), int64(period), stat.IsPercentile())
	out := make([]timeValue, 0, len(aggs))
	for i := range aggs {
		b := aggs[i].bucket()
		if v, ok := st.value(b, stat); ok {
			out = append(out, timeValue{t: time.Unix(aggs[i].b.start, 0).UTC(), v: v, count: b.cnt})
		}
	}
	return out
}

// periods groups every bucket starting in [from, to) by its period. Tiers
// hold disjoint times (coarser is older), so walking them coarse to fine
// meets the periods in order and the slice grows at its end. Read the
// result with bucket(); pass withPct to merge percentile data too.
func (st *store) periods(sr *series, from, to, period int64, withPct bool) []periodAgg {
	n := 0 // buckets in range: at most that many periods, allocated once
	for ti := range sr.tiers {
		t := &sr.tiers[ti]
		n += t.from(to) - t.from(from)
	}
	aggs := make([]periodAgg, 0, max(min(int64(n), (to-from)/period+1), 0))
	for ti := numTiers - 1; ti >= 0; ti-- {
		t := &sr.tiers[ti]
		for i := t.from(from); i < len(t.buckets) && t.buckets[i].start < to; i++ {
			b := &t.buckets[i]
			a := periodSlot(&aggs, b.start-mod(b.start, period))
			switch a.n {
			case 0:
				a.single = b
			case 1:
				st.mergeAgg(a.single, &a.b, withPct)
				fallthrough
			default:
				st.mergeAgg(b, &a.b, withPct)
			}
			a.n++
		}
	}
	return aggs
}

func (st *store) mergeAgg(b, dst *bucket, withPct bool) {
	if withPct {
		b.mergeInto(st.sm, dst)
		return
	}
	if dst.cnt == 0 {
		dst.min, dst.max = b.min, b.max
	}
	statsInto(b, dst)
}

func statsInto(b, dst *bucket) {
	dst.cnt += b.cnt
	dst.sum += b.sum
	dst.min, dst.max = min(dst.min, b.min), max(dst.max, b.max)
}

func periodSlot(aggs *[]periodAgg, start int64) *periodAgg {
	a := *aggs
	n := len(a)
	if n > 0 && a[n-1].b.start == start {
		return &a[n-1]
	}
	if n == 0 || a[n-1].b.start < start {
		*aggs = append(a, periodAgg{b: bucket{start: start}})
		return &(*aggs)[n]
	}
	i := sort.Search(n, func(i int) bool { return a[i].b.start >= start })
	if a[i].b.start != start { // late data in a finer tier: rare
		a = append(a, periodAgg{})
		copy(a[i+1:], a[i:])
		a[i] = periodAgg{b: bucket{start: start}}
		*aggs = a
	}
	return &(*aggs)[i]
}

// value computes the statistic of a period; ok is false when it has no
// answer (a percentile over data that only carried statistic sets).
func (st *store) value(b *bucket, s Statistic) (float64, bool) {
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
	return b.pct.percentile(st.sm, s.Percentile)
}
