package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func typeInto(t *testing.T, m Model, s string) Model {
	t.Helper()
	for _, r := range s {
		m = update(t, m, press(string(r)))
	}
	return m
}

func TestPaletteTypoIsAUsageErrorAndTheLineStays(t *testing.T) {
	s := startStack(t, "staging", false)
	m := sized(t, s, 120, 30)
	m = update(t, m, press(":"))
	m = typeInto(t, m, "breaker.rest component=kms")
	m = update(t, m, press("enter"))
	scr := screen(m)
	if m.modal != modalPalette || m.palette.input.Value() != "breaker.rest component=kms" {
		t.Fatalf("the typed line was thrown away: modal %d, line %q", m.modal, m.palette.input.Value())
	}
	if strings.Contains(scr, "FAILED") || !strings.Contains(scr, `usage: unknown action "breaker.rest" (did you mean breaker.reset?)`) {
		t.Fatalf("a typo is not shown as a usage error:\n%s", scr)
	}
	if m.run.phase != phaseIdle {
		t.Fatal("a line that does not parse was planned")
	}
}

func TestPaletteHistoryIsKeptInTheStateDir(t *testing.T) {
	s := startStack(t, "staging", false)
	m := sized(t, s, 120, 30)
	m = update(t, m, press(":"))
	m = typeInto(t, m, "flags.show")
	next, cmd := m.Update(press("enter"))
	m = next.(Model)
	next, cmd = m.Update(runBatch(cmd, func(msg tea.Msg) bool { _, ok := msg.(paletteSubmitMsg); return ok }))
	runBatch(cmd, func(tea.Msg) bool { return false }) // runs the history append
	b, err := os.ReadFile(filepath.Join(filepath.Dir(s.journal), "palette-history"))
	if err != nil || string(b) != "flags.show\n" {
		t.Fatalf("history file = %q, %v", b, err)
	}

	// A new console on the same state dir offers the line with up.
	fresh := sized(t, s, 120, 30)
	fresh = update(t, fresh, runBatch(fresh.Init(), func(msg tea.Msg) bool { _, ok := msg.(historyMsg); return ok }))
	fresh = update(t, fresh, press(":"))
	fresh = update(t, fresh, press("up"))
	if got := fresh.palette.input.Value(); got != "flags.show" {
		t.Fatalf("up in a new console = %q, want the earlier line", got)
	}
	fresh = update(t, fresh, press("down"))
	if got := fresh.palette.input.Value(); got != "" {
		t.Fatalf("down back to the draft = %q", got)
	}
}
