package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"gatewayops/gateway/sim/drills"
)

func TestDrillListsEveryScenarioWithRunbookAndSignal(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch(context.Background(), []string{"drill"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	lib := drills.Library()
	if len(lines) != len(lib)+1 {
		t.Fatalf("%d lines for %d scenarios:\n%s", len(lines), len(lib), out.String())
	}
	for i, sc := range lib {
		f := strings.Fields(lines[i+1])
		if f[0] != sc.Name || f[1] != sc.Runbook || !strings.Contains(lines[i+1], sc.Signal.String()) {
			t.Errorf("line %q, want %s %s %s", lines[i+1], sc.Name, sc.Runbook, sc.Signal)
		}
	}
}

func TestDrillShowPrintsTheStepList(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch(context.Background(), []string{"drill", "stale-reservations", "--show"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"runbook:  agent-stale-reservations", "branch:   Resolution A: Reap expired reservations",
		"  1. reservations.drain older=5m mode=reap", "`gatewayops drill stale-reservations` opens the console"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDrillProveRunsBothWays(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch(context.Background(), []string{"drill", "budget-drift", "--prove"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"1 step(s) through the ops runner: cleared", "no action: still on after 1m0s", "PROVEN"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDrillBadInputIsAUsageError(t *testing.T) {
	for _, args := range [][]string{{"drill", "nope"}, {"drill", "budget-drift", "--fast"}, {"drill", "a", "b", "c"},
		{"drill", "budget-drift", "extra"}, {"drill", "--speed", "2"}, {"drill", "budget-drift", "--speed", "0"},
		{"drill", "budget-drift", "--speed", "11"}, {"drill", "budget-drift", "--show", "--prove"}} {
		var out, errb bytes.Buffer
		if code := dispatch(context.Background(), args, &out, &errb); code != exitUsage || errb.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
	var out, errb bytes.Buffer
	dispatch(context.Background(), []string{"drill", "nope"}, &out, &errb)
	if !strings.Contains(errb.String(), "known drills: kms-breaker-open") {
		t.Errorf("unknown drill error does not list the known ones: %q", errb.String())
	}
}

// runbook check names the runbooks with a drill and those without.
func TestRunbookCheckReportsDrillCoverage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch(context.Background(), []string{"runbook", "check"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"drill  agent-circuit-breaker-open       kms-breaker-open, loa-finn-breaker-stuck\n",
		"drill  agent-error-rate-high            byok-error-rate\n",
		"drill  agent-redis-degraded             redis-degraded\n",
		"10 of 10 runbooks have a proving drill\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("runbook check lacks %q:\n%s", want, out.String())
		}
	}
}
