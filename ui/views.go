package ui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"gatewayops/alarms"
	"gatewayops/internal/numfmt"
)

// flagsView lists the runtime flags and the pool-claim enforcement mode.
// Toggling builds the same command a runbook step would and runs it through
// the same runner, safety policy and confirmation.
type flagsView struct {
	styles      *Styles
	keys        KeyMap
	names       []string
	values      map[string]bool
	enforcement string
	cursor      int
	pending     string // the toggle started from this view, until its outcome is known
	outcome     string // that toggle's outcome, shown here (not only in the action pane)
	outcomeBad  bool
	stale       string // why the values may be old (the admin API is failing)
}

// SetHealth marks the values stale while the admin API fails.
func (f *flagsView) SetHealth(hs []Health, now time.Time) {
	f.stale = ""
	for _, h := range hs {
		if h.Name != "admin api" || h.LastError == "" {
			continue
		}
		asOf := "never read"
		if !h.LastSuccess.IsZero() {
			asOf = "as of " + utcClock(h.LastSuccess) + " (" + age(now.Sub(h.LastSuccess)) + " ago)"
		}
		f.stale = "STALE: the admin API is failing (" + rootCause(h.LastError) + "); values " + asOf
	}
}

// Outcome records how the toggle started here ended.
func (f *flagsView) Outcome(command, text string, bad bool) {
	if command != f.pending || f.pending == "" {
		return
	}
	f.outcome, f.outcomeBad = command+": "+text, bad
	if bad || strings.HasPrefix(text, "✔") {
		f.pending = "" // final: later actions are not this view's
	}
}

func newFlagsView(st *Styles, keys KeyMap) flagsView {
	return flagsView{styles: st, keys: keys, values: map[string]bool{}}
}

// Set replaces the flags shown.
func (f *flagsView) Set(flags map[string]bool, enforcement string) {
	f.values, f.enforcement = flags, enforcement
	f.names = f.names[:0:0]
	for n := range flags {
		f.names = append(f.names, n)
	}
	sort.Strings(f.names)
	f.cursor = min(f.cursor, len(f.names)) // row len(names) is enforcement
}

// toggleCommand is the command that flips the row under the cursor.
func (f flagsView) toggleCommand() (string, bool) {
	if f.cursor < len(f.names) {
		n := f.names[f.cursor]
		return fmt.Sprintf("flags.set %s=%t", n, !f.values[n]), true
	}
	if f.enforcement == "" {
		return "", false
	}
	next := "reject"
	if f.enforcement == "reject" {
		next = "warn"
	}
	return "poolclaims.enforce mode=" + next, true
}

func (f flagsView) View(width int) string {
	if len(f.names) == 0 && f.enforcement == "" {
		return f.styles.Muted.Render("flags not loaded yet (admin API)")
	}
	lines := []string{f.styles.Header.Render("Runtime flags (j/k choose, space/enter toggle through the runner)")}
	if f.stale != "" {
		lines = append(lines, f.styles.Stale.Render(fit(f.stale, width)))
	}
	if f.outcome != "" {
		st := f.styles.Good
		if f.outcomeBad {
			st = f.styles.Bad
		}
		lines = append(lines, st.Render(fit(f.outcome, width)))
	}
	lines = append(lines, "")
	for i, n := range f.names {
		v := f.styles.Bad.Render("✗ off")
		if f.values[n] {
			v = f.styles.Good.Render("✔ on ")
		}
		if f.stale != "" {
			v += f.styles.Stale.Render(" (stale)")
		}
		lines = append(lines, f.row(i, fmt.Sprintf("%-20s %s", n, v), width))
	}
	lines = append(lines, "", f.row(len(f.names), fmt.Sprintf("%-20s %s", "pool-claim enforcement", f.enforcement), width))
	return strings.Join(lines, "\n")
}

func (f flagsView) row(i int, s string, width int) string {
	if i == f.cursor {
		return f.styles.Selected.Render("▶ " + fit(s, width-2))
	}
	return "  " + s
}

func (m Model) handleFlagsKey(km tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(km, m.keys.Up):
		m.flags.cursor = max(m.flags.cursor-1, 0)
	case key.Matches(km, m.keys.Down):
		m.flags.cursor = min(m.flags.cursor+1, len(m.flags.names))
	case key.Matches(km, m.keys.Toggle, m.keys.Run):
		if cmd, ok := m.flags.toggleCommand(); ok {
			m.flags.pending, m.flags.outcome = cmd, ""
			return m.startRun(cmd)
		}
	}
	return m, nil
}

