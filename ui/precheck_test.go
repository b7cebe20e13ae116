package ui

import (
	"context"
	"testing"

	"gatewayops/ops"
)

// The console's plan asks the policy's pre-check, which journals the
// refusal (issue 9 item 13: the console refused before the policy ran and
// journaled nothing).
func TestConsolePlanOfAnUnarmedProtectedWriteIsRefusedAndJournaled(t *testing.T) {
	s := startStack(t, "production", true)
	_, err := s.backend.Plan(context.Background(), "breaker.reset component=kms")
	if !ops.IsRefused(err) || ops.RefusedRule(err) != ops.RuleNotArmed {
		t.Fatalf("Plan = %v, want the policy's not-armed refusal", err)
	}
	entries, err := ops.ReadJournal(s.journal)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Outcome != "refused" || entries[0].Action != "breaker.reset" {
		t.Fatalf("journal = %+v, want the one refusal", entries)
	}
	if _, err := s.backend.Plan(context.Background(), "gateway.status"); err != nil {
		t.Fatalf("a read was refused: %v", err)
	}
}
