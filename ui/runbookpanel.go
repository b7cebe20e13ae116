package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"gatewayops/alarms"

	"gatewayops/internal/termsafe"
)

// runbookPanel is the right panel: the selected alarm's evidence (state
// reason, threshold, recent datapoints), the runbook's runnable steps and the
// runbook itself rendered by Glamour in a scrollable viewport.
type runbookPanel struct {
	styles     *Styles
	keys       KeyMap
	md         *markdown
	alarm      alarms.Alarm
	hasAlarm   bool
	lint       []alarms.Finding // monitoring-lint findings of the alarm
	rb         Runbook
	hasRB      bool
	focusSteps bool
	step       int
	status     map[string]string // step command -> last outcome shown beside it
	fix        string            // "fix applied ..., next evaluation ~..." until the alarm moves
	lintWait   time.Time         // non-zero: the lint findings wait for first data until then
	vp         viewport.Model
	width      int
	height     int
}

func newRunbookPanel(st *Styles, keys KeyMap, md *markdown) runbookPanel {
	vp := viewport.New()
	vp.SoftWrap = false
	return runbookPanel{styles: st, keys: keys, md: md, vp: vp, status: map[string]string{}}
}

// SetSize lays the panel out and re-renders the runbook for the new width.
func (p *runbookPanel) SetSize(w, h int) {
	p.width, p.height = w, h
	p.layout()
}

// Show switches to an alarm and its runbook (ok false: none matches).
// Showing the same runbook again keeps the scroll and step position.
func (p *runbookPanel) Show(a alarms.Alarm, rb Runbook, ok bool, lint []alarms.Finding) {
	same := p.hasRB && ok && p.rb.ID == rb.ID
	p.alarm, p.hasAlarm, p.lint = a, true, lint
	p.rb, p.hasRB = rb, ok
	if !same {
		p.step = 0
		p.vp.GotoTop()
	}
	p.layout()
}

// alarmDims are the dimensions the alarm watches: its own, or those of the
// metrics its math reads.
func alarmDims(a alarms.Alarm) map[string]string {
	out := map[string]string{}
	for _, d := range a.Dimensions {
		out[d.Name] = d.Value
	}
	for _, q := range a.Metrics {
		if q.Metric != nil {
			for _, d := range q.Metric.Dimensions {
				out[d.Name] = d.Value
			}
		}
	}
	return out
}

// Conflict says why a step does not fit the alarm shown: a parameter that
// names a dimension the alarm watches, with another value ("" when it fits).
// The staging breaker alarm watches component=loa-finn; its runbook's
// breaker.reset component=kms would verify while the alarm stays in ALARM.
func (p runbookPanel) Conflict(st Step) string {
	dims := alarmDims(p.alarm)
	for _, f := range strings.Fields(st.Command)[1:] {
		k, v, ok := strings.Cut(f, "=")
		if want, watched := dims[k]; ok && watched && strings.Trim(v, `"`) != want {
			return fmt.Sprintf("this step acts on %s=%s; the alarm watches %s=%s", k, v, k, want)
		}
	}
	return ""
}

// SetFix sets (or with "" clears) the note under the alarm's state.
func (p *runbookPanel) SetFix(text string) { p.fix = text; p.layout() }

// SetStepStatus records the outcome to show beside a step.
func (p *runbookPanel) SetStepStatus(command, status string) { p.status[command] = status }

// SelectedStep is the step under the cursor.
func (p runbookPanel) SelectedStep() (Step, bool) {
	if !p.hasRB || p.step < 0 || p.step >= len(p.rb.Steps) {
		return Step{}, false
	}
	return p.rb.Steps[p.step], true
}

// FocusSteps moves keyboard focus to (or away from) the step list.
func (p *runbookPanel) FocusSteps(on bool) { p.focusSteps = on }

func (p *runbookPanel) layout() {
	_, _, vpH := p.sections()
	p.vp.SetWidth(max(p.width, 1))
	p.vp.SetHeight(max(vpH, 1))
	if p.hasRB {
		p.vp.SetContent(p.md.Text(p.rb.ID, p.rb.Source, p.width-2))
	} else {
		p.vp.SetContent(p.noRunbook())
	}
}