// journalView is the action journal as a timeline, newest last.
type journalView struct {
	styles  *Styles
	keys    KeyMap
	entries []JournalEntry
	err     string
	cursor  int
	seen    bool // the cursor was placed (first load puts it on the newest entry)
}

func newJournalView(st *Styles, keys KeyMap) journalView { return journalView{styles: st, keys: keys} }

func (j journalView) View(width, height int) string {
	lines := []string{j.styles.Header.Render("Journal, newest last (j/k choose, enter: the entry in full, e: export the incident timeline; times UTC)")}
	if j.err != "" {
		lines = append(lines, j.styles.Error.Render("journal unreadable: "+j.err))
	}
	if len(j.entries) == 0 && j.err == "" {
		lines = append(lines, j.styles.Muted.Render("no actions journaled yet"))
	}
	rows := max(height-len(lines), 1)
	first := min(max(j.cursor-rows+1, 0), max(len(j.entries)-rows, 0))
	if j.cursor < first {
		first = j.cursor
	}
	for i := first; i < len(j.entries) && i < first+rows; i++ {
		e := j.entries[i]
		out := e.Outcome
		switch e.Outcome {
		case "ok", "verified":
			out = j.styles.Good.Render("✔ " + out)
		case "outcome unknown":
			out = j.styles.Warn.Render("? " + out)
		case "in progress": // a detached rollout: made, not yet done (ECS goes on)
			out = j.styles.Warn.Render("… " + out)
		case "failed", "not verified", "refused":
			out = j.styles.Bad.Render("✗ " + out)
		}
		row := fmt.Sprintf("%s  %-34s %s  %s", utcClock(e.At), e.Action, out, e.Detail)
		if i == j.cursor {
			lines = append(lines, j.styles.Selected.Render("▶ "+fit(row, width-2)))
		} else {
			lines = append(lines, "  "+fit(row, width-2))
		}
	}
	return clampLines(strings.Join(lines, "\n"), height)
}

func (m *Model) loadJournal() tea.Cmd {
	id := m.newID()
	m.journalID = id
	b, ctx := m.backend, m.opts.Context
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		e, err := b.Journal(ctx, 500)
		return journalMsg{id: id, entries: e, err: err}
	}
}

func (m Model) handleJournal(msg journalMsg) (tea.Model, tea.Cmd) {
	if msg.id != m.journalID {
		return m, nil
	}
	if msg.err != nil {
		m.journal.err = msg.err.Error() // keep the entries already shown
		return m, nil
	}
	atEnd := !m.journal.seen || m.journal.cursor >= len(m.journal.entries)-1
	m.journal.err, m.journal.entries = "", msg.entries
	if atEnd {
		m.journal.cursor = max(len(msg.entries)-1, 0) // follow the newest while at the end
	}
	m.journal.seen = true
	return m, nil
}

func (m Model) handleJournalKey(km tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(km, m.keys.Export):
		id := m.newID()
		m.exportID = id
		b, ctx := m.backend, m.opts.Context
		m.setStatus("exporting timeline…", false)
		return m, func() tea.Msg {
			p, err := b.ExportTimeline(ctx)
			return exportMsg{id: id, path: p, err: err}
		}
	case key.Matches(km, m.keys.Up):
		m.journal.cursor = max(m.journal.cursor-1, 0)
	case key.Matches(km, m.keys.Down):
		m.journal.cursor = min(m.journal.cursor+1, max(len(m.journal.entries)-1, 0))
	case key.Matches(km, m.keys.Top):
		m.journal.cursor = 0
	case key.Matches(km, m.keys.Bottom):
		m.journal.cursor = max(len(m.journal.entries)-1, 0)
	case key.Matches(km, m.keys.Run):
		if len(m.journal.entries) > 0 {
			e := m.journal.entries[m.journal.cursor]
			m.openPager(pagerJournalEntry, "Journal entry: "+e.Action+" (times UTC)", e.Full)
		}
	}
	return m, nil
}

func (m Model) handleExport(msg exportMsg) (tea.Model, tea.Cmd) {
	if msg.id != m.exportID {
		return m, nil
	}
	if msg.err != nil {
		m.setStatus("export failed: "+msg.err.Error(), true)
		return m, nil
	}
	m.lastExport = msg.path
	m.setStatus("timeline exported to "+msg.path, false)
	return m, nil
}

