package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// TestBackgroundRenderDrawsTheListBeforeTheRunbook: with renders off the
// event loop (what Run sets), the snapshot's Update renders no runbook: the
// frame after it has the list and the placeholder, and the render arrives
// as a command whose message puts the runbook in the pane.
func TestBackgroundRenderDrawsTheListBeforeTheRunbook(t *testing.T) {
	s := startStack(t, "staging", false)
	m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true, Now: func() time.Time { return t0 }, BackgroundRender: true})
	m = update(t, m, tea.WindowSizeMsg{Width: 160, Height: 40})
	m, cmd := feed(t, m, sampleAlarms())
	scr := screen(m)
	if !strings.Contains(scr, "latency-p99") || !strings.Contains(scr, formattingText) || strings.Contains(scr, "Runbook:") {
		t.Fatalf("the frame after the snapshot wants the list and %q, no runbook yet:\n%s", formattingText, scr)
	}
	if n := m.md.Renderers(); n != 0 {
		t.Fatalf("the snapshot's Update built %d Glamour renderers; want 0 (rendering is a command)", n)
	}
	msg := awaitMsg(t, cmd, func(msg tea.Msg) bool { _, ok := msg.(runbookRenderedMsg); return ok })
	m = update(t, m, msg)
	if scr := screen(m); !strings.Contains(scr, "Runbook:") || strings.Contains(scr, formattingText) {
		t.Fatalf("after the render's message the pane wants the runbook:\n%s", scr)
	}
	if m.runbook.RenderLater() != nil {
		t.Fatal("the runbook on screen is rendered, yet the pane asks for another render")
	}
}

// TestRestyleDropsARenderOfTheOldStyle: a render that was under way when
// the terminal's background changed does not land in the new style's cache.
func TestRestyleDropsARenderOfTheOldStyle(t *testing.T) {
	md := newMarkdown(true, false)
	md.background = true
	render := md.Later("rb", "# Runbook: x\n\ntext", 60)
	if render == nil || md.Later("rb", "# Runbook: x\n\ntext", 60) != nil {
		t.Fatal("want one render scheduled for a runbook, not two")
	}
	md.Restyle(false, false)
	render()
	if _, ok := md.Cached("rb", 60); ok {
		t.Fatal("a dark-style render landed after the switch to light")
	}
	if md.Later("rb", "# Runbook: x\n\ntext", 60) == nil {
		t.Fatal("after the switch the runbook wants a render in the new style")
	}
}

// awaitMsg runs cmd's commands (a batch's each on a goroutine of its own:
// some are timers) and returns the first message wants accepts.
func awaitMsg(t *testing.T, cmd tea.Cmd, wants func(tea.Msg) bool) tea.Msg {
	t.Helper()
	got := make(chan tea.Msg, 16)
	runAll(cmd, got)
	for {
		select {
		case msg := <-got:
			if wants(msg) {
				return msg
			}
		case <-time.After(10 * time.Second): // a bound on a hang, not a timing assertion
			t.Fatal("no wanted message from the command")
			return nil
		}
	}
}

func runAll(cmd tea.Cmd, out chan<- tea.Msg) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				runAll(c, out)
			}
			return
		}
		out <- msg
	}()
}

// TestTerminalReportsReRenderNothing: the start-up reports Bubble Tea sends
// (environment, colour profile, mode reports...) change nothing on screen,
// so the frame after each is the cached one; a snapshot still re-renders.
func TestTerminalReportsReRenderNothing(t *testing.T) {
	s := startStack(t, "staging", false)
	m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true, Now: func() time.Time { return t0 }})
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	m, _ = feed(t, m, sampleAlarms())
	before := screen(m)
	renders := m.cache.renders
	for _, msg := range []tea.Msg{tea.EnvMsg{"TERM=xterm"}, tea.ColorProfileMsg{}, tea.ModeReportMsg{Mode: ansi.ModeSynchronizedOutput},
		tea.KeyboardEnhancementsMsg{}, tea.TerminalVersionMsg{Name: "xterm"}} {
		m = update(t, m, msg)
		if scr := screen(m); scr != before {
			t.Fatalf("%T changed the screen", msg)
		}
	}
	if m.cache.renders != renders {
		t.Fatalf("the terminal's reports re-rendered the body %d times; want 0", m.cache.renders-renders)
	}
	m, _ = feed(t, m, sampleAlarms()[:1])
	_ = screen(m)
	if m.cache.renders == renders {
		t.Fatal("a snapshot after them did not re-render the body: the test counts nothing")
	}
}
