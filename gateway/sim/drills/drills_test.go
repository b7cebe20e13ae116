package drills_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gatewayops/gateway/sim"
	"gatewayops/gateway/sim/drills"
	"gatewayops/gateway/sim/drills/drillops"
	"gatewayops/ops"
	"gatewayops/runbooks"
)

// runner is the ops runner on the rig's stack and clock (drillops, which
// `gatewayops drill` uses too); its journal goes to the test's directory.
func runner(t *testing.T, r *drills.Rig) drills.RunStep {
	t.Helper()
	_, step, closeRun, err := drillops.Runner(context.Background(), r, filepath.Join(t.TempDir(), "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeRun)
	return step
}

func rig(t *testing.T) *drills.Rig {
	t.Helper()
	r, err := drills.StartRig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// Every scenario both ways, through the ops runner on a stepped clock: its
// step list clears its signal, and with no action the signal stays on for
// three times the whole fixed run (fault to recovery).
func TestEveryScenarioIsProvenBothWays(t *testing.T) {
	for _, sc := range drills.Library() {
		t.Run(sc.Name, func(t *testing.T) {
			ctx := context.Background()
			fixedRig := rig(t)
			fixed, err := drills.Fix(ctx, fixedRig, sc, runner(t, fixedRig))
			if err != nil {
				t.Fatal(err)
			}
			// A floor of a minute: a predicate clears within one tick of its step.
			watch := max(3*(fixed.Raised+fixed.Recovered), time.Minute)
			if err := drills.Unfixed(ctx, rig(t), sc, watch); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: on after %s, cleared %s after the first step; no action: still on after %s", sc.Name, fixed.Raised, fixed.Recovered, watch)
		})
	}
}

// A step list that does not fix its scenario fails naming the step and
// the signal: reaping alone leaves the orphans' cents in reserved.
func TestWrongBranchFailsNamingStepAndSignal(t *testing.T) {
	sc, err := drills.Lookup("budget-drift")
	if err != nil {
		t.Fatal(err)
	}
	sc.Steps = []string{"reservations.drain older=5m mode=reap"}
	r := rig(t)
	_, err = drills.Fix(context.Background(), r, sc, runner(t, r))
	if err == nil {
		t.Fatal("reap alone cleared the budget drift")
	}
	for _, want := range []string{`step "reservations.drain older=5m mode=reap"`, "predicate: reservations.inspect shows driftCents 0"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// A step that fails is reported with its number and line.
func TestFailingStepIsNamed(t *testing.T) {
	sc, _ := drills.Lookup("kms-breaker-open")
	sc.Steps = []string{"breaker.reset component=loa-finn"}
	r := rig(t)
	_, err := drills.Fix(context.Background(), r, sc, runner(t, r))
	if err == nil || !strings.Contains(err.Error(), `step 1 "breaker.reset component=loa-finn"`) {
		t.Fatalf("error %v does not name the failing step", err)
	}
}

// The library is consistent with the runbooks it names: each runbook
// exists, the branch is one of its headings and every step is a step of
// that runbook, in the registry's grammar; an alarm signal is one the
// runbook claims.
func TestLibraryMatchesRunbooks(t *testing.T) {
	reg := ops.DefaultRegistry()
	seen := map[string]bool{}
	for _, sc := range drills.Library() {
		if seen[sc.Name] {
			t.Errorf("scenario %s declared twice", sc.Name)
		}
		seen[sc.Name] = true
		rb, ok := findRunbook(sc.Runbook)
		if !ok {
			t.Errorf("%s: no runbook %s", sc.Name, sc.Runbook)
			continue
		}
		if _, ok := rb.SectionByTitle(sc.Branch); !ok {
			t.Errorf("%s: runbook %s has no section %q", sc.Name, sc.Runbook, sc.Branch)
		}
		for _, line := range sc.Steps {
			if _, err := reg.Parse(line); err != nil {
				t.Errorf("%s: step %q: %v", sc.Name, line, err)
			}
			if !hasStep(rb, sc.Branch, line) {
				t.Errorf("%s: %q is not a step of %s under %q", sc.Name, line, sc.Runbook, sc.Branch)
			}
		}
		for _, m := range sc.Manual {
			if !quotesSection(rb, sc.Branch, m.Text) {
				t.Errorf("%s: manual step %q is not the text of %s under %q", sc.Name, m.Text, sc.Runbook, sc.Branch)
			}
			if m.Apply == nil {
				t.Errorf("%s: manual step %q does nothing", sc.Name, m.Text)
			}
		}
		if (sc.Signal.Alarm == "") == (sc.Signal.Cleared == nil) {
			t.Errorf("%s: a signal is an alarm or a predicate, exactly one", sc.Name)
		}
		if sc.Signal.Alarm != "" {
			metric := strings.FieldsFunc(sc.Signal.Metric, func(c rune) bool { return c == '{' || c == ' ' || c == '/' })[0]
			if got, ok := runbooks.Lookup("arrakis-demo-"+sc.Signal.Alarm, sim.Namespace, metric); !ok || got.Name != rb.Name {
				t.Errorf("%s: alarm %s does not lead to runbook %s", sc.Name, sc.Signal.Alarm, sc.Runbook)
			}
		}
	}
	if _, err := drills.Lookup("nope"); err == nil || !strings.Contains(err.Error(), "kms-breaker-open") {
		t.Errorf("Lookup of an unknown drill: %v", err)
	}
}

func findRunbook(name string) (runbooks.Runbook, bool) {
	rb, err := runbooks.Get(name)
	return rb, err == nil
}

// quotesSection says whether every " ... "-separated fragment of text is
// in the section's body (whitespace runs compared as one space).
func quotesSection(rb runbooks.Runbook, section, text string) bool {
	sec, ok := rb.SectionByTitle(section)
	if !ok {
		return false
	}
	body := strings.Join(strings.Fields(sec.Body), " ")
	for _, frag := range strings.Split(text, " ... ") {
		if !strings.Contains(body, strings.Join(strings.Fields(frag), " ")) {
			return false
		}
	}
	return true
}

func hasStep(rb runbooks.Runbook, section, command string) bool {
	for _, s := range rb.Steps {
		if s.Section == section && s.Command == command {
			return true
		}
	}
	return false
}

// The drill's steps are journaled like any other write (intent, then
// result, operator drill), and the stack's admin key is nowhere in it.
func TestDrillStepsAreJournaledWithoutTheAdminKey(t *testing.T) {
	sc, _ := drills.Lookup("kms-breaker-open")
	r := rig(t)
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	_, step, closeRun, err := drillops.Runner(context.Background(), r, path)
	if err != nil {
		t.Fatal(err)
	}
	defer closeRun()
	if _, err := drills.Fix(context.Background(), r, sc, step); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), r.Stack.AdminKey()) {
		t.Fatal("the journal holds the admin key")
	}
	entries, err := ops.ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Phase != ops.PhaseIntent || entries[1].Phase != ops.PhaseResult ||
		entries[1].Outcome != "ok" || entries[1].Operator != drillops.Operator || entries[1].Action != "breaker.reset" {
		t.Fatalf("journal: %+v", entries)
	}
}

// The new runbooks' proofs fail when their branch is not followed: without
// the manual step that ends the fault (the ops steps alone leave it on),
// or with another branch's step, Fix fails naming the last step taken and
// the signal.
func TestStepsThatDoNotClearFailNamingStepAndSignal(t *testing.T) {
	cases := []struct {
		name, last string
		steps      []string
	}{
		{"redis-degraded", "redis.diagnose", nil},
		{"p99-provider-slow", "reservations.drain older=5m mode=reap", nil},
		{"finalize-fail-open", "reservations.drain older=5m mode=reconcile", nil},
		// Resolution A's only step reads the counters; the ensembles overrun on.
		{"estimate-drift-ensemble", "budget.show", []string{"budget.show"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc, err := drills.Lookup(c.name)
			if err != nil {
				t.Fatal(err)
			}
			sc.Manual = nil
			if c.steps != nil {
				sc.Steps = c.steps
			}
			r := rig(t)
			_, err = drills.Fix(context.Background(), r, sc, runner(t, r))
			if err == nil {
				t.Fatalf("%v alone cleared %s", sc.Steps, sc.Name)
			}
			for _, want := range []string{"after step " + strconvQuote(c.last), "alarm " + sc.Signal.Alarm, "is still on"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %s", err, want)
				}
			}
		})
	}
}

func strconvQuote(s string) string { return fmt.Sprintf("%q", s) }
