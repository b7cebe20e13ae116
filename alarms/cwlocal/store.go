package cwlocal

import (
	"fmt"
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

// point is one ingested sample group: raw values (for percentiles) when known,
// and the statistic set in every case.
type point struct {
	t                  time.Time
	sum, min, max, cnt float64
	// values are the raw samples, nil when only a statistic set was given.
	values []float64
}

// series is a bounded ring of points of one metric, oldest overwritten first.
type series struct {
	id     MetricID
	unit   string
	points []point
	next   int // where the next point goes once the ring is full
	full   bool
	last   time.Time // latest ingest wall time, for ListMetrics RecentlyActive
}

func (s *series) add(p point, capacity int) {
	if !s.full {
		s.points = append(s.points, p)
		if len(s.points) == capacity {
			s.full = true
		}
		return
	}
	s.points[s.next] = p
	s.next = (s.next + 1) % capacity
}

// store holds every series; the Service's mutex guards it.
type store struct {
	series    map[string]*series
	maxPoints int
	maxSeries int
}

func newStore(maxPoints, maxSeries int) *store {
	return &store{series: map[string]*series{}, maxPoints: maxPoints, maxSeries: maxSeries}
}

func (st *store) add(id MetricID, unit string, p point, now time.Time) error {
	k := id.key()
	s, ok := st.series[k]
	if !ok {
		if len(st.series) >= st.maxSeries {
			return fmt.Errorf("series limit reached (%d series); metric %s/%s not stored", st.maxSeries, id.Namespace, id.MetricName)
		}
		s = &series{id: id, unit: unit}
		st.series[k] = s
	}
	s.add(p, st.maxPoints)
	s.last = now
	return nil
}

func (st *store) get(id MetricID) *series { return st.series[id.key()] }

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
