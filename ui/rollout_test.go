package ui

import (
	"context"
	"strings"
	"testing"

	"gatewayops/gateway/ecsdeploy"
	"gatewayops/ops"
)

func TestRolloutLinesDrawTasksAndSanitise(t *testing.T) {
	p := &ops.Progress{Phase: ops.PhaseRollout, Message: "rollout arrakis-demo-api:2: IN_PROGRESS 1/2 running",
		Rollout: ecsdeploy.Progress{Running: 1, Desired: 2, Events: []string{"(service x) has started 1 tasks\x1b[2J"}}}
	lines := rolloutLines(p, 38)
	if len(lines) != 3 || lines[0] != strings.Repeat("█", 10)+strings.Repeat("░", 10)+" 1/2 running" {
		t.Fatalf("lines %q", lines)
	}
	if strings.Contains(lines[2], "\x1b") {
		t.Fatalf("event not sanitised: %q", lines[2])
	}
	if got := rolloutLines(&ops.Progress{Phase: ops.PhaseEffect, Message: "effect: waiting"}, 80); len(got) != 1 || got[0] != "effect: waiting" {
		t.Fatalf("effect lines %q", got)
	}
	if rolloutLines(nil, 80) != nil {
		t.Fatal("no progress should draw nothing")
	}
}

func TestRolloutFeedReachesTheRunInFlightOnly(t *testing.T) {
	f := newRolloutFeed()
	ctx, timeout := f.attach(context.Background(), 7, Plan{})
	if timeout != actionTimeout {
		t.Fatalf("a non-ECS plan gets %s", timeout)
	}
	report := ops.Progress{Phase: ops.PhaseRollout, Message: "m", Rollout: ecsdeploy.Progress{Running: 1, Desired: 1}}
	ops.Report(ctx, report)
	msg := f.next()().(rolloutMsg)
	m := Model{rollout: f, run: runPane{id: 7, phase: phaseApplying}}
	next, cmd := m.handleRollout(msg)
	if got := next.(Model).run.progress; got == nil || got.Message != "m" || cmd == nil {
		t.Fatalf("progress %+v cmd %v", got, cmd)
	}
	m.run.id = 8 // a newer run: the stale reading is dropped
	next, _ = m.handleRollout(msg)
	if next.(Model).run.progress != nil {
		t.Fatal("a reading of an older run was kept")
	}
	m.run.phase = phaseDone
	if _, cmd := m.handleRollout(msg); cmd != nil {
		t.Fatal("still waiting after the action finished")
	}
}
