package alarms

import (
	"strings"
	"testing"
)

func TestLintTellsImpossibleIdentityFromUnseenValue(t *testing.T) {
	const ns = "Arrakis/AgentGateway"
	inv := Inventory{}
	inv.Add(ns, "Error5xxCount", []MetricIdentity{
		{Namespace: ns, MetricName: "Error5xxCount", Dimensions: []Dimension{{Name: "feature", Value: "byok"}}},
	})
	alarm := func(name string, dims ...Dimension) AlarmDef {
		return AlarmDef{Name: name, Metric: &MetricStat{Namespace: ns, MetricName: "Error5xxCount", Dimensions: dims, Stat: "Sum", Period: 60}}
	}
	defs := []AlarmDef{
		alarm("no-dims"),
		alarm("unseen", Dimension{Name: "feature", Value: "ensemble"}),
		alarm("published", Dimension{Name: "feature", Value: "byok"}),
	}
	got := map[string]Finding{}
	for _, f := range Lint(defs, inv) {
		got[f.Alarm] = f
	}
	if len(got) != 2 {
		t.Fatalf("findings for %v, want no-dims and unseen only", got)
	}
	if f := got["no-dims"]; f.Kind != FindingIdentity || !strings.Contains(f.Message, "never published") {
		t.Errorf("no-dims: kind %q message %q", f.Kind, f.Message)
	}
	if f := got["unseen"]; f.Kind != FindingUnseenValue || !strings.Contains(f.Message, "not a typo") {
		t.Errorf("unseen: kind %q message %q", f.Kind, f.Message)
	}
}
