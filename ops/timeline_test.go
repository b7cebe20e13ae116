package ops

import (
	"strings"
	"testing"
	"time"

	"gatewayops/alarms"
)

func TestTimelineMergesInOrderWithOutcomes(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	entries := []Entry{
		{Time: at(5), ID: "a", Phase: PhaseIntent, Operator: "alice", Environment: "production", Action: "breaker.reset", Kind: "write",
			Params: map[string]string{"component": "kms"}, Plan: "reset breaker kms: open since 03:01:00 (4 failures) -> closed"},
		{Time: at(5), ID: "a", Phase: PhaseResult, Outcome: "ok", Verification: &Verification{Pass: true, Detail: "breaker kms: closed (0 failures)"}},
		{Time: at(7), ID: "b", Phase: PhaseResult, Operator: "bob", Environment: "production", Action: "flags.set", Kind: "write",
			Params: map[string]string{"ensemble_enabled": "false"}, Outcome: "refused", Error: "refused by safety policy: production is protected"},
		{Time: at(9), ID: "c", Phase: PhaseIntent, Operator: "alice", Environment: "production", Action: "reservations.drain", Kind: "write",
			Params: map[string]string{"mode": "reap"}, Plan: "drain 3 expired reservations of 1 community"},
	}
	history := map[string][]alarms.HistoryItem{
		"arrakis-production-agent-circuit-breaker-open": {
			{At: at(8), Type: "StateUpdate", Summary: "Alarm updated from ALARM to OK"},
			{At: at(1), Type: "StateUpdate", Summary: "Alarm updated from OK to ALARM"},
			{At: at(0), Type: "ConfigurationUpdate", Summary: "Alarm updated"},
		},
	}
	md := Timeline(entries, history, t0, at(10), []string{"environment production"})
	rows := []string{
		"| 11-27 03:01:00 | alarm | **arrakis-production-agent-circuit-breaker-open**: Alarm updated from OK to ALARM |",
		"| 11-27 03:05:00 | action | `breaker.reset component=kms` by alice on production: ok, verify pass: breaker kms: closed (0 failures); plan: reset breaker kms: open since 03:01:00 (4 failures) -> closed |",
		"| 11-27 03:07:00 | action | `flags.set ensemble_enabled=false` by bob on production: refused (refused by safety policy: production is protected) |",
		"| 11-27 03:08:00 | alarm | **arrakis-production-agent-circuit-breaker-open**: Alarm updated from ALARM to OK |",
		"| 11-27 03:09:00 | action | `reservations.drain mode=reap` by alice on production: **outcome unknown** (no result recorded); plan: drain 3 expired reservations of 1 community |",
	}
	last := -1
	for _, r := range rows {
		i := strings.Index(md, r)
		if i < 0 {
			t.Fatalf("missing row %q in\n%s", r, md)
		}
		if i < last {
			t.Errorf("row out of order: %q", r)
		}
		last = i
	}
	if strings.Contains(md, "ConfigurationUpdate") || strings.Count(md, "| alarm |") != 2 {
		t.Errorf("configuration changes are not transitions:\n%s", md)
	}
	if !strings.Contains(md, "> environment production") {
		t.Errorf("notes missing:\n%s", md)
	}
	empty := Timeline(nil, nil, t0, at(10), nil)
	if !strings.Contains(empty, "No alarm transitions and no journaled actions in this window.") {
		t.Errorf("empty timeline:\n%s", empty)
	}
	if got := FilterEntries(entries, at(6), "production"); len(got) != 2 {
		t.Errorf("FilterEntries kept %d", len(got))
	}
}
