package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"gatewayops/ops"
)

// maxArm is the longest a protected environment may stay armed.
const maxArm = ops.DefaultMaxArm

// armForm asks the reason and the time limit for arming a protected environment.
type armForm struct {
	styles   *Styles
	reason   textinput.Model
	duration textinput.Model
	onDur    bool
	err      string
}

// armSubmitMsg carries a validated arm request.
type armSubmitMsg struct {
	reason string
	d      time.Duration
}

type armCancelMsg struct{}

func newArmForm(st *Styles) armForm {
	r := textinput.New()
	r.Prompt = "reason: "
	r.Placeholder = "why writes are needed (ticket, incident)"
	r.CharLimit = 200
	r.SetWidth(60)
	d := textinput.New()
	d.Prompt = "for:    "
	d.SetValue("15m")
	d.CharLimit = 8
	d.SetWidth(10)
	return armForm{styles: st, reason: r, duration: d}
}

// parseArmDuration accepts Go durations from 1m up to maxArm.
func parseArmDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d < time.Minute || d > maxArm {
		return 0, fmt.Errorf("time limit %q not accepted: give a duration from 1m to %s, e.g. 15m or 1h", s, maxArm)
	}
	return d, nil
}

func (f armForm) Update(km tea.KeyPressMsg) (armForm, tea.Cmd) {
	switch km.String() {
	case "esc":
		return f, func() tea.Msg { return armCancelMsg{} }
	case "tab", "shift+tab":
		return f.toggle(), nil
	case "enter":
		if !f.onDur {
			return f.toggle(), nil
		}
		reason := strings.TrimSpace(f.reason.Value())
		if reason == "" {
			f.err = "a reason is required: it goes into the journal and the audit record"
			return f.toggle(), nil
		}
		d, err := parseArmDuration(f.duration.Value())
		if err != nil {
			f.err = err.Error()
			return f, nil
		}
		return f, func() tea.Msg { return armSubmitMsg{reason: reason, d: d} }
	}
	var cmd tea.Cmd
	if f.onDur {
		f.duration, cmd = f.duration.Update(km)
	} else {
		f.reason, cmd = f.reason.Update(km)
	}
	return f, cmd
}

func (f armForm) toggle() armForm {
	f.onDur = !f.onDur
	if f.onDur {
		f.reason.Blur()
		f.duration.Focus()
	} else {
		f.duration.Blur()
		f.reason.Focus()
	}
	return f
}

func (f armForm) View(env string) string {
	lines := []string{
		f.styles.Bad.Render("ARM WRITES in PROTECTED environment " + env),
		"Writes stay possible until the time limit, then the console is read-only again.",
		"", f.reason.View(), f.duration.View(), "",
		f.styles.Muted.Render("enter: next/arm   tab: switch field   esc: cancel"),
	}
	if f.err != "" {
		lines = append(lines, f.styles.Warn.Render(f.err))
	}
	return f.styles.Dialog.Render(strings.Join(lines, "\n"))
}

func (m Model) openArm() (tea.Model, tea.Cmd) {
	m.safety = m.backend.Safety()
	if !m.safety.Protected {
		m.setStatus(m.safety.Env+" is a standard environment: writes need only the confirmation, no arming", false)
		return m, nil
	}
	if m.armed() {
		// A again disarms early: the window ends now, journaled like the arming.
		id := m.newID()
		m.armID = id
		b := m.backend
		return m, func() tea.Msg { return armMsg{id: id, err: b.Disarm(), disarm: true} }
	}
	m.arm = newArmForm(m.styles)
	m.modal = modalArm
	cmd := m.arm.reason.Focus()
	return m, cmd
}

func (m Model) handleArmSubmit(msg armSubmitMsg) (tea.Model, tea.Cmd) {
	m.modal = modalNone
	id := m.newID()
	m.armID = id
	b := m.backend
	return m, func() tea.Msg { return armMsg{id: id, err: b.Arm(msg.reason, msg.d)} }
}

func (m Model) handleArmDone(msg armMsg) (tea.Model, tea.Cmd) {
	if msg.id != m.armID {
		return m, nil
	}
	m.safety = m.backend.Safety()
	if msg.err != nil {
		m.setStatus("arming failed: "+msg.err.Error(), true)
		return m, nil
	}
	if msg.disarm {
		m.setStatus(m.safety.Env+" disarmed: read-only again", false)
		return m, nil
	}
	m.setStatus(fmt.Sprintf("%s ARMED until %s (A again disarms)", m.safety.Env, utcClock(m.safety.ArmedUntil)), false)
	return m, nil
}
