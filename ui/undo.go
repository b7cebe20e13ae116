package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// undoList is the undo stack on request: every write applied since the
// console started that has an inverse, newest first. Choosing one plans its
// inverse, which goes through the same confirmation and safety rules as any
// step; the backend refuses, saying what changed, when the state moved on.
type undoList struct {
	styles *Styles
	keys   KeyMap
	items  []UndoItem
	cursor int
}

func (m Model) openUndo() (tea.Model, tea.Cmd) {
	items := m.backend.Undos() // in memory: the stack lives in the backend
	if len(items) == 0 {
		m.setStatus("undo stack is empty: no write with an inverse has run in this console", true)
		return m, nil
	}
	m.undo = undoList{styles: m.styles, keys: m.keys, items: items}
	m.modal = modalUndo
	return m, nil
}

func (m Model) handleUndoKey(km tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	u := &m.undo
	switch {
	case key.Matches(km, m.keys.Back), key.Matches(km, m.keys.Quit), key.Matches(km, m.keys.Undo):
		m.modal = modalNone
	case key.Matches(km, m.keys.Up):
		u.cursor = max(u.cursor-1, 0)
	case key.Matches(km, m.keys.Down):
		u.cursor = min(u.cursor+1, len(u.items)-1)
	case key.Matches(km, m.keys.Run):
		it := u.items[u.cursor]
		if it.Done {
			m.setStatus(it.Command+" was already undone", true)
			return m, nil
		}
		if m.run.phase == phasePlanning || m.run.phase == phaseApplying || m.run.phase == phaseConfirming {
			m.setStatus("an action is already in progress: "+m.run.command, true)
			return m, nil
		}
		m.modal = modalNone
		b, id := m.backend, it.ID
		return m.startPlan(it.Inverse, func(ctx context.Context) (Plan, error) { return b.PlanUndo(ctx, id) })
	}
	return m, nil
}

// View is the stack as a dialog no wider than w.
func (u undoList) View(w, h int) string {
	inner := max(min(w-4, 100), 20)
	lines := []string{u.styles.Title.Render("Undo stack (newest first, since the console started)"), ""}
	first := max(0, u.cursor-(h-8))
	for i, it := range u.items {
		if i < first || len(lines) >= h-5 {
			continue
		}
		mark := "  "
		if i == u.cursor {
			mark = "▶ "
		}
		row := fmt.Sprintf("%s%s  %s", mark, utcClock(it.At), it.Command)
		if it.Done {
			row += "  (undone)"
		}
		row = fit(row, inner)
		if i == u.cursor {
			row = u.styles.Selected.Render(row)
		}
		lines = append(lines, row, u.styles.Muted.Render(fit("      undo: "+it.Inverse, inner)))
	}
	lines = append(lines, "", u.styles.Muted.Render(ansi.Truncate("enter: plan this undo (checks the state is still what the write left)   esc: close", inner, "…")))
	return u.styles.Dialog.Render(strings.Join(lines, "\n"))
}

// ShortHelp and FullHelp make the list a help.KeyMap.
func (u undoList) ShortHelp() []key.Binding {
	return []key.Binding{u.keys.Up, u.keys.Down, keyHelp("enter", "plan undo"), keyHelp("esc", "close")}
}
func (u undoList) FullHelp() [][]key.Binding { return [][]key.Binding{u.ShortHelp()} }

// UsageError is a line that did not parse or named an unknown action or
// parameter: the operator's typo, not a failure of the gateway.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func isUsageError(err error) bool {
	var ue *UsageError
	return errors.As(err, &ue)
}
