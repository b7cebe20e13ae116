package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"gatewayops/internal/termsafe"
)

// frameCells is what the protected-environment frame takes from each side.
const frameCells = 1

// setSize stores the terminal size and lays out every panel.
func (m *Model) setSize(w, h int) {
	m.width, m.height = w, h
	iw, _ := m.inner()
	m.geom = geometry{} // force the layout
	m.relayout()
	m.palette.SetSize(iw, 1)
	m.help.SetWidth(iw)
	m.confirm.SetSize(iw, m.bodyHeight())
	m.sizePager()
}

// inner is the drawable size inside the protected frame (if any).
func (m Model) inner() (int, int) {
	if m.safety.Protected {
		return max(m.width-2*frameCells, 0), max(m.height-2*frameCells, 0)
	}
	return m.width, m.height
}

// headerLines and footerLines are fixed so the body never jumps.
const headerLines, footerLines = 3, 2

func (m Model) bodyHeight() int {
	_, ih := m.inner()
	return max(ih-headerLines-footerLines, 3)
}

// layoutRunbook re-lays the panes out (the action pane appeared or went).
func (m *Model) layoutRunbook() { m.relayout() }

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
	body := m.cachedBody(iw, bodyH, now)
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
	case modalHelp, modalPager:
		return m.pagerBox(w, h)
	case modalConfirm:
		box = m.confirm.View()
	case modalArm:
		box = m.arm.View(m.safety.Env)
	case modalUndo:
		box = m.undo.View(w, h)
	case modalMutes:
		box = m.mutes.View(w, h)
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
		return metricsView(m.styles, m.snap.Panels, !m.snap.TakenAt.IsZero(), w, h)
	case viewRedis:
		return redisView(m.styles, m.snap.Redis, m.backendsText(now), h)
	case viewFlags:
		return m.flags.View(w)
	case viewJournal:
		return m.journal.View(w, h)
	}
	return m.alarmsBody(w, h, now)
}

// headerView is the environment badge, region, backend health, cost and modes,
// then the view tabs with the alarm counts.
func (m Model) headerView(w int, now time.Time) string {
	parts := []string{m.envBadge(now)}
	if m.opts.Drill != nil {
		parts = append([]string{m.drillBadge(w)}, parts...)
	}
	if m.snap.Region != "" {
		parts = append(parts, "region "+m.snap.Region)
	}
	if w < wideWidth {
		parts = append(parts, fmt.Sprintf("CW calls %d, est. $%.4f", m.snap.APICalls, m.snap.CostUSD))
	} else {
		parts = append(parts, fmt.Sprintf("CloudWatch API calls %d, GetMetricData est. $%.4f", m.snap.APICalls, m.snap.CostUSD)+m.snap.CostPerDay)
	}
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
	return fit(strings.Join(parts, " │ "), w) + "\n" + fit(strings.Join(health, "  "), w) + "\n" + m.tabsAndCounts(w)
}

