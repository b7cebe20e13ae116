package alarms

import (
	"slices"
	"time"
)

// nextList is the alarm list a refresh builds (docs/decisions.md 145). A
// snapshot handed out is never written again: the UI reads it from another
// goroutine while the poller refreshes. So a steady refresh starts from
// the last snapshot's list, read only, keeps the alarms it changes as
// edits, and copies the list once, at the end, only when an edit differs
// from what the list holds. A refresh in which nothing changed hands out
// the same list again. A new list (a sweep, the first refresh, a change in
// the set of names) is the refresh's own until it is handed out, and is
// written in place.
type nextList struct {
	alarms []Alarm // sorted by name
	owned  bool    // alarms was built by this refresh: written in place
	edits  map[int]*Alarm
	order  []int // the edited indexes, in the order first edited
}

func newNextList(alarms []Alarm, owned bool) *nextList {
	return &nextList{alarms: alarms, owned: owned, edits: map[int]*Alarm{}}
}

// at is alarm i as the refresh has it so far; not to be written.
func (l *nextList) at(i int) *Alarm {
	if a, ok := l.edits[i]; ok {
		return a
	}
	return &l.alarms[i]
}

// edit is alarm i to write: in place on an owned list, else a copy kept
// until commit.
func (l *nextList) edit(i int) *Alarm {
	if l.owned {
		return &l.alarms[i]
	}
	if a, ok := l.edits[i]; ok {
		return a
	}
	a := new(Alarm)
	*a = l.alarms[i]
	l.edits[i], l.order = a, append(l.order, i)
	return a
}

// index is where the named alarm is (binary search: the list is sorted by name).
func (l *nextList) index(name string) (int, bool) {
	return slices.BinarySearchFunc(l.alarms, name, nameIs)
}

// commit is the list to hand out: the same list when no edit changed an
// alarm, else one copy of it with the edits. The list handed out is not
// written again.
func (l *nextList) commit() []Alarm {
	if l.owned {
		return l.alarms
	}
	var out []Alarm
	for _, i := range l.order {
		a := l.edits[i]
		if sameAlarm(&l.alarms[i], a) {
			continue
		}
		if out == nil {
			out = slices.Clone(l.alarms)
		}
		out[i] = *a
	}
	if out == nil {
		return l.alarms
	}
	return out
}

// locateRead is where each alarm read by name sits in last (sorted by
// name), in got's order; false when the read changes the set of names (an
// alarm asked for is gone, or one is new), which needs a new list (mergeRead).
func locateRead(last []Alarm, asked map[string]bool, got []Alarm) ([]int, bool) {
	idx := make([]int, len(got))
	for k, a := range got {
		i, found := slices.BinarySearchFunc(last, a.Name, nameIs)
		if !found {
			return nil, false
		}
		idx[k] = i
	}
	for n := range asked {
		_, inLast := slices.BinarySearchFunc(last, n, nameIs)
		if _, read := slices.BinarySearchFunc(got, n, nameIs); inLast && !read {
			return nil, false
		}
	}
	return idx, true
}

// sameAlarm is whether a and b show the same, field by field (slices by
// their elements). TestSameAlarmSeesEveryField fails when a field is added
// to Alarm and not here.
func sameAlarm(a, b *Alarm) bool {
	return a.Name == b.Name && a.Description == b.Description && a.Composite == b.Composite && a.Rule == b.Rule &&
		a.State == b.State && a.Since == b.Since && a.UpdatedAt == b.UpdatedAt && a.Reason == b.Reason &&
		a.Threshold == b.Threshold && a.HasThreshold == b.HasThreshold && a.Comparison == b.Comparison &&
		a.Statistic == b.Statistic && a.Period == b.Period && a.EvaluationPeriods == b.EvaluationPeriods &&
		a.DatapointsToAlarm == b.DatapointsToAlarm && a.TreatMissingData == b.TreatMissingData &&
		a.Namespace == b.Namespace && a.MetricName == b.MetricName && slices.Equal(a.Dimensions, b.Dimensions) &&
		slices.EqualFunc(a.Metrics, b.Metrics, sameQuery) && a.Unit == b.Unit && a.EvaluationState == b.EvaluationState &&
		a.ActionsEnabled == b.ActionsEnabled && a.ActionsSuppressed == b.ActionsSuppressed && a.Muted == b.Muted &&
		a.MutedUntil == b.MutedUntil && slices.Equal(a.Recent, b.Recent) && a.Severity == b.Severity &&
		samePoints(a.Series, b.Series)
}

func sameQuery(a, b MetricQuery) bool {
	return a.ID == b.ID && a.Label == b.Label && a.Expression == b.Expression && a.ReturnData == b.ReturnData &&
		sameStat(a.Metric, b.Metric)
}

func sameStat(a, b *MetricStat) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Namespace == b.Namespace && a.MetricName == b.MetricName && slices.Equal(a.Dimensions, b.Dimensions) &&
		a.Stat == b.Stat && a.Period == b.Period && a.Unit == b.Unit
}

// samePoints: a series not fetched again is the cached slice itself.
func samePoints(a, b []Point) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	return slices.Equal(a, b)
}

