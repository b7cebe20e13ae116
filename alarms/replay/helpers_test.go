package replay

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
	"gatewayops/internal/testclock"
)

const ns = "Arrakis/AgentGateway"

// local is a cwlocal on a stepped clock, served over HTTP, with a real SDK client.
type local struct {
	svc *cwlocal.Service
	clk *testclock.Clock
	cw  *cloudwatch.Client
}

func startLocal(t *testing.T, at time.Time) *local {
	t.Helper()
	clk := testclock.New(at)
	svc := cwlocal.New(cwlocal.Config{Now: clk.Now})
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(srv.Close)
	cw, err := cwlocal.NewSDKClient(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &local{svc: svc, clk: clk, cw: cw}
}

// emf is one EMF line of one metric with one dimension set.
func emf(at time.Time, metric, unit string, dims map[string]string, values ...float64) []byte {
	var names, kv []string
	for k, v := range dims {
		names = append(names, fmt.Sprintf("%q", k))
		kv = append(kv, fmt.Sprintf("%q:%q", k, v))
	}
	vals := make([]string, len(values))
	for i, v := range values {
		vals[i] = fmt.Sprint(v)
	}
	return fmt.Appendf(nil, `{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":%q,"Dimensions":[[%s]],"Metrics":[{"Name":%q,"Unit":%q}]}]},%s,%q:[%s]}`,
		at.UnixMilli(), ns, strings.Join(names, ","), metric, unit, strings.Join(kv, ","), metric, strings.Join(vals, ","))
}

func (l *local) ingest(t *testing.T, line []byte) {
	t.Helper()
	if err := l.svc.IngestEMF(line); err != nil {
		t.Fatalf("ingest %s: %v", line, err)
	}
}

// latencyAlarm is the Terraform alarm: p99 RequestLatency, no dimensions.
func latencyAlarm(name string, threshold float64) alarms.AlarmDef {
	return alarms.AlarmDef{Name: name, Severity: "high", Metric: &alarms.MetricStat{Namespace: ns, MetricName: "RequestLatency", Stat: "p99", Period: 60},
		ComparisonOperator: "GreaterThanThreshold", Threshold: threshold, EvaluationPeriods: 5, TreatMissingData: "notBreaching"}
}

// breakerAlarm watches the kms breaker's identity, which the emitter publishes.
func breakerAlarm(name string) alarms.AlarmDef {
	return alarms.AlarmDef{Name: name, Severity: "high", Metric: &alarms.MetricStat{Namespace: ns, MetricName: "CircuitBreakerState",
		Dimensions: []alarms.Dimension{{Name: "component", Value: "kms"}}, Stat: "Maximum", Period: 60},
		ComparisonOperator: "GreaterThanOrEqualToThreshold", Threshold: 2, EvaluationPeriods: 2}
}

// incident runs 30 minutes on l: latency per feature each minute, the kms
// breaker open from minute 10 to 20, alarms evaluated each minute.
func (l *local) incident(t *testing.T, features []string) {
	t.Helper()
	for m := range 30 {
		l.clk.Advance(time.Minute)
		at := l.clk.Now().Add(-30 * time.Second)
		for i, f := range features {
			l.ingest(t, emf(at, "RequestLatency", "Milliseconds", map[string]string{"feature": f}, float64(100+i), float64(900+m), 4321.5))
		}
		state := 0.0
		if m >= 10 && m < 20 {
			state = 2
		}
		l.ingest(t, emf(at, "CircuitBreakerState", "None", map[string]string{"component": "kms"}, state))
		l.ingest(t, emf(at, "CircuitBreakerState", "None", map[string]string{"component": "loa-finn"}, 0, 1))
		l.svc.EvaluateAll(l.clk.Now())
	}
}

// stateUpdates reads an alarm's StateUpdate history through the SDK, oldest first.
func stateUpdates(t *testing.T, cw *cloudwatch.Client, name string) []string {
	t.Helper()
	out, err := cw.DescribeAlarmHistory(context.Background(), &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String(name),
		HistoryItemType: types.HistoryItemTypeStateUpdate, ScanBy: types.ScanByTimestampAscending})
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, h := range out.AlarmHistoryItems {
		s = append(s, aws.ToTime(h.Timestamp).UTC().Format(time.RFC3339)+" "+aws.ToString(h.HistorySummary))
	}
	return s
}

// datapoints reads one identity's statistics per period through the SDK.
func datapoints(t *testing.T, cw *cloudwatch.Client, metric string, dims []alarms.Dimension, period int, from, to time.Time, stats ...string) []string {
	t.Helper()
	var qs []types.MetricDataQuery
	for i, st := range stats {
		qs = append(qs, types.MetricDataQuery{Id: aws.String(fmt.Sprintf("q%d", i)), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String(ns), MetricName: aws.String(metric), Dimensions: sdkDims(dims)},
			Period: aws.Int32(int32(period)), Stat: aws.String(st)}})
	}
	out, err := cw.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{MetricDataQueries: qs,
		StartTime: aws.Time(from), EndTime: aws.Time(to), ScanBy: types.ScanByTimestampAscending})
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for i, r := range out.MetricDataResults {
		for j, ts := range r.Timestamps {
			s = append(s, fmt.Sprintf("%s %s=%v", ts.UTC().Format("15:04:05"), stats[i], r.Values[j]))
		}
	}
	return s
}

// writeCalls is every call at the wire that is not a read.
func writeCalls(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for op, n := range after {
		read := false
		for _, r := range ReadOnlyOperations {
			read = read || r == op
		}
		if d := n - before[op]; d > 0 && !read {
			out[op] = d
		}
	}
	return out
}

func diffCalls(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for op, n := range after {
		if d := n - before[op]; d > 0 {
			out[op] = d
		}
	}
	return out
}
