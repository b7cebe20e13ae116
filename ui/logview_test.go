package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

func TestLogViewShowsTheConsoleLog(t *testing.T) {
	s := startStack(t, "staging", false)
	line := "2026-12-01T08:00:00Z redis: redis: connection pool: failed to dial after 5 attempts: connection refused"
	m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true, Now: func() time.Time { return t0 },
		Log: func() []string { return []string{line} }, LogPath: "/state/gatewayops/console.log"})
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m, _ = feed(t, m, sampleAlarms())
	if strings.Contains(screen(m), "failed to dial") {
		t.Fatal("a log line is on the screen before the log view opened")
	}
	m = update(t, m, press("L"))
	scr := screen(m)
	for _, want := range []string{"Console log: 1 newest lines", "/state/gatewayops/console.log", "failed to dial after 5 attempts"} {
		if !strings.Contains(scr, want) {
			t.Errorf("log view lacks %q:\n%s", want, scr)
		}
	}
	m = update(t, m, press("esc"))
	if strings.Contains(screen(m), "failed to dial") {
		t.Error("esc did not close the log view")
	}
}
