package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"gatewayops/alarms"
)

// filterInput is the "/" line; the alarm list filters as the operator types.
type filterInput struct{ input textinput.Model }

func newFilterInput() filterInput {
	in := textinput.New()
	in.Prompt = "/"
	in.Placeholder = "filter alarms by name, state or metric"
	in.CharLimit = 64
	in.SetWidth(60)
	return filterInput{input: in}
}

// matches is true when the alarm passes the list's current filter.
func (l *alarmList) matches(a alarms.Alarm) bool {
	return l.filter == "" || matchesFilter(&a, strings.ToLower(l.filter))
}

// matching is the indexes in l.all of the alarms the filter keeps, in order.
func (l *alarmList) matching() []int {
	f := strings.ToLower(l.filter)
	out := make([]int, 0, len(l.all))
	for i := range l.all {
		if f == "" || matchesFilter(&l.all[i], f) {
			out = append(out, i)
		}
	}
	return out
}

// matchesFilter: f, lower case, is in the alarm's name, state or metric.
func matchesFilter(a *alarms.Alarm, f string) bool {
	return strings.Contains(strings.ToLower(a.Name+" "+string(a.State)+" "+a.MetricName), f)
}

// handleFilterKey edits the filter live; enter keeps it, esc clears it.
func (m Model) handleFilterKey(km tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch km.String() {
	case "enter":
		m.modal = modalNone
		m.filter.input.Blur()
		return m, nil
	case "esc":
		m.modal = modalNone
		m.filter.input.Blur()
		m.filter.input.SetValue("")
		m.list.SetFilter("")
		m.showSelected()
		return m, nil
	}
	var cmd tea.Cmd
	m.filter.input, cmd = m.filter.input.Update(km)
	m.list.SetFilter(m.filter.input.Value())
	m.showSelected()
	return m, cmd
}
