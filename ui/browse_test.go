package ui

import (
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

func TestJournalHasACursorAndAnEntryInFull(t *testing.T) {
	s := startStack(t, "staging", false)
	f := startFlow(t, s)
	f.waitFor("STAGING - standard", "admin api")
	f.paletteRun("flags.set ensemble_enabled=true")
	f.keys(":")
	f.typeText("flags.show")
	f.keys("enter")
	f.waitFor("✔ done")
	f.keys("5")
	f.waitFor("Journal, newest last", "▶ ")
	f.keys("k", "enter") // the write, one above the newest
	scr := f.waitFor("Journal entry: flags.set ensemble_enabled=true", "idempotency key", "HTTP status", "verification     PASS", "plan:")
	if !strings.Contains(scr, "journal id") {
		t.Fatalf("entry detail lacks its id:\n%s", scr)
	}
	f.keys("esc")
	f.waitFor("Journal, newest last")
	f.quit()
}

func TestCopyShellFillsTheEnvironmentAndWritesAFile(t *testing.T) {
	s := startStack(t, "staging", false)
	m := sized(t, s, 120, 30)
	next, cmd := m.Update(press("c"))
	m = next.(Model)
	msg := runBatch(cmd, func(msg tea.Msg) bool { _, ok := msg.(snippetMsg); return ok })
	sm, ok := msg.(snippetMsg)
	if !ok || sm.err != nil {
		t.Fatalf("no snippet saved: %#v", msg)
	}
	b, err := os.ReadFile(sm.path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if !strings.Contains(text, "ENV=staging   # filled in by gatewayops") || strings.Contains(text, "ENV=production") || !strings.Contains(text, "# --- ") {
		t.Fatalf("copied shell:\n%s", text)
	}
	m = update(t, m, sm)
	if !strings.Contains(m.status.text, "OSC 52") || !strings.Contains(m.status.text, sm.path) {
		t.Fatalf("status = %q", m.status.text)
	}
}

func TestArmAgainDisarmsAndTheTimelineShowsTheWindow(t *testing.T) {
	s := startStack(t, "production", true)
	f := startFlow(t, s)
	f.waitFor("PRODUCTION - PROTECTED (read-only)")
	f.keys("A")
	f.waitFor("ARM WRITES in PROTECTED environment production")
	f.typeText("INC-7 kms breaker stuck")
	f.keys("enter", "enter")
	f.waitFor("PRODUCTION - PROTECTED - ARMED")
	f.keys("A")
	f.waitFor("disarmed: read-only again", "PRODUCTION - PROTECTED (read-only)")
	f.keys("5")
	f.waitFor("safety.arm", "safety.disarm")
	f.keys("e")
	f.waitFor("timeline exported to ")
	m := f.quit()
	b, err := os.ReadFile(m.lastExport)
	if err != nil {
		t.Fatal(err)
	}
	tl := string(b)
	for _, want := range []string{"safety.arm", `reason="INC-7 kms breaker stuck"`, "for=15m", "until=", "by u1-test on production", "safety.disarm"} {
		if !strings.Contains(tl, want) {
			t.Fatalf("timeline lacks %q:\n%s", want, tl)
		}
	}
	_ = time.Second
}
