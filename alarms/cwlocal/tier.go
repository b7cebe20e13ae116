package cwlocal

import (
	"math"
	"sort"
)

// sample is one ingested datum before it lands in a bucket: its statistic
// set and, unless it was a statistic set, its values with their weights.
type sample struct {
	t                  int64 // epoch seconds
	cnt, sum, min, max float64
	vals, weights      []float64 // weights nil: 1 each
	statOnly           bool
	highRes            bool // StorageResolution 1
}

// newSample builds the sample of raw values (weights nil means 1 each).
func newSample(t int64, vals, weights []float64, highRes bool) sample {
	s := sample{t: t, min: math.Inf(1), max: math.Inf(-1), vals: vals, weights: weights, highRes: highRes}
	for i, v := range vals {
		n := 1.0
		if weights != nil {
			n = weights[i]
		}
		if n == 0 {
			continue
		}
		s.cnt += n
		s.sum += v * n
		s.min = math.Min(s.min, v)
		s.max = math.Max(s.max, v)
	}
	return s
}

// bucket is the aggregate of one storage interval of one series.
type bucket struct {
	start              int64
	cnt, sum, min, max float64
	pct                pctData
}

// bucketBytes is the fixed cost of a bucket in memory (struct and slice
// headers), for the budget accounting.
const bucketBytes = 96

func (b *bucket) add(sm sketchMapping, s *sample) {
	if b.cnt == 0 {
		b.min, b.max = s.min, s.max
	} else {
		b.min, b.max = math.Min(b.min, s.min), math.Max(b.max, s.max)
	}
	b.cnt += s.cnt
	b.sum += s.sum
	if s.statOnly {
		b.pct.merge(sm, &pctData{statOnly: true})
		return
	}
	b.pct.add(sm, s.vals, s.weights)
}

func (b *bucket) mergeInto(sm sketchMapping, dst *bucket) {
	if dst.cnt == 0 {
		dst.min, dst.max = b.min, b.max
	} else {
		dst.min, dst.max = math.Min(dst.min, b.min), math.Max(dst.max, b.max)
	}
	dst.cnt += b.cnt
	dst.sum += b.sum
	dst.pct.merge(sm, &b.pct)
}

// tier holds a series' buckets at one resolution, sorted by start.
type tier struct {
	res     int64 // seconds per bucket
	buckets []bucket
	closed  int // buckets[:closed] have their sketches encoded
}

// find returns the index of the bucket starting at start, or where it goes.
func (t *tier) find(start int64) (int, bool) {
	n := len(t.buckets)
	if n > 0 && t.buckets[n-1].start == start { // the common case: in order
		return n - 1, true
	}
	if n == 0 || t.buckets[n-1].start < start {
		return n, false
	}
	i := sort.Search(n, func(i int) bool { return t.buckets[i].start >= start })
	return i, i < n && t.buckets[i].start == start
}

// slot returns the bucket that covers t, creating it; created reports a new one.
func (t *tier) slot(at int64) (b *bucket, created bool) {
	start := at - mod(at, t.res)
	i, ok := t.find(start)
	if !ok {
		t.buckets = append(t.buckets, bucket{})
		copy(t.buckets[i+1:], t.buckets[i:])
		t.buckets[i] = bucket{start: start}
		if i < t.closed {
			t.closed++
		}
		created = true
	}
	return &t.buckets[i], created
}

// from returns the index of the first bucket starting at or after start.
func (t *tier) from(start int64) int {
	return sort.Search(len(t.buckets), func(i int) bool { return t.buckets[i].start >= start })
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
