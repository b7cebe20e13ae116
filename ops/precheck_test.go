package ops

import (
	"context"
	"testing"
	"time"
)

// The pre-check both front ends ask before a confirmation journals its
// refusal (issue 9 item 13: neither front end journaled one before).
func TestPrecheckRefusesAnUnarmedProtectedWriteAndJournalsIt(t *testing.T) {
	s := newStack(t, "production", Protected)
	ctx := context.Background()
	write, err := s.runner.Registry.Parse("breaker.reset component=kms")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.runner.Prepare(ctx, write)
	if err != nil {
		t.Fatal(err)
	}
	err = s.runner.Precheck(p)
	if !IsRefused(err) || RefusedRule(err) != RuleNotArmed {
		t.Fatalf("Precheck = %v (rule %q), want a not-armed refusal", err, RefusedRule(err))
	}
	read, _ := s.runner.Registry.Parse("gateway.status")
	rp, err := s.runner.Prepare(ctx, read)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.runner.Precheck(rp); err != nil {
		t.Fatalf("a read was refused: %v", err)
	}
	if err := s.policy.Arm("INC-1", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.runner.Precheck(p); err != nil {
		t.Fatalf("armed write refused by the pre-check: %v", err)
	}
	entries, err := ReadJournal(s.journal.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Outcome != "refused" || entries[0].Action != "breaker.reset" || entries[0].Phase != PhaseResult {
		t.Fatalf("journal = %+v, want exactly the one refusal", entries)
	}
	if s.requests.count("POST /admin/gateway/v1/breakers/kms/reset") != 0 {
		t.Fatal("a refused write reached the admin API")
	}
}

func TestCheckNamesTheRuleThatRefused(t *testing.T) {
	prod, _ := NewPolicy("production", Protected, nil)
	stg, _ := NewPolicy("staging", Standard, nil)
	w := Spec{Name: "flags.set", Kind: Write}
	_ = prod.Arm("INC-2", time.Minute)
	cases := []struct {
		p    *Policy
		c    Confirmation
		want Rule
	}{
		{prod, Confirmation{Typed: "staging"}, RuleNotTyped},
		{stg, Confirmation{StartKey: "enter"}, RuleNoConfirmation},
		{stg, Confirmation{StartKey: "y", ConfirmKey: "y"}, RuleSameKey},
	}
	for _, c := range cases {
		if got := RefusedRule(c.p.Check(w, c.c)); got != c.want {
			t.Errorf("%s %+v: rule %q, want %q", c.p.Environment(), c.c, got, c.want)
		}
	}
}