// RenderLater is the background render the runbook shown still needs (nil:
// none, or renders run in place). Before the terminal's size is known there
// is no width to render at: the first snapshot can arrive first (Init's
// handoff), and its render at the narrowest width took a core from the
// first frames for nothing.
func (p runbookPanel) RenderLater() tea.Cmd {
	if !p.hasRB || p.width <= 0 {
		return nil
	}
	return p.md.Later(p.rb.ID, p.rb.Source, p.width-2)
}

// minRunbookText is the fewest lines of runbook text worth showing.
const minRunbookText = 3

// sections splits the panel's height between the evidence, the steps and
// the runbook text. When the panel is short the evidence shrinks to the
// alarm's name and state, then the step list to the rows that fit, so the
// selected step is always on screen.
func (p runbookPanel) sections() (evidence, steps []string, vpH int) {
	evidence = strings.Split(p.evidence(), "\n")
	rows := p.maxStepRows()
	steps = strings.Split(p.stepsView(rows), "\n")
	if len(evidence)+len(steps)+1+minRunbookText > p.height && len(evidence) > 2 {
		evidence = evidence[:2]
	}
	if over := len(evidence) + len(steps) + 1 - p.height; over > 0 && len(steps) > 2 {
		steps = strings.Split(p.stepsView(max(rows-over, 1)), "\n")
	}
	return evidence, steps, p.height - len(evidence) - len(steps) - 1
}

func (p runbookPanel) noRunbook() string {
	if !p.hasAlarm {
		return "Select an alarm to see its runbook."
	}
	return fmt.Sprintf("No runbook matches %s (namespace %q, metric %q).\n"+
		"Check `gatewayops runbook list`, or use the command palette (:) for actions.",
		termsafe.String(p.alarm.Name), p.alarm.Namespace, p.alarm.MetricName) // %q escapes the other two
}

// Update moves between steps (when focused) or scrolls the runbook.
func (p runbookPanel) Update(msg tea.Msg) (runbookPanel, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, nil
	}
	if p.focusSteps && p.hasRB && len(p.rb.Steps) > 0 {
		switch {
		case key.Matches(km, p.keys.Up):
			p.step = max(p.step-1, 0)
			p.revealStep()
			return p, nil
		case key.Matches(km, p.keys.Down):
			p.step = min(p.step+1, len(p.rb.Steps)-1)
			p.revealStep()
			return p, nil
		}
	}
	switch {
	case key.Matches(km, p.keys.PageDown):
		p.vp.HalfPageDown()
	case key.Matches(km, p.keys.PageUp):
		p.vp.HalfPageUp()
	case key.Matches(km, p.keys.Down):
		p.vp.ScrollDown(1)
	case key.Matches(km, p.keys.Up):
		p.vp.ScrollUp(1)
	}
	return p, nil
}

// revealStep scrolls the rendered runbook to the block holding the step's command.
func (p *runbookPanel) revealStep() {
	st, ok := p.SelectedStep()
	if !ok {
		return
	}
	for i, line := range strings.Split(p.vp.GetContent(), "\n") {
		if strings.Contains(ansi.Strip(line), st.Command) {
			p.vp.SetYOffset(max(i-2, 0))
			return
		}
	}
}

// View renders evidence, steps and the runbook, exactly height lines.
func (p runbookPanel) View(now time.Time) string {
	if p.width <= 0 || p.height <= 0 {
		return ""
	}
	ev, steps, vpH := p.sections()
	parts := append(append(ev, steps...), p.styles.Muted.Render(strings.Repeat("─", p.width)))
	if vpH > 0 {
		parts = append(parts, p.vp.View())
	}
	return clampLines(strings.Join(parts, "\n"), p.height)
}

// evidence heads the runbook with what CloudWatch said about the alarm.
func (p runbookPanel) evidence() string {
	if !p.hasAlarm {
		return p.styles.Muted.Render("no alarm selected")
	}
	a := p.alarm
	state := fmt.Sprintf("%s %s   evaluated %s", a.State.Symbol(), stateWord(a.State), evaluatedText(a))
	if nw := newestText(a); nw != "" {
		state += "   (" + nw + ", not evaluated yet)"
	}
	if a.EvaluationState != "" {
		state += "   evaluation: " + termsafe.String(a.EvaluationState)
	}
	lines := []string{p.styles.Title.Render(ansi.Truncate(termsafe.String(a.Name), p.width, "…")), fit(state, p.width)}
	if p.fix != "" {
		lines = append(lines, p.styles.Warn.Render(fit(p.fix, p.width)))
	}
	if a.Reason != "" {
		// At most three lines: the reason can be long, the runbook matters more.
		reason := strings.Split(ansi.Wrap("reason: "+termsafe.String(a.Reason), p.width, " "), "\n")
		if len(reason) > 3 {
			reason = append(reason[:2], ansi.Truncate(reason[2], p.width-1, "")+"…")
		}
		lines = append(lines, reason...)
	}
	if len(a.Recent) > 0 {
		vals := make([]string, len(a.Recent))
		for i, d := range a.Recent {
			vals[i] = alarms.FormatValue(d.Value, a.Unit)
		}
		lines = append(lines, fit("recent datapoints (oldest first): "+strings.Join(vals, ", "), p.width))
	}
	return strings.Join(append(lines, p.lintLines()...), "\n")
}

