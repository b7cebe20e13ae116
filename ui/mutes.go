package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"gatewayops/alarms"
)

// muteRow is one silenced alarm: by a mute rule (ends by itself at its
// expiry) or by disabled actions (no expiry: stays silent until turned on).
type muteRow struct {
	alarm string
	what  string
	end   string // the command that ends it
}

// mutesList is the mutes view: every silenced alarm of the last refresh, and
// the command that ends its silence, run through the usual confirmation.
type mutesList struct {
	styles *Styles
	keys   KeyMap
	rows   []muteRow
	cursor int
}

func muteRows(as []alarms.Alarm) []muteRow {
	var out []muteRow
	for _, a := range as {
		switch {
		case a.Muted:
			until := "expiry unknown"
			if !a.MutedUntil.IsZero() {
				until = "until " + utcClock(a.MutedUntil)
			}
			out = append(out, muteRow{alarm: a.Name, what: "muted by rule " + alarms.MuteRuleName(a.Name) + ", " + until, end: "alarm.unmute alarm=" + a.Name})
		case !a.ActionsEnabled && !a.Composite:
			out = append(out, muteRow{alarm: a.Name, what: "actions disabled (ActionsEnabled=false), no expiry", end: "alarm.enable alarm=" + a.Name})
		}
	}
	return out
}

func (m Model) openMutes() (tea.Model, tea.Cmd) {
	rows := muteRows(m.snap.Alarms)
	if len(rows) == 0 {
		m.setStatus("no alarm is muted or has its actions disabled (as of the last refresh)", false)
		return m, nil
	}
	m.mutes = mutesList{styles: m.styles, keys: m.keys, rows: rows}
	m.modal = modalMutes
	return m, nil
}

func (m Model) handleMutesKey(km tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	l := &m.mutes
	switch {
	case key.Matches(km, m.keys.Back), key.Matches(km, m.keys.Quit), key.Matches(km, m.keys.Mutes):
		m.modal = modalNone
	case key.Matches(km, m.keys.Up):
		l.cursor = max(l.cursor-1, 0)
	case key.Matches(km, m.keys.Down):
		l.cursor = min(l.cursor+1, len(l.rows)-1)
	case key.Matches(km, m.keys.Run):
		m.modal = modalNone
		return m.startRun(l.rows[l.cursor].end)
	}
	return m, nil
}

func (l mutesList) View(w, h int) string {
	inner := max(min(w-4, 110), 20)
	lines := []string{l.styles.Title.Render("Muted alarms and alarms with actions disabled (last refresh)"), ""}
	for i, r := range l.rows {
		if len(lines) >= h-5 {
			lines = append(lines, l.styles.Muted.Render(fmt.Sprintf("… %d more", len(l.rows)-i)))
			break
		}
		mark := "  "
		if i == l.cursor {
			mark = "▶ "
		}
		row := fit(mark+r.alarm+"  "+r.what, inner)
		if i == l.cursor {
			row = l.styles.Selected.Render(row)
		}
		lines = append(lines, row, l.styles.Muted.Render(fit("      end with: "+r.end, inner)))
	}
	lines = append(lines, "", l.styles.Muted.Render("enter: end it (plan, confirm, verify)   esc: close"))
	return l.styles.Dialog.Render(strings.Join(lines, "\n"))
}

func (l mutesList) ShortHelp() []key.Binding {
	return []key.Binding{l.keys.Up, l.keys.Down, keyHelp("enter", "end it"), keyHelp("esc", "close")}
}
func (l mutesList) FullHelp() [][]key.Binding { return [][]key.Binding{l.ShortHelp()} }
