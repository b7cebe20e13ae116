package cwlocal

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

func sdkAlarm(t *testing.T, c *cloudwatch.Client, name string, dims ...types.Dimension) {
	t.Helper()
	if _, err := c.PutMetricAlarm(context.Background(), &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name),
		Namespace: aws.String("N"), MetricName: aws.String("M"), Dimensions: dims, Statistic: types.StatisticMaximum,
		Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(5),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold,
		Tags:               []types.Tag{{Key: aws.String("Severity"), Value: aws.String("high")}}}); err != nil {
		t.Fatal(err)
	}
}

// A composite alarm follows its rule over the other alarms' states, through
// the Go SDK (RPC v2 CBOR): DescribeAlarms lists it only when asked.
func TestSDKCompositeAlarmFollowsItsRule(t *testing.T) {
	s, c, _, _ := startSDK(t)
	ctx := context.Background()
	sdkAlarm(t, c, "a")
	sdkAlarm(t, c, "b")
	if _, err := c.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("both"),
		AlarmRule: aws.String(`ALARM("a") AND NOT OK(b)`)}); err != nil {
		t.Fatal(err)
	}
	composite := func() types.CompositeAlarm {
		out, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []types.AlarmType{types.AlarmTypeCompositeAlarm}})
		if err != nil || len(out.CompositeAlarms) != 1 || len(out.MetricAlarms) != 0 {
			t.Fatalf("%+v %v", out, err)
		}
		return out.CompositeAlarms[0]
	}
	if st := composite().StateValue; st != types.StateValueOk { // a is not ALARM
		t.Fatalf("initial %s", st)
	}
	for _, name := range []string{"a", "b"} {
		if _, err := c.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name), StateValue: types.StateValueAlarm, StateReason: aws.String("drill")}); err != nil {
			t.Fatal(err)
		}
	}
	if ca := composite(); ca.StateValue != types.StateValueAlarm || aws.ToString(ca.AlarmRule) != `ALARM("a") AND NOT OK(b)` {
		t.Fatalf("after a and b ALARM: %s %q", ca.StateValue, aws.ToString(ca.StateReason))
	}
	s.EvaluateAll(t0) // no data: a and b go to INSUFFICIENT_DATA, so the rule fails
	if st := composite().StateValue; st != types.StateValueOk {
		t.Fatalf("after evaluation %s", st)
	}
	if out, _ := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); len(out.MetricAlarms) != 2 || len(out.CompositeAlarms) != 0 {
		t.Fatalf("default DescribeAlarms: %d metric, %d composite", len(out.MetricAlarms), len(out.CompositeAlarms))
	}
	_, err := c.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"a"}})
	if apiCode(t, err) != "InvalidParameterValue" {
		t.Fatalf("deleting an alarm a composite reads: %v", err)
	}
	_, err = c.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("bad"), AlarmRule: aws.String(`ALARM(nope)`)})
	if apiCode(t, err) != "InvalidParameterValue" {
		t.Fatalf("a rule naming no alarm: %v", err)
	}
	if _, err := c.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"both", "a"}}); err != nil {
		t.Fatal(err)
	}
	if out, _ := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []types.AlarmType{types.AlarmTypeMetricAlarm, types.AlarmTypeCompositeAlarm}}); len(out.MetricAlarms) != 1 || len(out.CompositeAlarms) != 0 {
		t.Fatalf("after delete: %+v", out)
	}
}

func TestSDKTagsActionsAndAlarmsForMetric(t *testing.T) {
	_, c, _, _ := startSDK(t)
	ctx := context.Background()
	dim := types.Dimension{Name: aws.String("feature"), Value: aws.String("byok")}
	sdkAlarm(t, c, "on-byok", dim)
	sdkAlarm(t, c, "no-dims")
	arn := "arn:aws:cloudwatch:us-east-1:000000000000:alarm:on-byok"
	if _, err := c.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String(arn), Tags: []types.Tag{{Key: aws.String("Team"), Value: aws.String("platform")}, {Key: aws.String("Severity"), Value: aws.String("critical")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: []string{"Team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "critical" {
		t.Fatalf("tags %+v %v", tags, err)
	}
	if _, err := c.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn + "x")}); apiCode(t, err) != "ResourceNotFoundException" {
		t.Fatalf("unknown ARN: %v", err)
	}
	if _, err := c.DisableAlarmActions(ctx, &cloudwatch.DisableAlarmActionsInput{AlarmNames: []string{"on-byok"}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeAlarmsForMetric(ctx, &cloudwatch.DescribeAlarmsForMetricInput{Namespace: aws.String("N"), MetricName: aws.String("M"), Dimensions: []types.Dimension{dim}})
	if err != nil || len(out.MetricAlarms) != 1 || aws.ToString(out.MetricAlarms[0].AlarmName) != "on-byok" || aws.ToBool(out.MetricAlarms[0].ActionsEnabled) {
		t.Fatalf("for metric N/M feature=byok: %+v %v", out, err)
	}
	c.EnableAlarmActions(ctx, &cloudwatch.EnableAlarmActionsInput{AlarmNames: []string{"on-byok"}})
	out, _ = c.DescribeAlarmsForMetric(ctx, &cloudwatch.DescribeAlarmsForMetricInput{Namespace: aws.String("N"), MetricName: aws.String("M")})
	if len(out.MetricAlarms) != 1 || aws.ToString(out.MetricAlarms[0].AlarmName) != "no-dims" {
		t.Fatalf("for metric N/M without dimensions: %+v", out)
	}
}

// GetMetricStatistics through CBOR: statistics, percentiles (a map on the
// wire), the exact identity, and a Unit that filters.
func TestSDKGetMetricStatistics(t *testing.T) {
	s, c, _, _ := startSDK(t)
	ctx := context.Background()
	put(t, s, "N", "M", minute(2), 1, 2, 3, 10)
	in := &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("N"), MetricName: aws.String("M"), Period: aws.Int32(300),
		StartTime: aws.Time(minute(10)), EndTime: aws.Time(t0), Statistics: []types.Statistic{types.StatisticSum, types.StatisticMaximum}}
	out, err := c.GetMetricStatistics(ctx, in)
	if err != nil || len(out.Datapoints) != 1 || aws.ToFloat64(out.Datapoints[0].Sum) != 16 || aws.ToFloat64(out.Datapoints[0].Maximum) != 10 || out.Datapoints[0].Average != nil {
		t.Fatalf("%+v %v", out, err)
	}
	in.Statistics, in.ExtendedStatistics = nil, []string{"p50"}
	if out, err = c.GetMetricStatistics(ctx, in); err != nil || out.Datapoints[0].ExtendedStatistics["p50"] != 2 {
		t.Fatalf("p50: %+v %v", out, err)
	}
	in.Unit = types.StandardUnitSeconds // the data is Unit None
	if out, err = c.GetMetricStatistics(ctx, in); err != nil || len(out.Datapoints) != 0 {
		t.Fatalf("unit filter: %+v %v", out, err)
	}
	in.Unit, in.Period = "", aws.Int32(60)
	in.StartTime = aws.Time(t0.Add(-1441 * time.Minute))
	if _, err = c.GetMetricStatistics(ctx, in); apiCode(t, err) != "InvalidParameterCombination" {
		t.Fatalf("1,441 datapoints: %v", err)
	}
}
