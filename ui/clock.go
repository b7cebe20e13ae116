package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// The header's data ages and the ARMED countdown must move every second
// while they are on screen, without re-rendering what did not change: a
// one-second tea.Tick runs only while something time-dependent is shown, and
// the body is cached by the model's change generation and by the clock at the
// resolution its own ages show (seconds while an alarm younger than an hour
// or an action in flight is visible, minutes otherwise).

// clockTickMsg is the one-second redraw tick; gen drops ticks of a stopped chain.
type clockTickMsg struct{ gen int }

// renderCache holds the last body; shared by the model's copies (View has a
// value receiver), written only by View.
type renderCache struct {
	gen, w, h int
	clock     int64
	body      string
	renders   int // how many times the body was rendered (tests read it)

	// The right column of the alarms view, by generation and layout, and
	// the measured blocks of the wide layout's join (layout.go, joincache.go).
	right     string
	rightGen  int
	rightGeom geometry
	rightOK   bool
	join      joinCache

	// The header's state counts, per snapshot (rowcache.go).
	counts   [3]int
	countsOf countsKey
	countsOK bool
}

// needsClock is true when the screen shows something that ages by itself.
func (m Model) needsClock() bool {
	if m.safety.Protected && m.armed() {
		return true
	}
	if m.refreshErr != "" {
		return true
	}
	for _, h := range m.snap.Health {
		if !h.LastSuccess.IsZero() || !h.StaleSince.IsZero() {
			return true
		}
	}
	return false
}

// startClock starts the tick chain if it is needed and not running.
func (m *Model) startClock() tea.Cmd {
	if m.clockOn || !m.needsClock() {
		return nil
	}
	m.clockOn = true
	m.clockGen++
	return clockTick(m.clockGen)
}

func clockTick(gen int) tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return clockTickMsg{gen: gen} })
}

func (m Model) handleClock(msg clockTickMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.clockGen {
		return m, nil
	}
	if !m.needsClock() {
		m.clockOn = false // nothing ages on screen: let the chain stop
		return m, nil
	}
	return m, clockTick(m.clockGen)
}

// bodyClock is the clock at the resolution the body's own text changes.
func (m Model) bodyClock(now time.Time) int64 {
	if m.run.phase == phasePlanning || m.run.phase == phaseApplying {
		return now.Unix()
	}
	return m.list.ageClock(now)
}

// cachedBody renders the body, or returns the last one when neither the
// model nor the body's clock changed.
func (m Model) cachedBody(w, h int, now time.Time) string {
	c := m.cache
	if c == nil {
		return clampLines(m.bodyView(w, h, now), h)
	}
	clock := m.bodyClock(now)
	if c.body != "" && c.gen == m.gen && c.w == w && c.h == h && c.clock == clock {
		return c.body
	}
	c.body = clampLines(m.bodyView(w, h, now), h)
	c.gen, c.w, c.h, c.clock = m.gen, w, h, clock
	c.renders++
	return c.body
}
