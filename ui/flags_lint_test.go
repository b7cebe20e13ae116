package ui

import (
	"strings"
	"testing"
	"time"

	"gatewayops/alarms"
)

func TestFlagsViewShowsAFailedToggleAndStaleValues(t *testing.T) {
	s := startStack(t, "staging", false)
	f := startFlow(t, s)
	f.waitFor("STAGING - standard", "admin api ")
	f.keys("4")
	f.waitFor("Runtime flags", "ensemble_enabled")
	s.admin.CloseClientConnections()
	s.admin.Close()
	f.keys("r")
	f.waitFor("STALE: the admin API is failing", "(stale)")
	f.keys("space")
	scr := f.waitFor("✗ plan failed: ")
	if !strings.Contains(scr, "Runtime flags") {
		t.Fatalf("the failure is not shown in the flags view:\n%s", scr)
	}
	f.quit()
}

func TestLintWaitsForFirstDataBeforeSayingAnAlarmCanNeverFire(t *testing.T) {
	m, clk := clockedModel(t, "staging", false, 160, 40)
	as := firingAlarms()
	as[1].Period = 10
	as[1].Recent, as[1].Series, as[1].State = nil, nil, alarms.StateInsufficientData // no data yet
	lint := map[string][]alarms.Finding{as[1].Name: {{Alarm: as[1].Name, Kind: alarms.FindingIdentity, Message: "queries X: nothing is published"}}}
	snap := Snapshot{TakenAt: t0, Alarms: as, Lint: lint}
	m = update(t, m, snapshotMsg{id: m.refreshID, snap: snap})
	scr := screen(m)
	if strings.Contains(scr, "⚠") || !strings.Contains(scr, "◌ lint: waiting for first data (it could exist from 03:01:00Z)") {
		t.Fatalf("lint claimed an alarm can never fire before data could exist:\n%s", scr)
	}
	clk.Advance(61 * time.Second)
	m = update(t, m, snapshotMsg{id: m.refreshID, snap: snap})
	if scr := screen(m); !strings.Contains(scr, "⚠") || !strings.Contains(scr, "⚠ lint: queries X") {
		t.Fatalf("after the wait the finding is not shown:\n%s", scr)
	}
}

func TestLintIsDroppedWhenTheAlarmHasData(t *testing.T) {
	as := firingAlarms() // the breaker alarm has an evaluated datapoint
	lint := map[string][]alarms.Finding{as[1].Name: {{Alarm: as[1].Name, Kind: alarms.FindingIdentity, Message: "not published at all"}}}
	kept, _ := splitLint(as, lint, t0.Add(-time.Hour), t0)
	if len(kept[as[1].Name]) != 0 {
		t.Fatalf("an alarm in ALARM on evaluated data is still said to query nothing: %v", kept)
	}
	as[1].Recent, as[1].Series = nil, nil
	if kept, _ := splitLint(as, lint, t0.Add(-time.Hour), t0); len(kept[as[1].Name]) != 1 {
		t.Fatalf("without data the finding must stay: %v", kept)
	}
}
