package ops

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"gatewayops/alarms/cwlocal"
	"gatewayops/gateway/ecsdeploy"
	"gatewayops/gateway/ecslocal"
	"gatewayops/gateway/sim"
	"gatewayops/internal/testclock"
)

const ecsTestPEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDtestonly\n-----END PRIVATE KEY-----"

// ecsStack is the ECS stand-in and a local CloudWatch, both on one test
// clock and reached through the real SDK, with a runner and a journal.
type ecsStack struct {
	t      *testing.T
	clk    *testclock.Clock
	stand  *ecslocal.Service
	cw     *cwlocal.Service
	api    *ecs.Client
	env    *Env
	runner *Runner
	path   string
	// traffic, when set, is called on every clock step: the simulated
	// gateway's requests for the minute-by-minute effect check.
	traffic func(now time.Time)
}

func newECSStack(t *testing.T, spec ecslocal.ServiceSpec) *ecsStack {
	t.Helper()
	clk := testclock.New(time.Now().UTC().Truncate(time.Minute))
	stand := ecslocal.New(ecslocal.Config{Now: clk.Now})
	tgt := ecsdeploy.DefaultTarget("staging")
	spec.Cluster, spec.Name = tgt.Cluster, tgt.Service
	spec.TaskDefinition = ecslocal.GatewayTaskDefinition("staging", ecsTestPEM)
	if _, err := stand.CreateService(spec); err != nil {
		t.Fatal(err)
	}
	api := ecslocal.NewSDKClient(ecslocal.StartForTest(t, stand))
	cw := cwlocal.New(cwlocal.Config{Now: clk.Now})
	srv := httptest.NewServer(cw.Handler())
	t.Cleanup(srv.Close)
	cwc, err := cwlocal.NewSDKClient(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	s := &ecsStack{t: t, clk: clk, stand: stand, cw: cw, api: api}
	s.env = &Env{Name: "staging", Config: Environment{Name: "staging", Safety: Standard, FlagsBackend: BackendECS, Region: "us-east-1"},
		CloudWatch: cwc, Now: clk.Now, ECS: ecsdeploy.New(api, tgt),
		ECSFollow: ecsdeploy.FollowOptions{Now: clk.Now, Sleep: s.sleep}}
	s.path = filepath.Join(t.TempDir(), "journal.jsonl")
	j, err := OpenJournal(s.path, NewRedactor())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	policy, err := NewPolicy("staging", Standard, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.runner = &Runner{Registry: DefaultRegistry(), Env: s.env, Policy: policy, Journal: j, Operator: "oncall-test"}
	return s
}

// sleep advances the clock in 5 s steps, running the traffic on each.
func (s *ecsStack) sleep(_ context.Context, d time.Duration) error {
	for step := time.Duration(0); step < d; step += 5 * time.Second {
		s.clk.Advance(5 * time.Second)
		if s.traffic != nil {
			s.traffic(s.clk.Now())
		}
	}
	return nil
}

// gatewayTraffic is one ensemble request per step from every running task
// whose ENSEMBLE_ENABLED is "true" (a disabled task answers 400 before
// emitRequestComplete), as the demo's simulated gateway does.
func (s *ecsStack) gatewayTraffic(now time.Time) {
	tasks, err := s.stand.RunningTasks("arrakis-staging-cluster", "arrakis-staging-api", "api")
	if err != nil {
		s.t.Error(err)
		return
	}
	for _, task := range tasks {
		if task.Env["ENSEMBLE_ENABLED"] == "true" {
			if err := s.cw.IngestEMF(sim.RequestCompleteLine(now, "ensemble", 900, 200, "community-a", "cheap")); err != nil {
				s.t.Error(err)
			}
		}
	}
}

func (s *ecsStack) warmUp(d time.Duration) {
	s.traffic = s.gatewayTraffic
	_ = s.sleep(context.Background(), d)
}

func TestECSFlagPlanShowsOnlyTheOneVariable(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{})
	inv, err := s.runner.Registry.Parse("flags.set ensemble_enabled=false")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.runner.Prepare(context.Background(), inv)
	if err != nil {
		t.Fatal(err)
	}
	text := p.Plan.Text()
	for _, want := range []string{`ENSEMBLE_ENABLED "true" -> "false" in container api`, "running: arrakis-staging-api:1",
		"registers arrakis-staging-api:2", "minimum healthy 50%, maximum 200%; circuit breaker on, rollback on",
		"factory-built gateways ignore ENSEMBLE_ENABLED", `ensemble_enabled = "false"`, "environments/staging/terraform.tfvars"} {
		if !strings.Contains(text, want) {
			t.Errorf("plan lacks %q:\n%s", want, text)
		}
	}
	for _, secret := range []string{"MIIE", "PRIVATE KEY", "production", "secretsmanager", "finn.arrakis"} {
		if strings.Contains(text, secret) {
			t.Errorf("plan shows %q of another variable:\n%s", secret, text)
		}
	}
	if c := s.stand.Calls(); c["RegisterTaskDefinition"] != 0 || c["UpdateService"] != 0 {
		t.Fatalf("planning wrote: %v", c)
	}
}

func TestECSFlagSetRollsOutVerifiesBothPartsAndUndoes(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{})
	s.warmUp(11 * time.Minute)
	var lines []string
	ctx := WithProgress(context.Background(), func(p Progress) { lines = append(lines, p.Message) })
	out, err := s.runner.Run(ctx, "flags.set ensemble_enabled=false", standardYes)
	if err != nil {
		t.Fatal(err)
	}
	if !out.OK() || !strings.Contains(out.Verification.Detail, "rolled out: PASS: PRIMARY runs arrakis-staging-api:2, 1/1 running") ||
		!strings.Contains(out.Verification.Detail, "effect: OBSERVED") {
		t.Fatalf("outcome %+v verification %+v", out.Result.Lines, out.Verification)
	}
	if out.Inverse != "service.rollback expect=arrakis-staging-api:2 revision=arrakis-staging-api:1" {
		t.Fatalf("inverse %q", out.Inverse)
	}
	// One registration, one update; the effect check is ONE GetMetricData per reading.
	calls := s.stand.Calls()
	if calls["RegisterTaskDefinition"] != 1 || calls["UpdateService"] != 1 {
		t.Fatalf("ECS calls %v", calls)
	}
	polls := strings.Count(strings.Join(lines, "\n"), "effect: ")
	if got := s.cw.Calls()["GetMetricData"]; got != polls {
		t.Fatalf("GetMetricData calls %d for %d effect readings", got, polls)
	}
	joined := strings.Join(lines, "\n")
	if !strings.Contains(joined, "IN_PROGRESS 0/1 running, 1 pending") || !strings.Contains(joined, "rollout COMPLETED") || !strings.Contains(joined, "effect: waiting") {
		t.Fatalf("progress:\n%s", joined)
	}
	undo, err := s.runner.Run(ctx, out.Inverse, standardYes)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(undo.Plan.Text(), `ENSEMBLE_ENABLED "false" -> "true"`) || !undo.OK() {
		t.Fatalf("undo plan %s verification %+v", undo.Plan.Text(), undo.Verification)
	}
	st, _ := s.env.ECS.Read(context.Background())
	if got := ecsdeploy.Revision(aws.ToString(st.Service.TaskDefinition)); got != "arrakis-staging-api:1" {
		t.Fatalf("after undo the service runs %s", got)
	}
	// Both revisions are in the journal; no other variable's value is.
	raw := readFile(t, s.path)
	for _, want := range []string{"arrakis-staging-api:1", "arrakis-staging-api:2", "registered arrakis-staging-api:2"} {
		if !strings.Contains(raw, want) {
			t.Errorf("journal lacks %q", want)
		}
	}
	if strings.Contains(raw, "MIIE") || strings.Contains(raw, "secretsmanager") {
		t.Error("journal holds another variable's value")
	}
}

