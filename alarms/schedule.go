package alarms

import (
	"fmt"
	"time"
)

// Tiers of the series schedule. GetMetricData is billed per metric
// requested, whatever the points, so what a series costs is how often it is
// asked for: once per its period while on screen, rarely otherwise.
type tier int

const (
	tierHot    tier = iota // on screen: at most once per period
	tierFiring             // in ALARM but off screen (and panels off screen)
	tierCold               // everything else
)

// seriesEntry is the cached result of one group and when it was asked for.
type seriesEntry struct {
	lines     []Line
	fetchedAt time.Time
	fetched   bool
	seen      uint64 // the last pass (schedule.pass) that considered the group
}

// schedule decides which query groups are due and keeps their last lines, so
// a group not asked for this refresh still shows what it returned last.
type schedule struct {
	start   time.Time // the first refresh: the origin of the staggered first fetches
	entries map[string]*seriesEntry
	// pass counts the refreshes' passes over the groups: forget drops what
	// the current pass did not consider, with no set of every key built.
	pass uint64
}

// begin starts a pass over the groups (one per refresh).
func (s *schedule) begin() { s.pass++ }

func newSchedule() *schedule { return &schedule{entries: map[string]*seriesEntry{}} }

// due reports whether a group of this period and tier should be fetched now.
// Time is cut into slots of the tier's interval (a hot group's is its
// period; the others' never less than the period), and a group is due once
// per slot: in the first refresh of a slot it has not been fetched in. A
// hot group's slots are the periods themselves, so it is asked for at most
// once per period, as soon as a new one begins. Other groups' slots are
// shifted by a stable hash of the key, so a thousand of them cost a steady
// trickle, and keep doing so after a pause (one catch-up each, then back to
// their own phase), not a burst every interval. A group never fetched that
// is not hot waits for its first slot boundary after the first refresh.
func (s *schedule) due(key string, period time.Duration, t tier, every time.Duration, now time.Time) bool {
	e := s.entries[key]
	if e != nil {
		e.seen = s.pass
	}
	phase := time.Duration(0)
	if t == tierHot {
		every = period
	} else {
		every = max(every, period)
		phase = stagger(key, every)
	}
	last := s.start
	switch {
	case e != nil && e.fetched:
		last = e.fetchedAt
	case t == tierHot:
		return true
	}
	return slot(now, every, phase) > slot(last, every, phase)
}

// slot is the index of the interval of length every, shifted by phase, that holds t.
func slot(t time.Time, every, phase time.Duration) int64 {
	d := t.Sub(time.Unix(0, 0)) - phase
	n := int64(d / every)
	if d < 0 && d%every != 0 {
		n--
	}
	return n
}

// stagger is a stable offset in [0, every) for key: FNV-1a, written out
// so that 10,000 keys a refresh allocate nothing.
func stagger(key string, every time.Duration) time.Duration {
	const offset64, prime64 = 14695981039346656037, 1099511628211
	h := uint64(offset64)
	for i := 0; i < len(key); i++ {
		h = (h ^ uint64(key[i])) * prime64
	}
	return time.Duration(h % uint64(every))
}

func (s *schedule) store(key string, lines []Line, now time.Time) {
	s.entries[key] = &seriesEntry{lines: lines, fetchedAt: now, fetched: true, seen: s.pass}
}

func (s *schedule) lines(key string) []Line {
	if e := s.entries[key]; e != nil {
		return e.lines
	}
	return nil
}

// forget drops the entries the current pass did not consider (deleted alarms).
func (s *schedule) forget() {
	for k, e := range s.entries {
		if e.seen != s.pass {
			delete(s.entries, k)
		}
	}
}

// groupPeriod is the largest period of a group's metrics (60 s when none says).
func groupPeriod(g QueryGroup) time.Duration {
	p := 0
	for _, q := range g.Queries {
		if q.Metric != nil {
			p = max(p, q.Metric.Period)
		}
	}
	if p == 0 {
		p = 60
	}
	return time.Duration(p) * time.Second
}

func metricCount(g QueryGroup) int {
	n := 0
	for _, q := range g.Queries {
		if q.Metric != nil {
			n++
		}
	}
	return n
}

// DisplayLess is the alarm list's order: ALARM, then no data, then any
// other state, then OK; within a state by severity, then by name. The
// poller assumes the first ScreenRows alarms in this order are on screen
// until the console says which are (Poller.SetOnScreen).
func DisplayLess(a, b Alarm) bool {
	if ra, rb := displayStateRank(a.State), displayStateRank(b.State); ra != rb {
		return ra < rb
	}
	if ra, rb := displaySeverityRank(a.Severity), displaySeverityRank(b.Severity); ra != rb {
		return ra < rb
	}
	return a.Name < b.Name
}

func displayStateRank(s State) int {
	switch s {
	case StateAlarm:
		return 0
	case StateInsufficientData:
		return 1
	case StateOK:
		return 3
	}
	return 2
}

func displaySeverityRank(s string) int {
	for i, v := range []string{"critical", "high", "medium", "low"} {
		if s == v {
			return i
		}
	}
	return 4
}

// topNames is the names of the first n alarms in display order, in one
// pass over a list sorted by name (as the poller's lists are): the order
// is a small rank (state, severity) and then the name, so counting the
// ranks finds the cut without sorting 10,000 alarms every refresh.
func topNames(list []Alarm, n int) map[string]bool {
	const severities = 5
	var count [4 * severities]int
	rank := make([]int, len(list))
	for i, a := range list {
		rank[i] = displayStateRank(a.State)*severities + displaySeverityRank(a.Severity)
		count[rank[i]]++
	}
	cut, room := len(count), n // ranks below cut are all in; rank cut gets room more
	for r, c := range count {
		if c >= room {
			cut = r
			break
		}
		room -= c
	}
	out := make(map[string]bool, min(n, len(list)))
	for i, a := range list {
		if rank[i] < cut || (rank[i] == cut && room > 0) {
			if rank[i] == cut {
				room--
			}
			out[a.Name] = true
		}
	}
	return out
}

// costMeter is the running cost: metrics requested over the last hour,
// scaled to a day. It says nothing (0) until it has two refreshes to span.
type costMeter struct {
	samples []costSample
}

type costSample struct {
	at      time.Time
	metrics int
}

const costWindow = time.Hour

// add records the metrics one refresh requested and returns the $/day rate
// of the samples within the window: the metrics requested after the oldest
// kept sample, over the time since it.
func (c *costMeter) add(now time.Time, metrics int) float64 {
	c.samples = append(c.samples, costSample{at: now, metrics: metrics})
	for len(c.samples) > 2 && now.Sub(c.samples[0].at) > costWindow {
		c.samples = c.samples[1:]
	}
	span := now.Sub(c.samples[0].at)
	if span <= 0 {
		return 0
	}
	n := 0
	for _, s := range c.samples[1:] {
		n += s.metrics
	}
	return float64(n) * CostPerMetricUSD * float64(24*time.Hour) / float64(span)
}

// CostPerDayText is the header's running cost ("; $1.23/day at this rate"),
// empty while the rate is unknown (0), so a header without it reads as before.
func CostPerDayText(usdPerDay float64) string {
	if usdPerDay <= 0 {
		return ""
	}
	return fmt.Sprintf(", $%.2f/day at this rate", usdPerDay)
}
