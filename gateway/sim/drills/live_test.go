package drills_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gatewayops/gateway/sim/drills"
)

// liveStep runs a step through the ops runner, as the console does, and
// tells the live drill what happened, as the console's backend does.
func liveStep(t *testing.T, l *drills.Live, run drills.RunStep, line string, write bool) {
	t.Helper()
	ctx := context.Background()
	outcome := "ok"
	if err := run(ctx, line); err != nil {
		outcome = "failed: " + err.Error()
	}
	l.StepApplied(ctx, line, write, outcome)
}

func tickUntil(t *testing.T, l *drills.Live, phase drills.Phase, limit int) drills.Status {
	t.Helper()
	for range limit {
		if st := l.Status(); st.Phase == phase {
			return st
		}
		if err := l.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("no phase %s after %d ticks: %+v", phase, limit, l.Status())
	return drills.Status{}
}

// A live kms drill, ticked by hand: the fault raises the signal, the
// operator opens the runbook, runs a read, a failing step, a write that
// does nothing, a write after which another alarm fires, then the list's
// step; the signal clears and the report names all of it with drill-clock
// times measured from the signal coming on.
func TestLiveDrillReportsTimesAndEffects(t *testing.T) {
	sc, _ := drills.Lookup("kms-breaker-open")
	r := rig(t)
	run := runner(t, r)
	var events []drills.Event
	incident, err := drills.FaultAlarms(context.Background(), sc, 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !incident["arrakis-demo-agent-error5xx-rate"] || !incident["arrakis-demo-agent-circuit-breaker-open"] || incident["arrakis-demo-agent-stale-reservations"] {
		t.Fatalf("the kms fault's own alarms: %v", incident)
	}
	l := drills.NewLive(r, sc, 1, incident, func(e drills.Event) { events = append(events, e) })
	if l.Interval() != drills.Tick {
		t.Fatalf("interval at 1x %s, want %s", l.Interval(), drills.Tick)
	}
	ctx := context.Background()
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	on := tickUntil(t, l, drills.PhaseOn, 24)
	l.RunbookOpened("agent-stale-reservations") // another runbook: not counted
	l.RunbookOpened(sc.Runbook)
	liveStep(t, l, run, "flags.show", false)
	liveStep(t, l, run, "breaker.reset component=loa-finn", true)
	liveStep(t, l, run, "reservations.drain older=5m mode=reap", true)
	tickN(t, l, drills.JudgeTicks)
	// A step after which the stale-reservations alarm fires: judged worse.
	liveStep(t, l, run, "flags.set byok_enabled=true", true)
	if err := r.Leak(ctx, 30, 0); err != nil {
		t.Fatal(err)
	}
	tickN(t, l, drills.JudgeTicks)
	// As the console hands it over: parsed, defaults filled (the same step as the list's).
	liveStep(t, l, run, "breaker.reset  component=kms", true)
	done := tickUntil(t, l, drills.PhaseCleared, 24)

	rep := done.Report
	if !rep.FaultAt.Before(rep.RaisedAt) || rep.RaisedAt != on.Since || rep.RunbookAt.IsZero() ||
		!rep.MitigatedAt.After(rep.RunbookAt) || !rep.RecoveredAt.After(rep.MitigatedAt) {
		t.Fatalf("milestones out of order: %+v", rep)
	}
	want := map[string]drills.Effect{
		"flags.show": drills.EffectReadOnly, "breaker.reset component=loa-finn": drills.EffectFailed,
		"reservations.drain older=5m mode=reap": drills.EffectNothing, "flags.set byok_enabled=true": drills.EffectWorse,
		"breaker.reset  component=kms": drills.EffectListed,
	}
	if len(rep.Steps) != len(want) {
		t.Fatalf("%d steps recorded: %+v", len(rep.Steps), rep.Steps)
	}
	for _, s := range rep.Steps {
		if s.Effect != want[s.Line] {
			t.Errorf("step %q judged %q (%s), want %q", s.Line, s.Effect, s.Detail, want[s.Line])
		}
	}
	if rep.Steps[4].Listed != 1 || len(rep.Missing()) != 0 || len(rep.Unhelpful()) != 3 {
		t.Errorf("listed %d, missing %v, unhelpful %d", rep.Steps[4].Listed, rep.Missing(), len(rep.Unhelpful()))
	}
	md := rep.Markdown()
	for _, w := range []string{
		"## Drill report: kms-breaker-open", "not a real incident",
		"| runbook opened | +" + mmss(rep.RunbookAt.Sub(rep.RaisedAt)) + " |",
		"| first mitigating step | +" + mmss(rep.MitigatedAt.Sub(rep.RaisedAt)) + " |",
		"| recovered | +" + mmss(rep.RecoveredAt.Sub(rep.RaisedAt)) + " |",
		"1. `breaker.reset component=kms`: done +",
		"- `flags.set byok_enabled=true` (+", "made it worse (went to ALARM after it: arrakis-demo-agent-stale-reservations)",
		"- `reservations.drain older=5m mode=reap` (+", "did nothing (the signal stayed on)",
		"- `breaker.reset component=loa-finn` (+", "drill clock: 1x wall time",
	} {
		if !strings.Contains(md, w) {
			t.Errorf("report lacks %q:\n%s", w, md)
		}
	}
	kinds := []string{}
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	if strings.Join(kinds, ",") != "fault,signal on,runbook opened,cleared" {
		t.Errorf("events %v", kinds)
	}
	// After the report, steps and ticks change nothing in it.
	l.StepApplied(ctx, "breaker.reset component=kms", true, "ok")
	tickN(t, l, 2)
	if got := l.Status(); len(got.Report.Steps) != 5 || got.Version != done.Version || got.Phase != drills.PhaseCleared {
		t.Errorf("the report moved after it was final: %+v", got)
	}
}

func tickN(t *testing.T, l *drills.Live, n int) {
	t.Helper()
	for range n {
		if err := l.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func mmss(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// Wait wakes on a change and returns at once for an older version.
func TestLiveWaitWakesOnChange(t *testing.T) {
	sc, _ := drills.Lookup("staging-flag-left-on")
	r := rig(t)
	l := drills.NewLive(r, sc, 5, nil, nil)
	if l.Interval() != time.Second {
		t.Fatalf("interval at 5x %s", l.Interval())
	}
	got := make(chan drills.Status, 1)
	go func() { got <- l.Wait(context.Background(), 0) }()
	if err := l.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := <-got
	if st.Version < 1 || st.Report.FaultAt.IsZero() {
		t.Fatalf("woke with %+v", st)
	}
	if again := l.Wait(context.Background(), 0); again.Version != st.Version {
		t.Fatalf("an older version did not return at once: %d vs %d", again.Version, st.Version)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if st2 := l.Wait(ctx, st.Version); st2.Version != st.Version {
		t.Fatalf("a cancelled wait returned version %d", st2.Version)
	}
}

// A scenario whose list starts with a manual step (an escalation no ops
// command performs): ManualStep does it to the stack and records it as
// step 1 of the list; the ops step is step 2; the signal clears.
func TestLiveManualStepIsPartOfTheList(t *testing.T) {
	sc, err := drills.Lookup("p99-provider-slow")
	if err != nil {
		t.Fatal(err)
	}
	r := rig(t)
	run := runner(t, r)
	l := drills.NewLive(r, sc, 1, nil, nil)
	ctx := context.Background()
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if got := l.Status().NextManual; got != sc.Manual[0].Text {
		t.Fatalf("next manual step %q", got)
	}
	tickUntil(t, l, drills.PhaseOn, 48)
	text, err := l.ManualStep(ctx)
	if err != nil || text != sc.Manual[0].Text {
		t.Fatalf("manual step: %q, %v", text, err)
	}
	if _, err := l.ManualStep(ctx); err == nil {
		t.Fatal("a second manual step of a list with one")
	}
	for _, line := range sc.Steps {
		liveStep(t, l, run, line, true)
	}
	rep := tickUntil(t, l, drills.PhaseCleared, 48).Report
	if len(rep.Steps) != 1+len(sc.Steps) || rep.Steps[0].Listed != 1 || rep.Steps[1].Listed != 2 ||
		!strings.HasPrefix(rep.Steps[0].Line, "(manual) ") || len(rep.Missing()) != 0 || rep.MitigatedAt != rep.Steps[0].At {
		t.Fatalf("report steps %+v, missing %v", rep.Steps, rep.Missing())
	}
	if md := rep.Markdown(); !strings.Contains(md, "1. `(runbook step, no ops command) "+sc.Manual[0].Text+"`: done +") {
		t.Errorf("report:\n%s", md)
	}
	if l.Status().NextManual != "" {
		t.Errorf("a manual step left after the only one: %q", l.Status().NextManual)
	}
}