func TestECSVerifyNeverPassesOnRolloutAlone(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{})
	// No traffic at all: the rollout completes, the effect cannot show.
	out, err := s.runner.Run(context.Background(), "flags.set ensemble_enabled=false", standardYes)
	if err != nil {
		t.Fatal(err)
	}
	v := out.Verification
	if out.OK() || v.Pass || !strings.Contains(v.Detail, "rolled out: PASS") || !strings.Contains(v.Detail, "effect: NOT OBSERVABLE") {
		t.Fatalf("verification %+v", v)
	}
}

func TestECSUndoRefusesWhenSomeoneElseDeployed(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{})
	out, _ := s.runner.Run(context.Background(), "flags.set ensemble_enabled=false", standardYes)
	if out.Inverse == "" {
		t.Fatalf("no inverse: %+v", out)
	}
	if _, err := s.env.ECS.Restart(context.Background()); err != nil { // someone else's deployment
		t.Fatal(err)
	}
	s.clk.Advance(2 * time.Minute)
	if _, err := s.env.ECS.Deploy(context.Background(), "arrakis-staging-api:1"); err != nil {
		t.Fatal(err)
	}
	_, err := s.runner.Run(context.Background(), out.Inverse, standardYes)
	if err == nil || !strings.Contains(err.Error(), "no longer runs arrakis-staging-api:2: it runs arrakis-staging-api:1") || !strings.Contains(err.Error(), "since") {
		t.Fatalf("undo after a later deployment: %v", err)
	}
}

