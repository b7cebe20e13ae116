package alarms

import (
	"strings"
	"testing"
	"time"
)

func TestInsufficientDataIsNeverOK(t *testing.T) {
	if StateInsufficientData.IsOK() || State("").IsOK() || StateAlarm.IsOK() || !StateOK.IsOK() {
		t.Fatal("only OK is OK")
	}
	if w := StateInsufficientData.Word(); w == StateOK.Word() || w != "no data" {
		t.Fatalf("INSUFFICIENT_DATA word = %q", w)
	}
	if StateInsufficientData.Symbol() == StateOK.Symbol() {
		t.Fatal("INSUFFICIENT_DATA shares OK's symbol")
	}
}

func TestValueVsThreshold(t *testing.T) {
	a := Alarm{Comparison: "GreaterThanThreshold", Threshold: 5, HasThreshold: true, Unit: "Percent",
		Recent: []Datapoint{{Value: 3}, {Value: 12.5}}}
	if got := a.ValueVsThreshold(); got != "12.5% > 5" {
		t.Fatalf("got %q", got)
	}
	a.Recent, a.Unit, a.Comparison = nil, "Milliseconds", "GreaterThanOrEqualToThreshold"
	if got := a.ValueVsThreshold(); got != "no data >= 5" {
		t.Fatalf("got %q", got)
	}
	a.Series = []Point{{Value: 10000.25}}
	if got := a.ValueVsThreshold(); got != "10000.25 ms >= 5" {
		t.Fatalf("got %q", got)
	}
}

func TestParseStateReasonData(t *testing.T) {
	raw := `{"version":"1.0","queryDate":"2026-11-27T03:10:00.000+0000","statistic":"Maximum","period":60,
	"recentDatapoints":[1.0,2.0],"threshold":0.5,
	"evaluatedDatapoints":[{"timestamp":"2026-11-27T03:09:00.000+0000","sampleCount":1.0,"value":2.0},
	                       {"timestamp":"2026-11-27T03:08:00.000+0000","sampleCount":1.0,"value":1.0},
	                       {"timestamp":"2026-11-27T03:07:00.000+0000"}]}`
	th, recent, err := parseStateReasonData(raw)
	if err != nil || th == nil || *th != 0.5 {
		t.Fatalf("threshold = %v, err = %v", th, err)
	}
	if len(recent) != 2 || recent[0].Value != 1 || recent[1].Value != 2 || recent[1].Timestamp.Minute() != 9 {
		t.Fatalf("recent = %+v (want oldest first, the missing datapoint skipped)", recent)
	}
	_, recent, _ = parseStateReasonData(`{"recentDatapoints":[4,5]}`)
	if len(recent) != 2 || recent[1].Value != 5 {
		t.Fatalf("recentDatapoints fallback = %+v", recent)
	}
	if _, _, err := parseStateReasonData(`{"threshold":`); err == nil || !strings.Contains(err.Error(), "StateReasonData") {
		t.Fatalf("malformed err = %v", err)
	}
	if th, r, err := parseStateReasonData(""); th != nil || r != nil || err != nil {
		t.Fatal("empty StateReasonData must be no data, no error")
	}
}

