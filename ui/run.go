package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
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
}

// startRun plans a command: the first step of plan -> confirm -> apply -> verify.
func (m Model) startRun(line string) (tea.Model, tea.Cmd) {
	if m.run.phase == phasePlanning || m.run.phase == phaseApplying || m.run.phase == phaseConfirming {
		m.setStatus("an action is already in progress: "+m.run.command, true)
		return m, nil
	}
	id := m.newID()
	m.run = runPane{id: id, command: line, phase: phasePlanning, started: m.now()}
	m.layoutRunbook() // the action pane takes the bottom of the right column
	m.runbook.SetStepStatus(line, "planning…")
	b, ctx := m.backend, m.opts.Context
	plan := func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, actionTimeout)
		defer cancel()
		p, err := b.Plan(ctx, line)
		return planMsg{id: id, plan: p, err: err}
	}
	return m, tea.Batch(plan, m.spin.Tick)
}

func (m Model) handlePlan(msg planMsg) (tea.Model, tea.Cmd) {
	if msg.id != m.run.id || m.run.phase != phasePlanning {
		return m, nil
	}
	if msg.err != nil {
		m.run.phase, m.run.err = phaseFailed, msg.err.Error()
		m.runbook.SetStepStatus(m.run.command, "✗ plan failed")
		return m, nil
	}
	m.run.plan = msg.plan
	if !msg.plan.Write {
		return m.apply(Confirmation{}) // read-only: nothing to confirm
	}
	m.safety = m.backend.Safety()
	if m.safety.Protected && !m.armed() {
		m.run.phase = phaseRefused
		m.run.err = fmt.Sprintf("%s is PROTECTED and read-only: press A to arm writes (reason and time limit), then run the step again", m.safety.Env)
		m.runbook.SetStepStatus(m.run.command, "⊘ refused (not armed)")
		return m, nil
	}
	m.run.phase = phaseConfirming
	m.runbook.SetStepStatus(m.run.command, "awaiting confirmation")
	m.modal = modalConfirm
	m.confirm = newConfirmDialog(m.styles, m.run.id, msg.plan.Command, msg.plan.Summary, m.safety.Protected, m.safety.Env, m.now())
	m.confirm.SetSize(m.width, m.height)
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
		m.runbook.SetStepStatus(m.run.command, "– cancelled")
		return m, nil
	}
	return m.apply(Confirmation{Key: msg.Key, Typed: msg.Typed})
}

func (m Model) apply(c Confirmation) (tea.Model, tea.Cmd) {
	m.run.phase = phaseApplying
	m.runbook.SetStepStatus(m.run.command, "running…")
	id, p, b, ctx := m.run.id, m.run.plan, m.backend, m.opts.Context
	do := func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, actionTimeout)
		defer cancel()
		r, err := b.Apply(ctx, p, c)
		return applyMsg{id: id, result: r, err: err}
	}
	return m, tea.Batch(do, m.spin.Tick)
}

func (m Model) handleApply(msg applyMsg) (tea.Model, tea.Cmd) {
	if msg.id != m.run.id || m.run.phase != phaseApplying {
		return m, nil
	}
	m.run.result = msg.result
	if msg.err != nil {
		m.run.phase, m.run.err = phaseFailed, msg.err.Error()
		m.runbook.SetStepStatus(m.run.command, "✗ failed")
		cmd := m.refreshNow()
		return m, cmd
	}
	m.run.phase = phaseDone
	if msg.result.ReadOnly && msg.result.Verified {
		m.runbook.SetStepStatus(m.run.command, "✔ done")
	} else if msg.result.Verified {
		m.runbook.SetStepStatus(m.run.command, "✔ verified")
	} else {
		m.runbook.SetStepStatus(m.run.command, "✗ NOT verified")
	}
	cmd := m.refreshNow()
	return m, cmd // show the effect at once
}

// undo runs the inverse of the last finished step through the same safety rules.
func (m Model) undo() (tea.Model, tea.Cmd) {
	if m.run.phase != phaseDone || m.run.result.Undo == "" {
		m.setStatus("nothing to undo: the last step has no inverse or did not finish", true)
		return m, nil
	}
	return m.startRun(m.run.result.Undo)
}

// View renders the action pane; empty when no action has run.
func (r runPane) View(st *Styles, spin string, width int, now time.Time) string {
	if r.phase == phaseIdle {
		return ""
	}
	lines := []string{st.Title.Render("Action: ") + r.command}
	if r.plan.Summary != "" {
		lines = append(lines, "plan: "+r.plan.Summary)
	}
	switch r.phase {
	case phasePlanning:
		lines = append(lines, spin+" planning (dry run)…")
	case phaseConfirming:
		lines = append(lines, st.Warn.Render("waiting for confirmation"))
	case phaseRefused:
		lines = append(lines, st.Bad.Render("⊘ REFUSED: ")+r.err)
	case phaseCancelled:
		lines = append(lines, st.Muted.Render("– cancelled, nothing changed"))
	case phaseApplying:
		lines = append(lines, fmt.Sprintf("%s applying… %s", spin, age(now.Sub(r.started))))
	case phaseFailed:
		lines = append(lines, st.Bad.Render("✗ FAILED: ")+r.err)
	case phaseDone:
		lines = append(lines, r.doneLines(st)...)
	}
	// Wrap rather than cut: the plan and the output are what the operator must read.
	for i, l := range lines {
		lines[i] = ansi.Wrap(l, max(width, 10), " ")
	}
	return strings.Join(lines, "\n")
}

func (r runPane) doneLines(st *Styles) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(r.result.Output), "\n") {
		if l != "" {
			out = append(out, "  "+l)
		}
	}
	if r.result.ReadOnly && r.result.Verified {
		out = append(out, st.Good.Render("✔ done: ")+r.result.VerifyDetail)
	} else if r.result.Verified {
		out = append(out, st.Good.Render("✔ verified: ")+r.result.VerifyDetail)
	} else {
		out = append(out, st.Bad.Render("✗ NOT verified: ")+r.result.VerifyDetail)
	}
	if r.result.Undo != "" {
		out = append(out, st.Muted.Render("u: undo with "+r.result.Undo))
	}
	return out
}
