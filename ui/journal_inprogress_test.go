package ui

import (
	"strings"
	"testing"
	"time"

	"gatewayops/ops"
)

// A detached rollout's result (outcome "in progress") reads as in progress
// in the journal screen, with the detach message, never as failed.
func TestJournalShowsADetachedRolloutAsInProgress(t *testing.T) {
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	entries := []ops.Entry{
		{Time: at, ID: "a1", Phase: ops.PhaseIntent, Environment: "staging", Action: "flags.set", Kind: "write", Params: map[string]string{"ensemble_enabled": "false"}},
		{Time: at.Add(time.Minute), ID: "a1", Phase: ops.PhaseResult, Environment: "staging", Action: "flags.set", Kind: "write",
			Params: map[string]string{"ensemble_enabled": "false"}, Outcome: ops.OutcomeInProgress,
			Error: "flags.set: rollout in progress: detached from deployment ecs-svc/2; ECS goes on with it: follow it with service.status"},
	}
	st := NewStyles(true, true)
	j := newJournalView(&st, DefaultKeyMap())
	j.entries = journalRows(entries)
	view := j.View(200, 10)
	if !strings.Contains(view, "… in progress") || !strings.Contains(view, "rollout in progress: detached from deployment ecs-svc/2") || strings.Contains(view, "failed") {
		t.Fatalf("journal screen:\n%s", view)
	}
}