func TestPrefixIDsRewritesOnlyQueryIDs(t *testing.T) {
	ids := map[string]bool{"errors": true, "total": true}
	got := prefixIDs(`IF(total > 0, errors / total * 100, 0) + LEN(SEARCH('{N} total', 'Sum', 60))`, "g3_", ids)
	want := `IF(g3_total > 0, g3_errors / g3_total * 100, 0) + LEN(SEARCH('{N} total', 'Sum', 60))`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestChunkGroupsNeverSplitsAGroup(t *testing.T) {
	g := func(n int) QueryGroup { return QueryGroup{Queries: make([]MetricQuery, n)} }
	chunks := chunkGroups([]QueryGroup{g(300), g(150), g(100), g(500), g(1)}, 500)
	var sizes []int
	for _, c := range chunks {
		n := 0
		for _, x := range c {
			n += len(x.Queries)
		}
		sizes = append(sizes, n)
	}
	want := []int{450, 100, 500, 1}
	if len(sizes) != len(want) {
		t.Fatalf("chunk sizes = %v, want %v", sizes, want)
	}
	for i := range want {
		if sizes[i] != want[i] {
			t.Fatalf("chunk sizes = %v, want %v", sizes, want)
		}
	}
}

func TestAlignWindowRoundsOutToTheLargestPeriod(t *testing.T) {
	groups := []QueryGroup{{Queries: []MetricQuery{{Metric: &MetricStat{Period: 60}}, {Metric: &MetricStat{Period: 300}}}}}
	start := time.Date(2026, 11, 27, 2, 7, 31, 0, time.UTC)
	w := AlignWindow(groups, start, start.Add(time.Hour))
	if !w.Start.Equal(time.Date(2026, 11, 27, 2, 5, 0, 0, time.UTC)) || !w.End.Equal(time.Date(2026, 11, 27, 3, 10, 0, 0, time.UTC)) || w.Period != 5*time.Minute {
		t.Fatalf("window = %+v", w)
	}
	aligned := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	if w := AlignWindow(groups, aligned.Add(-time.Hour), aligned); !w.End.Equal(aligned) {
		t.Fatalf("an aligned end moved: %+v", w)
	}
}

func TestLintNamesThePublishedDimensionSets(t *testing.T) {
	defs := TerraformCatalog().ForEnv("staging").Alarms
	inv := Inventory{}
	inv.Add("Arrakis/AgentGateway", "RequestCount", []MetricIdentity{
		{Namespace: "Arrakis/AgentGateway", MetricName: "RequestCount", Dimensions: []Dimension{{"feature", "baseline"}}},
		{Namespace: "Arrakis/AgentGateway", MetricName: "RequestCount", Dimensions: []Dimension{{"feature", "byok"}}},
	})
	inv.Add("Arrakis/AgentGateway", "TokenEstimateDrift", nil)
	got := Lint(defs, inv)
	if len(got) != 2 {
		t.Fatalf("findings = %+v", got)
	}
	want := "alarm arrakis-staging-agent-error-rate-high queries Arrakis/AgentGateway RequestCount with no dimensions, which is never published; published dimension sets: [feature]"
	if got[0].Message != want {
		t.Fatalf("message = %q\nwant      %q", got[0].Message, want)
	}
	if !strings.Contains(got[1].Message, "TokenEstimateDrift with no dimensions, but this metric is not published at all") {
		t.Fatalf("message = %q", got[1].Message)
	}
	inv.Add("Arrakis/AgentGateway", "RequestCount", []MetricIdentity{{Namespace: "Arrakis/AgentGateway", MetricName: "RequestCount"}})
	if got := Lint(defs, inv); len(got) != 1 {
		t.Fatalf("a published no-dimension RequestCount must clear that finding: %+v", got)
	}
}

func TestNextDelay(t *testing.T) {
	p := NewPoller(nil, Catalog{}, PollerOptions{AlarmInterval: 10 * time.Second, QuietInterval: 30 * time.Second, MaxBackoff: time.Minute})
	firing := Snapshot{Alarms: []Alarm{{State: StateAlarm}}}
	quiet := Snapshot{Alarms: []Alarm{{State: StateInsufficientData}}}
	if d := p.NextDelay(firing); d != 10*time.Second {
		t.Fatalf("firing delay = %s", d)
	}
	if d := p.NextDelay(quiet); d != 30*time.Second {
		t.Fatalf("quiet delay = %s", d)
	}
	p.failures = 1
	for range 50 {
		if d := p.NextDelay(quiet); d < 30*time.Second || d > time.Minute {
			t.Fatalf("backoff after 1 failure = %s, want within [30s, 1m]", d)
		}
	}
	p.failures = 40
	for range 50 {
		if d := p.NextDelay(firing); d < 30*time.Second || d > time.Minute {
			t.Fatalf("capped backoff = %s, want within [MaxBackoff/2, MaxBackoff]", d)
		}
	}
}
