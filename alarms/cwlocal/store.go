package cwlocal

import (
	"sort"
	"strings"
	"time"
)

// Dimension is one name/value pair of a metric identity.
type Dimension struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// MetricID is a metric's identity: namespace, name and its FULL dimension set.
// Two series that differ in any dimension are different metrics, as in CloudWatch.
type MetricID struct {
	Namespace  string
	MetricName string
	// Dimensions sorted by name.
	Dimensions []Dimension
}

func newMetricID(ns, name string, dims []Dimension) MetricID {
	d := append([]Dimension(nil), dims...)
	sort.Slice(d, func(i, j int) bool { return d[i].Name < d[j].Name })
	return MetricID{Namespace: ns, MetricName: name, Dimensions: d}
}

// key is the map key of the identity; NUL cannot appear in CloudWatch names.
func (m MetricID) key() string {
	var b strings.Builder
	b.WriteString(m.Namespace)
	b.WriteByte(0)
	b.WriteString(m.MetricName)
	for _, d := range m.Dimensions {
		b.WriteByte(0)
		b.WriteString(d.Name)
		b.WriteByte(1)
		b.WriteString(d.Value)
	}
	return b.String()
}

// Tier indexes: a series keeps 1 s buckets (high-resolution data), then
// rolls them up with age into 60 s, 5 min and 1 h buckets, as CloudWatch
// does; data older than the last tier's retention is gone.
const (
	tierSecond = iota
	tierMinute
	tierFiveMinutes
	tierHour
	numTiers
)

var tierRes = [numTiers]int64{1, 60, 300, 3600}

// series is one metric's data by time.
type series struct {
	id      MetricID
	key     string
	unit    string
	highRes bool // some datum had StorageResolution 1
	tiers   [numTiers]tier
	last    time.Time // latest ingest wall time: RecentlyActive and eviction
	// nextCompact is when the series next rolls buckets up (epoch seconds).
	nextCompact int64
}

func newSeries(id MetricID, key, unit string) *series {
	s := &series{id: id, key: key, unit: unit}
	for i := range s.tiers {
		s.tiers[i].res = tierRes[i]
	}
	return s
}

// store holds every series; the Service's mutex guards it.
type store struct {
	series    map[string]*series
	maxSeries int
	ret       Retention
	retSecs   [numTiers]int64
	sm        sketchMapping
	// watched counts, per series key, the alarms that read it; a watched
	// series is always admitted and never evicted.
	watched   map[string]int
	unwatched int   // series no alarm reads: these count against maxSeries
	bytes     int64 // accounted memory of every bucket
	evicted   int
}

func newStore(maxSeries int, ret Retention) *store {
	st := &store{series: map[string]*series{}, maxSeries: maxSeries, ret: ret, sm: newSketchMapping(), watched: map[string]int{}}
	for i, d := range ret.tiers() {
		st.retSecs[i] = int64(d / time.Second)
	}
	return st
}

func (st *store) get(id MetricID) *series { return st.series[id.key()] }

// tierFor is the tier a sample of that age lands in: the finest one whose
// window still covers it; numTiers when it is older than all retention.
func (st *store) tierFor(t int64, highRes bool, now int64) int {
	i := tierMinute
	if highRes {
		i = tierSecond
	}
	for ; i < numTiers; i++ {
		start := t - mod(t, tierRes[i])
		if start+tierRes[i] > now-st.retSecs[i] {
			return i
		}
	}
	return numTiers
}

// oldest is the earliest timestamp the store still keeps.
func (st *store) oldest(now time.Time) time.Time {
	return now.Add(-st.ret.Hour)
}

// admit checks that every identity in keys can be stored, evicting idle
// series no alarm reads when the bound is reached. It changes nothing when
// it refuses, so a request is stored whole or not at all.
func (st *store) admit(keys map[string]bool, now time.Time) bool {
	need := 0
	for k := range keys {
		if st.series[k] == nil && st.watched[k] == 0 {
			need++
		}
	}
	short := st.unwatched + need - st.maxSeries
	if short <= 0 {
		return true
	}
	victims := st.idleUnwatched(now, short)
	if len(victims) < short {
		return false
	}
	for _, s := range victims {
		st.drop(s)
		st.evicted++
	}
	return true
}

// evictIdle is how long a series no alarm reads must have been silent
// before a new series may take its place.
const evictIdle = time.Hour

// idleUnwatched returns up to n of the longest-silent unwatched series idle
// for evictIdle or more, oldest first.
func (st *store) idleUnwatched(now time.Time, n int) []*series {
	var idle []*series
	for _, s := range st.series {
		if st.watched[s.key] == 0 && now.Sub(s.last) >= evictIdle {
			idle = append(idle, s)
		}
	}
	sort.Slice(idle, func(i, j int) bool { return idle[i].last.Before(idle[j].last) })
	return idle[:min(n, len(idle))]
}

