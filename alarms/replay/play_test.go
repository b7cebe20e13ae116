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