func TestECSRefusesWhileAnotherDeploymentRunsUnlessForced(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{})
	if _, err := s.env.ECS.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := s.runner.Run(context.Background(), "flags.set ensemble_enabled=false", standardYes)
	if err == nil || !strings.Contains(err.Error(), "another deployment is in progress") {
		t.Fatalf("busy service: %v", err)
	}
	inv, _ := s.runner.Registry.Parse("flags.set ensemble_enabled=false force=true")
	p, err := s.runner.Prepare(context.Background(), inv)
	if err != nil || !strings.Contains(p.Plan.Text(), "FORCED while deployment") {
		t.Fatalf("forced plan: %v\n%s", err, p.Plan.Text())
	}
}

func TestECSStalePlanIsRefused(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{})
	ctx := context.Background()
	inv, _ := s.runner.Registry.Parse("flags.set ensemble_enabled=false")
	p, err := s.runner.Prepare(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	// Someone registers a revision by hand between plan and apply.
	st, _ := s.env.ECS.Read(ctx)
	in, _ := ecsdeploy.RevisionWith(st.Current, st.Tags, "api", "BYOK_ENABLED", "false")
	if _, err := s.env.ECS.Register(ctx, in); err != nil {
		t.Fatal(err)
	}
	_, err = s.runner.Execute(ctx, p, standardYes)
	if !errors.Is(err, ecsdeploy.ErrStale) || !strings.Contains(err.Error(), "arrakis-staging-api:2 was registered after the plan") {
		t.Fatalf("stale plan: %v", err)
	}
	if c := s.stand.Calls(); c["RegisterTaskDefinition"] != 1 || c["UpdateService"] != 0 {
		t.Fatalf("a stale apply wrote: %v", c)
	}
}

func TestECSFailedRolloutSaysRolledBackWithReasons(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{})
	s.stand.FailRevisions("arrakis-staging-api", 2, "Error: AGENT_JWT_SECRET_ID is required")
	out, err := s.runner.Run(context.Background(), "flags.set agent_enabled=false", standardYes)
	if err == nil || !strings.Contains(err.Error(), "rollout FAILED: ECS deployment circuit breaker") ||
		!strings.Contains(err.Error(), "rolled the service back to arrakis-staging-api:1") || !strings.Contains(err.Error(), "3× Essential container in task exited: Error: AGENT_JWT_SECRET_ID is required") {
		t.Fatalf("failed rollout: %v", err)
	}
	if out.OK() || out.Inverse != "" {
		t.Fatalf("outcome %+v", out)
	}
}

