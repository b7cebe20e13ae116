package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/redis/go-redis/v9"

	"gatewayops/alarms/cwlocal"
	"gatewayops/gateway"
	"gatewayops/gateway/admintest"
	"gatewayops/ops"
)

const cliAdminKey = "gwk-cli-test-key-0123456789abcdef"

// cliStack is a real admin server on a real redis-server and a cwlocal,
// described by a config file the CLI loads like any other.
type cliStack struct {
	t      *testing.T
	rdb    *redis.Client
	store  *gateway.Store
	cw     *cwlocal.Service
	cwURL  string
	config string
	state  string
}

func newCLIStack(t *testing.T, envName, safety string) *cliStack {
	t.Helper()
	admin := admintest.Start(t, admintest.Options{Environment: envName, Protected: safety == ops.Protected, KeyName: "cli", Key: cliAdminKey})
	rdb, store, ts := admin.RDB, admin.Store, admin.HTTP
	cw, cwURL := cwlocal.StartForTest(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf(`operator = "cli-test"
[environments.%s]
region = "us-east-1"
alarm_prefix = "arrakis-%s-agent-"
cloudwatch_endpoint = %q
admin_url = %q
admin_key_env = "GATEWAYOPS_TEST_ADMIN_KEY"
safety = %q
`, envName, envName, cwURL, ts.URL, safety)
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GATEWAYOPS_TEST_ADMIN_KEY", cliAdminKey)
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	return &cliStack{t: t, rdb: rdb, store: store, cw: cw, cwURL: cwURL, config: path, state: filepath.Join(dir, "state")}
}

func (s *cliStack) run(args ...string) (code int, stdout, stderr string) {
	s.t.Helper()
	var out, errb bytes.Buffer
	args = append(args, "--config", s.config)
	code = dispatch(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func (s *cliStack) openBreaker() {
	s.t.Helper()
	base := time.Now().Add(-time.Second)
	for i := range 10 {
		at := base.Add(time.Duration(i) * time.Millisecond)
		st, err := gateway.NewStore(s.rdb, gateway.StoreOptions{Now: func() time.Time { return at }}).BreakerFailure(context.Background(), "kms")
		if err != nil {
			s.t.Fatal(err)
		}
		if st == gateway.BreakerOpen {
			return
		}
	}
	s.t.Fatal("kms did not open")
}

func TestRunReadsAndUsageErrors(t *testing.T) {
	s := newCLIStack(t, "staging", ops.Standard)
	code, out, errs := s.run("run", "gateway.status")
	if code != exitOK || !strings.Contains(out, "environment staging") {
		t.Fatalf("status: %d %s %s", code, out, errs)
	}
	code, out, _ = s.run("run", "flags.show", "--json")
	if code != exitOK || !strings.Contains(out, `"action": "flags.show"`) {
		t.Errorf("--json: %d %s", code, out)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"run", "breaker.rset", "component=kms"}, `unknown action "breaker.rset" (did you mean breaker.reset?); known actions:`},
		{[]string{"run", "poolclaims.enforce", "mode=off"}, "mode=off: accepted values are warn, reject"},
		{[]string{"run", "reservations.drain", "older=-1h"}, "durations are never negative"},
		{[]string{"run", "breaker.reset"}, "missing required parameter component"},
		{[]string{"run"}, "no action given; known actions:"},
		{[]string{"run", "gateway.status", "--env", "prod"}, `environment "prod" is not defined`},
	}
	for _, c := range cases {
		code, _, errs := s.run(c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", c.args, code, errs, c.want)
		}
	}
}

func TestRunStandardWriteNeedsYes(t *testing.T) {
	s := newCLIStack(t, "staging", ops.Standard)
	code, out, errs := s.run("run", "flags.set", "ensemble_enabled=true")
	if code != exitRefused || !strings.Contains(out, "set ensemble_enabled false -> true") || !strings.Contains(errs, "add --yes") {
		t.Fatalf("without --yes: %d %q %q", code, out, errs)
	}
	if f, _ := s.store.Flags(context.Background()); f.Values["ensemble_enabled"] {
		t.Fatal("the flag changed without --yes")
	}
	code, _, errs = s.run("run", "flags.set", "ensemble_enabled=true", "--confirm", "staging")
	if code != exitUsage || !strings.Contains(errs, "use --yes") {
		t.Errorf("--confirm on standard: %d %q", code, errs)
	}
	code, out, errs = s.run("run", "--env", "staging", "flags.set", "ensemble_enabled=true", "--yes")
	if code != exitOK || !strings.Contains(out, "verify: PASS: ensemble_enabled reads true") || !strings.Contains(out, "undo: gatewayops run flags.set ensemble_enabled=false --env staging") {
		t.Fatalf("with --yes: %d %q %q", code, out, errs)
	}
	code, _, errs = s.run("run", "flags.set", "ensemble_enabled=true")
	if code != exitOK || !strings.Contains(errs, "nothing to change: not applied") {
		t.Errorf("no-change write without --yes: %d %q", code, errs)
	}
	entries, err := ops.ReadJournal(filepath.Join(s.state, "gatewayops", "journal.jsonl"))
	// The refusal without --yes is journaled (item 13), then intent and result of the write,
	// then the attempt that changed nothing.
	if err != nil || len(entries) != 4 || entries[0].Outcome != "refused" || entries[2].Outcome != "ok" || entries[1].Operator != "cli-test" ||
		entries[3].Outcome != "no change" {
		t.Errorf("journal: %+v %v", entries, err)
	}
}

func TestRunProtectedWriteNeedsConfirmAndReason(t *testing.T) {
	s := newCLIStack(t, "production", ops.Protected)
	s.openBreaker()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{}, "production is protected: add --confirm production --reason TEXT"},
		{[]string{"--yes"}, "--yes is not accepted on protected environment production"},
		{[]string{"--confirm", "staging", "--reason", "x"}, `--confirm "staging" does not match the environment name "production"`},
		{[]string{"--confirm", "production"}, "a reason is required"},
	}
	for _, c := range cases {
		args := append([]string{"run", "breaker.reset", "component=kms"}, c.args...)
		code, out, errs := s.run(args...)
		if code != exitRefused || !strings.Contains(errs, c.want) || !strings.Contains(out, "reset breaker kms: open since") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 3 and %q", c.args, code, out, errs, c.want)
		}
	}
	if b, _ := s.store.Breaker(context.Background(), "kms"); b.State != gateway.BreakerOpen {
		t.Fatalf("a refused run changed the breaker: %s", b.State)
	}
	code, out, errs := s.run("run", "breaker.reset", "component=kms", "--confirm", "production", "--reason", "INC-12 kms recovered")
	if code != exitOK || !strings.Contains(out, "verify: PASS: breaker kms: closed") {
		t.Fatalf("confirmed: %d %q %q", code, out, errs)
	}
	raw, _ := os.ReadFile(filepath.Join(s.state, "gatewayops", "journal.jsonl"))
	if strings.Contains(string(raw), cliAdminKey) {
		t.Error("journal holds the admin key")
	}
}

