package replay

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"gatewayops/alarms"
)

// playAll reads rec back from its file form and plays it whole into a
// fresh local CloudWatch whose clock follows the playback.
func playAll(t *testing.T, rec *Recording) (*local, *Player) {
	t.Helper()
	back, err := Read(bytes.NewReader(encode(t, rec)))
	if err != nil {
		t.Fatal(err)
	}
	l := startLocal(t, back.Header.From)
	p, err := NewPlayer(l.svc, back, PlayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for !p.Done() {
		l.clk.Advance(10 * time.Second)
		if _, err := p.AdvanceTo(l.clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return l, p
}

func TestReplayReproducesTransitionsAndDatapoints(t *testing.T) {
	orig, rec, _ := recordIncident(t)
	replayed, _ := playAll(t, rec)
	from, to := rec.Header.From, rec.Header.To
	for _, name := range []string{"arrakis-staging-agent-circuit-breaker-open", "arrakis-staging-agent-latency-p99-high"} {
		want := stateUpdates(t, orig.cw, name)
		if got := stateUpdates(t, replayed.cw, name); !reflect.DeepEqual(got, want) || len(want) == 0 {
			t.Errorf("%s transitions:\n got %q\nwant %q", name, got, want)
		}
	}
	plain := []string{"SampleCount", "Sum", "Minimum", "Maximum"}
	for _, f := range features {
		d := []alarms.Dimension{{Name: "feature", Value: f}}
		want := datapoints(t, orig.cw, "RequestLatency", d, 60, from, to, plain...)
		if got := datapoints(t, replayed.cw, "RequestLatency", d, 60, from, to, plain...); !reflect.DeepEqual(got, want) || len(want) != 4*30 {
			t.Errorf("%s datapoints:\n got %q\nwant %q", f, got, want)
		}
		// The p99 the original computed from samples is the one value of
		// each period of the recorded-percentile series.
		wantP := datapoints(t, orig.cw, "RequestLatency", d, 60, from, to, "p99")
		gotP := datapoints(t, replayed.cw, "RequestLatency", PercentileIdentity(Series{Dimensions: d}, "p99"), 60, from, to, "Maximum")
		if strings.Join(gotP, "|") != strings.ReplaceAll(strings.Join(wantP, "|"), "p99=", "Maximum=") || len(wantP) != 30 {
			t.Errorf("%s p99:\n got %q\nwant %q", f, gotP, wantP)
		}
		// Statistic sets answer no percentile: nothing pretends to be samples.
		if got := datapoints(t, replayed.cw, "RequestLatency", d, 60, from, to, "p99"); len(got) != 0 {
			t.Errorf("%s: the replayed statistic sets answered p99 %q", f, got)
		}
	}
	kms := []alarms.Dimension{{Name: "component", Value: "kms"}}
	want := datapoints(t, orig.cw, "CircuitBreakerState", kms, 60, from, to, plain...)
	if got := datapoints(t, replayed.cw, "CircuitBreakerState", kms, 60, from, to, plain...); !reflect.DeepEqual(got, want) {
		t.Errorf("kms datapoints:\n got %q\nwant %q", got, want)
	}
}

func TestReplayKeepsStatesBetweenTransitions(t *testing.T) {
	_, rec, _ := recordIncident(t)
	back, err := Read(bytes.NewReader(encode(t, rec)))
	if err != nil {
		t.Fatal(err)
	}
	l := startLocal(t, back.Header.From)
	p, err := NewPlayer(l.svc, back, PlayOptions{Rename: Renamer(back, "arrakis-replay-")})
	if err != nil {
		t.Fatal(err)
	}
	breaker := "arrakis-replay-agent-circuit-breaker-open"
	state := func() string {
		out, err := l.cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{breaker}})
		if err != nil || len(out.MetricAlarms) != 1 {
			t.Fatalf("describe %s: %v", breaker, err)
		}
		return string(out.MetricAlarms[0].StateValue) + " since " + aws.ToTime(out.MetricAlarms[0].StateTransitionedTimestamp).UTC().Format("15:04")
	}
	if got := state(); got != "INSUFFICIENT_DATA since 13:00" {
		t.Fatalf("at the start: %s", got)
	}
	var alarmAt time.Time
	for _, tr := range back.Transitions {
		if tr.To == "ALARM" {
			alarmAt = tr.At
		}
	}
	if _, err := p.AdvanceTo(alarmAt.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := state(); got != "OK since 13:01" {
		t.Fatalf("just before the recorded ALARM: %s", got)
	}
	pr, err := p.AdvanceTo(alarmAt)
	if err != nil {
		t.Fatal(err)
	}
	if got := state(); got != "ALARM since "+alarmAt.Format("15:04") || pr.Transitions != 1 || pr.Done {
		t.Fatalf("at the recorded ALARM: %s (%+v)", got, pr)
	}
}

// A shifted replay lands every datapoint and transition at T + shift, with
// the same values.
func TestReplayShiftMovesEveryTimeAlike(t *testing.T) {
	orig, rec, _ := recordIncident(t)
	const shift = 3 * time.Hour
	l := startLocal(t, rec.Header.From.Add(shift))
	p, err := NewPlayer(l.svc, rec, PlayOptions{Shift: shift})
	if err != nil {
		t.Fatal(err)
	}
	for !p.Done() {
		l.clk.Advance(time.Minute)
		if _, err := p.AdvanceTo(l.clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	kms := []alarms.Dimension{{Name: "component", Value: "kms"}}
	from, to := rec.Header.From, rec.Header.To
	want := datapoints(t, orig.cw, "CircuitBreakerState", kms, 60, from, to, "Sum", "Maximum")
	got := datapoints(t, l.cw, "CircuitBreakerState", kms, 60, from.Add(shift), to.Add(shift), "Sum", "Maximum")
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("%d shifted datapoints, want %d", len(got), len(want))
	}
	for i := range want {
		w, _ := time.Parse("15:04:05", want[i][:8])
		if g := w.Add(shift).Format("15:04:05") + want[i][8:]; got[i] != g {
			t.Fatalf("datapoint %d: got %q, want %q", i, got[i], g)
		}
	}
	h := stateUpdates(t, l.cw, "arrakis-staging-agent-circuit-breaker-open")
	if len(h) != 3 || !strings.HasPrefix(h[1], rec.Transitions[2].At.Add(shift).Format(time.RFC3339)) {
		t.Fatalf("shifted transitions %q (recorded ALARM at %s)", h, rec.Transitions[2].At)
	}
}

func TestCatalogShowsRecordedPercentilesAsTheirOwnSeries(t *testing.T) {
	_, rec, _ := recordIncident(t)
	c := rec.Catalog(Renamer(rec, "arrakis-replay-"))
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(c.Alarms) != 2 || c.Alarms[0].Name != "arrakis-replay-agent-circuit-breaker-open" {
		t.Fatalf("alarms %+v", c.Alarms)
	}
	var pct *alarms.Panel
	for i := range c.Panels {
		if strings.Contains(c.Panels[i].Title, "p99") {
			pct = &c.Panels[i]
		}
	}
	if pct == nil || len(pct.Queries) != 3 || !strings.Contains(pct.Title, "not samples") {
		t.Fatalf("no p99 panel with the 3 features: %+v", c.Panels)
	}
	for _, q := range pct.Queries {
		m := q.Metric
		if m.Stat != "Maximum" || len(m.Dimensions) != 2 || m.Dimensions[0] != (alarms.Dimension{Name: PercentileDimension, Value: "p99"}) {
			t.Fatalf("p99 query %+v does not read the recorded-percentile series", m)
		}
	}
}

// A replay replaces the alarms a cwlocal already had, and its listings (by
// prefix, by state, the account's history) agree with what it loaded.
func TestReplayReplacesAlarmsAndKeepsTheListingsRight(t *testing.T) {
	_, rec, _ := recordIncident(t)
	l := startLocal(t, rec.Header.From)
	if err := l.svc.ProvisionCatalog(alarms.Catalog{Name: "old", Alarms: []alarms.AlarmDef{breakerAlarm("arrakis-old-x"), breakerAlarm("arrakis-staging-agent-circuit-breaker-open")}}); err != nil {
		t.Fatal(err)
	}
	p, err := NewPlayer(l.svc, rec, PlayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var alarmAt time.Time
	for _, tr := range rec.Transitions {
		if tr.To == "ALARM" {
			alarmAt = tr.At
		}
	}
	if _, err := p.AdvanceTo(alarmAt); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	names := func(in *cloudwatch.DescribeAlarmsInput) []string {
		out, err := l.cw.DescribeAlarms(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, a := range out.MetricAlarms {
			n = append(n, aws.ToString(a.AlarmName)+"="+string(a.StateValue))
		}
		return n
	}
	all := names(&cloudwatch.DescribeAlarmsInput{})
	if want := []string{"arrakis-staging-agent-circuit-breaker-open=ALARM", "arrakis-staging-agent-latency-p99-high=OK"}; !reflect.DeepEqual(all, want) {
		t.Fatalf("all alarms %q, want %q", all, want)
	}
	for state, want := range map[string][]string{"ALARM": {"arrakis-staging-agent-circuit-breaker-open=ALARM"}, "OK": {"arrakis-staging-agent-latency-p99-high=OK"}, "INSUFFICIENT_DATA": nil} {
		if got := names(&cloudwatch.DescribeAlarmsInput{StateValue: types.StateValue(state)}); !reflect.DeepEqual(got, want) {
			t.Errorf("StateValue %s: %q, want %q", state, got, want)
		}
	}
	out, err := l.cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{HistoryItemType: types.HistoryItemTypeStateUpdate})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.AlarmHistoryItems); n != 3 {
		t.Fatalf("account history holds %d state updates, want the 3 replayed so far (the old alarms' are gone)", n)
	}
}
