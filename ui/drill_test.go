package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"gatewayops/ops"
)

// fakeDrill is a drill whose status the test sets; it records what the
// console told it.
type fakeDrill struct {
	mu      sync.Mutex
	st      DrillStatus
	changed chan struct{}
	opened  []string
	steps   []string
}

func newFakeDrill(st DrillStatus) *fakeDrill { return &fakeDrill{st: st, changed: make(chan struct{})} }

func (d *fakeDrill) set(f func(*DrillStatus)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f(&d.st)
	d.st.Version++
	close(d.changed)
	d.changed = make(chan struct{})
}

func (d *fakeDrill) WaitStatus(ctx context.Context, after int) DrillStatus {
	d.mu.Lock()
	st, ch := d.st, d.changed
	d.mu.Unlock()
	if st.Version > after {
		return st
	}
	select {
	case <-ch:
	case <-ctx.Done():
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st
}

func (d *fakeDrill) RunbookOpened(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.opened = append(d.opened, id)
}

func (d *fakeDrill) StepApplied(_ context.Context, command string, write bool, outcome string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	w := "read"
	if write {
		w = "write"
	}
	d.steps = append(d.steps, command+" "+w+" "+outcome)
}

func (d *fakeDrill) ManualStep(context.Context) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.steps = append(d.steps, "manual "+d.st.NextManual)
	return d.st.NextManual, nil
}

func (d *fakeDrill) seen() (opened, steps []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.opened...), append([]string(nil), d.steps...)
}

func drillOn() DrillStatus {
	return DrillStatus{Version: 1, Name: "kms-breaker-open", Speed: 1, Period: 10 * time.Second, Production: "1-15 min",
		State: "signal ON since 13:05:10: follow agent-circuit-breaker-open"}
}

func startDrillFlow(t *testing.T, s *stack, d Drill, w, h int) *flow {
	t.Helper()
	box := &screenBox{}
	m := probe{Model: New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true, Drill: d, Context: t.Context()}), screen: box}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	t.Cleanup(func() { _ = tm.Quit() })
	return &flow{t: t, tm: tm, screen: box}
}

// The DRILL badge leads the header on every view at 80x24 and on every size
// up to 200x60, with the drill clock's compression beside it; the status
// line says the drill's state and the clock in full.
func TestDrillBadgeOnEveryViewAndSize(t *testing.T) {
	s := startStack(t, "demo", false)
	f := startDrillFlow(t, s, newFakeDrill(drillOn()), 80, 24)
	f.waitFor("DRILL 1x", "DEMO - standard", "DRILL kms-breaker-open: signal ON")
	for _, v := range []string{"1", "2", "3", "4", "5", "1"} {
		f.keys(v)
		scr := f.waitUntil("view "+v+" with the badge", func(scr string) bool {
			lines := strings.Split(scr, "\n")
			return strings.Contains(lines[2], "["+v+" ") && strings.HasPrefix(strings.TrimSpace(lines[0]), "DRILL 1x") && strings.Contains(lines[0], "DEMO - standard")
		})
		lines := strings.Split(scr, "\n")
		if len(lines) != 24 || !strings.HasPrefix(strings.TrimSpace(lines[22]), "DRILL kms-breaker-open: signal ON since 13:05:10") {
			t.Fatalf("view %s at 80x24: %d lines, status line %q", v, len(lines), lines[min(22, len(lines)-1)])
		}
	}
	for _, size := range [][2]int{{100, 30}, {120, 40}, {160, 48}, {200, 60}} {
		f.tm.Send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		want := "DRILL 1x "
		if size[0] >= wideWidth {
			want = "DRILL kms-breaker-open · clock 1x, periods 10s (prod. 1-15 min) "
		}
		f.waitUntil("the badge at the new size", func(scr string) bool {
			lines := strings.Split(scr, "\n")
			return len(lines) == size[1] && strings.HasPrefix(strings.TrimSpace(lines[0]), want)
		})
	}
	f.keys("D")
	f.waitFor("this drill has no manual step left")
	f.keys("q")
}

