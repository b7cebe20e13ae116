package ui

import (
	"slices"
	"time"

	"gatewayops/alarms"
)

// What is on screen decides what CloudWatch bills (issue 12 item 6): the
// poller asks for the series of the alarm rows on screen once per period,
// for firing alarms off screen every few minutes and for the rest rarely,
// and for the panels at once only while the metrics view shows them. The
// console tells it after every message that can move what is shown (a
// layout, scroll, filter, view or data change), only when it changed.

// screenReporter is a backend that wants to know what is on screen (the
// live one passes it to its poller). Test backends need not implement it.
type screenReporter interface {
	SetOnScreen(alarmNames []string, panels bool)
}

// reporterOf finds the screenReporter under the drill's wrapper too.
func reporterOf(b Backend) (screenReporter, bool) {
	if d, ok := b.(drillBackend); ok {
		b = d.Backend
	}
	r, ok := b.(screenReporter)
	return r, ok
}

// shownState is the last on-screen set reported.
type shownState struct {
	reported bool
	names    []string
	panels   bool
}

// onScreen is the alarm rows the screen shows, in screen order, and
// whether a panel view is shown. A pager over the whole body hides the
// list, except the alarm detail, which charts its alarm's series.
func (m Model) onScreen() ([]string, bool) {
	switch {
	case m.width == 0:
		return nil, false
	case m.view == viewMetrics:
		return nil, m.modal != modalPager
	case m.view != viewAlarms:
		return nil, false
	case m.modal == modalPager:
		if m.pagerOf == pagerDetail && m.detailAlarm != "" {
			return []string{m.detailAlarm}, false
		}
		return nil, false
	}
	if g := m.geom; !g.showList {
		return nil, false
	}
	return m.list.rowsShown(), false
}

// reportScreen tells the backend what is on screen when that changed.
func (m *Model) reportScreen() {
	r, ok := reporterOf(m.backend)
	if !ok || !m.hasSnap {
		return // before the first list the poller keeps its default (the top rows)
	}
	names, panels := m.onScreen()
	if m.shown.reported && panels == m.shown.panels && slices.Equal(names, m.shown.names) {
		return
	}
	m.shown = shownState{reported: true, names: names, panels: panels}
	r.SetOnScreen(names, panels)
}

// rowsShown is the names of the rows View draws at the list's size.
func (l alarmList) rowsShown() []string {
	if l.width <= 0 || l.height <= 0 || len(l.visible) == 0 {
		return nil
	}
	if l.height == 1 {
		a, _ := l.Selected()
		return []string{a.Name}
	}
	rows := max(l.height-l.headLines(), 1)
	end := min(l.offset+rows, len(l.visible))
	out := make([]string, 0, end-l.offset)
	for _, a := range l.visible[l.offset:end] {
		out = append(out, a.Name)
	}
	return out
}

// ageClock is the clock at the resolution the list's ages show: seconds
// while a row on screen is under a minute old, else the sum of the rows'
// ages in whole minutes, negated so it is never a time. Every age only
// grows with the clock, so the sum moves exactly when an age on screen
// does (each row at its own second of the minute, not at the wall clock's
// minute). The list's cache key and the body's use it.
func (l alarmList) ageClock(now time.Time) int64 {
	if l.youngOnScreen(now) {
		return now.Unix()
	}
	var minutes int64
	for _, a := range l.onScreen() {
		if !a.Since.IsZero() {
			minutes += int64(now.Sub(a.Since) / time.Minute)
		}
	}
	return -1 - minutes
}

// onScreen is the alarms of the rows drawn, so a frame costs O(rows on
// screen), not O(alarms).
func (l alarmList) onScreen() []alarms.Alarm {
	if l.width <= 0 || l.height <= 0 || len(l.visible) == 0 {
		return nil
	}
	from, to := l.offset, min(l.offset+max(l.height-l.headLines(), 1), len(l.visible))
	if l.height == 1 {
		from, to = max(l.index(), 0), max(l.index(), 0)+1
	}
	return l.visible[from:to]
}

// youngOnScreen is true when a row on screen shows an age in seconds (an
// alarm that moved less than a minute ago, listAge): the rows' own clock.
func (l alarmList) youngOnScreen(now time.Time) bool {
	for _, a := range l.onScreen() {
		if !a.Since.IsZero() && now.Sub(a.Since) < time.Minute {
			return true
		}
	}
	return false
}
