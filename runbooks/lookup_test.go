package runbooks

import (
	"strings"
	"testing"
	"testing/fstest"
)

// Every alarm of both catalogs must reach the runbook an on-call engineer
// needs. Names come in three spellings: the Sprint 4 report's
// (arrakis-{env}-AgentError5xxRate), the default catalog's kebab-case names,
// and the Terraform names.
func TestLookupEveryCatalogAlarm(t *testing.T) {
	lib := defaultLibrary(t)
	cases := []struct{ alarm, want string }{
		// Sprint 4 report names, as the default catalog may spell them.
		{"arrakis-production-AgentError5xxRate", "agent-error-rate-high"},
		{"arrakis-staging-AgentP99Latency", "agent-latency-p99-high"},
		{"arrakis-production-CircuitBreakerOpen", "agent-circuit-breaker-open"},
		{"arrakis-production-BudgetDriftHigh", "agent-budget-drift-high"},
		{"arrakis-production-StaleReservations", "agent-stale-reservations"},
		{"arrakis-production-FinalizeFailures", "agent-finalize-failures"},
		// alarms/catalogs/default.yaml names.
		{"arrakis-production-agent-error5xx-rate", "agent-error-rate-high"},
		{"arrakis-production-agent-p99-latency", "agent-latency-p99-high"},
		{"arrakis-production-agent-budget-drift-high", "agent-budget-drift-high"},
		// Terraform agent-monitoring.tf (2.2).
		{"arrakis-production-agent-error-rate-high", "agent-error-rate-high"},
		{"arrakis-production-agent-latency-p99-high", "agent-latency-p99-high"},
		{"arrakis-production-agent-circuit-breaker-open", "agent-circuit-breaker-open"},
		{"arrakis-production-agent-budget-threshold", "agent-budget-drift-high"},
		{"arrakis-production-agent-stale-reservations", "agent-stale-reservations"},
		{"arrakis-production-agent-finalize-failures", "agent-finalize-failures"},
		{"arrakis-production-agent-token-estimate-drift", "agent-estimate-drift"},
		{"arrakis-production-agent-ensemble-budget-overrun", "agent-estimate-drift"},
		{"arrakis-production-economic-conservation-violation", "agent-budget-drift-high"},
		{"arrakis-production-economic-budget-drift", "agent-budget-drift-high"},
		// monitoring.tf agent alarms (2.3).
		{"arrakis-production-agent-redis-cpu-high", "agent-redis-degraded"},
		{"arrakis-production-agent-redis-connections-high", "agent-redis-degraded"},
		{"arrakis-production-agent-redis-evictions", "agent-redis-degraded"},
		{"arrakis-production-agent-reaper-failures", "agent-stale-reservations"},
		{"arrakis-production-agent-reconciliation-failures", "agent-finalize-failures"},
		{"arrakis-production-agent-accounting-drift", "agent-budget-drift-high"},
		{"arrakis-production-invoke-latency-p99", "agent-latency-p99-high"},
		// Case does not matter.
		{"ARRAKIS-STAGING-AGENT-ERROR-RATE-HIGH", "agent-error-rate-high"},
	}
	for _, c := range cases {
		rb, ok := lib.Lookup(c.alarm, "", "")
		if !ok {
			t.Errorf("Lookup(%q): no runbook, want %s", c.alarm, c.want)
			continue
		}
		if rb.Name != c.want {
			t.Errorf("Lookup(%q) = %s, want %s", c.alarm, rb.Name, c.want)
		}
	}
}

func TestLookupByMetricWhenNameUnknown(t *testing.T) {
	lib := defaultLibrary(t)
	cases := []struct{ ns, metric, want string }{
		{"Arrakis/AgentGateway", "CircuitBreakerState", "agent-circuit-breaker-open"},
		{"Arrakis/AgentGateway", "ReservationAge", "agent-stale-reservations"},
		{"Arrakis/AgentGateway", "PoolClaimMismatch", "pool-claim-graduation"},
		{"AWS/ElastiCache", "Evictions", "agent-redis-degraded"},
		{"Arrakis/Economic", "conservation_result", "agent-budget-drift-high"},
		// RequestCount is listed by error-rate (critical) and staging flags
		// (low): the more severe runbook wins, every time.
		{"Arrakis/AgentGateway", "RequestCount", "agent-error-rate-high"},
	}
	for _, c := range cases {
		for range 3 {
			rb, ok := lib.Lookup("some-custom-alarm", c.ns, c.metric)
			if !ok || rb.Name != c.want {
				t.Fatalf("Lookup by %s/%s = %q, %v; want %s", c.ns, c.metric, rb.Name, ok, c.want)
			}
		}
	}
	if rb, ok := lib.Lookup("some-custom-alarm", "Arrakis/AgentGateway", "NoSuchMetric"); ok {
		t.Errorf("unknown metric matched %s", rb.Name)
	}
	if rb, ok := lib.Lookup("", "", ""); ok {
		t.Errorf("empty lookup matched %s", rb.Name)
	}
	// The name wins over the metric.
	rb, ok := lib.Lookup("arrakis-production-agent-finalize-failures", "Arrakis/AgentGateway", "CircuitBreakerState")
	if !ok || rb.Name != "agent-finalize-failures" {
		t.Errorf("name did not take precedence over metric: %q", rb.Name)
	}
}