// startList places what the listing read: a new list is enriched in
// place; on the last snapshot's list each alarm read becomes an edit.
func (p *Poller) startList(rd listRead) *nextList {
	l := newNextList(rd.alarms, rd.fresh)
	if rd.fresh {
		enrich(l.alarms, p.index)
		return l
	}
	for k, i := range rd.read {
		a := l.edit(i)
		*a = rd.got[k]
		enrichOne(a, p.index)
	}
	return l
}

// alarmTier is the alarm's tier in the series schedule, and its interval.
func (p *Poller) alarmTier(a *Alarm, shown map[string]bool) (tier, time.Duration) {
	switch {
	case shown[a.Name]:
		return tierHot, 0
	case a.State == StateAlarm:
		return tierFiring, p.opts.FiringInterval
	}
	return tierCold, p.opts.SlowInterval
}

func (p *Poller) panelTier(panelsShown bool) (tier, time.Duration) {
	if panelsShown {
		return tierHot, 0
	}
	return tierFiring, p.opts.FiringInterval
}

// hasSeries is whether the alarm has a sparkline to ask for (alarmGroup
// with a metric), without building the group.
func hasSeries(a *Alarm) bool {
	switch {
	case a.Composite:
		return false
	case len(a.Metrics) > 0:
		return slices.ContainsFunc(a.Metrics, func(q MetricQuery) bool { return q.Metric != nil })
	}
	return a.MetricName != ""
}

// planAlarm queues alarm i's series by when it is next due.
func (p *Poller) planAlarm(l *nextList, i int, shown map[string]bool) {
	a := l.at(i)
	if !hasSeries(a) {
		p.series.dropAlarm(a.Name)
		return
	}
	t, every := p.alarmTier(a, shown)
	p.series.planAlarm(a.Name, alarmPeriod(a), t, every)
}

// replan queues again the alarms whose place in the due order may have
// moved: those read this refresh and those that came on or went off
// screen; on a new list every alarm, and the deleted ones are forgotten.
func (p *Poller) replan(l *nextList, read []int, shown map[string]bool) {
	if l.owned {
		p.series.resetQueue()
		for i := range l.alarms {
			p.planAlarm(l, i, shown)
		}
		p.series.keepAlarms(l.alarms)
	} else {
		for _, i := range read {
			p.planAlarm(l, i, shown)
		}
		for _, set := range [2][2]map[string]bool{{p.plannedShown, shown}, {shown, p.plannedShown}} {
			for n := range set[0] {
				if i, ok := l.index(n); ok && !set[1][n] {
					p.planAlarm(l, i, shown)
				}
			}
		}
	}
	p.plannedShown = shown
}

// dueAlarms takes the alarms due now off the schedule's queue, in name
// order (the list's, as the groups were asked for before), with their groups.
func (p *Poller) dueAlarms(l *nextList, shown map[string]bool, now time.Time) ([]QueryGroup, []string) {
	popped := p.series.popDue(now)
	slices.Sort(popped)
	var groups []QueryGroup
	names := popped[:0]
	for _, n := range popped {
		i, ok := l.index(n)
		if !ok {
			p.series.dropAlarm(n)
			continue
		}
		a := l.at(i)
		t, every := p.alarmTier(a, shown)
		if !hasSeries(a) || now.Before(p.series.nextDue(p.series.alarms[n], "alarm:", n, alarmPeriod(a), t, every)) {
			p.planAlarm(l, i, shown) // queued with inputs it no longer has: in its place again
			continue
		}
		g, _ := alarmGroup(*a)
		groups, names = append(groups, g), append(names, n)
	}
	return groups, names
}

// applySeries gives the alarms their cached sparklines: every alarm of a
// new list; else those read this refresh (a read has none) and those
// fetched since the last snapshot handed out.
func (p *Poller) applySeries(l *nextList, read []int) {
	if l.owned {
		for i := range l.alarms {
			l.alarms[i].Series = firstLine(p.series.alarmLines(l.alarms[i].Name))
		}
		return
	}
	set := func(i int) {
		if s := firstLine(p.series.alarmLines(l.at(i).Name)); !samePoints(l.at(i).Series, s) {
			l.edit(i).Series = s
		}
	}
	for _, i := range read {
		set(i)
	}
	for n := range p.unapplied {
		if i, ok := l.index(n); ok {
			set(i)
		}
	}
}

// applyMutes marks the alarms an active rule mutes: every alarm of a new
// list; else those read this refresh and those named by this rule list or
// by the one the last snapshot was marked from.
func (p *Poller) applyMutes(l *nextList, read []int, active map[string]time.Time) {
	if l.owned {
		for i := range l.alarms {
			l.alarms[i].MutedUntil, l.alarms[i].Muted = active[l.alarms[i].Name]
		}
		return
	}
	mark := func(i int) {
		a := l.at(i)
		if until, muted := active[a.Name]; a.Muted != muted || a.MutedUntil != until {
			a = l.edit(i)
			a.MutedUntil, a.Muted = until, muted
		}
	}
	for _, i := range read {
		mark(i)
	}
	for _, m := range [2]map[string]time.Time{active, p.muted} {
		for n := range m {
			if i, ok := l.index(n); ok {
				mark(i)
			}
		}
	}
}