// tabsAndCounts is the header's third line. The state counts are what an
// engineer reads first, so when tabs and counts do not fit, the tabs give
// way (the other views keep their first letters, then only their numbers)
// before any count is cut.
func (m Model) tabsAndCounts(w int) string {
	counts := "  " + m.countsView()
	tabs := tabsFull
	if w < wideWidth {
		tabs = tabsShort
	}
	line := m.tabsView(tabs) + counts
	for tabs < tabsNumbers && lipgloss.Width(line) > w {
		tabs++
		line = m.tabsView(tabs) + counts
	}
	return fit(line, w)
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
		txt := fmt.Sprintf("%s stale %s: %s", h.Name, age(now.Sub(since)), termsafe.String(rootCause(h.LastError)))
		if h.LastSuccess.IsZero() {
			txt = fmt.Sprintf("%s down %s: %s", h.Name, age(now.Sub(since)), termsafe.String(rootCause(h.LastError)))
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

// tabLabels is how much of the other views' names the tab line shows.
type tabLabels int

const (
	tabsFull    tabLabels = iota // every name
	tabsShort                    // the current one in full, the others' first letters
	tabsNumbers                  // the current one in full, the others' numbers only
)

// tabsView names the views, the current one always in full.
func (m Model) tabsView(labels tabLabels) string {
	tabs := make([]string, viewCount)
	for i := range viewCount {
		label := fmt.Sprintf("%d %s", i+1, viewNames[i])
		switch {
		case view(i) == m.view:
			tabs[i] = m.styles.TabActive.Render("[" + label + "]")
			continue
		case labels == tabsShort:
			label = fmt.Sprintf("%d %s", i+1, viewNames[i][:3])
		case labels == tabsNumbers:
			label = fmt.Sprint(i + 1)
		}
		tabs[i] = m.styles.Tab.Render(" " + label + " ")
	}
	return strings.Join(tabs, "")
}

func (m Model) countsView() string {
	alarm, nodata, ok := m.stateCounts()
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
		return m.filter.input.View() + "\n" + m.help.ShortHelpView(bindings{keyHelp("enter", "keep filter"), keyHelp("esc", "clear filter")})
	}
	status := ""
	if m.status.text != "" && now.Before(m.status.until) {
		st := m.styles.StatusLine
		if m.status.isErr {
			st = m.styles.Error
		}
		status = st.Render(m.status.text)
	} else if m.opts.Drill != nil {
		status = m.styles.Warn.Render(m.drillNotice())
	} else if m.opts.Notice != "" {
		status = m.styles.Warn.Render(m.opts.Notice)
	}
	return fit(status, w) + "\n" + fit(m.help.ShortHelpView(m.footerHelp().ShortHelp()), w)
}

// footerHelp is the key help of what has the keyboard: the open dialog or
// pager, else the focused panel of the current view.
func (m Model) footerHelp() help.KeyMap {
	k := m.keys
	switch m.modal {
	case modalConfirm:
		return m.confirm
	case modalHelp, modalPager:
		return m.pager
	case modalUndo:
		return m.undo
	case modalMutes:
		return m.mutes
	case modalArm:
		return bindings{keyHelp("enter", "next/arm"), keyHelp("tab", "switch field"), keyHelp("esc", "cancel")}
	}
	switch m.view {
	case viewFlags:
		return bindings{k.Up, k.Down, keyHelp("space/enter", "toggle"), k.Views, k.Undo, k.Help, k.Quit}
	case viewJournal:
		return bindings{k.Up, k.Down, keyHelp("enter", "entry detail"), k.Export, k.Views, k.Help, k.Quit}
	case viewAlarms:
		if m.focusSteps {
			return bindings{keyHelp("j/k", "choose step"), keyHelp("enter", "run step"), keyHelp("esc", "alarms"), k.Help, k.Output, k.Copy, k.Undo}
		}
		out := bindings{keyHelp("j/k", "move"), keyHelp("enter", "steps"), keyHelp("d", "detail"), k.Help}
		if m.list.filter != "" {
			out = append(out, keyHelp("esc", "clear filter"))
		}
		return append(out, k.Palette, k.Filter, k.Undo, k.Mutes, k.Quit)
	}
	return bindings{k.Views, k.Palette, k.Undo, k.Help, k.Quit}
}

func keyHelp(k, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(k), key.WithHelp(k, desc))
}

// backendsText lists every backend with its full last error.
func (m Model) backendsText(now time.Time) string {
	lines := []string{m.styles.Header.Render("Backends")}
	for _, h := range m.snap.Health {
		line := fmt.Sprintf("%-11s calls %-5d last success %s", h.Name, h.Calls, agoText(h.LastSuccess, now))
		if h.LastError != "" {
			line += m.styles.Stale.Render(fmt.Sprintf("  FAILING since %s: %s", agoText(h.StaleSince, now), termsafe.String(h.LastError)))
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
