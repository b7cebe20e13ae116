package ui

import (
	"context"
	"strings"
	"testing"

	"gatewayops/ops"
)

// paletteRun types a command into the palette and confirms it with y.
func (f *flow) paletteRun(line string) { f.paletteRunAs(line, line) }

// paletteRunAs is paletteRun for a line the plan rewrites (a short alarm name
// resolved to the full one): planned is the command the dialog confirms.
func (f *flow) paletteRunAs(line, planned string) {
	f.t.Helper()
	f.keys(":")
	f.typeText(line)
	f.keys("enter")
	f.waitFor("CONFIRM: " + planned)
	f.keys("y")
	f.waitUntil(line+" verified", func(scr string) bool {
		return strings.Contains(scr, "✔ verified") && strings.Contains(scr, "Action: "+line)
	})
}

func TestUndoStackSurvivesLaterStepsAndEscAndIsJournaledAsUndo(t *testing.T) {
	s := startStack(t, "staging", false)
	f := startFlow(t, s)
	f.waitFor("STAGING - standard", "admin api")
	f.paletteRun("flags.set ensemble_enabled=true")
	f.paletteRun("flags.set byok_enabled=true")

	// A read, a dismissed undo dialog and Esc: none of them loses the stack.
	f.keys(":")
	f.typeText("flags.show")
	f.keys("enter")
	f.waitUntil("the read done", func(scr string) bool {
		return strings.Contains(scr, "Action: flags.show") && strings.Contains(scr, "✔ done")
	})
	f.keys("u")
	f.waitFor("Undo stack (newest first")
	f.keys("esc", "esc")
	f.keys("u")
	scr := f.waitFor("Undo stack (newest first", "flags.set byok_enabled=true", "flags.set ensemble_enabled=true")
	if strings.Index(scr, "flags.set byok_enabled=true") > strings.Index(scr, "flags.set ensemble_enabled=true") {
		t.Fatalf("the stack is not newest first:\n%s", scr)
	}
	f.keys("j", "enter") // the older write: the flag
	f.waitFor("CONFIRM UNDO: flags.set ensemble_enabled=false", "undoes flags.set ensemble_enabled=true (run ")
	f.keys("y")
	f.waitUntil("the undo verified", func(scr string) bool {
		return strings.Contains(scr, "Action: flags.set ensemble_enabled=false") && strings.Contains(scr, "✔ verified")
	})
	if s.flag(t, "ensemble_enabled") {
		t.Fatal("undo did not turn ensemble_enabled back off")
	}
	f.keys("u")
	f.waitFor("flags.set ensemble_enabled=true  (undone)")
	f.keys("esc")
	f.quit()

	entries, err := ops.ReadJournal(s.journal)
	if err != nil {
		t.Fatal(err)
	}
	var original, undo ops.Entry
	for _, e := range entries {
		if e.Phase != ops.PhaseResult || e.Action != "flags.set" {
			continue
		}
		if e.Params["ensemble_enabled"] == "true" {
			original = e
		} else {
			undo = e
		}
	}
	if original.ID == "" || undo.UndoOf != original.ID {
		t.Fatalf("undo journaled with undoOf %q, original id %q", undo.UndoOf, original.ID)
	}
}

func TestUndoRefusesWhenTheStateMovedOnAndSaysWhat(t *testing.T) {
	s := startStack(t, "staging", false)
	f := startFlow(t, s)
	f.waitFor("STAGING - standard", "admin api")
	f.paletteRun("flags.set ensemble_enabled=true")

	// Someone else turns it off again, through the admin API (audited).
	other := s.runner
	if _, err := other.Run(context.Background(), "flags.set ensemble_enabled=false", ops.Confirmation{StartKey: StartKey, ConfirmKey: "y"}); err != nil {
		t.Fatal(err)
	}
	f.keys("u")
	f.waitFor("Undo stack (newest first")
	f.keys("enter")
	f.waitFor("REFUSED", "ensemble_enabled: your write left true, now false")
	if s.flag(t, "ensemble_enabled") {
		t.Fatal("a refused undo changed the flag")
	}
	m := f.quit()
	if !strings.Contains(m.run.err, "changed by flags.set ensemble_enabled=false at") || !strings.Contains(m.run.err, "by u1-test (journal)") {
		t.Fatalf("the refusal does not say what changed it: %s", m.run.err)
	}
}
