package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gatewayops/alarms"
	"gatewayops/internal/future"
	"gatewayops/runbooks"
)

// loadingBackend is the stack's backend with its runbook library given as
// a load in progress (Deps.LoadingRunbooks), as the console's start-up
// gives it.
func loadingBackend(t *testing.T, s *stack, load func() (*runbooks.Library, error)) Backend {
	t.Helper()
	p := alarms.NewPoller(s.runner.Env.Alarms, alarms.DefaultCatalog().ForEnv(s.env), alarms.PollerOptions{})
	b, err := NewBackend(Deps{Poller: p, LoadingRunbooks: future.Start(load), Runner: s.runner})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRunbooksStillLoadingAreWaitedForByTheFirstLookup: the first alarm
// list's selected row shows its runbook although the library was still
// being parsed when the console started (decisions.md 176).
func TestRunbooksStillLoadingAreWaitedForByTheFirstLookup(t *testing.T) {
	s := startStack(t, "staging", false)
	release := make(chan struct{})
	b := loadingBackend(t, s, func() (*runbooks.Library, error) { <-release; return runbooks.Default() })
	m := New(b, Options{RefreshEvery: time.Hour, NoColor: true})
	m = update(t, m, tea.WindowSizeMsg{Width: 160, Height: 40})
	go func() { close(release) }() // the parse ends while the lookup waits, or before
	m, _ = feed(t, m, sampleAlarms())
	if m.runbook.rb.ID == "" || m.runbook.rb.ID == "runbook-library" {
		t.Fatalf("the selected alarm's runbook is %q, want the library's", m.runbook.rb.ID)
	}
}

// TestRunbookLibraryThatFailedSaysSoInThePane: a library that did not load
// leaves the console running with its alarms, and the runbook pane says
// why instead of showing a runbook.
func TestRunbookLibraryThatFailedSaysSoInThePane(t *testing.T) {
	s := startStack(t, "staging", false)
	b := loadingBackend(t, s, func() (*runbooks.Library, error) {
		return nil, errors.New("runbooks: agent-error-rate-high.md: line 3: code block opened with ``` is never closed")
	})
	m := New(b, Options{RefreshEvery: time.Hour, NoColor: true})
	m = update(t, m, tea.WindowSizeMsg{Width: 160, Height: 40})
	m, _ = feed(t, m, sampleAlarms())
	if len(m.snap.Alarms) == 0 {
		t.Fatal("no alarms listed")
	}
	rb, ok := b.Runbook(m.snap.Alarms[0])
	if !ok || !strings.Contains(rb.Source, "is never closed") || !strings.Contains(rb.Title, "did not load") {
		t.Fatalf("the pane of a failed library shows %+v (found %v); want its error", rb, ok)
	}
}
