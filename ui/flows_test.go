package ui

import (
	"context"
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
	// The alarm watches component=loa-finn: the runbook's kms reset is marked
	// and Enter does not run it; the palette runs it deliberately.
	f.waitFor("▶ "+strconv.Itoa(idx+1)+". breaker.reset component=kms  ⊘ not for this alarm", "the alarm watches component=loa-finn")
	f.keys("enter")
	f.waitFor("not running breaker.reset component=kms")
	f.keys(":")
	f.typeText("breaker.reset component=kms")
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

// waitUntil waits until cond holds for the screen.
func (f *flow) waitUntil(what string, cond func(screen string) bool) string {
	f.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		scr := f.screen.get()
		if cond(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("screen never showed %s; last screen:\n%s", what, scr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFlowProtectedRefusesUntilArmedAndTyped(t *testing.T) {
	s := startStack(t, "production", true)
	s.fireBreakerAlarm(t)
	f := startFlow(t, s)
	f.waitFor("PRODUCTION - PROTECTED (read-only)", "circuit-breaker-open")

	f.keys(":")
	f.typeText("breaker.reset component=kms")
	f.keys("enter")
	f.waitFor("REFUSED", "press A to arm")
	if got := s.breakerState(t, "kms"); got != "open" {
		t.Fatalf("a refused write changed the breaker: %s", got)
	}

	f.keys("A")
	f.waitFor("ARM WRITES in PROTECTED environment production")
	f.typeText("INC-7 kms breaker stuck")
	f.keys("enter", "enter") // to the time limit (15m), then arm
	f.waitFor("PRODUCTION - PROTECTED - ARMED 1")

	f.keys(":")
	f.typeText("breaker.reset component=kms")
	f.keys("enter")
	f.waitFor("PROTECTED environment production: this write needs the name typed")
	f.typeText("prod")
	time.Sleep(enterGuard + 100*time.Millisecond) // let the Enter guard pass: this Enter is deliberate
	f.keys("enter")
	f.waitFor(`"prod" does not match the environment name "production"`)
	if got := s.breakerState(t, "kms"); got != "open" {
		t.Fatalf("a wrongly typed confirmation changed the breaker: %s", got)
	}
	f.typeText("uction")
	f.keys("enter")
	f.waitFor("✔ verified: breaker kms: closed")
	if got := s.breakerState(t, "kms"); got != "closed" {
		t.Fatalf("breaker = %s after the armed, typed write", got)
	}
	f.quit()
}

func TestFlowPaletteCompletesRunsAndUndoes(t *testing.T) {
	s := startStack(t, "staging", false)
	f := startFlow(t, s)
	f.waitFor("STAGING - standard", "admin api")
	f.keys(":")
	f.typeText("flags.s")
	f.keys("tab")
	f.waitFor("flags.set  flags.show") // two completions: both listed
	f.typeText("e")
	f.keys("tab")
	f.waitFor(":flags.set ")
	f.typeText("ens")
	f.keys("tab")
	f.waitFor(":flags.set ensemble_enabled=")
	f.keys("tab")
	f.waitFor("flags.set ensemble_enabled=true  flags.set ensemble_enabled=false") // both values offered
	f.typeText("t")
	f.keys("tab", "enter")
	f.waitFor("CONFIRM: flags.set ensemble_enabled=true")
	f.keys("y")
	f.waitFor("✔ verified", "undo with flags.set ensemble_enabled=false")
	if on := s.flag(t, "ensemble_enabled"); !on {
		t.Fatal("ensemble_enabled still off after the confirmed step")
	}
	f.keys("u")
	f.waitFor("Undo stack (newest first")
	f.keys("enter")
	f.waitFor("CONFIRM UNDO: flags.set ensemble_enabled=false", "undoes flags.set ensemble_enabled=true (run ")
	f.keys("y")
	f.waitUntil("the undo verified", func(scr string) bool {
		return strings.Contains(scr, "Action: flags.set ensemble_enabled=false") && strings.Contains(scr, "✔ verified")
	})
	if on := s.flag(t, "ensemble_enabled"); on {
		t.Fatal("undo did not turn ensemble_enabled back off")
	}
	f.quit()
}

func TestFlowBackendOutageKeepsDataMarkedStaleAndRecovers(t *testing.T) {
	s := startStack(t, "staging", false)
	s.fireBreakerAlarm(t)
	f := startFlow(t, s)
	f.waitFor("✗ ALARM", "circuit-breaker-open", "admin api ", "redis ")
	f.waitUntil("admin api and redis read once", func(scr string) bool { // the first frame has them waiting
		return !strings.Contains(strings.Split(scr, "\n")[1], "waiting")
	})

	s.redis.Kill()
	s.cw.SetFailures(1000)
	f.keys("r")
	scr := f.waitFor("cloudwatch stale", "admin api stale", "redis stale")
	for _, still := range []string{"✗ ALARM", "circuit-breaker-open", "breaker.reset component=kms"} {
		if !strings.Contains(scr, still) {
			t.Fatalf("outage blanked %q from the screen:\n%s", still, scr)
		}
	}

	if err := s.redis.Restart(); err != nil {
		t.Fatal(err)
	}
	s.cw.SetFailures(0)
	f.keys("r")
	f.waitUntil("every backend fresh again", func(scr string) bool {
		health := strings.Split(scr, "\n")[1] // the data-age line of the header
		return !strings.Contains(health, "stale") && strings.Contains(health, "redis ") && strings.Contains(scr, "✗ ALARM")
	})
	m := f.quit()
	if m.refreshErr != "" {
		t.Fatalf("refresh error after recovery: %s", m.refreshErr)
	}
}

// A write whose plan finds nothing to change (the breaker is already
// closed) no longer asks "CONFIRM:" as if it would change something: the
// dialog says nothing is sent and what confirming does, then the check is
// journaled and verified ("already ..."), the breaker is untouched, and no
// "fix applied" note is put under the firing alarm.
func TestFlowNoChangeWriteSaysConfirmingSendsNothing(t *testing.T) {
	s := startStack(t, "staging", false)
	s.fireBreakerAlarm(t) // kms open, the loa-finn alarm firing
	if _, err := s.store.ResetBreaker(context.Background(), "kms"); err != nil {
		t.Fatal(err)
	}
	f := startFlow(t, s)
	f.waitFor("STAGING - standard", "admin api")
	f.keys(":")
	f.typeText("breaker.reset component=kms")
	f.keys("enter")
	scr := f.waitFor("NOTHING TO CHANGE: breaker.reset component=kms", "Confirming sends nothing to the gateway", "Record and verify (y)")
	if strings.Contains(scr, "CONFIRM: breaker.reset") {
		t.Fatalf("the no-change plan is still offered as a change to confirm:\n%s", scr)
	}
	f.keys("y")
	scr = f.waitFor("✔ verified")
	if strings.Contains(scr, "fix applied") {
		t.Fatalf("a write that changed nothing is announced as an applied fix:\n%s", scr)
	}
	if got := s.breakerState(t, "kms"); got != "closed" {
		t.Fatalf("breaker = %s after a no-change reset", got)
	}
	f.quit()
}