// lintLines says why the alarm carries a ⚠ in the list: what it queries
// that is not published. Two lines per finding at most.
func (p runbookPanel) lintLines() []string {
	var out []string
	if !p.lintWait.IsZero() {
		return []string{p.styles.Muted.Render(fit("◌ lint: waiting for first data (it could exist from "+utcClock(p.lintWait)+")", p.width))}
	}
	for _, finding := range p.lint {
		f := strings.TrimPrefix(finding.Message, "alarm "+p.alarm.Name+" ") // the name heads the panel already
		mark, style := "⚠", p.styles.Warn
		if finding.Kind == alarms.FindingUnseenValue {
			mark, style = "~", p.styles.Muted
		}
		wrapped := strings.Split(ansi.Wrap(mark+" lint: "+f, p.width, " "), "\n")
		if len(wrapped) > 2 {
			wrapped = append(wrapped[:1], ansi.Truncate(wrapped[1], p.width-1, "")+"…")
		}
		for _, l := range wrapped {
			out = append(out, style.Render(l))
		}
	}
	return out
}

// maxStepRows is how many step rows the panel shows at once; the list
// scrolls with the selection so a long runbook keeps room for its text.
func (p runbookPanel) maxStepRows() int { return max(p.height/3, 3) }

// stepsView lists the runbook's runnable steps with their last outcome.
func (p runbookPanel) stepsView(rows int) string {
	if !p.hasRB {
		return p.styles.Muted.Render("no runnable steps")
	}
	if len(p.rb.Steps) == 0 {
		return p.styles.Muted.Render("runbook " + p.rb.Title + ": no runnable steps")
	}
	head := "Steps"
	if p.focusSteps {
		head += " (j/k choose, enter run, tab back to alarms)"
	} else {
		head += " (tab to choose a step)"
	}
	lines := []string{p.styles.Header.Render(head)}
	first := 0
	if len(p.rb.Steps) > rows {
		first = min(max(p.step-rows/2, 0), len(p.rb.Steps)-rows)
		lines[0] += p.styles.Muted.Render(fmt.Sprintf("  [%d-%d of %d]", first+1, first+rows, len(p.rb.Steps)))
	}
	lines[0] = fit(lines[0], p.width)
	for i, s := range p.rb.Steps {
		if i < first || i >= first+rows {
			continue
		}
		mark := "  "
		if i == p.step && p.focusSteps {
			mark = "▶ "
		}
		line := fmt.Sprintf("%s%d. %s", mark, i+1, s.Command)
		if c := p.Conflict(s); c != "" {
			line += "  ⊘ not for this alarm"
		}
		if st := p.status[s.Command]; st != "" {
			line += "  " + st // the outcome first: the section may be cut off
		}
		if s.Section != "" {
			line += "  [" + s.Section + "]"
		}
		line = fit(line, p.width)
		if i == p.step && p.focusSteps {
			line = p.styles.Selected.Render(line)
		}
		lines = append(lines, line)
	}
	if st, ok := p.SelectedStep(); ok && p.focusSteps {
		if c := p.Conflict(st); c != "" {
			lines = append(lines, p.styles.Warn.Render(fit("⊘ "+c+": not run from here (the palette : runs it deliberately)", p.width)))
		}
	}
	return strings.Join(lines, "\n")
}

// ShortHelp and FullHelp make the panel a help.KeyMap.
func (p runbookPanel) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Up, p.keys.Down, p.keys.Run, p.keys.Focus}
}
func (p runbookPanel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.keys.Up, p.keys.Down, p.keys.PageUp, p.keys.PageDown, p.keys.Run, p.keys.Undo}}
}