// Entering the runbook's steps and running a step reach the drill; the
// report opens by itself when the drill ends, but never over a confirmation.
func TestDrillHearsRunbookAndStepsAndShowsTheReport(t *testing.T) {
	s := startStack(t, "demo", false)
	s.fireBreakerAlarm(t)
	st := drillOn()
	st.NextManual = "Escalate to the loa-finn owners"
	d := newFakeDrill(st)
	f := startDrillFlow(t, s, d, 160, 48)
	f.waitFor("✗ ALARM", "arrakis-demo-agent-circuit-breaker-open", "DRILL kms-breaker-open", "D does the manual step: Escalate to the loa-finn owners")
	f.keys("enter")
	waitSeen(t, "the runbook opened", func() bool { o, _ := d.seen(); return len(o) == 1 })
	if o, _ := d.seen(); o[0] != "agent-circuit-breaker-open" {
		t.Fatalf("opened %v", o)
	}
	f.keys("esc", "tab") // tab into the steps counts too
	waitSeen(t, "the runbook opened by tab", func() bool { o, _ := d.seen(); return len(o) == 2 })
	f.keys("esc", ":")
	f.typeText("breaker.reset component=kms")
	f.keys("enter")
	f.waitFor("CONFIRM: breaker.reset component=kms")
	// The drill ends while the confirmation is open: the report waits.
	d.set(func(st *DrillStatus) {
		st.State = "CLEARED"
		st.Report = "## Drill report: kms-breaker-open\n\n| recovered | +1:05 |\n"
	})
	// The status line shows the new state: the message went through Update.
	if scr := f.waitFor("DRILL kms-breaker-open: CLEARED"); !strings.Contains(scr, "CONFIRM: breaker.reset") || strings.Contains(scr, "| recovered | +1:05 |") {
		t.Fatalf("the report covered the confirmation:\n%s", scr)
	}
	f.keys("y")
	f.waitFor("Drill report: kms-breaker-open (esc closes", "| recovered | +1:05 |")
	waitSeen(t, "the step reached the drill", func() bool { _, st := d.seen(); return len(st) == 1 })
	if _, st := d.seen(); st[0] != "breaker.reset component=kms write ok" {
		t.Fatalf("steps %v", st)
	}
	f.keys("esc")
	f.waitUntil("the report closed", func(scr string) bool { return !strings.Contains(scr, "| recovered | +1:05 |") })
	f.keys("2")
	f.waitFor("[2 Metrics]")
	f.keys("1")
	if scr := f.waitFor("[1 Alarms]"); strings.Contains(scr, "| recovered | +1:05 |") {
		t.Fatal("the report opened again after esc")
	}
	f.keys("D")
	f.waitFor("manual step done (drill): Escalate to the loa-finn owners")
	if _, st := d.seen(); len(st) != 2 || st[1] != "manual Escalate to the loa-finn owners" {
		t.Fatalf("steps %v", st)
	}
	if m := f.quit(); !m.drill.reportShown || m.drill.status.State != "CLEARED" {
		t.Fatalf("drill view %+v", m.drill)
	}
}

func waitSeen(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The journal view lists a drill's milestones and report (enter shows the
// report whole) and marks the drill's actions in their detail.
func TestJournalRowsShowTheDrill(t *testing.T) {
	at := time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)
	rows := journalRows([]ops.Entry{
		{Time: at, ID: "d1", Phase: ops.PhaseDrill, Action: "drill.signal on", Result: "drill kms-breaker-open: signal on", Drill: "kms-breaker-open"},
		{Time: at, ID: "a", Phase: ops.PhaseIntent, Action: "breaker.reset", Drill: "kms-breaker-open"},
		{Time: at, ID: "a", Phase: ops.PhaseResult, Action: "breaker.reset", Outcome: "ok", Drill: "kms-breaker-open"},
		{Time: at, ID: "d2", Phase: ops.PhaseDrill, Action: "drill.report", Result: "## Drill report: kms-breaker-open\n\n| recovered | +0:40 |", Drill: "kms-breaker-open"},
	})
	if len(rows) != 3 || rows[0].Outcome != "drill" || rows[0].Detail != "drill kms-breaker-open: signal on" ||
		rows[2].Action != "drill.report" || !strings.Contains(rows[2].Full, "| recovered | +0:40 |") ||
		!strings.Contains(rows[1].Full, "drill            kms-breaker-open") {
		t.Fatalf("rows %+v", rows)
	}
}
