package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"gatewayops/alarms"
	"gatewayops/ops"

	"gatewayops/internal/termsafe"
)

// actionTimeout bounds one plan or apply call.
const actionTimeout = 60 * time.Second

type runPhase int

const (
	phaseIdle runPhase = iota
	phasePlanning
	phaseConfirming
	phaseRefused
	phaseCancelled
	phaseApplying
	phaseDone
	phaseFailed
	phaseUsage // the line did not parse: nothing was planned or sent
)

// runPane is the one action in flight or last finished: plan, confirmation,
// progress, output, verification and the undo offer.
type runPane struct {
	id      int
	command string
	phase   runPhase
	plan    Plan
	result  Result
	err     string
	started time.Time
	note    string // said under the verdict ("fix applied, next evaluation ~...")
	// progress is the newest report of an ECS rollout being followed.
	progress *ops.Progress
}

// startRun plans a command: the first step of plan -> confirm -> apply -> verify.
func (m Model) startRun(line string) (tea.Model, tea.Cmd) {
	if m.run.phase == phasePlanning || m.run.phase == phaseApplying || m.run.phase == phaseConfirming {
		m.setStatus("an action is already in progress: "+m.run.command, true)
		return m, nil
	}
	b := m.backend
	return m.startPlan(line, func(ctx context.Context) (Plan, error) { return b.Plan(ctx, line) })
}

// startPlan shows line as the action in flight and runs plan in a command.
func (m Model) startPlan(line string, plan func(context.Context) (Plan, error)) (tea.Model, tea.Cmd) {
	id := m.newID()
	m.run = runPane{id: id, command: line, phase: phasePlanning, started: m.now()}
	m.layoutRunbook() // the action pane takes the bottom of the right column
	m.runbook.SetStepStatus(line, "planning…")
	ctx := m.opts.Context
	cmd := func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, actionTimeout)
		defer cancel()
		p, err := plan(ctx)
		return planMsg{id: id, plan: p, err: err}
	}
	return m, tea.Batch(cmd, m.spin.Tick)
}

func (m Model) handlePlan(msg planMsg) (tea.Model, tea.Cmd) {
	if msg.id != m.run.id || m.run.phase != phasePlanning {
		return m, nil
	}
	if msg.err != nil {
		m.run.phase, m.run.err = phaseFailed, msg.err.Error()
		var refused *ops.UndoRefusedError
		switch {
		case errors.As(msg.err, &refused):
			m.run.phase = phaseRefused
		case ops.IsRefused(msg.err):
			// The policy's pre-check refused (and journaled it); add the key to press.
			m.run.phase = phaseRefused
			if ops.RefusedRule(msg.err) == ops.RuleNotArmed {
				m.run.err += ": press A to arm writes (reason and time limit), then run the step again"
			}
			m.stepStatus("⊘ refused")
			return m, nil
		case isUsageError(msg.err):
			m.run.phase = phaseUsage
		}
		m.stepStatus("✗ plan failed")
		return m, nil
	}
	m.run.plan = msg.plan
	if !msg.plan.Write {
		return m.apply(Confirmation{}) // read-only: nothing to confirm
	}
	m.safety = m.backend.Safety()
	m.run.phase = phaseConfirming
	m.stepStatus("awaiting confirmation")
	m.modal = modalConfirm
	m.confirm = newConfirmDialog(m.styles, m.run.id, msg.plan.Command, msg.plan.Summary, m.safety.Protected, m.safety.Env, m.now())
	m.confirm.undo = msg.plan.UndoOf != ""
	m.confirm.noChange = msg.plan.NoChange
	iw, _ := m.inner()
	m.confirm.SetSize(iw, m.bodyHeight())
	return m, nil
}

func (m Model) armed() bool { return m.safety.ArmedUntil.After(m.now()) }

