package ops

import (
	"context"
	"strings"
	"testing"
	"time"

	"gatewayops/gateway/ecslocal"
)

// Issue 13: an arming window that ends mid-rollout does not stop it. The
// window is checked once, before the write starts; following the rollout,
// verifying it and journaling its result go on after the window ends, and
// only a new write is refused.
func TestECSArmingWindowEndingMidRolloutDoesNotStopIt(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{})
	s.warmUp(11 * time.Minute)
	s.env.Config.Safety = Protected
	policy, err := NewPolicy("staging", Protected, s.clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	s.runner.Policy = policy
	// Shorter than the stand-in's 30 s task start, so the window ends while
	// the new task is still pending and the follow polls on past it.
	const window = 10 * time.Second
	if err := s.runner.Arm("INC-13 ensemble answers wrong", window); err != nil {
		t.Fatal(err)
	}
	_, until, _ := policy.Armed()
	typed := Confirmation{Typed: "staging"}

	var lines []string
	crossed, pollsAfterEnd := false, 0
	ctx := WithProgress(context.Background(), func(p Progress) {
		lines = append(lines, p.Message)
		if p.Phase != PhaseRollout || p.Rollout.RolloutState != "IN_PROGRESS" {
			return
		}
		if crossed {
			pollsAfterEnd++
			return
		}
		crossed = true
		if armed, _, _ := policy.Armed(); !armed {
			t.Errorf("the window had ended before the rollout was in progress (now %s, until %s)", s.clk.Now(), until)
		}
		s.clk.Set(until.Add(time.Second)) // the window ends while ECS rolls out
		if armed, _, _ := policy.Armed(); armed {
			t.Errorf("still armed at %s, past the window's end %s", s.clk.Now(), until)
		}
	})
	out, err := s.runner.Run(ctx, "flags.set ensemble_enabled=false", typed)
	if err != nil {
		t.Fatalf("rollout across the window's end: %v\nprogress:\n%s", err, strings.Join(lines, "\n"))
	}
	if !crossed || pollsAfterEnd == 0 {
		t.Fatalf("want the rollout IN_PROGRESS both before and after the window's end (%t, %d after):\n%s", crossed, pollsAfterEnd, strings.Join(lines, "\n"))
	}
	if joined := strings.Join(lines, "\n"); !strings.Contains(joined, "rollout COMPLETED") {
		t.Fatalf("rollout not followed to COMPLETED:\n%s", joined)
	}
	v := out.Verification
	if v == nil || !strings.Contains(v.Detail, "rolled out: PASS: PRIMARY runs arrakis-staging-api:2, 1/1 running") {
		t.Fatalf("verification after the window ended: %+v", v)
	}
	if out.Inverse != "service.rollback expect=arrakis-staging-api:2 revision=arrakis-staging-api:1" {
		t.Fatalf("inverse %q", out.Inverse)
	}
	if c := s.stand.Calls(); c["RegisterTaskDefinition"] != 1 || c["UpdateService"] != 1 {
		t.Fatalf("ECS calls %v", c)
	}

	entries, err := ReadJournal(s.path)
	if err != nil {
		t.Fatal(err)
	}
	var intent, result *Entry
	for i := range entries {
		e := &entries[i]
		if e.Action != "flags.set" {
			continue
		}
		switch e.Phase {
		case PhaseIntent:
			intent = e
		case PhaseResult:
			result = e
		}
	}
	if intent == nil || intent.ArmedReason != "INC-13 ensemble answers wrong" {
		t.Fatalf("journal intent %+v, want one armed with the reason", intent)
	}
	if result == nil || result.Outcome == "refused" || result.Error != "" || result.Verification == nil ||
		!strings.Contains(result.Result, "registered arrakis-staging-api:2") || result.Time.Before(until) ||
		result.ArmedReason != intent.ArmedReason {
		t.Fatalf("journal result %+v, want the rollout's result after %s", result, until)
	}

	// The window really ended: a new write is refused and changes nothing.
	_, err = s.runner.Run(context.Background(), "flags.set byok_enabled=false", typed)
	if RefusedRule(err) != RuleNotArmed {
		t.Fatalf("write after the window: %v, want a not-armed refusal", err)
	}
	if c := s.stand.Calls(); c["RegisterTaskDefinition"] != 1 || c["UpdateService"] != 1 {
		t.Fatalf("the refused write reached ECS: %v", c)
	}
	entries, _ = ReadJournal(s.path)
	if last := entries[len(entries)-1]; last.Outcome != "refused" || last.Params["byok_enabled"] != "false" {
		t.Fatalf("last journal line %+v, want the refusal", last)
	}
}