func TestECSTimeoutIsStated(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{NoCircuitBreaker: true})
	s.stand.FailRevisions("arrakis-staging-api", 2, "exit 1")
	start := s.clk.Now()
	_, err := s.runner.Run(context.Background(), "flags.set ensemble_enabled=false timeout=2m", standardYes)
	if err == nil || !strings.Contains(err.Error(), "rollout not finished after 2m") {
		t.Fatalf("timeout: %v", err)
	}
	if got := s.clk.Now().Sub(start); got != 2*time.Minute {
		t.Fatalf("followed %s", got)
	}
}

func TestECSThrottlingIsRetriedBySDKAndNamedWhenPersistent(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{})
	s.stand.Throttle("DescribeServices", 1)
	_, err := s.runner.Run(context.Background(), "service.status", Confirmation{})
	if err == nil || !strings.Contains(err.Error(), "throttled (ThrottlingException)") {
		t.Fatalf("throttled read with one attempt: %v", err)
	}
	out, err := s.runner.Run(context.Background(), "service.status", Confirmation{})
	if err != nil || !strings.Contains(out.Result.Text(), `ENSEMBLE_ENABLED="true"`) || strings.Contains(out.Result.Text(), "MIIE") {
		t.Fatalf("status: %v\n%s", err, out.Result.Text())
	}
}

func TestECSAccessDeniedNamesTheMissingAction(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{})
	s.stand.Deny("RegisterTaskDefinition", "")
	_, err := s.runner.Run(context.Background(), "poolclaims.enforce mode=warn", standardYes)
	if err == nil || !strings.Contains(err.Error(), "lack ecs:RegisterTaskDefinition") {
		t.Fatalf("denied: %v", err)
	}
}

func TestECSRestartReplacesEveryTask(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{DesiredCount: 2})
	out, err := s.runner.Run(context.Background(), "service.restart", standardYes)
	if err != nil {
		t.Fatal(err)
	}
	if !out.OK() || !strings.Contains(out.Verification.Detail, "every task replaced: PASS: none of the 2 old tasks runs, 2 new") {
		t.Fatalf("restart %+v", out.Verification)
	}
}

func TestECSEnforcementAddsTheVariableWithTerraformNote(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{})
	inv, _ := s.runner.Registry.Parse("poolclaims.enforce mode=warn")
	p, err := s.runner.Prepare(context.Background(), inv)
	if err != nil {
		t.Fatal(err)
	}
	text := p.Plan.Text()
	if !strings.Contains(text, `AGENT_POOL_CLAIM_ENFORCEMENT (unset) -> "warn"`) || !strings.Contains(text, "no Terraform variable exists") || !strings.Contains(text, "ecs.tf") {
		t.Fatalf("plan:\n%s", text)
	}
}

