package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"gatewayops/alarms"
)

// refreshTimeout bounds one refresh so a hung backend cannot stall the poll chain.
const refreshTimeout = 20 * time.Second

// resizeSettle is how long a terminal size must hold before the layout is
// rebuilt; a storm of resize events re-renders Glamour once, not per event.
const resizeSettle = 60 * time.Millisecond

// refreshingText is the status shown while a manual refresh is out.
const refreshingText = "refreshing…"

// tick schedules the next poll of the current chain.
func (m Model) tick() tea.Cmd { return m.tickIn(m.snap.NextRefresh) }

// tickIn schedules the next poll after next (Options.RefreshEvery when 0).
func (m Model) tickIn(next time.Duration) tea.Cmd {
	gen, every := m.tickGen, m.opts.RefreshEvery
	if next > 0 {
		every = next
	}
	return tea.Tick(every, func(time.Time) tea.Msg { return refreshTickMsg{gen: gen} })
}

// rearm restarts the poll chain from an answered refresh: the source's own
// next delay counts from now, so a FastStart refresh's follow-up (10 ms)
// runs at once instead of a whole RefreshEvery after the first frame. The
// old chain's tick, still pending, is dropped by its generation.
func (m *Model) rearm(next time.Duration) tea.Cmd {
	m.tickGen++
	return m.tickIn(next)
}

// refreshNow issues a refresh with a new request id; older answers are dropped.
func (m *Model) refreshNow() tea.Cmd {
	m.refreshID++
	m.refreshing = true
	return m.refreshCmd()
}

// refreshCmd asks the backend for the refresh with the current request id.
func (m Model) refreshCmd() tea.Cmd {
	id, b, ctx := m.refreshID, m.backend, m.opts.Context
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
		defer cancel()
		snap, err := b.Refresh(ctx)
		return snapshotMsg{id: id, snap: snap, err: err}
	}
}

func (m Model) handleTick(msg refreshTickMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.tickGen {
		return m, nil
	}
	if m.refreshing {
		// The refresh still out re-arms the chain when it answers (rearm);
		// do not pile up.
		return m, nil
	}
	return m, m.refreshNow()
}

// handleSnapshot applies a refresh. A failed refresh keeps the last good data
// and says since when it is stale; the console never goes blank.
func (m Model) handleSnapshot(msg snapshotMsg) (tea.Model, tea.Cmd) {
	if msg.id != m.refreshID {
		return m, nil // an older refresh answered late
	}
	m.refreshing = false
	next := m.rearm(msg.snap.NextRefresh)
	m.safety = m.backend.Safety()
	if m.status.text == refreshingText {
		m.status = statusMsg{}
	}
	if msg.err != nil {
		if m.refreshErr == "" {
			m.errSince = m.now()
		}
		m.refreshErr = msg.err.Error()
		return m, next
	}
	m.refreshErr = ""
	ring := m.newAlarms(msg.snap.Alarms)
	if m.paused {
		// Keep the list still while the operator reads; health and cost still update.
		snap := msg.snap
		m.pending = &snap
		m.snap.Health, m.snap.APICalls, m.snap.CostUSD = snap.Health, snap.APICalls, snap.CostUSD
	} else {
		m.applySnapshot(msg.snap)
		m.selectDrillSignal()
	}
	cmd := next
	if ring > 0 && !m.muted {
		m.bells++
		cmd = tea.Batch(cmd, tea.Raw("\a"))
	}
	if m.view == viewJournal {
		cmd = tea.Batch(cmd, m.loadJournal())
	}
	return m, cmd
}

func (m *Model) applySnapshot(s Snapshot) {
	m.snap, m.hasSnap, m.pending = s, true, nil
	if m.firstSnapAt.IsZero() {
		m.firstSnapAt = m.now()
	}
	lint, waiting := splitLint(s.Alarms, s.Lint, m.firstSnapAt, m.now())
	m.list.SetAlarmsWaiting(s.Alarms, lint, waiting)
	m.flags.Set(s.Flags, s.Enforcement)
	m.flags.SetHealth(s.Health, m.now())
	m.showSelected()
	m.checkFix()
	m.refreshDetail()
}

// newAlarms counts alarms that moved into ALARM since the last snapshot and
// match the current filter, and remembers every state. The first snapshot
// rings nothing: opening the console is not a new page.
func (m *Model) newAlarms(as []alarms.Alarm) int {
	first := len(m.lastStates) == 0
	n := 0
	seen := make(map[string]alarms.State, len(as))
	for _, a := range as {
		seen[a.Name] = a.State
		prev, had := m.lastStates[a.Name]
		if !first && a.State == alarms.StateAlarm && (!had || prev != alarms.StateAlarm) && m.list.matches(a) {
			n++
		}
	}
	m.lastStates = seen
	return n
}

// showSelected points the runbook panel at the selected alarm.
func (m *Model) showSelected() {
	a, ok := m.list.Selected()
	if !ok {
		return
	}
	rb, found := m.backend.Runbook(a)
	m.runbook.fix = ""
	m.runbook.lintWait = m.list.waiting[a.Name]
	if m.fix != nil && m.fix.alarm == a.Name {
		m.runbook.fix = m.fix.text()
	}
	m.runbook.Show(a, rb, found, m.list.lint[a.Name])
}

func (m Model) handleResize(msg tea.WindowSizeMsg) (tea.Model, tea.Cmd) {
	if msg.Width <= 0 || msg.Height <= 0 {
		// Bubble Tea's 0x0 start-up size for an output that is no terminal
		// (Run's filter, dropUnknownSize, already keeps it from the renderer):
		// it can land after the in-band size and must not blank the console.
		return m, nil
	}
	m.resizeGen++
	if m.width == 0 {
		m.setSize(msg.Width, msg.Height) // the first size is laid out at once
		return m, nil
	}
	gen := m.resizeGen
	return m, tea.Tick(resizeSettle, func(time.Time) tea.Msg {
		return resizeSettledMsg{gen: gen, width: msg.Width, height: msg.Height}
	})
}
