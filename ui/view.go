package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// frameCells is what the protected-environment frame takes from each side.
const frameCells = 1

// setSize stores the terminal size and lays out every panel.
func (m *Model) setSize(w, h int) {
	m.width, m.height = w, h
	iw, ih := m.inner()
	m.list.SetSize(m.listWidth(iw), m.bodyHeight())
	m.layoutRunbook()
	m.palette.SetSize(iw, 1)
	m.help.SetWidth(iw)
	m.confirm.SetSize(iw, ih)
}

// inner is the drawable size inside the protected frame (if any).
func (m Model) inner() (int, int) {
	if m.safety.Protected {
		return max(m.width-2*frameCells, 0), max(m.height-2*frameCells, 0)
	}
	return m.width, m.height
}

// listWidth gives the alarm list 45% of the screen, but never less than
// what keeps alarm names readable.
func (m Model) listWidth(iw int) int { return min(max(iw*45/100, 60), iw) }

// headerLines and footerLines are fixed so the body never jumps.
const headerLines, footerLines = 3, 2

func (m Model) bodyHeight() int {
	_, ih := m.inner()
	return max(ih-headerLines-footerLines, 3)
}

// runPaneHeight is the height of the action pane under the runbook; 0 until
// the first action runs, so the runbook gets the whole column.
func (m Model) runPaneHeight() int {
	if m.run.phase == phaseIdle {
		return 0
	}
	return 9
}

// layoutRunbook sizes the runbook panel to what the action pane leaves.
func (m *Model) layoutRunbook() {
	iw, _ := m.inner()
	rw := max(iw-m.listWidth(iw)-1, 10)
	m.runbook.SetSize(rw, max(m.bodyHeight()-m.runPaneHeight(), 3))
}

// View renders the whole screen. It never returns an empty screen: before
// the first size or refresh it says what it is waiting for.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "gatewayops " + m.safety.Env
	return v
}

func (m Model) render() string {
	if m.width == 0 || m.height == 0 {
		return "gatewayops: starting…"
	}
	now := m.now()
	iw, ih := m.inner()
	header := clampLines(m.headerView(iw, now), headerLines)
	footer := clampLines(m.footerView(iw, now), footerLines)
	bodyH := m.bodyHeight()
	body := clampLines(m.bodyView(iw, bodyH, now), bodyH)
	screen := header + "\n" + body + "\n" + footer
	_ = ih
	if m.safety.Protected {
		return m.styles.Protected.Width(m.width).Render(screen)
	}
	return screen
}

// bodyView is the current view with any dialog drawn over its centre, so
// the operator keeps the alarm and runbook in sight while confirming.
func (m Model) bodyView(w, h int, now time.Time) string {
	body := clampLines(m.viewBody(w, h, now), h)
	var box string
	switch m.modal {
	case modalHelp:
		box = m.styles.Dialog.Render(m.styles.Header.Render("Keys (? or esc closes)") + "\n\n" + m.help.FullHelpView(m.keys.FullHelp()))
	case modalConfirm:
		box = m.confirm.View()
	case modalArm:
		box = m.arm.View(m.safety.Env)
	default:
		return body
	}
	return overlay(body, box, w, h)
}

// overlay draws box centred over base.
func overlay(base, box string, w, h int) string {
	bw, bh := lipgloss.Width(box), lipgloss.Height(box)
	x, y := max((w-bw)/2, 0), max((h-bh)/3, 0)
	return lipgloss.NewCompositor(lipgloss.NewLayer(base), lipgloss.NewLayer(box).X(x).Y(y).Z(1)).Render()
}

func (m Model) viewBody(w, h int, now time.Time) string {
	switch m.view {
	case viewMetrics:
		return metricsView(m.styles, m.snap.Panels, w, h)
	case viewRedis:
		return redisView(m.styles, m.snap.Redis, m.backendsText(now), h)
	case viewFlags:
		return m.flags.View(w)
	case viewJournal:
		return m.journal.View(w, h)
	}
	return m.alarmsBody(w, h, now)
}

// alarmsBody is the list on the left and runbook (plus action pane) on the right.
func (m Model) alarmsBody(w, h int, now time.Time) string {
	lw := m.listWidth(w)
	rw := max(w-lw-1, 10)
	left := clampLines(m.list.View(now), h)
	right := m.runbook.View(now)
	if pane := m.run.View(m.styles, m.spin.View(), rw, now); pane != "" {
		rbH := max(h-m.runPaneHeight(), 3)
		right = clampLines(right, rbH) + "\n" + clampLines(m.styles.Muted.Render(strings.Repeat("━", rw))+"\n"+pane, max(h-rbH, 0))
	}
	right = clampLines(right, h)
	sep := strings.TrimRight(strings.Repeat("│\n", h), "\n")
	return lipgloss.JoinHorizontal(lipgloss.Top, left, m.styles.Muted.Render(sep), right)
}