func (st *store) drop(s *series) {
	for i := range s.tiers {
		for j := range s.tiers[i].buckets {
			st.bytes -= int64(bucketBytes + s.tiers[i].buckets[j].pct.bytes())
		}
	}
	delete(st.series, s.key)
	if st.watched[s.key] == 0 {
		st.unwatched--
	}
}

// add stores one sample; admit must have accepted the identity and
// tierFor must have placed the sample.
func (st *store) add(id MetricID, key, unit string, smp *sample, now time.Time) {
	s, ok := st.series[key]
	if !ok {
		s = newSeries(id, key, unit)
		st.series[key] = s
		if st.watched[key] == 0 {
			st.unwatched++
		}
	}
	nowSec := now.Unix()
	ti := st.tierFor(smp.t, smp.highRes, nowSec)
	s.highRes = s.highRes || smp.highRes
	b, created := s.tiers[ti].slot(smp.t)
	before := b.pct.bytes()
	if created {
		before -= bucketBytes
	}
	b.add(st.sm, smp)
	if b.start+2*s.tiers[ti].res <= nowSec { // late data in a closed bucket: keep it encoded
		b.pct.close()
	}
	st.bytes += int64(b.pct.bytes() - before)
	s.last = now
	if nowSec >= s.nextCompact {
		st.compact(s, nowSec)
	}
}

// compact rolls a series' expired buckets into the next tier (dropping them
// from the last) and encodes the sketches of buckets that can no longer be
// current. It runs at most once per finest-resolution interval per series.
func (st *store) compact(s *series, now int64) {
	for i := range s.tiers {
		t := &s.tiers[i]
		cut := now - st.retSecs[i]
		n := 0
		for n < len(t.buckets) && t.buckets[n].start+t.res <= cut {
			b := &t.buckets[n]
			st.bytes -= int64(bucketBytes + b.pct.bytes())
			if i+1 < numTiers {
				st.mergeUp(s, i+1, b)
			}
			n++
		}
		if n > 0 {
			t.buckets = append(t.buckets[:0:0], t.buckets[n:]...)
			t.closed = max(t.closed-n, 0)
		}
		for t.closed < len(t.buckets) && t.buckets[t.closed].start+2*t.res <= now {
			b := &t.buckets[t.closed]
			before := b.pct.bytes()
			b.pct.close()
			st.bytes += int64(b.pct.bytes() - before)
			t.closed++
		}
	}
	s.nextCompact = now + 1
	if !s.highRes {
		s.nextCompact = now + 60 - mod(now, 60)
	}
}

func (st *store) mergeUp(s *series, ti int, b *bucket) {
	dst, created := s.tiers[ti].slot(b.start)
	before := dst.pct.bytes()
	if created {
		before -= bucketBytes
	}
	b.mergeInto(st.sm, dst)
	st.bytes += int64(dst.pct.bytes() - before)
}

// compactAll runs compaction over every series (the evaluation loop calls
// it, so idle series roll up and expire too).
func (st *store) compactAll(now time.Time) {
	for _, s := range st.series {
		st.compact(s, now.Unix())
	}
}

// watch adds (delta 1) or removes (delta -1) an alarm's read of identities.
func (st *store) watch(ids []MetricID, delta int) {
	for _, id := range ids {
		k := id.key()
		was := st.watched[k]
		st.watched[k] = was + delta
		if st.watched[k] <= 0 {
			delete(st.watched, k)
		}
		if st.series[k] == nil {
			continue
		}
		switch {
		case was == 0 && st.watched[k] > 0:
			st.unwatched--
		case was > 0 && st.watched[k] == 0:
			st.unwatched++
		}
	}
}

// DimensionFilter matches a dimension by name, and by value when Value is set.
type DimensionFilter struct {
	Name  string  `json:"Name"`
	Value *string `json:"Value,omitempty"`
}

// list returns every metric matching the filters, sorted by identity.
func (st *store) list(ns, name string, filters []DimensionFilter) []MetricID {
	var out []MetricID
	for _, s := range st.series {
		if (ns != "" && s.id.Namespace != ns) || (name != "" && s.id.MetricName != name) {
			continue
		}
		if matchesFilters(s.id.Dimensions, filters) {
			out = append(out, s.id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

func matchesFilters(dims []Dimension, filters []DimensionFilter) bool {
	for _, f := range filters {
		found := false
		for _, d := range dims {
			if d.Name == f.Name && (f.Value == nil || *f.Value == d.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
