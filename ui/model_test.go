package ui

import (
	"context"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"gatewayops/alarms"
)

// newTestModel is the root model over a real stack, sized, with a fixed clock.
func newTestModel(t *testing.T, s *stack) Model {
	t.Helper()
	m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true, Now: func() time.Time { return t0 }})
	return update(t, m, tea.WindowSizeMsg{Width: 160, Height: 40})
}

func update(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	next, _ := m.Update(msg)
	return next.(Model)
}

// feed delivers a snapshot as the answer to the refresh in flight.
func feed(t *testing.T, m Model, as []alarms.Alarm) (Model, tea.Cmd) {
	t.Helper()
	next, cmd := m.Update(snapshotMsg{id: m.refreshID, snap: Snapshot{TakenAt: t0, Alarms: as}})
	return next.(Model), cmd
}

func screen(m Model) string { return ansi.Strip(m.render()) }

func TestBellRingsOnNewAlarmKeepsCursorAndHonoursMute(t *testing.T) {
	m := newTestModel(t, startStack(t, "staging", false))
	as := sampleAlarms()
	m, _ = feed(t, m, as)
	if m.Bells() != 0 {
		t.Fatalf("the first snapshot rang the bell")
	}
	m = update(t, m, press("j"))
	m = update(t, m, press("j"))
	before, _ := m.list.Selected()

	as[1].State = alarms.StateAlarm
	m, _ = feed(t, m, as)
	if m.Bells() != 1 {
		t.Fatalf("a new ALARM rang %d bells", m.Bells())
	}
	if after, _ := m.list.Selected(); after.Name != before.Name {
		t.Fatalf("the new ALARM moved the cursor from %s to %s", before.Name, after.Name)
	}
	m, _ = feed(t, m, as) // still in ALARM: not new
	if m.Bells() != 1 {
		t.Fatalf("an alarm that stays in ALARM rang again")
	}
	m = update(t, m, press("m"))
	as[0].State = alarms.StateAlarm
	m, _ = feed(t, m, as)
	if m.Bells() != 1 || !strings.Contains(screen(m), "bell muted") {
		t.Fatalf("muted console rang (bells %d) or does not say it is muted", m.Bells())
	}
}

func TestPauseHoldsTheListAndStaleAnswersAreDropped(t *testing.T) {
	m := newTestModel(t, startStack(t, "staging", false))
	as := sampleAlarms()
	m, _ = feed(t, m, as)
	m = update(t, m, press("p"))
	changed := append([]alarms.Alarm(nil), as...)
	changed[2].State = alarms.StateAlarm
	m, _ = feed(t, m, changed)
	if strings.Contains(screen(m), "✗ ALARM ") || !strings.Contains(screen(m), "PAUSED") {
		t.Fatalf("paused list moved or PAUSED not shown:\n%s", screen(m))
	}
	m = update(t, m, press("p"))
	if !strings.Contains(screen(m), "✗ ALARM ") {
		t.Fatalf("unpausing did not apply the held snapshot:\n%s", screen(m))
	}
	// An answer to an older refresh is dropped.
	next, _ := m.Update(snapshotMsg{id: m.refreshID - 1, snap: Snapshot{Alarms: as[:1]}})
	if got := len(next.(Model).snap.Alarms); got != len(as) {
		t.Fatalf("a stale refresh answer replaced the data: %d alarms", got)
	}
}

func TestResizeStormIsDebounced(t *testing.T) {
	m := newTestModel(t, startStack(t, "staging", false))
	var cmds []tea.Cmd
	for _, w := range []int{100, 120, 140} {
		next, cmd := m.Update(tea.WindowSizeMsg{Width: w, Height: 30})
		m, cmds = next.(Model), append(cmds, cmd)
	}
	if m.width != 160 {
		t.Fatalf("a storm event was laid out at once: width %d", m.width)
	}
	for _, c := range cmds[:2] {
		m = update(t, m, c()) // older settle messages: ignored
	}
	if m.width != 160 {
		t.Fatalf("an old resize was applied: width %d", m.width)
	}
	m = update(t, m, cmds[2]())
	if m.width != 140 || m.height != 30 {
		t.Fatalf("the last size was not applied: %dx%d", m.width, m.height)
	}
}

func TestNoColorKeepsSymbolsAndWordsWithoutColour(t *testing.T) {
	m := newTestModel(t, startStack(t, "staging", false))
	as := sampleAlarms()
	as[0].State = alarms.StateAlarm
	m, _ = feed(t, m, as)
	raw := m.View().Content
	if regexp.MustCompile(`\x1b\[[0-9;]*(38|48);`).MatchString(raw) {
		t.Fatalf("NO_COLOR output carries colour escapes")
	}
	for _, want := range []string{"✗ ALARM", "✓ OK", "? NO DATA", "STAGING - standard"} {
		if !strings.Contains(ansi.Strip(raw), want) {
			t.Errorf("NO_COLOR screen lacks %q", want)
		}
	}
}