func (m Model) handleConfirmDone(msg confirmDoneMsg) (tea.Model, tea.Cmd) {
	if msg.ID != m.run.id || m.run.phase != phaseConfirming {
		return m, nil
	}
	m.modal = modalNone
	if !msg.Confirmed {
		m.run.phase = phaseCancelled
		m.stepStatus("– cancelled")
		return m, nil
	}
	return m.apply(Confirmation{Key: msg.Key, Typed: msg.Typed})
}

func (m Model) apply(c Confirmation) (tea.Model, tea.Cmd) {
	m.run.phase = phaseApplying
	m.stepStatus("running…")
	id, p, b, ctx := m.run.id, m.run.plan, m.backend, m.opts.Context
	ctx, timeout := m.rollout.attach(ctx, id, p)
	do := func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		r, err := b.Apply(ctx, p, c)
		return applyMsg{id: id, result: r, err: err}
	}
	return m, tea.Batch(do, m.spin.Tick, m.rollout.next())
}

func (m Model) handleApply(msg applyMsg) (tea.Model, tea.Cmd) {
	if msg.id != m.run.id || m.run.phase != phaseApplying {
		return m, nil
	}
	m.run.result = msg.result
	if msg.err != nil {
		m.run.phase, m.run.err = phaseFailed, msg.err.Error()
		m.stepStatus("✗ failed")
		cmd := m.refreshNow()
		return m, cmd
	}
	m.run.phase = phaseDone
	m.noteFix(msg.result)
	if msg.result.ReadOnly && msg.result.Verified {
		m.stepStatus("✔ done")
	} else if msg.result.Verified {
		m.stepStatus("✔ verified")
	} else {
		m.stepStatus("✗ NOT verified")
	}
	cmd := m.refreshNow()
	return m, cmd // show the effect at once
}

// sections are the pane's lines in three parts: the head (action and plan),
// the output, and the tail (progress or verdict, and the undo offer). The
// tail is never cut: it is what the operator waits for.
func (r runPane) sections(st *Styles, spin string, width int, now time.Time) (head, body, tail []string) {
	wrap := func(ls ...string) []string {
		var out []string
		for _, l := range ls {
			out = append(out, strings.Split(ansi.Wrap(l, max(width, 10), " "), "\n")...)
		}
		return out
	}
	head = wrap(st.Title.Render("Action: ") + r.command)
	if r.plan.Summary != "" {
		head = append(head, wrap("plan: "+termsafe.Text(r.plan.Summary))...)
	}
	switch r.phase {
	case phasePlanning:
		tail = wrap(spin + " planning (dry run)…")
	case phaseConfirming:
		tail = wrap(st.Warn.Render("waiting for confirmation"))
	case phaseRefused:
		tail = wrap(st.Bad.Render("⊘ REFUSED: ") + termsafe.String(r.err))
	case phaseCancelled:
		tail = wrap(st.Muted.Render("– cancelled, nothing changed"))
	case phaseApplying:
		tail = wrap(fmt.Sprintf("%s applying… %s", spin, age(now.Sub(r.started))))
		tail = append(tail, wrap(rolloutLines(r.progress, width)...)...)
	case phaseFailed:
		tail = wrap(st.Bad.Render("✗ FAILED: ") + termsafe.String(r.err))
	case phaseUsage:
		tail = wrap(st.Warn.Render("usage: ") + termsafe.String(r.err))
	case phaseDone:
		body = wrap(r.outputLines()...)
		tail = wrap(r.verdictLines(st)...)
	}
	return head, body, tail
}

// lineCount is how many lines the whole pane needs at width.
func (r runPane) lineCount(width int) int {
	if r.phase == phaseIdle {
		return 0
	}
	head, body, tail := r.sections(&Styles{}, " ", width, time.Time{})
	return len(head) + len(body) + len(tail)
}