// metricsView draws each dashboard panel as one row: title, latest value,
// a sparkline scaled to include the first threshold, and a marker when the
// latest value is over a threshold; the thresholds are listed under it.
// Every refresh lists every panel of the catalog, data or not, so none
// after one means the catalog has none (refreshed: a snapshot is in).
func metricsView(st *Styles, panels []Panel, refreshed bool, width, height int) string {
	if len(panels) == 0 && !refreshed {
		return st.Muted.Render("no metric panels yet (waiting for the first refresh)")
	}
	if len(panels) == 0 {
		return st.Muted.Render("no metric panels: this environment's catalog defines none (its panels: section)")
	}
	const titleW, valueW = 34, 14
	sw := min(max(width-titleW-valueW-24, 10), 60)
	lines := []string{st.Header.Render(fmt.Sprintf("%-*s %*s  %s", titleW, "Dashboard panel", valueW, "latest", "trend (oldest → newest)"))}
	for _, p := range panels {
		lines = append(lines, panelRows(st, p, titleW, valueW, sw)...)
		for _, a := range p.Thresholds {
			lines = append(lines, st.Muted.Render(fmt.Sprintf("%*s threshold %s: %s", titleW, "", a.Label, fmtValue(a.Value, p.Unit))))
		}
	}
	return clampLinesSaying(st, strings.Join(lines, "\n"), height)
}

// panelRows draws a panel: one row when it has one series (or none), else a
// title row and one row per series, so a failing feature is not hidden
// behind a healthy one.
func panelRows(st *Styles, p Panel, titleW, valueW, sw int) []string {
	if len(p.Lines) == 0 {
		return []string{fmt.Sprintf("%s %*s", fit(p.Title, titleW), valueW, "no data")}
	}
	if len(p.Lines) == 1 {
		return []string{fit(p.Title, titleW) + " " + panelLineRow(st, p, p.Lines[0], valueW, sw)}
	}
	rows := []string{fit(p.Title, titleW)}
	for _, l := range p.Lines {
		rows = append(rows, fit("  "+l.Label, titleW)+" "+panelLineRow(st, p, l, valueW, sw))
	}
	return rows
}

// panelLineRow is the latest value, sparkline and threshold breach of one series.
func panelLineRow(st *Styles, p Panel, l PanelLine, valueW, sw int) string {
	vals := make([]float64, len(l.Series))
	for i, pt := range l.Series {
		vals[i] = pt.Value
	}
	latest, over := "no data", ""
	var th *float64
	if len(p.Thresholds) > 0 {
		th = &p.Thresholds[0].Value
	}
	if n := len(vals); n > 0 {
		latest = fmtValue(vals[n-1], p.Unit)
		if a, ok := highestReached(p.Thresholds, vals[n-1]); ok {
			over = st.Bad.Render("✗ ≥ " + a.Label)
		}
	}
	spark := strings.TrimLeft(sparkline(vals, sw, th), " ")
	return fmt.Sprintf("%*s  %s %s", valueW, latest, fit(spark, sw), over)
}

// highestReached is the highest annotation v has reached: a breaker at 2
// is OPEN, not merely over HALF-OPEN.
func highestReached(as []alarms.Annotation, v float64) (alarms.Annotation, bool) {
	var best alarms.Annotation
	found := false
	for _, a := range as {
		if v >= a.Value && (!found || a.Value > best.Value) {
			best, found = a, true
		}
	}
	return best, found
}

// redisView shows redis.diagnose and the reservations summary as text.
// The backends' full errors head it: the header only has room for the root cause.
func redisView(st *Styles, text, backends string, height int) string {
	if strings.TrimSpace(text) == "" {
		text = st.Muted.Render("Redis inspection not configured or not loaded yet (set redis_url_env to enable it)")
	}
	return clampLinesSaying(st, backends+"\n\n"+st.Header.Render("Redis (read-only inspection) and reservations")+"\n"+text, height)
}

// clampLinesSaying is clampLines that says so when it cuts: its last line
// counts the lines a taller pane would show, so nobody reads a cut list as
// the whole one. For the views that do not scroll (metrics, Redis); the
// layout's regions keep clampLines, which pads and cuts to a fixed height.
func clampLinesSaying(st *Styles, s string, n int) string {
	lines := strings.Split(s, "\n")
	if n <= 0 || len(lines) <= n {
		return clampLines(s, n)
	}
	cut := len(lines) - n + 1
	more := st.Muted.Render(fmt.Sprintf("… %s (a taller pane shows them)", numfmt.Count(int64(cut), "more line", "more lines")))
	return strings.Join(append(lines[:n-1], more), "\n")
}
