package stack

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gatewayops/alarms"
	"gatewayops/gateway/sim"
	"gatewayops/ops"
	"gatewayops/runbooks"
)

// The demo's story, end to end on the real stack: the scripted incident makes
// the breaker, stale-reservation and error-rate alarms fire on cwlocal's own
// evaluation; the steps of their runbooks, run through the ops runner against
// the admin API, fix the cause; the alarms return to OK on their own.
func TestDemoIncidentFiresAndRunbookStepsClearIt(t *testing.T) {
	ctx := context.Background()
	st, err := Start(ctx, Options{EvaluateEvery: time.Second, Scenario: sim.ScenarioConfig{
		RequestsPerSecond: 20, IncidentAfter: 2 * time.Second, OutageFor: 4 * time.Second,
		LeakedReservations: 300, EmitEvery: 2 * time.Second, Seed: 7,
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	runner := demoRunner(t, st)
	src := runner.Env.Alarms
	firing := []string{"agent-circuit-breaker-open", "agent-stale-reservations", "agent-error5xx-rate"}

	all := waitStates(t, src, firing, alarms.StateAlarm)
	runStep(t, runner, all["agent-circuit-breaker-open"], "breaker.reset")
	runStep(t, runner, all["agent-stale-reservations"], "reservations.drain")
	waitStates(t, src, firing, alarms.StateOK)

	// The error-rate runbook offers the same fix for BYOK 5xx from the kms breaker.
	if !hasStep(lookup(t, all["agent-error5xx-rate"]), "breaker.reset component=kms") {
		t.Error("the error-rate runbook has no breaker.reset component=kms step")
	}
	entries, err := ops.ReadJournal(filepath.Join(st.Dir(), "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if results := countResults(entries); results != 2 {
		t.Errorf("journal holds %d results, want 2", results)
	}
}

func demoRunner(t *testing.T, st *Stack) *ops.Runner {
	t.Helper()
	t.Setenv("STACK_TEST_ADMIN_KEY", st.AdminKey())
	env := ops.Environment{Name: st.Environment, Region: "us-east-1", AlarmPrefix: "arrakis-demo-",
		CloudWatchEndpoint: st.CloudWatchURL, AdminURL: st.AdminURL, AdminKeyEnv: "STACK_TEST_ADMIN_KEY", Safety: ops.Standard}
	e, closeEnv, err := ops.BuildEnv(context.Background(), env, "stack-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeEnv)
	policy, err := ops.NewPolicy(env.Name, ops.Standard, nil)
	if err != nil {
		t.Fatal(err)
	}
	journal, err := ops.OpenJournal(filepath.Join(st.Dir(), "journal.jsonl"), ops.NewRedactor(st.AdminKey()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = journal.Close() })
	return &ops.Runner{Registry: ops.DefaultRegistry(), Env: e, Policy: policy, Journal: journal, Operator: "stack-test"}
}

// waitStates polls CloudWatch (cwlocal, through the SDK) until every named
// alarm is in state; it returns the alarms by short name.
func waitStates(t *testing.T, src *alarms.Source, names []string, state alarms.State) map[string]alarms.Alarm {
	t.Helper()
	deadline := time.Now().Add(100 * time.Second)
	for {
		list, err := src.Alarms(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got, missing := map[string]alarms.Alarm{}, []string{}
		for _, a := range list {
			got[strings.TrimPrefix(a.Name, "arrakis-demo-")] = a
		}
		for _, n := range names {
			if got[n].State != state {
				missing = append(missing, n+"="+string(got[n].State))
			}
		}
		if len(missing) == 0 {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("alarms not %s after 100 s: %v", state, missing)
		}
		time.Sleep(time.Second)
	}
}

func lookup(t *testing.T, a alarms.Alarm) runbooks.Runbook {
	t.Helper()
	rb, ok := runbooks.Lookup(a.Name, a.Namespace, a.MetricName)
	if !ok {
		t.Fatalf("no runbook for %s", a.Name)
	}
	return rb
}

func hasStep(rb runbooks.Runbook, command string) bool {
	for _, s := range rb.Steps {
		if s.Command == command {
			return true
		}
	}
	return false
}

// runStep runs the first step of the alarm's runbook whose action is action.
func runStep(t *testing.T, r *ops.Runner, a alarms.Alarm, action string) {
	t.Helper()
	rb := lookup(t, a)
	for _, s := range rb.Steps {
		if strings.HasPrefix(s.Command, action+" ") {
			out, err := r.Run(context.Background(), s.Command, ops.Confirmation{StartKey: "enter", ConfirmKey: "y"})
			if err != nil || !out.OK() {
				t.Fatalf("%s (%s): err %v, outcome %+v", s.Command, rb.Name, err, out)
			}
			return
		}
	}
	t.Fatalf("runbook %s has no %s step", rb.Name, action)
}

func countResults(entries []ops.Entry) int {
	n := 0
	for _, e := range entries {
		if e.Phase == ops.PhaseResult {
			n++
		}
	}
	return n
}

func TestCloseLeavesNoFilesOrServers(t *testing.T) {
	st, err := Start(context.Background(), Options{NoScenario: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := st.Dir()
	if st.RedisKind != "redis-server" {
		t.Fatalf("RedisKind = %q; redis-server is installed here", st.RedisKind)
	}
	st.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("stack dir %s still exists after Close (stat: %v)", dir, err)
	}
	for _, u := range []string{st.AdminURL, st.CloudWatchURL} {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			t.Errorf("%s still answers after Close", u)
		}
	}
}

// Without redis-server the demo runs on miniredis: the scenario's Lua, the
// admin API's drain and breaker reset work there too.
func TestMiniredisFallbackServesTheAdminAPI(t *testing.T) {
	st, err := Start(context.Background(), Options{Miniredis: true, Scenario: sim.ScenarioConfig{
		RequestsPerSecond: 20, IncidentAfter: 100 * time.Millisecond, LeakedReservations: 50, EmitEvery: time.Second,
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if st.RedisKind != "miniredis" {
		t.Fatalf("RedisKind = %q", st.RedisKind)
	}
	runner := demoRunner(t, st)
	deadline := time.Now().Add(20 * time.Second)
	for {
		sum, err := st.Store.ReservationSummary(context.Background(), "", 100)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Totals.Expired+sum.Totals.Orphaned == 50 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the leak never appeared: %+v", sum.Totals)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, line := range []string{"reservations.drain older=5m mode=reconcile", "breaker.reset component=kms"} {
		out, err := runner.Run(context.Background(), line, ops.Confirmation{StartKey: "enter", ConfirmKey: "y"})
		if err != nil || !out.OK() {
			t.Fatalf("%s on miniredis: %v %+v", line, err, out)
		}
	}
}
