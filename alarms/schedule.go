package alarms

import (
	"container/heap"
	"fmt"
	"slices"
	"strconv"
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

// seriesEntry is the cached result of one group, when it was asked for
// and, for an alarm, when it is next due.
type seriesEntry struct {
	lines     []Line
	fetchedAt time.Time
	fetched   bool
	dueAt     time.Time // alarms: when the group is next due (zero: now)
	gen       uint64    // alarms: the queue item that holds dueAt
}

// schedule decides which query groups are due and keeps their last lines, so
// a group not asked for this refresh still shows what it returned last.
// Alarms wait in a queue by the time they are next due, so a refresh looks
// only at the due ones and at those whose tier or period it changed (read,
// or moved on or off screen), not at all 10,000 (docs/decisions.md 145).
type schedule struct {
	start  time.Time // the first refresh: the origin of the staggered first fetches
	alarms map[string]*seriesEntry
	panels map[int]*seriesEntry
	queue  dueQueue
	gen    uint64
}

func newSchedule() *schedule {
	return &schedule{alarms: map[string]*seriesEntry{}, panels: map[int]*seriesEntry{}}
}

// nextDue is when a group of this period and tier is due. Time is cut into
// slots of the tier's interval (a hot group's is its period; the others'
// never less than the period), and a group is due once per slot: in the
// first refresh of a slot it has not been fetched in. A hot group's slots
// are the periods themselves, so it is asked for at most once per period,
// as soon as a new one begins. Other groups' slots are shifted by a stable
// hash of the key ("alarm:" or "panel:" and the name), so a thousand of
// them cost a steady trickle, and keep doing so after a pause (one catch-up
// each, then back to their own phase), not a burst every interval. A group
// never fetched that is not hot waits for its first slot boundary after
// the first refresh; a hot one is due at once (the zero time).
func (s *schedule) nextDue(e *seriesEntry, kind, name string, period time.Duration, t tier, every time.Duration) time.Time {
	phase := time.Duration(0)
	if t == tierHot {
		every = period
	} else {
		every = max(every, period)
		phase = stagger(kind, name, every)
	}
	last := s.start
	switch {
	case e != nil && e.fetched:
		last = e.fetchedAt
	case t == tierHot:
		return time.Time{}
	}
	// The start of the slot after last's: now is in a later slot than
	// last exactly when it is at or after this.
	return time.Unix(0, 0).Add(phase + time.Duration(slot(last, every, phase)+1)*every)
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

// stagger is a stable offset in [0, every) for the key kind+name: FNV-1a,
// written out so that hashing allocates nothing.
func stagger(kind, name string, every time.Duration) time.Duration {
	const offset64, prime64 = 14695981039346656037, 1099511628211
	h := uint64(offset64)
	for _, part := range [2]string{kind, name} {
		for i := 0; i < len(part); i++ {
			h = (h ^ uint64(part[i])) * prime64
		}
	}
	return time.Duration(h % uint64(every))
}

// planAlarm (re)computes when the alarm's group is next due and queues it;
// the item it queued before goes stale.
func (s *schedule) planAlarm(name string, period time.Duration, t tier, every time.Duration) {
	e := s.alarms[name]
	if e == nil {
		e = &seriesEntry{}
		s.alarms[name] = e
	}
	s.gen++
	e.dueAt, e.gen = s.nextDue(e, "alarm:", name, period, t, every), s.gen
	s.queue.push(dueItem{at: e.dueAt, name: name, gen: e.gen})
	if len(s.queue) > 2*len(s.alarms)+64 {
		s.compact()
	}
}

// resetQueue empties the queue before every alarm is planned again.
func (s *schedule) resetQueue() {
	s.queue = s.queue[:0]
	for _, e := range s.alarms {
		e.gen = 0
	}
}

// dropAlarm forgets an alarm that has no series to ask for.
func (s *schedule) dropAlarm(name string) { delete(s.alarms, name) }

// popDue takes every alarm due at now off the queue (stale items dropped).
func (s *schedule) popDue(now time.Time) []string {
	var out []string
	for len(s.queue) > 0 && !s.queue[0].at.After(now) {
		it := s.queue.pop()
		if e := s.alarms[it.name]; e != nil && e.gen == it.gen {
			e.gen = 0 // off the queue until planned again
			out = append(out, it.name)
		}
	}
	return out
}

// compact rebuilds the queue from the entries, dropping stale items.
func (s *schedule) compact() {
	s.queue = s.queue[:0]
	for name, e := range s.alarms {
		if e.gen != 0 {
			s.queue = append(s.queue, dueItem{at: e.dueAt, name: name, gen: e.gen})
		}
	}
	heap.Init(&s.queue)
}

// keepAlarms forgets every alarm not in list (deleted alarms); list is
// sorted by name.
func (s *schedule) keepAlarms(list []Alarm) {
	for name := range s.alarms {
		if _, found := slices.BinarySearchFunc(list, name, nameIs); !found {
			delete(s.alarms, name)
		}
	}
	s.compact()
}

func (s *schedule) storeAlarm(name string, lines []Line, now time.Time) {
	e := s.alarms[name]
	if e == nil {
		e = &seriesEntry{}
		s.alarms[name] = e
	}
	e.lines, e.fetchedAt, e.fetched = lines, now, true
}

func (s *schedule) alarmLines(name string) []Line {
	if e := s.alarms[name]; e != nil {
		return e.lines
	}
	return nil
}

// panelDue is whether panel i is due now; panels are few, so each refresh
// looks at every one.
func (s *schedule) panelDue(i int, period time.Duration, t tier, every time.Duration, now time.Time) bool {
	return !now.Before(s.nextDue(s.panels[i], "panel:", strconv.Itoa(i), period, t, every))
}

func (s *schedule) storePanel(i int, lines []Line, now time.Time) {
	s.panels[i] = &seriesEntry{lines: lines, fetchedAt: now, fetched: true}
}

func (s *schedule) panelLines(i int) []Line {
	if e := s.panels[i]; e != nil {
		return e.lines
	}
	return nil
}

// dueItem is one alarm's place in the queue.
type dueItem struct {
	at   time.Time
	name string
	gen  uint64
}

// dueQueue is a min-heap of dueItems by time (container/heap).
type dueQueue []dueItem

func (q dueQueue) Len() int           { return len(q) }
func (q dueQueue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q dueQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *dueQueue) Push(x any)        { *q = append(*q, x.(dueItem)) }
func (q *dueQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
func (q *dueQueue) push(it dueItem) { heap.Push(q, it) }
func (q *dueQueue) pop() dueItem    { return heap.Pop(q).(dueItem) }

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
	return topNamesOf(len(list), n, func(i int) *Alarm { return &list[i] })
}

// topNamesOf is topNames over the len alarms at gives, in name order.
func topNamesOf(length, n int, at func(int) *Alarm) map[string]bool {
	const severities = 5
	var count [4 * severities]int
	rank := make([]int, length)
	for i := range rank {
		a := at(i)
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
	out := make(map[string]bool, min(n, length))
	for i := range rank {
		if rank[i] < cut || (rank[i] == cut && room > 0) {
			if rank[i] == cut {
				room--
			}
			out[at(i).Name] = true
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

// costSettle is the least span the rate is projected from. The console's
// start asks for every series on screen within its first seconds (once per
// period after that), and those few seconds projected over a day read
// "$595.07/day at this rate" in a 1,000-alarm console whose steady bill is
// under $2/day; over five minutes a start costs cents a day.
const costSettle = 5 * time.Minute

// add records the metrics one refresh requested and returns the $/day rate
// of the samples within the window: the metrics requested after the oldest
// kept sample, over the time since it; 0 (not known yet) until they span
// costSettle.
func (c *costMeter) add(now time.Time, metrics int) float64 {
	c.samples = append(c.samples, costSample{at: now, metrics: metrics})
	for len(c.samples) > 2 && now.Sub(c.samples[0].at) > costWindow {
		c.samples = c.samples[1:]
	}
	span := now.Sub(c.samples[0].at)
	if span < costSettle {
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