func TestRunReportsOutcomeUnknownFromAnEarlierCrash(t *testing.T) {
	s := newCLIStack(t, "staging", ops.Standard)
	path := filepath.Join(s.state, "gatewayops", "journal.jsonl")
	j, err := ops.OpenJournal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The crashed run's process is gone: an exited child's pid stands for it
	// (this test runs the CLI in its own process, which is alive).
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(ops.Entry{Time: time.Now(), ID: "crashed1", Phase: ops.PhaseIntent, Environment: "staging",
		Action: "reservations.drain", Params: map[string]string{"mode": "reap"}, PID: gone.Process.Pid, ProcStart: 1}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	_, _, errs := s.run("run", "flags.show")
	if !strings.Contains(errs, "journal: outcome unknown: reservations.drain mode=reap on staging") {
		t.Errorf("stderr = %q", errs)
	}
}

func TestRunbookCheckListShow(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch(context.Background(), []string{"runbook", "check"}, &out, &errb); code != exitOK ||
		!strings.HasSuffix(strings.TrimSpace(out.String()), "steps checked, 0 problems") {
		t.Fatalf("check: %d %q %q", code, out.String(), errb.String())
	}
	out.Reset()
	if code := dispatch(context.Background(), []string{"runbook", "list"}, &out, &errb); code != exitOK || !strings.Contains(out.String(), "agent-circuit-breaker-open") {
		t.Errorf("list: %d %q", code, out.String())
	}
	out.Reset()
	if code := dispatch(context.Background(), []string{"runbook", "show", "agent-circuit-breaker-open"}, &out, &errb); code != exitOK ||
		!strings.Contains(out.String(), "gatewayops run breaker.reset component=kms") {
		t.Errorf("show: %d %q", code, out.String())
	}
	errb.Reset()
	if code := dispatch(context.Background(), []string{"runbook", "show", "no-such"}, &out, &errb); code != exitUsage || errb.Len() == 0 {
		t.Errorf("show unknown: %d %q", code, errb.String())
	}
	if code := dispatch(context.Background(), []string{"runbook", "frob"}, &out, &errb); code != exitUsage {
		t.Errorf("unknown subcommand: %d", code)
	}
}

func emitMismatch(t *testing.T, cw *cwlocal.Service, pool string, v float64, at time.Time) {
	t.Helper()
	line := fmt.Sprintf(`{"pool_id":%q,"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Dimensions":[["pool_id"]],"Metrics":[{"Name":"PoolClaimMismatch","Unit":"Count"}],"Namespace":"Arrakis/AgentGateway"}]},"PoolClaimMismatch":%g}`, pool, at.UnixMilli(), v)
	if err := cw.IngestEMF([]byte(line)); err != nil {
		t.Fatal(err)
	}
}

func TestPreflightCommandFailsWithoutProofAndPassesOnZeros(t *testing.T) {
	s := newCLIStack(t, "staging", ops.Standard)
	code, out, _ := s.run("preflight", "pool-claims", "--hours", "24")
	if code != checkCritical || !strings.Contains(out, "FAIL: cannot prove zero mismatches: metric PoolClaimMismatch does not exist") {
		t.Fatalf("no data: %d %q", code, out)
	}
	emitMismatch(t, s.cw, "cheap", 0, time.Now().Add(-time.Hour))
	emitMismatch(t, s.cw, "reviewer", 0, time.Now().Add(-2*time.Hour))
	code, out, _ = s.run("preflight", "pool-claims")
	if code != exitOK || !strings.Contains(out, "PASS") {
		t.Fatalf("zeros: %d %q", code, out)
	}
	emitMismatch(t, s.cw, "cheap", 1, time.Now().Add(-30*time.Minute))
	if code, out, _ = s.run("preflight", "pool-claims"); code != checkCritical || !strings.Contains(out, "1 mismatches") {
		t.Errorf("one mismatch: %d %q", code, out)
	}
	if code, _, _ = s.run("preflight", "pool-claims", "--hours", "0"); code != checkUnknown {
		t.Errorf("--hours 0: %d", code)
	}
}

func TestJournalExportMergesAlarmTransitionsAndSteps(t *testing.T) {
	s := newCLIStack(t, "staging", ops.Standard)
	alarm := "arrakis-staging-agent-circuit-breaker-open"
	th := 1.0
	if err := s.cw.PutMetricAlarm(cwlocal.PutMetricAlarmInput{AlarmName: alarm, Namespace: "Arrakis/AgentGateway", MetricName: "CircuitBreakerState",
		Dimensions: []cwlocal.Dimension{{Name: "component", Value: "kms"}}, Statistic: "Maximum", Period: 60, EvaluationPeriods: 1,
		Threshold: &th, ComparisonOperator: "GreaterThanThreshold"}); err != nil {
		t.Fatal(err)
	}
	cw, _ := cwlocal.NewSDKClient(context.Background(), s.cwURL)
	if _, err := cw.SetAlarmState(context.Background(), &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(alarm),
		StateValue: types.StateValueAlarm, StateReason: aws.String("kms breaker open")}); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := s.run("run", "alarm.mute", "alarm="+alarm, "for=30m", "reason=INC-3 known outage", "--yes"); code != exitOK {
		t.Fatalf("mute: %d %q %q", code, out, errs)
	}
	outFile := filepath.Join(t.TempDir(), "timeline.md")
	code, _, errs := s.run("journal", "export", "--since", "2h", "--env", "staging", "--out", outFile)
	if code != exitOK {
		t.Fatalf("export: %d %q", code, errs)
	}
	md, _ := os.ReadFile(outFile)
	text := string(md)
	for _, want := range []string{"# Incident timeline", "| alarm | **" + alarm + "**: Alarm updated from", "| action | `alarm.mute alarm=" + alarm,
		`reason="INC-3 known outage"` + "` by cli-test on staging: ok, verify pass: mute rule"} {
		if !strings.Contains(text, want) {
			t.Errorf("timeline lacks %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "| alarm |") > strings.Index(text, "| action |") {
		t.Errorf("alarm transition should come before the mute:\n%s", text)
	}
}
