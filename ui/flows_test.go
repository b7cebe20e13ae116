package ui

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// probe wraps the real root model and keeps the last rendered screen, as
// plain text, so a flow can wait on what the operator would see (the
// renderer's byte stream only carries diffs).
type probe struct {
	Model
	screen *screenBox
}

type screenBox struct {
	mu   sync.Mutex
	text string
}

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := p.Model.Update(msg)
	p.Model = next.(Model)
	p.screen.set(ansi.Strip(p.Model.render()))
	return p, cmd
}

func (s *screenBox) set(t string) { s.mu.Lock(); s.text = t; s.mu.Unlock() }
func (s *screenBox) get() string  { s.mu.Lock(); defer s.mu.Unlock(); return s.text }

// flow runs the console in a real tea.Program against a real stack.
type flow struct {
	t      *testing.T
	tm     *teatest.TestModel
	screen *screenBox
}

func startFlow(t *testing.T, s *stack) *flow {
	t.Helper()
	box := &screenBox{}
	m := probe{Model: New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true}), screen: box}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(160, 48),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	t.Cleanup(func() { _ = tm.Quit() })
	return &flow{t: t, tm: tm, screen: box}
}

// waitFor waits until every want is on screen.
func (f *flow) waitFor(want ...string) string {
	f.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		scr := f.screen.get()
		missing := ""
		for _, w := range want {
			if !strings.Contains(scr, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return scr
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("screen never showed %q; last screen:\n%s", missing, scr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (f *flow) keys(ks ...string) {
	for _, k := range ks {
		f.tm.Send(press(k))
	}
}

func (f *flow) typeText(s string) {
	for _, r := range s {
		f.tm.Send(press(string(r)))
	}
}

func (f *flow) quit() Model {
	f.keys("q")
	fm := f.tm.FinalModel(f.t, teatest.WithFinalTimeout(10*time.Second))
	return fm.(probe).Model
}

func stepIndex(t *testing.T, s *stack, alarm, command string) int {
	t.Helper()
	for _, a := range mustSnap(t, s).Alarms {
		if a.Name != alarm {
			continue
		}
		rb, ok := s.backend.Runbook(a)
		if !ok {
			t.Fatalf("no runbook for %s", alarm)
		}
		for i, st := range rb.Steps {
			if st.Command == command {
				return i
			}
		}
	}
	t.Fatalf("no step %q for %s", command, alarm)
	return -1
}

func mustSnap(t *testing.T, s *stack) Snapshot {
	t.Helper()
	snap, err := s.backend.Refresh(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestFlowAlarmFiresRunbookStepConfirmedAndVerified(t *testing.T) {
	s := startStack(t, "staging", false)
	s.fireBreakerAlarm(t)
	idx := stepIndex(t, s, "arrakis-staging-agent-circuit-breaker-open", "breaker.reset component=kms")
	f := startFlow(t, s)
	f.waitFor("✗ ALARM", "arrakis-staging-agent-circuit-breaker-open", "breaker.reset component=kms", "STAGING - standard")
	f.keys("tab")
	for range idx {
		f.keys("j")
	}
	f.waitFor("▶ " + strconv.Itoa(idx+1) + ". breaker.reset component=kms")
	f.keys("enter")
	scr := f.waitFor("CONFIRM: breaker.reset component=kms", "> Cancel <")
	if !strings.Contains(scr, "kms") {
		t.Fatalf("plan does not name the breaker:\n%s", scr)
	}
	if got := s.breakerState(t, "kms"); got != "open" {
		t.Fatalf("breaker changed before confirmation: %s", got)
	}
	f.keys("y")
	f.waitFor("✔ verified: breaker kms: closed")
	if got := s.breakerState(t, "kms"); got != "closed" {
		t.Fatalf("breaker after the step = %s, want closed", got)
	}
	m := f.quit()
	if m.run.phase != phaseDone || !m.run.result.Verified {
		t.Fatalf("run pane = %+v", m.run)
	}
}
