package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gatewayops/alarms"
)

func TestStepsThatContradictTheAlarmAreMarkedAndNotRun(t *testing.T) {
	s := startStack(t, "staging", false)
	m := sized(t, s, 120, 40)
	as := firingAlarms()
	as[1].Dimensions = []alarms.Dimension{{Name: "component", Value: "loa-finn"}} // staging's breaker alarm
	m, _ = feed(t, m, as)
	m = toStep(t, m, "breaker.reset component=kms")
	scr := screen(m)
	if !strings.Contains(scr, "breaker.reset component=kms  ⊘ not for this alarm") ||
		!strings.Contains(scr, "this step acts on component=kms; the alarm watches component=loa-finn") {
		t.Fatalf("the contradicting step is not marked and explained:\n%s", scr)
	}
	next, _ := m.Update(press("enter"))
	if mm := next.(Model); mm.run.phase != phaseIdle || !strings.Contains(mm.status.text, "the alarm watches component=loa-finn") {
		t.Fatalf("a step contradicting the alarm ran (phase %d, status %q)", mm.run.phase, mm.status.text)
	}
	if got := s.breakerState(t, "kms"); got != "closed" {
		t.Fatalf("breaker = %s", got)
	}
}

func TestAlarmDetailIsTheConsolePageWithChartAndHistory(t *testing.T) {
	s := startStack(t, "staging", false)
	s.fireBreakerAlarm(t)
	m := newTestModel(t, s)
	snap := mustSnap(t, s)
	m = update(t, m, snapshotMsg{id: m.refreshID, snap: snap})
	for range len(snap.Alarms) {
		if a, _ := m.list.Selected(); a.Name == "arrakis-staging-agent-circuit-breaker-open" {
			break
		}
		m = update(t, m, press("j"))
	}
	next, cmd := m.Update(press("d"))
	m = next.(Model)
	m = update(t, m, runBatch(cmd, func(msg tea.Msg) bool { _, ok := msg.(alarmHistoryMsg); return ok }))
	scr := screen(m)
	for _, want := range []string{
		"Alarm detail: arrakis-staging-agent-circuit-breaker-open (times UTC)",
		"Namespace     Arrakis/AgentGateway", "Metric        CircuitBreakerState", "Dimensions    component=loa-finn",
		"Statistic     Maximum", "period", "Condition", "> 0", "out of", "(M of N)", "Missing data", "State reason",
		"┄", "┤", "└", "State history (DescribeAlarmHistory", "StateUpdate",
	} {
		if !strings.Contains(scr, want) {
			t.Fatalf("detail lacks %q:\n%s", want, scr)
		}
	}
	_ = time.Second
}
