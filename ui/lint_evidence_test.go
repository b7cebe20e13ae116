package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"gatewayops/alarms"
)

// The ⚠ in the alarm list is explained beside the runbook: what the alarm
// queries that nothing publishes.
func TestRunbookPanelExplainsTheLintMark(t *testing.T) {
	st := NewStyles(true, true)
	p := newRunbookPanel(&st, DefaultKeyMap(), newMarkdown(true, true))
	p.SetSize(100, 30)
	a := alarms.Alarm{Name: "arrakis-prod-agent-error-rate-high", State: alarms.StateOK}
	finding := "alarm arrakis-prod-agent-error-rate-high queries Arrakis/AgentGateway RequestCount with no dimensions, which is never published; published dimension sets: [feature]"
	p.Show(a, Runbook{}, false, []string{finding})
	out := ansi.Strip(p.View(t0))
	if !strings.Contains(out, "⚠ lint: queries Arrakis/AgentGateway RequestCount with no dimensions") {
		t.Errorf("lint finding not shown:\n%s", out)
	}
	p.Show(a, Runbook{}, false, nil)
	if out := ansi.Strip(p.View(t0)); strings.Contains(out, "lint:") {
		t.Errorf("lint shown for an alarm without findings:\n%s", out)
	}
}
