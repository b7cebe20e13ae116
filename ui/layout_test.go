package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"gatewayops/alarms"
)

// firingAlarms is sampleAlarms with the breaker alarm in ALARM for the kms
// breaker (component=kms), the case its runbook's reset step is for.
func firingAlarms() []alarms.Alarm {
	as := sampleAlarms()
	as[1].State = alarms.StateAlarm
	as[1].Since = t0.Add(-4 * time.Minute)
	as[1].Namespace, as[1].MetricName = "Arrakis/AgentGateway", "CircuitBreakerState"
	as[1].Dimensions = []alarms.Dimension{{Name: "component", Value: "kms"}}
	as[1].Reason = "Threshold Crossed: 1 out of the last 1 datapoints [2.0 (27/11/26 02:55:00)] was greater than the threshold (0.0)."
	as[1].Recent = []alarms.Datapoint{{Timestamp: t0.Add(-5 * time.Minute), Value: 2}}
	as[1].Series = []alarms.Point{{Value: 0}, {Value: 0}, {Value: 2}, {Value: 2}}
	return as
}

// sized is a console over a real stack at w x h with the firing snapshot shown.
func sized(t *testing.T, s *stack, w, h int) Model {
	t.Helper()
	m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true, Now: func() time.Time { return t0 }})
	m = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	m, _ = feed(t, m, firingAlarms())
	return m
}

// toStep focuses the runbook steps and moves to the step running command.
func toStep(t *testing.T, m Model, command string) Model {
	t.Helper()
	m = update(t, m, press("tab"))
	for i := 0; i < 20; i++ {
		if st, ok := m.runbook.SelectedStep(); ok && st.Command == command {
			return m
		}
		m = update(t, m, press("j"))
	}
	t.Fatalf("no step %q in the runbook of the selected alarm:\n%s", command, screen(m))
	return m
}

// longOutput is a result with more lines than any pane at 80x24 has room for.
func longOutput(n int) string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("community c-%02d: live 3, expired 0, orphaned 0", i+1)
	}
	return strings.Join(lines, "\n")
}

// runFlow takes the console through plan -> confirm -> result with crafted
// answers (the real backend's are timing-dependent); it returns the screen at
// each stage.
func runFlow(t *testing.T, m Model) (confirm, result Model) {
	t.Helper()
	m = toStep(t, m, "breaker.reset component=kms")
	next, _ := m.Update(press("enter"))
	m = next.(Model)
	if m.run.phase != phasePlanning {
		t.Fatalf("enter on a visible step did not start it: phase %d\n%s", m.run.phase, screen(m))
	}
	m = update(t, m, planMsg{id: m.run.id, plan: Plan{Command: "breaker.reset component=kms", Action: "breaker.reset", Write: true,
		Summary: "reset breaker kms (open, 5 failures in the window, opened 02:58:10Z) -> closed"}})
	confirm = m
	m = update(t, m, confirmDoneMsg{ID: m.run.id, Confirmed: true, Key: "y"})
	m = update(t, m, applyMsg{id: m.run.id, result: Result{Output: "breaker kms: open -> closed\n" + longOutput(14),
		Verified: true, VerifyDetail: "breaker kms: closed, 0 failures"}})
	return confirm, m
}

func TestEveryFlowFitsAt80x24AndGoldens(t *testing.T) {
	s := startStack(t, "staging", false)
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m := sized(t, s, size[0], size[1])
			t.Run("list", func(t *testing.T) { golden.RequireEqual(t, []byte(screen(m))) })
			confirm, result := runFlow(t, m)
			scr := screen(confirm)
			for _, want := range []string{"CONFIRM: breaker.reset component=kms", "> Cancel <", "closed", "y: confirm"} {
				if !strings.Contains(scr, want) {
					t.Fatalf("confirm dialog lacks %q at %dx%d:\n%s", want, size[0], size[1], scr)
				}
			}
			scr = screen(result)
			wants := []string{"Action: breaker.reset component=kms", "✔ verified: breaker kms: closed, 0 failures"}
			if size[1] == 24 {
				wants = append(wants, "o shows the whole output") // too long for the pane: marked
			}
			for _, want := range wants {
				if !strings.Contains(scr, want) {
					t.Fatalf("result lacks %q at %dx%d:\n%s", want, size[0], size[1], scr)
				}
			}
			t.Run("result", func(t *testing.T) { golden.RequireEqual(t, []byte(scr)) })
			out := update(t, result, press("o"))
			if scr := screen(out); !strings.Contains(scr, "c-01") || (size[1] == 24 && !strings.Contains(scr, "more lines")) {
				t.Fatalf("o does not page the output with a more marker:\n%s", scr)
			}
			for range 30 {
				out = update(t, out, press("j"))
			}
			if scr := screen(out); !strings.Contains(scr, "c-14") || !strings.Contains(scr, "✔ verified") {
				t.Fatalf("the output pager does not scroll to the end:\n%s", scr)
			}
			assertLinesFit(t, screen(result), size[0], size[1])
		})
	}
}

