package ui

import (
	"slices"
	"time"
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
// while a row on screen is under a minute old, else minutes. The list's
// cache key and the body's use it, so both move when an age on screen does.
func (l alarmList) ageClock(now time.Time) int64 {
	if l.youngOnScreen(now) {
		return now.Unix()
	}
	return now.Unix() / 60
}

// youngOnScreen is true when a row on screen shows an age in seconds (an
// alarm that moved less than an hour ago): the rows' own clock. Only the
// rows drawn count, so a frame costs O(rows on screen), not O(alarms).
func (l alarmList) youngOnScreen(now time.Time) bool {
	if l.width <= 0 || l.height <= 0 || len(l.visible) == 0 {
		return false
	}
	from, to := l.offset, min(l.offset+max(l.height-l.headLines(), 1), len(l.visible))
	if l.height == 1 {
		from, to = max(l.index(), 0), max(l.index(), 0)+1
	}
	for _, a := range l.visible[from:to] {
		if !a.Since.IsZero() && now.Sub(a.Since) < time.Hour {
			return true
		}
	}
	return false
}
