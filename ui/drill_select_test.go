package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gatewayops/alarms"
)

// When the drill's signal alarm fires, the cursor goes to it once (as a page
// opens on the alarm that paged); not while the operator is in the steps,
// and never again after the operator moved on.
func TestDrillPutsTheCursorOnItsFiringAlarmOnce(t *testing.T) {
	s := startStack(t, "demo", false)
	as := firingAlarms()
	as[2].State = alarms.StateAlarm
	m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true, Now: func() time.Time { return t0 }, Drill: newFakeDrill(drillOn())})
	m = update(t, m, tea.WindowSizeMsg{Width: 160, Height: 48})
	m, _ = feed(t, m, as)
	first, _ := m.list.Selected()
	var signal string
	for _, a := range m.list.visible {
		if a.State == alarms.StateAlarm && a.Name != first.Name {
			signal = a.Name
		}
	}
	if signal == "" {
		t.Fatal("the fixture has no second alarm in ALARM")
	}
	st := drillOn()
	st.Alarm = signal

	inSteps := update(t, m, press("tab"))
	inSteps = update(t, inSteps, drillStatusMsg{status: st})
	if got, _ := inSteps.list.Selected(); got.Name != first.Name {
		t.Fatalf("the cursor moved to %s while the operator was in the steps", got.Name)
	}

	m = update(t, m, drillStatusMsg{status: st})
	if got, _ := m.list.Selected(); got.Name != signal {
		t.Fatalf("cursor on %s, want the drill's firing alarm %s", got.Name, signal)
	}
	if m.runbook.alarm.Name != signal {
		t.Fatalf("the runbook pane shows %s, not the drill's alarm", m.runbook.alarm.Name)
	}
	m = update(t, m, press("k"))
	moved, _ := m.list.Selected()
	st.Version++
	m = update(t, m, drillStatusMsg{status: st})
	if got, _ := m.list.Selected(); got.Name != moved.Name {
		t.Fatalf("a later drill status took the cursor back from %s to %s", moved.Name, got.Name)
	}
}
