package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// pagerKind says what the open pager shows, so a refresh can update it
// (the alarm detail) and Esc knows where to go back to.
type pagerKind int

const (
	pagerHelp pagerKind = iota
	pagerOutput
	pagerJournalEntry
	pagerDetail
)

// openPager shows a scrollable text over the body.
func (m *Model) openPager(kind pagerKind, title, content string) {
	m.pager = newPager(m.styles, m.keys, title, content)
	m.pagerOf = kind
	m.modal = modalPager
	if kind == pagerHelp {
		m.modal = modalHelp
	}
	m.sizePager()
}

// sizePager fits the open pager: the help as a dialog no larger than it
// needs, everything else over the whole body.
func (m *Model) sizePager() {
	if m.width == 0 {
		return
	}
	w, _ := m.inner()
	h := m.bodyHeight()
	if m.pagerOf == pagerHelp {
		cw := lipgloss.Width(m.pager.content)
		m.pager.SetSize(min(max(cw, 30), w-4), min(m.pager.Lines()+2, h-2))
		return
	}
	m.pager.SetSize(w, h)
}

// pagerBox draws the open pager: the help centred as a dialog, the others
// filling the body.
func (m Model) pagerBox(w, h int) string {
	if m.pagerOf != pagerHelp {
		return clampLines(m.pager.View(), h)
	}
	box := m.styles.Dialog.Render(m.pager.View())
	return overlay(clampLines(m.viewBody(w, h, m.now()), h), box, w, h)
}

// helpGroups are the help screen's sections, in reading order.
func (k KeyMap) helpGroups() []struct {
	title string
	keys  []key.Binding
} {
	return []struct {
		title string
		keys  []key.Binding
	}{
		{"Move", []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}},
		{"Act", []key.Binding{k.Focus, k.Run, k.Detail, k.Output, k.Undo, k.Toggle, k.Copy}},
		{"Views", []key.Binding{k.ViewAlarms, k.ViewMetric, k.ViewRedis, k.ViewFlags, k.ViewJournal, k.NextView, k.Mutes, k.Log}},
		{"Console", []key.Binding{k.Palette, k.Filter, k.Refresh, k.Pause, k.Mute, k.Arm, k.Export}},
		{"General", []key.Binding{k.Help, k.Back, k.Quit}},
	}
}

// helpText lays the key groups out in as many columns as fit in width, so
// the help is whole at 80 columns and compact on a wide screen.
func helpText(st *Styles, k KeyMap, width int) string {
	var blocks []string
	for _, g := range k.helpGroups() {
		lines := []string{st.Header.Render(g.title)}
		for _, b := range g.keys {
			if !b.Enabled() || b.Help().Key == "" {
				continue
			}
			lines = append(lines, st.Header.Render(padRight(b.Help().Key, 8))+" "+b.Help().Desc)
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	const gap = 3
	var rows []string
	var row []string
	rowW := 0
	for _, b := range blocks {
		bw := lipgloss.Width(b)
		if len(row) > 0 && rowW+gap+bw > width {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, rowW = nil, 0
		}
		if len(row) > 0 {
			row = append(row, strings.Repeat(" ", gap))
			rowW += gap
		}
		row, rowW = append(row, b), rowW+bw
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	return strings.Join(rows, "\n\n")
}

func padRight(s string, n int) string {
	if w := lipgloss.Width(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}