// headerView is the environment badge, region, backend health, cost and modes,
// then the view tabs with the alarm counts.
func (m Model) headerView(w int, now time.Time) string {
	parts := []string{m.envBadge(now)}
	if m.snap.Region != "" {
		parts = append(parts, "region "+m.snap.Region)
	}
	parts = append(parts, fmt.Sprintf("CloudWatch API calls %d, GetMetricData est. $%.4f", m.snap.APICalls, m.snap.CostUSD))
	if m.paused {
		parts = append(parts, m.styles.Paused.Render("PAUSED (p resumes)"))
	}
	if m.muted {
		parts = append(parts, m.styles.Warn.Render("bell muted (m)"))
	}
	health := []string{"data age:"}
	share := (w - 10) / max(len(m.snap.Health), 1)
	for _, h := range m.snap.Health {
		health = append(health, fit(m.healthText(h, now), share-2))
	}
	if len(m.snap.Health) == 0 {
		health = append(health, m.styles.Muted.Render("waiting for the first refresh…"))
	}
	if m.refreshErr != "" {
		health = append(health, m.styles.Stale.Render(fmt.Sprintf("refresh failing %s: %s", age(now.Sub(m.errSince)), m.refreshErr)))
	}
	return fit(strings.Join(parts, " │ "), w) + "\n" + fit(strings.Join(health, "  "), w) + "\n" + fit(m.tabsView()+"   "+m.countsView(), w)
}

// envBadge makes a protected environment unmistakable in text and colour.
func (m Model) envBadge(now time.Time) string {
	env := strings.ToUpper(m.safety.Env)
	if !m.safety.Protected {
		return m.styles.EnvSafe.Render(env + " - standard")
	}
	if left := m.safety.ArmedUntil.Sub(now); left > 0 {
		return m.styles.EnvArmed.Render(fmt.Sprintf("%s - PROTECTED - ARMED %s left", env, clock(left)))
	}
	return m.styles.EnvDanger.Render(env + " - PROTECTED (read-only)")
}

// clock renders a remaining time as mm:ss (or h:mm:ss).
func clock(d time.Duration) string {
	s := int(d.Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func (m Model) healthText(h Health, now time.Time) string {
	if !h.StaleSince.IsZero() || h.LastError != "" {
		since := h.StaleSince
		if since.IsZero() {
			since = now
		}
		txt := fmt.Sprintf("%s stale %s: %s", h.Name, age(now.Sub(since)), rootCause(h.LastError))
		if h.LastSuccess.IsZero() {
			txt = fmt.Sprintf("%s down %s: %s", h.Name, age(now.Sub(since)), rootCause(h.LastError))
		}
		return m.styles.Stale.Render(txt)
	}
	if h.LastSuccess.IsZero() {
		return m.styles.Muted.Render(h.Name + " waiting")
	}
	return m.styles.Good.Render(h.Name + " " + age(now.Sub(h.LastSuccess)))
}

// rootCause is the innermost part of a wrapped error ("a: b: connection
// refused" -> "connection refused"), what fits in a header; the full text is
// on the Redis view's backend list.
func rootCause(err string) string {
	parts := strings.Split(err, ": ")
	for i := len(parts) - 1; i >= 0; i-- {
		if p := strings.TrimSpace(parts[i]); len(p) > 3 {
			return p
		}
	}
	return err
}

func (m Model) tabsView() string {
	tabs := make([]string, viewCount)
	for i := range viewCount {
		label := fmt.Sprintf("%d %s", i+1, viewNames[i])
		if view(i) == m.view {
			tabs[i] = m.styles.TabActive.Render("[" + label + "]")
		} else {
			tabs[i] = m.styles.Tab.Render(" " + label + " ")
		}
	}
	return strings.Join(tabs, "")
}

func (m Model) countsView() string {
	var alarm, nodata, ok int
	for _, a := range m.snap.Alarms {
		switch stateRank(a.State) {
		case 0:
			alarm++
		case 3:
			ok++
		default:
			nodata++
		}
	}
	return m.styles.Bad.Render(fmt.Sprintf("✗ %d ALARM", alarm)) + "  " +
		m.styles.Unknown.Render(fmt.Sprintf("? %d NO DATA", nodata)) + "  " +
		m.styles.Good.Render(fmt.Sprintf("✓ %d OK", ok))
}

// footerView is the palette or filter line when open, else the status line and key help.
func (m Model) footerView(w int, now time.Time) string {
	switch m.modal {
	case modalPalette:
		return m.palette.View()
	case modalFilter:
		return m.filter.input.View()
	}
	status := ""
	if m.status.text != "" && now.Before(m.status.until) {
		st := m.styles.StatusLine
		if m.status.isErr {
			st = m.styles.Error
		}
		status = st.Render(m.status.text)
	} else if m.list.filter != "" {
		status = m.styles.StatusLine.Render(fmt.Sprintf("filter: %q (esc clears)", m.list.filter))
	} else if m.opts.Notice != "" {
		status = m.styles.Warn.Render(m.opts.Notice)
	}
	return fit(status, w) + "\n" + fit(m.help.ShortHelpView(m.keys.ShortHelp()), w)
}

// backendsText lists every backend with its full last error.
func (m Model) backendsText(now time.Time) string {
	lines := []string{m.styles.Header.Render("Backends")}
	for _, h := range m.snap.Health {
		line := fmt.Sprintf("%-11s calls %-5d last success %s", h.Name, h.Calls, agoText(h.LastSuccess, now))
		if h.LastError != "" {
			line += m.styles.Stale.Render(fmt.Sprintf("  FAILING since %s: %s", agoText(h.StaleSince, now), h.LastError))
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func agoText(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return age(now.Sub(t)) + " ago"
}
