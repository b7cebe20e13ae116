package replay

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"gatewayops/alarms"
)

var features = []string{"baseline", "ensemble", "byok"}

// recordIncident runs the incident on a fresh local CloudWatch and records it.
func recordIncident(t *testing.T) (*local, *Recording, map[string]int) {
	t.Helper()
	start := time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC)
	l := startLocal(t, start)
	cat := alarms.Catalog{Name: "t", Alarms: []alarms.AlarmDef{latencyAlarm("arrakis-staging-agent-latency-p99-high", 5000), breakerAlarm("arrakis-staging-agent-circuit-breaker-open")}}
	if err := l.svc.ProvisionCatalog(cat); err != nil {
		t.Fatal(err)
	}
	l.incident(t, features)
	before := l.svc.Calls()
	r := &Recorder{CW: l.cw, Env: "staging", Region: "us-east-1", Prefix: "arrakis-staging-"}
	rec, err := r.Record(context.Background(), 30*time.Minute, l.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if w := writeCalls(before, l.svc.Calls()); len(w) > 0 {
		t.Fatalf("the recorder made write calls at the wire: %v", w)
	}
	if got := diffCalls(before, l.svc.Calls()); !reflect.DeepEqual(got, r.Calls) {
		t.Fatalf("the wire saw %v, the recorder counted %v", got, r.Calls)
	}
	return l, rec, r.Calls
}

func TestRecordReadsOnlyAndCountsItsCalls(t *testing.T) {
	_, rec, calls := recordIncident(t)
	// 2 alarms: 1 DescribeAlarms page, 1 history page each, 1 ListMetrics per
	// metric name, and one GetMetricData for 3 latency series x (4 + p99)
	// plus 2 breaker series x 4 = 23 queries.
	want := map[string]int{"DescribeAlarms": 1, "DescribeAlarmHistory": 2, "ListMetrics": 2, "GetMetricData": 1}
	if !reflect.DeepEqual(calls, want) {
		t.Fatalf("calls %v, want %v", calls, want)
	}
	if len(rec.Alarms) != 2 {
		t.Fatalf("%d alarms recorded", len(rec.Alarms))
	}
	listed, unlisted := 0, 0
	for _, s := range rec.Series {
		if s.Listed {
			listed++
			if len(s.Points) != 30 {
				t.Errorf("series %v: %d points, want 30 (one per minute)", s.Dimensions, len(s.Points))
			}
		} else {
			unlisted++
			if len(s.Points) != 0 {
				t.Errorf("the unlisted series %v has points", s.Dimensions)
			}
		}
	}
	// 3 features + 2 components listed; the latency alarm's own identity
	// (no dimensions) is not: the Terraform alarm's defect, recorded as such.
	if listed != 5 || unlisted != 1 {
		t.Fatalf("%d listed, %d unlisted series", listed, unlisted)
	}
	var kinds []string
	for _, tr := range rec.Transitions {
		kinds = append(kinds, fmt.Sprintf("%s %s->%s", tr.Alarm, tr.From, tr.To))
	}
	want2 := []string{"arrakis-staging-agent-circuit-breaker-open INSUFFICIENT_DATA->OK", "arrakis-staging-agent-latency-p99-high INSUFFICIENT_DATA->OK",
		"arrakis-staging-agent-circuit-breaker-open OK->ALARM", "arrakis-staging-agent-circuit-breaker-open ALARM->OK"}
	if !reflect.DeepEqual(kinds, want2) {
		t.Fatalf("transitions %q, want %q", kinds, want2)
	}
}

func TestRecordPagesAtTheLimits(t *testing.T) {
	start := time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC)
	l := startLocal(t, start)
	var defs []alarms.AlarmDef
	for i := range 120 {
		defs = append(defs, latencyAlarm(fmt.Sprintf("arrakis-staging-agent-latency-%03d", i), float64(1000+i)))
	}
	if err := l.svc.ProvisionCatalog(alarms.Catalog{Name: "many", Alarms: defs}); err != nil {
		t.Fatal(err)
	}
	for m := range 3 {
		l.clk.Advance(time.Minute)
		for f := range 110 {
			l.ingest(t, emf(l.clk.Now().Add(-time.Second), "RequestLatency", "Milliseconds", map[string]string{"feature": fmt.Sprint("f", f)}, float64(m+f)))
		}
	}
	r := &Recorder{CW: l.cw, Env: "staging", Prefix: "arrakis-staging-"}
	rec, err := r.Record(context.Background(), 5*time.Minute, l.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	// 120 alarms: 2 DescribeAlarms pages; 120 history calls; one metric name:
	// 1 ListMetrics; 110 series x 5 queries = 550: 2 GetMetricData calls.
	want := map[string]int{"DescribeAlarms": 2, "DescribeAlarmHistory": 120, "ListMetrics": 1, "GetMetricData": 2}
	if !reflect.DeepEqual(r.Calls, want) {
		t.Fatalf("calls %v, want %v", r.Calls, want)
	}
	if rec.Points() != 110*3 {
		t.Fatalf("%d points, want 330", rec.Points())
	}
}