// View renders the action pane in at most height lines: the verdict always,
// then as much of the head and output as fits, with a marker saying how many
// output lines are not shown and which key shows them.
func (r runPane) View(st *Styles, spin string, width, height int, now time.Time) string {
	if r.phase == phaseIdle || height <= 0 {
		return ""
	}
	head, body, tail := r.sections(st, spin, width, now)
	if len(tail) >= height {
		return strings.Join(tail[len(tail)-height:], "\n")
	}
	room := height - len(tail)
	if len(head) > room-min(len(body), 1) && len(head) > 1 {
		cut := max(room-min(len(body), 1)-1, 1) // keep the action line and a mark
		head = append(head[:cut], st.Muted.Render(fit("… plan continues: o shows it all", width)))
	}
	room -= len(head)
	if len(body) > room && room >= 0 {
		hidden := len(body) - max(room-1, 0)
		body = append(body[:max(room-1, 0)], st.Warn.Render(fit(fmt.Sprintf("▼ %d more output lines: o shows the whole output", hidden), width)))
		if room == 0 {
			body = nil
		}
	}
	return strings.Join(append(append(head, body...), tail...), "\n")
}

// Text is the whole pane as plain lines, for the output pager.
func (r runPane) Text(st *Styles, width int) string {
	head, body, tail := r.sections(st, " ", width, time.Now())
	return strings.Join(append(append(head, body...), tail...), "\n")
}

func (r runPane) outputLines() []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(termsafe.Text(r.result.Output)), "\n") {
		if l != "" {
			out = append(out, "  "+l)
		}
	}
	return out
}

func (r runPane) verdictLines(st *Styles) []string {
	var out []string
	if r.result.ReadOnly && r.result.Verified {
		out = append(out, st.Good.Render("✔ done: ")+termsafe.String(r.result.VerifyDetail))
	} else if r.result.Verified {
		out = append(out, st.Good.Render("✔ verified: ")+termsafe.String(r.result.VerifyDetail))
	} else {
		out = append(out, st.Bad.Render("✗ NOT verified: ")+termsafe.String(r.result.VerifyDetail))
	}
	if r.note != "" {
		out = append(out, st.Warn.Render(r.note))
	}
	if r.result.Undo != "" {
		out = append(out, st.Muted.Render("u: undo stack (undo with "+r.result.Undo+")"))
	} else if r.result.UndoNote != "" {
		out = append(out, st.Warn.Render(r.result.UndoNote))
	}
	return out
}

// noteFix remembers a verified write run while the selected alarm is in
// ALARM: until the alarm moves, the console says when the fix was applied
// and when CloudWatch evaluates next, so a still-red alarm is not read as
// "the fix did not work".
func (m *Model) noteFix(r Result) {
	a, ok := m.list.Selected()
	// A write that found nothing to change applied nothing: no "fix applied".
	if !ok || r.ReadOnly || !r.Verified || a.State != alarms.StateAlarm || m.run.plan.NoChange {
		return
	}
	m.fix = &fixNote{alarm: a.Name, state: a.State, since: a.Since, applied: m.now(), period: a.Period}
	m.run.note = m.fix.text()
	m.runbook.SetFix(m.fix.text())
}

// checkFix drops the fix note once its alarm moved.
func (m *Model) checkFix() {
	if m.fix == nil {
		return
	}
	for _, a := range m.snap.Alarms {
		if a.Name == m.fix.alarm && m.fix.moved(a) {
			m.fix = nil
			m.run.note = ""
			m.runbook.SetFix("")
			return
		}
	}
}

// stepStatus shows the action's progress beside its runbook step and, when
// it was a toggle of the flags view, in that view too (with the error).
func (m *Model) stepStatus(text string) {
	m.runbook.SetStepStatus(m.run.command, text)
	bad := strings.HasPrefix(text, "✗") || strings.HasPrefix(text, "⊘") || strings.HasPrefix(text, "–")
	detail := text
	if bad && m.run.err != "" {
		detail += ": " + m.run.err
	} else if !bad && m.run.result.VerifyDetail != "" && strings.HasPrefix(text, "✔") {
		detail += ": " + m.run.result.VerifyDetail
	}
	m.flags.Outcome(m.run.command, detail, bad)
}
