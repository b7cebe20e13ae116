package stack

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gatewayops/gateway/sim"
	"gatewayops/internal/testclock"
	"gatewayops/ops"
)

// ecsRunner is the demo environment with flags_backend = "ecs", built
// through BuildEnv and AWS_ENDPOINT_URL_ECS as the demo builds it; rollouts
// are followed on clk, which the stand-in also reads.
func ecsRunner(t *testing.T, st *Stack, clk *testclock.Clock) *ops.Runner {
	t.Helper()
	t.Setenv("AWS_ENDPOINT_URL_ECS", st.ECSURL)
	t.Setenv("STACK_TEST_ADMIN_KEY", st.AdminKey())
	env := ops.Environment{Name: st.Environment, Region: "us-east-1", AlarmPrefix: "arrakis-demo-", CloudWatchEndpoint: st.CloudWatchURL,
		AdminURL: st.AdminURL, AdminKeyEnv: "STACK_TEST_ADMIN_KEY", Safety: ops.Standard, FlagsBackend: ops.BackendECS}
	e, closeEnv, err := ops.BuildEnv(context.Background(), env, "stack-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeEnv)
	e.Now = clk.Now
	e.ECSFollow.Now = clk.Now
	e.ECSFollow.Sleep = func(_ context.Context, d time.Duration) error { clk.Advance(d); return nil }
	j, err := ops.OpenJournal(filepath.Join(t.TempDir(), "journal.jsonl"), ops.NewRedactor())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	p, err := ops.NewPolicy(st.Environment, ops.Standard, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &ops.Runner{Registry: ops.DefaultRegistry(), Env: e, Policy: p, Journal: j, Operator: "stack-test"}
}

// waitFor polls cond (the simulator runs on real time) for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within a minute: %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// In the demo the simulated tasks read their flags from the stand-in's
// running revision: ensemble_enabled=false rolls out and then the traffic
// answers ENSEMBLE_DISABLED; service.restart replaces the tasks whose
// in-process loa-finn breakers the outage opened.
func TestDemoECSFlagChangesTrafficAndRestartClearsLoaFinnBreaker(t *testing.T) {
	clk := testclock.New(time.Now())
	st, err := Start(context.Background(), Options{EvaluateEvery: time.Second, ECSNow: clk.Now, Scenario: sim.ScenarioConfig{
		RequestsPerSecond: 40, IncidentAfter: time.Second, OutageFor: 3 * time.Second, LeakedReservations: 10,
		EmitEvery: time.Second, LoaFinnOutage: true, Seed: 11}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	runner := ecsRunner(t, st, clk)
	waitFor(t, "both tasks' loa-finn breakers open", func() bool { open, tasks := st.Scenario.LoaFinnBreakers(); return open == 2 && tasks == 2 })

	out, err := runner.Run(context.Background(), "service.restart", ops.Confirmation{StartKey: "enter", ConfirmKey: "y"})
	if err != nil || !out.OK() {
		t.Fatalf("restart: %v %+v", err, out.Verification)
	}
	waitFor(t, "the new tasks' breakers closed", func() bool { open, tasks := st.Scenario.LoaFinnBreakers(); return open == 0 && tasks == 2 })

	if st.Scenario.EnsembleDisabled() != 0 {
		t.Fatal("ENSEMBLE_DISABLED before the change")
	}
	out, err = runner.Run(context.Background(), "flags.set ensemble_enabled=false", ops.Confirmation{StartKey: "enter", ConfirmKey: "y"})
	if err != nil || !strings.Contains(out.Result.Text(), "rollout COMPLETED: 2/2 tasks run arrakis-demo-api:2") ||
		!strings.Contains(out.Verification.Detail, "rolled out: PASS") {
		t.Fatalf("flags.set: %v\n%s\n%+v", err, out.Result.Text(), out.Verification)
	}
	waitFor(t, "ENSEMBLE_DISABLED answers", func() bool { return st.Scenario.EnsembleDisabled() > 0 })
	if out.Inverse != "service.rollback expect=arrakis-demo-api:2 revision=arrakis-demo-api:1" {
		t.Fatalf("undo %q", out.Inverse)
	}
}
