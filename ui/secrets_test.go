package ui

import (
	"os"
	"strings"
	"testing"
)

// wrongAdminKey is a second known secret: the key the console is switched to
// mid-session, so the admin API refuses it and errors reach the screen.
const wrongAdminKey = "wrong-admin-key-SECRET-9a8b7c6d5e"

// TestConsoleViewsNeverShowAnAdminKey runs a write, then switches the
// console to a refused key and runs another, and looks at every view, the
// journal and the exported timeline after each: neither key may appear.
func TestConsoleViewsNeverShowAnAdminKey(t *testing.T) {
	s := startStack(t, "staging", false)
	s.fireBreakerAlarm(t)
	f := startFlow(t, s)
	f.waitFor("✗ ALARM", "admin api ")
	var seen []string
	visitViews := func() {
		for _, v := range []struct{ key, want string }{{"1", "circuit-breaker-open"}, {"2", "Metrics"}, {"3", "Backends"},
			{"4", "byok_enabled"}, {"5", "flags.set byok_enabled"}} {
			f.keys(v.key)
			seen = append(seen, f.waitFor(v.want))
		}
		f.keys("1")
	}
	f.keys(":")
	f.typeText("flags.set byok_enabled=true")
	f.keys("enter")
	f.waitFor("CONFIRM: flags.set byok_enabled=true")
	f.keys("y")
	f.waitFor("✔ verified")
	visitViews()

	s.runner.Env.AdminOptions.APIKey = wrongAdminKey
	f.keys("r")
	seen = append(seen, f.waitFor("admin api stale"))
	f.keys(":")
	f.typeText("flags.set byok_enabled=false")
	f.keys("enter")
	seen = append(seen, f.waitUntil("the refused plan", func(scr string) bool {
		return strings.Contains(scr, "invalid API key") || strings.Contains(scr, "FORBIDDEN")
	}))
	f.keys("esc")
	visitViews()
	f.keys("5", "e") // export lives on the journal view
	seen = append(seen, f.waitFor("timeline exported to"))
	m := f.quit()
	for _, path := range []string{s.journal, m.lastExport} {
		b, err := os.ReadFile(path)
		if err != nil || len(b) == 0 {
			t.Fatalf("read %q: %v", path, err)
		}
		seen = append(seen, string(b))
	}
	for _, text := range seen {
		for _, secret := range []string{testAPIKey, wrongAdminKey} {
			if strings.Contains(text, secret) {
				t.Fatalf("the admin key %q is visible:\n%s", secret, text)
			}
		}
	}
}
