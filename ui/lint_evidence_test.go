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
	p.Show(a, Runbook{}, false, []alarms.Finding{{Kind: alarms.FindingIdentity, Message: finding}})
	out := ansi.Strip(p.View(t0))
	if !strings.Contains(out, "⚠ lint: queries Arrakis/AgentGateway RequestCount with no dimensions") {
		t.Errorf("lint finding not shown:\n%s", out)
	}
	p.Show(a, Runbook{}, false, nil)
	if out := ansi.Strip(p.View(t0)); strings.Contains(out, "lint:") {
		t.Errorf("lint shown for an alarm without findings:\n%s", out)
	}
}

// ⚠ is kept for an identity nothing publishes (the alarm can never fire);
// a dimension value not seen yet gets the quieter ~.
func TestAlarmListMarksTheKindOfLintFinding(t *testing.T) {
	l := newAlarmList(testStyles(), DefaultKeyMap())
	l.SetSize(120, 6)
	as := sampleAlarms()
	l.SetAlarms(as, map[string][]alarms.Finding{
		as[0].Name: {{Kind: alarms.FindingUnseenValue, Message: "value not seen"}},
		as[1].Name: {{Kind: alarms.FindingUnseenValue}, {Kind: alarms.FindingIdentity}},
	})
	rows := map[string]string{}
	for _, line := range strings.Split(ansi.Strip(l.View(t0)), "\n") {
		for _, a := range as {
			if strings.Contains(line, strings.TrimPrefix(a.Name, l.prefix)) {
				rows[a.Name] = line
			}
		}
	}
	if r := rows[as[0].Name]; !strings.HasSuffix(strings.TrimRight(r, " "), "~") {
		t.Errorf("unseen value only: row %q, want a ~ mark", r)
	}
	if r := rows[as[1].Name]; !strings.HasSuffix(strings.TrimRight(r, " "), "⚠") {
		t.Errorf("identity finding: row %q, want ⚠", r)
	}
	if r := rows[as[2].Name]; strings.ContainsAny(r, "~⚠") {
		t.Errorf("no finding: row %q carries a mark", r)
	}
}

func TestUnseenValueFindingIsMarkedQuietly(t *testing.T) {
	st := NewStyles(true, true)
	p := newRunbookPanel(&st, DefaultKeyMap(), newMarkdown(true, true))
	p.SetSize(100, 30)
	a := alarms.Alarm{Name: "a", State: alarms.StateOK}
	p.Show(a, Runbook{}, false, []alarms.Finding{{Kind: alarms.FindingUnseenValue, Message: "alarm a queries X with {feature=ensemble}: nothing published yet"}})
	out := ansi.Strip(p.View(t0))
	if !strings.Contains(out, "~ lint: queries X") || strings.Contains(out, "⚠") {
		t.Errorf("unseen-value finding:\n%s", out)
	}
}
