package ui

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"gatewayops/internal/termsafe"
)

// Drill is the rehearsal a console runs on (`gatewayops drill NAME`): it
// says what the header and status line show and, at the end, the report;
// it hears when the operator opened a runbook and which steps ran. Every
// method may block or do I/O and is only called inside a tea.Cmd.
type Drill interface {
	// WaitStatus returns the status once its Version is above after, or the
	// current one when ctx ends.
	WaitStatus(ctx context.Context, after int) DrillStatus
	// RunbookOpened: the operator moved into a runbook's steps.
	RunbookOpened(runbookID string)
	// StepApplied: a step ran through the console; outcome is "ok" when it
	// ran (and, for a write, verified), else what went wrong.
	StepApplied(ctx context.Context, command string, write bool, outcome string)
	// ManualStep does the next step of the list that no ops command
	// performs (an escalation, a fix outside the console) and returns its text.
	ManualStep(ctx context.Context) (string, error)
}

// DrillStatus is what the console shows of a drill.
type DrillStatus struct {
	Version int
	Name    string
	// Speed is the drill clock's compression (1 = wall time); Period the
	// alarms' period on the embedded stack, Production what it stands for.
	Speed      int
	Period     time.Duration
	Production string
	// State is the drill's one-line state ("signal ON since 13:05:10 ...").
	State string
	// Report is the drill's report once the signal cleared ("" before).
	Report string
	// NextManual is the next manual step of the list ("" when none is left):
	// the drill key (D) does it.
	NextManual string
	// Alarm is the full name of the alarm that is the drill's signal ("" for
	// a predicate); the cursor goes to it once it fires.
	Alarm string
}

// drillManualKey does the drill's next manual step; it is a capital letter
// no other binding uses.
const drillManualKey = "D"

// pagerDrillReport is the pager kind of the drill report; far from the
// kinds of pagers.go's iota so they never meet.
const pagerDrillReport pagerKind = 64

// drillView is the model's copy of the drill status.
type drillView struct {
	status DrillStatus
	got    bool // a status arrived
	// reportShown is set once the report was opened (it opens by itself
	// once, when no dialog is in the way).
	reportShown bool
	// signalSelected is set once the cursor was put on the drill's firing
	// alarm (once: after that the cursor is the operator's).
	signalSelected bool
}

// drillStatusMsg is one answer of Drill.WaitStatus.
type drillStatusMsg struct{ status DrillStatus }

// waitDrill waits for the next drill status after version.
func (m Model) waitDrill(after int) tea.Cmd {
	d, ctx := m.opts.Drill, m.opts.Context
	if d == nil {
		return nil
	}
	return func() tea.Msg { return drillStatusMsg{status: d.WaitStatus(ctx, after)} }
}

func (m Model) handleDrill(msg drillStatusMsg) (tea.Model, tea.Cmd) {
	if m.drill.got && msg.status.Version <= m.drill.status.Version {
		// ctx ended (the console is quitting): stop waiting.
		return m, nil
	}
	m.drill.status, m.drill.got = msg.status, true
	m.selectDrillSignal()
	m.showDrillReport()
	return m, m.waitDrill(msg.status.Version)
}

// selectDrillSignal puts the cursor on the drill's alarm the first time it
// is in ALARM on the list, as a page opens on the alarm that paged, unless
// the operator is in the steps or a dialog.
func (m *Model) selectDrillSignal() {
	name := m.drill.status.Alarm
	if name == "" || m.drill.signalSelected || m.focusSteps || m.modal != modalNone {
		return
	}
	if m.list.SelectFiring(name) {
		m.drill.signalSelected = true
		m.showSelected()
	}
}

// showDrillReport opens the report once it exists, when nothing else has
// the keyboard (a confirmation or the palette is never covered).
func (m *Model) showDrillReport() {
	if m.drill.reportShown || m.drill.status.Report == "" || m.modal != modalNone {
		return
	}
	m.drill.reportShown = true
	m.openPager(pagerDrillReport, "Drill report: "+m.drill.status.Name+" (esc closes; also in the journal and journal export)", m.drill.status.Report)
}

// drillRunbookOpened tells the drill the operator is in the runbook's steps.
func (m Model) drillRunbookOpened() tea.Cmd {
	d := m.opts.Drill
	if d == nil || !m.runbook.hasRB {
		return nil
	}
	id := m.runbook.rb.ID
	return func() tea.Msg { d.RunbookOpened(id); return nil }
}

// drillBadge is the header's DRILL badge: the word on every size, the
// drill clock's compression beside it, the scenario's name when wide.
func (m Model) drillBadge(w int) string {
	st := m.drill.status
	text := fmt.Sprintf("DRILL %dx", max(st.Speed, 1))
	switch {
	case !m.drill.got:
		text = "DRILL"
	case w >= wideWidth:
		text = fmt.Sprintf("DRILL %s · clock %dx, periods %s (prod. %s)", st.Name, max(st.Speed, 1), st.Period, st.Production)
	}
	return m.styles.EnvArmed.Render(text)
}

// drillNotice is the status line while no message is shown: the drill's
// state and its clock in full.
func (m Model) drillNotice() string {
	st := m.drill.status
	if !m.drill.got {
		return "DRILL: waiting for the drill's state"
	}
	manual := ""
	if st.NextManual != "" {
		manual = " · D does the manual step: " + st.NextManual
	}
	return fmt.Sprintf("DRILL %s: %s%s · drill clock %dx wall time, alarm periods %s (production %s) · embedded loopback stack only",
		st.Name, st.State, manual, max(st.Speed, 1), st.Period, st.Production)
}

// handleDrillKey does the next manual step on D, in a drill with one left.
func (m Model) handleDrillKey(km tea.KeyPressMsg) (tea.Model, tea.Cmd, bool) {
	d := m.opts.Drill
	if d == nil || km.String() != drillManualKey {
		return m, nil, false
	}
	if m.drill.status.NextManual == "" {
		m.setStatus("this drill has no manual step left: its list is ops steps (run them from the runbook or :)", true)
		return m, nil, true
	}
	ctx, now := m.opts.Context, m.opts.Now
	m.setStatus("drill: doing the manual step: "+m.drill.status.NextManual, false)
	return m, func() tea.Msg {
		text, err := d.ManualStep(ctx)
		msg := statusMsg{text: termsafe.String("manual step done (drill): " + text), until: now().Add(15 * time.Second)}
		if err != nil {
			msg.text, msg.isErr = termsafe.String("manual step: "+err.Error()), true
		}
		return msg
	}, true
}

// drillBackend tells the drill about every step the console applies.
type drillBackend struct {
	Backend
	drill Drill
}

func (b drillBackend) Apply(ctx context.Context, p Plan, c Confirmation) (Result, error) {
	res, err := b.Backend.Apply(ctx, p, c)
	outcome := "ok"
	switch {
	case err != nil:
		outcome = "failed: " + err.Error()
	case !res.ReadOnly && !res.Verified:
		outcome = "did not verify: " + res.VerifyDetail
	}
	b.drill.StepApplied(ctx, p.Command, p.Write, outcome)
	return res, err
}
