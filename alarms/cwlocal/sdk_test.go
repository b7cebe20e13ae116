package cwlocal

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
)

// fixedClock is a settable clock for a Service under test.
type fixedClock struct{ t time.Time }

func (c *fixedClock) now() time.Time { return c.t }

// t0 is a minute boundary: 2026-11-27 03:10:00 UTC.
var t0 = time.Date(2026, 11, 27, 3, 10, 0, 0, time.UTC)

// startSDK serves a Service with a fixed clock and returns a real SDK client for it.
func startSDK(t *testing.T) (*Service, *cloudwatch.Client, *fixedClock, string) {
	t.Helper()
	clock := &fixedClock{t: t0}
	s := New(Config{Now: clock.now})
	_, url := serve(t, s)
	c, err := NewSDKClient(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return s, c, clock, url
}

func apiCode(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an API error, got %v", err)
	}
	return ae.ErrorCode()
}

func TestSDKPutMetricDataThenGetMetricDataAndListMetrics(t *testing.T) {
	_, c, _, _ := startSDK(t)
	ctx := context.Background()
	dims := []types.Dimension{{Name: aws.String("feature"), Value: aws.String("baseline")}}
	_, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{
		Namespace: aws.String("Arrakis/AgentGateway"),
		MetricData: []types.MetricDatum{
			{MetricName: aws.String("RequestLatency"), Dimensions: dims, Timestamp: aws.Time(t0.Add(-150 * time.Second)), Values: []float64{100, 300}, Unit: types.StandardUnitMilliseconds},
			{MetricName: aws.String("RequestLatency"), Dimensions: dims, Timestamp: aws.Time(t0.Add(-30 * time.Second)), Value: aws.Float64(50)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(t0.Add(-10 * time.Minute)), EndTime: aws.Time(t0),
		MetricDataQueries: []types.MetricDataQuery{{
			Id: aws.String("lat"),
			MetricStat: &types.MetricStat{Stat: aws.String("Average"), Period: aws.Int32(60),
				Metric: &types.Metric{Namespace: aws.String("Arrakis/AgentGateway"), MetricName: aws.String("RequestLatency"), Dimensions: dims}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.MetricDataResults[0]
	// Newest first: 03:09 holds 50; 03:07 holds (100+300)/2 = 200.
	wantT := []time.Time{t0.Add(-time.Minute), t0.Add(-3 * time.Minute)}
	if len(r.Values) != 2 || r.Values[0] != 50 || r.Values[1] != 200 || !r.Timestamps[0].Equal(wantT[0]) || !r.Timestamps[1].Equal(wantT[1]) {
		t.Fatalf("got %v at %v", r.Values, r.Timestamps)
	}
	if r.StatusCode != types.StatusCodeComplete || aws.ToString(r.Label) != "RequestLatency" {
		t.Fatalf("status %s label %q", r.StatusCode, aws.ToString(r.Label))
	}
	lm, err := c.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("Arrakis/AgentGateway")})
	if err != nil {
		t.Fatal(err)
	}
	if len(lm.Metrics) != 1 || aws.ToString(lm.Metrics[0].MetricName) != "RequestLatency" || len(lm.Metrics[0].Dimensions) != 1 {
		t.Fatalf("ListMetrics %+v", lm.Metrics)
	}
}

func TestSDKDescribeAlarmsPagesOver100Alarms(t *testing.T) {
	s, c, _, _ := startSDK(t)
	for i := range 130 {
		th := float64(i)
		if err := s.PutMetricAlarm(PutMetricAlarmInput{AlarmName: fmt.Sprintf("arrakis-staging-agent-a%03d", i), Namespace: "N", MetricName: "M",
			Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: &th, ComparisonOperator: "GreaterThanThreshold"}); err != nil {
			t.Fatal(err)
		}
	}
	p := cloudwatch.NewDescribeAlarmsPaginator(c, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("arrakis-staging-agent-"), MaxRecords: aws.Int32(100)})
	var names []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range out.MetricAlarms {
			names = append(names, aws.ToString(a.AlarmName))
		}
	}
	if pages != 2 || len(names) != 130 || names[0] != "arrakis-staging-agent-a000" || names[129] != "arrakis-staging-agent-a129" {
		t.Fatalf("pages %d names %d", pages, len(names))
	}
	if got := s.Calls()["DescribeAlarms"]; got != 2 {
		t.Fatalf("DescribeAlarms calls = %d, want 2", got)
	}
}

func TestSDKErrorsSurfaceWithQueryCodes(t *testing.T) {
	s, c, _, _ := startSDK(t)
	ctx := context.Background()
	_, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(101)})
	if code := apiCode(t, err); code != "InvalidParameterValue" {
		t.Fatalf("code %s", code)
	}
	s.SetThrottle(1)
	_, err = c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if code := apiCode(t, err); code != "Throttling" {
		t.Fatalf("code %s", code)
	}
	s.SetFailures(1)
	_, err = c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	var ae smithy.APIError
	errors.As(err, &ae)
	if code := apiCode(t, err); code != "InternalServiceError" || ae.ErrorFault() != smithy.FaultServer {
		t.Fatalf("code %s fault %v", code, ae.ErrorFault())
	}
	if _, err = c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); err != nil {
		t.Fatalf("faults must be used up: %v", err)
	}
}