func TestRuntimeBackendRefusesECSParams(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{})
	s.env.Config.FlagsBackend = BackendRuntime
	_, err := s.runner.Run(context.Background(), "flags.set ensemble_enabled=false force=true", standardYes)
	if err == nil || !strings.Contains(err.Error(), `force= applies to flags_backend = "ecs"`) {
		t.Fatalf("runtime with force: %v", err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestECSCancelDetachesAndJournalsRolloutInProgress(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctx = WithProgress(ctx, func(p Progress) {
		if p.Phase == PhaseRollout && p.Rollout.RolloutState == "IN_PROGRESS" {
			cancel() // Ctrl-C while the rollout runs
		}
	})
	out, err := s.runner.Run(ctx, "flags.set ensemble_enabled=false", standardYes)
	if !errors.Is(err, ErrInProgress) || !out.InProgress {
		t.Fatalf("cancelled follow: %v (in progress %t)", err, out.InProgress)
	}
	entries, err := ReadJournal(s.path)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Phase != PhaseResult || last.Outcome != OutcomeInProgress || !strings.Contains(last.Error, "rollout in progress") || !strings.Contains(last.Result, "registered arrakis-staging-api:2") {
		t.Fatalf("journal result %+v", last)
	}
	md := Timeline(entries, nil, s.clk.Now().Add(-time.Hour), s.clk.Now(), nil)
	if !strings.Contains(md, "`flags.set ensemble_enabled=false` by oncall-test on staging: **in progress** (detached from the rollout") || strings.Contains(md, "failed") {
		t.Fatalf("timeline:\n%s", md)
	}
	// ECS goes on without us.
	s.clk.Advance(2 * time.Minute)
	st, _ := s.env.ECS.Read(context.Background())
	if p := st.Primary(); p.RolloutState != "COMPLETED" || !strings.HasSuffix(aws.ToString(p.TaskDefinition), ":2") {
		t.Fatalf("after detaching: %+v", p)
	}
	// Detaching does not lose the undo: the write is on the stack and its
	// rollback runs.
	if out.Inverse != "service.rollback expect=arrakis-staging-api:2 revision=arrakis-staging-api:1" {
		t.Fatalf("inverse of the detached write %q", out.Inverse)
	}
	var stack UndoStack
	if err := stack.Record(context.Background(), s.runner, out, s.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if l := stack.List(); len(l) != 1 || l[0].Inverse != out.Inverse {
		t.Fatalf("undo stack after detaching: %+v", l)
	}
	p, err := stack.Plan(context.Background(), s.runner, out.ID)
	if err != nil {
		t.Fatal(err)
	}
	// This stack has no traffic, so only the rollout part of the verdict can pass.
	undo, err := s.runner.Execute(context.Background(), p, standardYes)
	if err != nil || undo.Verification == nil || !strings.Contains(undo.Verification.Detail, "rolled out: PASS") ||
		!strings.Contains(undo.Result.Text(), "run arrakis-staging-api:1") {
		t.Fatalf("undo of the detached write: %+v %v", undo, err)
	}
}

func TestECSFlagsShowReadsTheRunningRevision(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{})
	out, err := s.runner.Run(context.Background(), "flags.show", Confirmation{})
	if err != nil {
		t.Fatal(err)
	}
	text := out.Result.Text()
	if !strings.Contains(text, `flags in arrakis-staging-api:1: AGENT_ENABLED="true" ENSEMBLE_ENABLED="true" BYOK_ENABLED="true" AGENT_POOL_CLAIM_ENFORCEMENT=(unset)`) ||
		!strings.Contains(text, "code default reject") || strings.Contains(text, "MIIE") {
		t.Fatalf("flags.show:\n%s", text)
	}
}

// A write the plan found nothing to do for, executed as the console does
// (Runner.Execute): no revision, no rollout, verified as "already", and
// journaled as an attempt with outcome "no change".
func TestECSNoChangeWriteSaysSoAndVerifiesAsAlready(t *testing.T) {
	s := newECSStack(t, ecslocal.ServiceSpec{})
	out, err := s.runner.Run(context.Background(), "flags.set ensemble_enabled=true", standardYes)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Skipped || !out.OK() || out.Inverse != "" {
		t.Fatalf("outcome %+v", out)
	}
	if text := out.Result.Text(); !strings.Contains(text, `ENSEMBLE_ENABLED is already "true" in container api: nothing to change (no new revision, no rollout)`) {
		t.Fatalf("result:\n%s", text)
	}
	if v := out.Verification; v == nil || !v.Pass || v.Detail != `already "true": nothing to do (ENSEMBLE_ENABLED in arrakis-staging-api:1, which the service runs)` {
		t.Fatalf("verification %+v", v)
	}
	if c := s.stand.Calls(); c["RegisterTaskDefinition"] != 0 || c["UpdateService"] != 0 {
		t.Fatalf("a no-change write wrote: %v", c)
	}
	entries, err := ReadJournal(s.path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Phase != PhaseIntent || entries[1].Outcome != "no change" || entries[1].Error != "" {
		t.Fatalf("journal %+v", entries)
	}
}
