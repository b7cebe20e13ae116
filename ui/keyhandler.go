package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// handleKey routes a key: an open modal takes it first, then the global
// keys, then the focused panel of the current view.
func (m Model) handleKey(km tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if km.String() == "ctrl+c" && m.modal != modalConfirm {
		return m, tea.Quit
	}
	switch m.modal {
	case modalHelp, modalPager:
		if key.Matches(km, m.keys.Help, m.keys.Back, m.keys.Quit) {
			m.modal = modalNone
			return m, nil
		}
		return m.handlePagerKey(km)
	case modalPalette:
		var cmd tea.Cmd
		m.palette, cmd = m.palette.Update(km)
		return m, cmd
	case modalFilter:
		return m.handleFilterKey(km)
	case modalConfirm:
		var cmd tea.Cmd
		m.confirm, cmd = m.confirm.Update(km, m.now())
		return m, cmd
	case modalArm:
		var cmd tea.Cmd
		m.arm, cmd = m.arm.Update(km)
		return m, cmd
	case modalUndo:
		return m.handleUndoKey(km)
	case modalMutes:
		return m.handleMutesKey(km)
	}
	if mm, cmd, ok := m.handleDrillKey(km); ok {
		return mm, cmd
	}
	if mm, cmd, ok := m.handleGlobalKey(km); ok {
		return mm, cmd
	}
	return m.handleViewKey(km)
}

// handleGlobalKey handles the keys that mean the same in every view.
func (m Model) handleGlobalKey(km tea.KeyPressMsg) (tea.Model, tea.Cmd, bool) {
	switch {
	case key.Matches(km, m.keys.Quit):
		return m, tea.Quit, true
	case key.Matches(km, m.keys.Help):
		w, _ := m.inner()
		m.openPager(pagerHelp, "Keys (? or esc closes)", helpText(m.styles, m.keys, w-4))
		return m, nil, true
	case key.Matches(km, m.keys.Output):
		if m.run.phase == phaseIdle {
			m.setStatus("no action has run yet: nothing to show", true)
			return m, nil, true
		}
		w, _ := m.inner()
		m.openPager(pagerOutput, "Output of "+m.run.command, m.run.Text(m.styles, w))
		return m, nil, true
	case key.Matches(km, m.keys.Palette):
		m.modal = modalPalette
		cmd := m.palette.Open("")
		return m, cmd, true
	case key.Matches(km, m.keys.Filter):
		m.modal, m.view = modalFilter, viewAlarms
		cmd := m.filter.input.Focus()
		return m, cmd, true
	case key.Matches(km, m.keys.Refresh):
		m.setStatus(refreshingText, false)
		cmd := m.refreshNow()
		return m, cmd, true
	case key.Matches(km, m.keys.Pause):
		return m.togglePause(), nil, true
	case key.Matches(km, m.keys.Mute):
		m.muted = !m.muted
		m.setStatus(map[bool]string{true: "bell muted", false: "bell on"}[m.muted], false)
		return m, nil, true
	case key.Matches(km, m.keys.Arm):
		mm, cmd := m.openArm()
		return mm, cmd, true
	case key.Matches(km, m.keys.Undo):
		mm, cmd := m.openUndo()
		return mm, cmd, true
	case key.Matches(km, m.keys.Mutes):
		mm, cmd := m.openMutes()
		return mm, cmd, true
	case key.Matches(km, m.keys.Log):
		return m.openLog(), nil, true
	case key.Matches(km, m.keys.NextView):
		mm, cmd := m.switchView((m.view + 1) % viewCount)
		return mm, cmd, true
	}
	for i, b := range []key.Binding{m.keys.ViewAlarms, m.keys.ViewMetric, m.keys.ViewRedis, m.keys.ViewFlags, m.keys.ViewJournal} {
		if key.Matches(km, b) {
			mm, cmd := m.switchView(view(i))
			return mm, cmd, true
		}
	}
	return m, nil, false
}

func (m Model) togglePause() Model {
	m.paused = !m.paused
	if !m.paused && m.pending != nil {
		m.applySnapshot(*m.pending)
	}
	return m
}

func (m Model) switchView(v view) (Model, tea.Cmd) {
	m.view = v
	if v == viewJournal {
		cmd := m.loadJournal()
		return m, cmd
	}
	return m, nil
}

// handleViewKey sends the key to the focused panel of the current view.
func (m Model) handleViewKey(km tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch m.view {
	case viewFlags:
		return m.handleFlagsKey(km)
	case viewJournal:
		return m.handleJournalKey(km)
	case viewAlarms:
		return m.handleAlarmsKey(km)
	}
	return m, nil
}

func (m Model) handleAlarmsKey(km tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(km, m.keys.Focus):
		m.focusSteps = !m.focusSteps
		m.runbook.FocusSteps(m.focusSteps)
		if m.focusSteps {
			return m, m.drillRunbookOpened()
		}
		return m, nil
	case key.Matches(km, m.keys.Detail):
		return m.openDetail()
	case key.Matches(km, m.keys.Copy):
		return m.copyShell()
	case key.Matches(km, m.keys.Back):
		if m.focusSteps {
			m.focusSteps = false
			m.runbook.FocusSteps(false)
		} else if m.list.filter != "" {
			m.filter.input.SetValue("")
			m.list.SetFilter("")
			m.showSelected()
		}
		return m, nil
	case key.Matches(km, m.keys.Run):
		if st, ok := m.runbook.SelectedStep(); ok && m.focusSteps {
			if c := m.runbook.Conflict(st); c != "" {
				m.setStatus("not running "+st.Command+": "+c, true)
				return m, nil
			}
			if !m.stepOnScreen(st, m.runbook.step) {
				m.setStatus("the selected step is not fully on screen: not running it (enlarge the terminal or scroll to it)", true)
				return m, nil
			}
			return m.startRun(st.Command)
		}
		if !m.focusSteps {
			m.focusSteps = true // enter on an alarm goes to its steps
			m.runbook.FocusSteps(true)
			return m, m.drillRunbookOpened()
		}
		return m, nil
	}
	var cmd tea.Cmd
	if m.focusSteps {
		m.runbook, cmd = m.runbook.Update(km)
		return m, cmd
	}
	m.list, cmd = m.list.Update(km)
	return m, cmd
}

// handlePagerKey scrolls the open pager.
func (m Model) handlePagerKey(km tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	m.pager = m.pager.Update(km)
	return m, nil
}