func TestHelpOverlayIsWholeAt80x24(t *testing.T) {
	s := startStack(t, "staging", false)
	m := update(t, sized(t, s, 80, 24), press("?"))
	scr := screen(m)
	for _, g := range m.keys.helpGroups() {
		for _, b := range g.keys {
			if !strings.Contains(scr, b.Help().Desc) {
				// Too tall for the screen is allowed only with a scroll marker.
				if !strings.Contains(scr, "more lines") {
					t.Fatalf("help lacks %q and says nothing is below:\n%s", b.Help().Desc, scr)
				}
			}
		}
	}
	for range 40 {
		m = update(t, m, press("j"))
	}
	if scr := screen(m); !strings.Contains(scr, "quit") {
		t.Fatalf("scrolling the help never shows its last key:\n%s", scr)
	}
	assertLinesFit(t, scr, 80, 24)
	golden.RequireEqual(t, []byte(scr))
}

func TestBelow80x24OnePaneAtATimeAndNoHiddenStepRuns(t *testing.T) {
	s := startStack(t, "staging", false)
	m := sized(t, s, 60, 20)
	scr := screen(m)
	if !strings.Contains(scr, "✗ ALARM    circuit-") || strings.Contains(scr, "Steps (") {
		t.Fatalf("at 60x20 the list should be the only pane:\n%s", scr)
	}
	m = toStep(t, m, "breaker.reset component=kms")
	scr = screen(m)
	if strings.Contains(scr, "latency-p99") || !strings.Contains(scr, ". breaker.reset component=kms") {
		t.Fatalf("at 60x20 tab should show the runbook pane alone:\n%s", scr)
	}
	next, _ := m.Update(press("enter"))
	if next.(Model).run.phase != phasePlanning {
		t.Fatalf("a visible step did not start at 60x20")
	}

	// At 30 columns the step's command cannot be read whole: Enter refuses.
	m = toStep(t, sized(t, s, 30, 16), "breaker.reset component=kms")
	next, _ = m.Update(press("enter"))
	if mm := next.(Model); mm.run.phase != phaseIdle || !strings.Contains(mm.status.text, "not fully on screen") {
		t.Fatalf("a step not on screen ran (phase %d, status %q)", mm.run.phase, mm.status.text)
	}
}

// assertLinesFit fails when the screen has more lines or wider lines than the terminal.
func assertLinesFit(t *testing.T, scr string, w, h int) {
	t.Helper()
	lines := strings.Split(scr, "\n")
	if len(lines) > h {
		t.Fatalf("screen has %d lines at height %d", len(lines), h)
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			t.Fatalf("line %d is %d wide at width %d: %q", i, ansi.StringWidth(l), w, l)
		}
	}
}

func TestALongPlanScrollsInsideTheConfirmDialogAndTheButtonsStay(t *testing.T) {
	s := startStack(t, "staging", false)
	m := toStep(t, sized(t, s, 80, 24), "breaker.reset component=kms")
	next, _ := m.Update(press("enter"))
	m = next.(Model)
	plan := longOutput(30) + "\nLAST PLAN LINE"
	m = update(t, m, planMsg{id: m.run.id, plan: Plan{Command: "breaker.reset component=kms", Write: true, Summary: plan}})
	scr := screen(m)
	for _, want := range []string{"> Cancel <", "Confirm (y)", "more plan lines"} {
		if !strings.Contains(scr, want) {
			t.Fatalf("long plan at 80x24 lacks %q:\n%s", want, scr)
		}
	}
	if strings.Contains(scr, "LAST PLAN LINE") {
		t.Fatal("the test plan is not long enough to scroll")
	}
	for range 40 {
		m = update(t, m, press("j"))
	}
	scr = screen(m)
	if !strings.Contains(scr, "LAST PLAN LINE") || !strings.Contains(scr, "> Cancel <") {
		t.Fatalf("scrolling does not reach the plan's end with the buttons kept:\n%s", scr)
	}
	assertLinesFit(t, scr, 80, 24)
	if m.run.phase != phaseConfirming {
		t.Fatal("scrolling the plan answered the dialog")
	}
}