// book builds a minimal valid runbook file for library tests.
func book(severity string, alarms []string, metrics []string) *fstest.MapFile {
	var b strings.Builder
	b.WriteString("---\ntitle: T\nseverity: " + severity + "\n")
	if len(alarms) > 0 {
		b.WriteString("alarms:\n")
		for _, a := range alarms {
			b.WriteString("  - \"" + a + "\"\n")
		}
	}
	if len(metrics) > 0 {
		b.WriteString("metrics:\n")
		for _, m := range metrics {
			b.WriteString("  - " + m + "\n")
		}
	}
	b.WriteString("---\n# Runbook: T\n\n```ops\nbreaker.list\n```\n")
	return &fstest.MapFile{Data: []byte(b.String())}
}

func TestLookupMostSpecificPatternWins(t *testing.T) {
	lib, err := NewLibrary(fstest.MapFS{
		"broad.md":    book("critical", []string{"arrakis-*"}, nil),
		"specific.md": book("low", []string{"*-agent-stale-reservations"}, nil),
		"other.md":    book("high", []string{"*-agent-*-reservations"}, nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	rb, ok := lib.Lookup("arrakis-staging-agent-stale-reservations", "", "")
	if !ok || rb.Name != "specific" {
		t.Fatalf("got %q, want specific (most literal characters)", rb.Name)
	}
	rb, _ = lib.Lookup("arrakis-staging-agent-old-reservations", "", "")
	if rb.Name != "other" {
		t.Fatalf("got %q, want other", rb.Name)
	}
	rb, _ = lib.Lookup("arrakis-staging-unrelated", "", "")
	if rb.Name != "broad" {
		t.Fatalf("got %q, want broad", rb.Name)
	}
}

func TestLookupTieBreaksBySeverityThenName(t *testing.T) {
	lib, err := NewLibrary(fstest.MapFS{
		"b-high.md": book("high", nil, []string{"NS/M"}),
		"a-high.md": book("high", nil, []string{"NS/M"}),
		"c-low.md":  book("low", nil, []string{"NS/M"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		rb, ok := lib.Lookup("", "NS", "M")
		if !ok || rb.Name != "a-high" {
			t.Fatalf("got %q, want a-high", rb.Name)
		}
	}
}

func TestLibraryRejectsDuplicatePatternsAndReportsAllErrors(t *testing.T) {
	_, err := NewLibrary(fstest.MapFS{
		"one.md":    book("high", []string{"*agent-x"}, nil),
		"two.md":    book("high", []string{"*AGENT-X"}, nil),
		"broken.md": {Data: []byte("no front matter")},
	})
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{`alarm pattern "*AGENT-X" is claimed by both one and two`, "runbook broken: missing front matter"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if _, err := NewLibrary(fstest.MapFS{"README.txt": {Data: []byte("x")}}); err == nil || !strings.Contains(err.Error(), "no *.md") {
		t.Errorf("empty library: got %v", err)
	}
}

func TestGet(t *testing.T) {
	rb, err := Get("agent-circuit-breaker-open")
	if err != nil {
		t.Fatal(err)
	}
	if rb.Title != "Agent circuit breaker open" || rb.Severity != SeverityHigh {
		t.Errorf("got %q %q", rb.Title, rb.Severity)
	}
	_, err = Get("agent-circuit-breaker")
	if err == nil || !strings.Contains(err.Error(), `no runbook named "agent-circuit-breaker"`) ||
		!strings.Contains(err.Error(), "agent-circuit-breaker-open") {
		t.Errorf("unknown name: got %v, want an error listing the known runbooks", err)
	}
}

// Callers get copies: changing a returned runbook does not change the library.
func TestLibraryReturnsCopies(t *testing.T) {
	lib := defaultLibrary(t)
	rb, _ := lib.Get("agent-redis-degraded")
	rb.Steps[0].Command = "changed"
	rb.AlarmPatterns[0] = "changed"
	again, _ := lib.Get("agent-redis-degraded")
	if again.Steps[0].Command == "changed" || again.AlarmPatterns[0] == "changed" {
		t.Fatal("library state was modified through a returned runbook")
	}
}