func TestProtectedHeaderAndBadPaletteCommand(t *testing.T) {
	s := startStack(t, "production", true)
	m := newTestModel(t, s)
	m, _ = feed(t, m, sampleAlarms())
	if !strings.Contains(screen(m), "PRODUCTION - PROTECTED (read-only)") {
		t.Fatalf("protected badge missing:\n%s", screen(m))
	}
	next, cmd := m.startRun("breaker.reset compnent=kms")
	m = next.(Model)
	m = update(t, m, runBatch(cmd, func(msg tea.Msg) bool { _, ok := msg.(planMsg); return ok }))
	scr := screen(m)
	if strings.Contains(scr, "FAILED") || !strings.Contains(scr, "usage:") || !strings.Contains(scr, "compnent") {
		t.Fatalf("a bad command was not explained as a usage error:\n%s", scr)
	}
	if got := s.breakerState(t, "kms"); got != "closed" {
		t.Fatalf("a bad command changed something: %s", got)
	}
}

// runBatch runs cmd (flattening batches) and returns the first message that wants accepts.
func runBatch(cmd tea.Cmd, wants func(tea.Msg) bool) tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			if c == nil {
				continue
			}
			if m := c(); wants(m) {
				return m
			}
		}
		return nil
	}
	return msg
}

func TestJournalExportSaysWhereTheFileWent(t *testing.T) {
	s := startStack(t, "staging", false)
	p, err := s.backend.Plan(context.Background(), "breaker.list")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.backend.Apply(context.Background(), p, Confirmation{}); err != nil {
		t.Fatal(err)
	}
	m := newTestModel(t, s)
	next, cmd := m.Update(press("5"))
	m = next.(Model)
	m = update(t, m, cmd())
	next, cmd = m.Update(press("e"))
	m = next.(Model)
	m = update(t, m, cmd())
	if m.lastExport == "" || !strings.Contains(screen(m), "timeline exported to "+m.lastExport) {
		t.Fatalf("export path not shown:\n%s", screen(m))
	}
	body, err := os.ReadFile(m.lastExport)
	if err != nil || !strings.Contains(string(body), "# Incident timeline") || !strings.Contains(string(body), "breaker.list") {
		t.Fatalf("exported file: %v\n%s", err, body)
	}
}

func TestAccessibleModeRunsAStepLineByLine(t *testing.T) {
	s := startStack(t, "staging", false)
	s.fireBreakerAlarm(t)
	in, w := io.Pipe()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runAccessible(t.Context(), s.backend, in, &out, Options{RefreshEvery: time.Hour, Now: time.Now})
	}()
	say := func(line string, waitFor string) {
		t.Helper()
		if _, err := io.WriteString(w, line+"\n"); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(out.String(), waitFor) {
			if time.Now().After(deadline) {
				t.Fatalf("after %q no %q in:\n%s", line, waitFor, out.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	say("list", "✗ ALARM arrakis-staging-agent-circuit-breaker-open")
	say("show 1", "step 5: breaker.reset component=kms")
	say("run breaker.reset component=kms", "Type y to confirm")
	say("n", "cancelled, nothing changed")
	if got := s.breakerState(t, "kms"); got != "open" {
		t.Fatalf("a cancelled step changed the breaker: %s", got)
	}
	say("run breaker.reset component=kms", "Type y to confirm")
	say("y", "verified: breaker kms: closed")
	// Again, now that it is closed: the plan finds nothing to change and
	// says what confirming does.
	say("run breaker.reset component=kms", "nothing to change: confirming sends nothing to the gateway")
	say("y", "running breaker.reset component=kms…")
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), "verified: breaker kms: closed") < 2 { // the reset's, then the check's
		if time.Now().After(deadline) {
			t.Fatalf("the no-change reset was not verified:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	say("quit", "bye")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "\x1b[") {
		t.Fatalf("accessible output carries escape sequences")
	}
}

// TestUnknownSizeKeepsTheReportedOne: with an output that is no terminal,
// Bubble Tea sends a 0x0 size from its own goroutine, racing the size the
// terminal reported in-band; whichever order they land in, the console
// draws at the reported size.
func TestUnknownSizeKeepsTheReportedOne(t *testing.T) {
	s := startStack(t, "staging", false)
	for _, order := range [][]tea.WindowSizeMsg{{{Width: 80, Height: 24}, {}}, {{}, {Width: 80, Height: 24}}} {
		m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true, Now: func() time.Time { return t0 }})
		for _, size := range order {
			next, cmd := m.Update(size)
			if m = next.(Model); cmd != nil {
				if settled, ok := cmd().(resizeSettledMsg); ok {
					m = update(t, m, settled)
				}
			}
		}
		if m.width != 80 || m.height != 24 || !strings.Contains(screen(m), "STAGING") {
			t.Fatalf("sizes %v: console at %dx%d, screen %q", order, m.width, m.height, screen(m))
		}
	}
}

// The program's filter drops the unknown size before Bubble Tea resizes its
// renderer with it; every other message passes unchanged.
func TestProgramFilterDropsOnlyTheUnknownSize(t *testing.T) {
	for _, size := range []tea.WindowSizeMsg{{}, {Width: 80}, {Height: 24}} {
		if got := dropUnknownSize(nil, size); got != nil {
			t.Errorf("%v passed the filter", size)
		}
	}
	for _, msg := range []tea.Msg{tea.WindowSizeMsg{Width: 80, Height: 24}, refreshTickMsg{gen: 3}} {
		if got := dropUnknownSize(nil, msg); got != msg {
			t.Errorf("%v became %v", msg, got)
		}
	}
}
