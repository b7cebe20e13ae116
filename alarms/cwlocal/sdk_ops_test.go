package cwlocal

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

func sdkStat(ns, name, stat string, dims ...types.Dimension) *types.MetricStat {
	return &types.MetricStat{Stat: aws.String(stat), Period: aws.Int32(60),
		Metric: &types.Metric{Namespace: aws.String(ns), MetricName: aws.String(name), Dimensions: dims}}
}

func TestSDKPutMetricAlarmMathAndDescribe(t *testing.T) {
	s, c, _, _ := startSDK(t)
	ctx := context.Background()
	ns := "Arrakis/AgentGateway"
	_, err := c.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("arrakis-staging-agent-error-rate-high"), AlarmDescription: aws.String("5xx spike"),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, Threshold: aws.Float64(5),
		EvaluationPeriods: aws.Int32(5), DatapointsToAlarm: aws.Int32(3), TreatMissingData: aws.String("notBreaching"),
		Metrics: []types.MetricDataQuery{
			{Id: aws.String("errors"), MetricStat: sdkStat(ns, "Error5xxCount", "Sum"), ReturnData: aws.Bool(false)},
			{Id: aws.String("total"), MetricStat: sdkStat(ns, "RequestCount", "Sum"), ReturnData: aws.Bool(false)},
			{Id: aws.String("error_rate"), Expression: aws.String("IF(total > 0, errors / total * 100, 0)"), Label: aws.String("Error Rate %"), ReturnData: aws.Bool(true)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("arrakis-staging-agent-latency-p99-high"), Namespace: aws.String(ns), MetricName: aws.String("RequestLatency"),
		ExtendedStatistic: aws.String("p99"), Period: aws.Int32(60), EvaluationPeriods: aws.Int32(5),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, Threshold: aws.Float64(5000),
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		put(t, s, ns, "RequestCount", minute(i), 10)
		put(t, s, ns, "Error5xxCount", minute(i), float64(i)) // 10%..50%: all breach
	}
	s.EvaluateAll(t0)
	out, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{StateValue: types.StateValueAlarm})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricAlarms) != 1 {
		t.Fatalf("ALARM alarms: %d", len(out.MetricAlarms))
	}
	a := out.MetricAlarms[0]
	if aws.ToString(a.AlarmName) != "arrakis-staging-agent-error-rate-high" || len(a.Metrics) != 3 ||
		aws.ToString(a.Metrics[2].Expression) != "IF(total > 0, errors / total * 100, 0)" || aws.ToBool(a.Metrics[0].ReturnData) ||
		aws.ToInt32(a.DatapointsToAlarm) != 3 || aws.ToFloat64(a.Threshold) != 5 || !a.StateTransitionedTimestamp.Equal(t0) ||
		!strings.HasPrefix(aws.ToString(a.StateReason), "Threshold Crossed: 5 out of the last 5 datapoints [10.0 (27/11/26 03:09:00)") ||
		aws.ToString(a.AlarmArn) != "arn:aws:cloudwatch:us-east-1:000000000000:alarm:arrakis-staging-agent-error-rate-high" {
		t.Fatalf("alarm %+v reason %s", a, aws.ToString(a.StateReason))
	}
	var rd map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(a.StateReasonData)), &rd); err != nil || rd["threshold"] != 5.0 {
		t.Fatalf("reason data %s", aws.ToString(a.StateReasonData))
	}
	out, err = c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"arrakis-staging-agent-latency-p99-high"}})
	if err != nil || len(out.MetricAlarms) != 1 || out.MetricAlarms[0].StateValue != types.StateValueInsufficientData ||
		aws.ToString(out.MetricAlarms[0].ExtendedStatistic) != "p99" || aws.ToString(out.MetricAlarms[0].StateReason) != "Unchecked: Initial alarm creation" {
		t.Fatalf("%v %+v", err, out)
	}
	out, err = c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []types.AlarmType{types.AlarmTypeCompositeAlarm}})
	if err != nil || len(out.MetricAlarms) != 0 || len(out.CompositeAlarms) != 0 {
		t.Fatalf("composite only: %v %+v", err, out)
	}
}

func TestSDKSetAlarmStateAndHistory(t *testing.T) {
	s, c, clock, _ := startSDK(t)
	ctx := context.Background()
	if err := s.PutMetricAlarm(maxAlarm("breaker", 2, 0, "notBreaching")); err != nil {
		t.Fatal(err)
	}
	clock.t = t0.Add(time.Minute)
	if _, err := c.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("breaker"), StateValue: types.StateValueAlarm,
		StateReason: aws.String("drill"), StateReasonData: aws.String(`{"drill":true}`)}); err != nil {
		t.Fatal(err)
	}
	clock.t = t0.Add(2 * time.Minute)
	s.EvaluateAll(clock.t) // no data + notBreaching -> OK
	h, err := c.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("breaker")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range h.AlarmHistoryItems {
		got = append(got, string(it.HistoryItemType)+": "+aws.ToString(it.HistorySummary))
	}
	want := []string{"StateUpdate: Alarm updated from ALARM to OK", "StateUpdate: Alarm updated from INSUFFICIENT_DATA to ALARM", `ConfigurationUpdate: Alarm "breaker" created`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("history %q", got)
	}
	var hd struct {
		Version  string
		OldState struct{ StateValue string }
		NewState struct {
			StateValue      string
			StateReasonData map[string]any
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(h.AlarmHistoryItems[1].HistoryData)), &hd); err != nil ||
		hd.Version != "1.0" || hd.OldState.StateValue != "INSUFFICIENT_DATA" || hd.NewState.StateValue != "ALARM" || hd.NewState.StateReasonData["drill"] != true {
		t.Fatalf("history data %s (%v)", aws.ToString(h.AlarmHistoryItems[1].HistoryData), err)
	}
	// Filters and paging: StateUpdate only, oldest first, one per page.
	p := cloudwatch.NewDescribeAlarmHistoryPaginator(c, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("breaker"),
		HistoryItemType: types.HistoryItemTypeStateUpdate, ScanBy: types.ScanByTimestampAscending, MaxRecords: aws.Int32(1)})
	got = nil
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range pg.AlarmHistoryItems {
			got = append(got, aws.ToString(it.HistorySummary))
		}
	}
	if strings.Join(got, "|") != "Alarm updated from INSUFFICIENT_DATA to ALARM|Alarm updated from ALARM to OK" {
		t.Fatalf("paged %q", got)
	}
	h, err = c.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{StartDate: aws.Time(t0.Add(90 * time.Second)), EndDate: aws.Time(t0.Add(time.Hour))})
	if err != nil || len(h.AlarmHistoryItems) != 1 {
		t.Fatalf("date filter: %v %d", err, len(h.AlarmHistoryItems))
	}
	_, err = c.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("nope"), StateValue: types.StateValueOk, StateReason: aws.String("x")})
	if code := apiCode(t, err); code != "ResourceNotFound" {
		t.Fatalf("code %s", code)
	}
	_, err = c.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("breaker"), StateValue: "BROKEN", StateReason: aws.String("x")})
	if code := apiCode(t, err); code != "InvalidParameterValue" || !strings.Contains(err.Error(), "accepted: OK, ALARM, INSUFFICIENT_DATA") {
		t.Fatalf("code %s %v", code, err)
	}
	if st, _, _ := state(s, "breaker"); st != StateOK {
		t.Fatalf("a rejected SetAlarmState changed the state to %s", st)
	}
}

func TestSDKGetMetricDataExpressionsAndPaging(t *testing.T) {
	s, c, _, _ := startSDK(t)
	ctx := context.Background()
	for i := 1; i <= 10; i++ {
		put(t, s, "N", "total", minute(i), 10)
		put(t, s, "N", "errors", minute(i), float64(i))
	}
	q := []types.MetricDataQuery{
		{Id: aws.String("e"), MetricStat: sdkStat("N", "errors", "Sum"), ReturnData: aws.Bool(false)},
		{Id: aws.String("t"), MetricStat: sdkStat("N", "total", "Sum"), ReturnData: aws.Bool(false)},
		{Id: aws.String("rate"), Expression: aws.String("IF(t > 0, e / t * 100, 0)")},
		{Id: aws.String("raw"), MetricStat: sdkStat("N", "errors", "Maximum")},
	}
	in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(minute(10)), EndTime: aws.Time(t0), MetricDataQueries: q,
		ScanBy: types.ScanByTimestampAscending, MaxDatapoints: aws.Int32(7)}
	p := cloudwatch.NewGetMetricDataPaginator(c, in)
	series := map[string][]float64{}
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.MetricDataResults {
			series[aws.ToString(r.Id)] = append(series[aws.ToString(r.Id)], r.Values...)
		}
	}
	// minute(10) holds 10 errors of 10 requests (100%), minute(1) holds 1 of 10 (10%): ascending.
	if pages != 3 || fmt.Sprint(series["rate"]) != "[100 90 80 70 60 50 40 30 20 10]" || fmt.Sprint(series["raw"]) != "[10 9 8 7 6 5 4 3 2 1]" || len(series) != 2 {
		t.Fatalf("pages %d series %v", pages, series)
	}
	_, err := c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(minute(1)), MetricDataQueries: q})
	if code := apiCode(t, err); code != "InvalidParameterValue" {
		t.Fatalf("reversed window: %s", code)
	}
	_, err = c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(minute(5)), EndTime: aws.Time(t0),
		MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("x"), MetricStat: sdkStat("N", "errors", "Sum"), Expression: aws.String("x")}}})
	if code := apiCode(t, err); code != "InvalidParameterCombination" {
		t.Fatalf("both MetricStat and Expression: %s", code)
	}
	_, err = c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(minute(5)), EndTime: aws.Time(t0), NextToken: aws.String("forged"),
		MetricDataQueries: q})
	if code := apiCode(t, err); code != "InvalidNextToken" {
		t.Fatalf("forged token: %s", code)
	}
}

func TestSDKListMetricsFiltersAndPaging(t *testing.T) {
	s, c, _, _ := startSDK(t)
	ctx := context.Background()
	for i := range 520 {
		if err := s.PutMetricData(PutMetricDataInput{Namespace: "Arrakis/Economic", MetricData: []MetricDatum{{MetricName: "reserve_latency_ms",
			Dimensions: []Dimension{{"community_id", fmt.Sprintf("c%03d", i)}, {"operation", "reserve"}}, Value: f(1)}}}); err != nil {
			t.Fatal(err)
		}
	}
	line := `{"feature":"byok","_aws":{"Timestamp":` + fmt.Sprint(t0.UnixMilli()) + `,"CloudWatchMetrics":[{"Namespace":"Arrakis/AgentGateway","Dimensions":[["feature"]],"Metrics":[{"Name":"RequestCount","Unit":"Count"}]}]},"RequestCount":1}`
	if err := s.IngestEMF([]byte(line)); err != nil {
		t.Fatal(err)
	}
	count := 0
	p := cloudwatch.NewListMetricsPaginator(c, &cloudwatch.ListMetricsInput{Namespace: aws.String("Arrakis/Economic")})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		count += len(out.Metrics)
	}
	if count != 520 || pages != 2 {
		t.Fatalf("%d metrics in %d pages", count, pages)
	}
	out, err := c.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Dimensions: []types.DimensionFilter{{Name: aws.String("community_id"), Value: aws.String("c007")}}})
	if err != nil || len(out.Metrics) != 1 || len(out.Metrics[0].Dimensions) != 2 {
		t.Fatalf("by value: %v %+v", err, out)
	}
	out, err = c.ListMetrics(ctx, &cloudwatch.ListMetricsInput{MetricName: aws.String("RequestCount"), Dimensions: []types.DimensionFilter{{Name: aws.String("feature")}}})
	if err != nil || len(out.Metrics) != 1 || aws.ToString(out.Metrics[0].Dimensions[0].Value) != "byok" {
		t.Fatalf("by name only: %v %+v", err, out)
	}
	// The catalog alarms query no dimensions: that identity does not exist.
	out, err = c.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("Arrakis/AgentGateway"), MetricName: aws.String("RequestCount"),
		Dimensions: []types.DimensionFilter{{Name: aws.String("feature"), Value: aws.String("baseline")}}})
	if err != nil || len(out.Metrics) != 0 {
		t.Fatalf("absent identity: %v %+v", err, out)
	}
}

func TestSDKPutMetricDataRejectsBadDatumAndStoresNothing(t *testing.T) {
	s, c, _, _ := startSDK(t)
	ctx := context.Background()
	_, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("N"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("ok"), Value: aws.Float64(1)},
		{MetricName: aws.String("bad"), Value: aws.Float64(1), Unit: "Furlongs"},
	}})
	if code := apiCode(t, err); code != "InvalidParameterValue" || !strings.Contains(err.Error(), `MetricData[1].Unit "Furlongs"`) {
		t.Fatalf("%s %v", code, err)
	}
	_, err = c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("N"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("both"), Value: aws.Float64(1), Values: []float64{2}}}})
	if code := apiCode(t, err); code != "InvalidParameterCombination" {
		t.Fatalf("%s", code)
	}
	_, err = c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("N"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"),
		StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(2), Sum: aws.Float64(3), Minimum: aws.Float64(5), Maximum: aws.Float64(1)}}}})
	if code := apiCode(t, err); code != "InvalidParameterValue" || !strings.Contains(err.Error(), "Minimum <= Maximum") {
		t.Fatalf("%s %v", code, err)
	}
	_, err = c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("N"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"),
		Values: []float64{1, 1e200}}}})
	if code := apiCode(t, err); code != "InvalidParameterValue" || !strings.Contains(err.Error(), "outside CloudWatch's range") {
		t.Fatalf("%s %v", code, err)
	}
	_, err = c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("N"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"),
		Values: []float64{1, 2}, Counts: []float64{0, 0}}}})
	if code := apiCode(t, err); code != "InvalidParameterValue" || !strings.Contains(err.Error(), "Counts are all zero") {
		t.Fatalf("%s %v", code, err)
	}
	if len(s.store.series) != 0 {
		t.Fatalf("%d series stored from rejected requests", len(s.store.series))
	}
}

func TestSDKPutMetricAlarmRejects(t *testing.T) {
	s, c, _, _ := startSDK(t)
	ctx := context.Background()
	base := func() *cloudwatch.PutMetricAlarmInput {
		return &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("a"), Namespace: aws.String("N"), MetricName: aws.String("M"),
			Statistic: types.StatisticMaximum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(2),
			ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, Threshold: aws.Float64(1)}
	}
	cases := map[string]struct {
		mut  func(*cloudwatch.PutMetricAlarmInput)
		code string
		msg  string
	}{
		"period 45":     {func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(45) }, "InvalidParameterValue", "Period 45"},
		"M > N":         {func(in *cloudwatch.PutMetricAlarmInput) { in.DatapointsToAlarm = aws.Int32(3) }, "InvalidParameterValue", "DatapointsToAlarm 3"},
		"missing mode":  {func(in *cloudwatch.PutMetricAlarmInput) { in.TreatMissingData = aws.String("zero") }, "InvalidParameterValue", "accepted: missing, notBreaching, breaching, ignore"},
		"operator":      {func(in *cloudwatch.PutMetricAlarmInput) { in.ComparisonOperator = "LessThanLowerThreshold" }, "InvalidParameterValue", "accepted: GreaterThanThreshold"},
		"no threshold":  {func(in *cloudwatch.PutMetricAlarmInput) { in.Threshold = nil }, "MissingParameter", "Threshold"},
		"two stats":     {func(in *cloudwatch.PutMetricAlarmInput) { in.ExtendedStatistic = aws.String("p99") }, "InvalidParameterCombination", "not both"},
		"stat and math": {func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics = []types.MetricDataQuery{{Id: aws.String("m")}} }, "InvalidParameterCombination", "Metrics cannot"},
	}
	for name, tc := range cases {
		in := base()
		tc.mut(in)
		_, err := c.PutMetricAlarm(ctx, in)
		if code := apiCode(t, err); code != tc.code || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %s %v", name, code, err)
		}
	}
	if len(s.alarms) != 0 {
		t.Fatalf("rejected requests created %d alarms", len(s.alarms))
	}
}

func TestSDKAlarmMuteRules(t *testing.T) {
	_, c, clock, _ := startSDK(t)
	ctx := context.Background()
	_, err := c.PutAlarmMuteRule(ctx, &cloudwatch.PutAlarmMuteRuleInput{Name: aws.String("deploy-window"), Description: aws.String("deploy"),
		Rule:        &types.Rule{Schedule: &types.Schedule{Expression: aws.String("at(2026-11-27T04:00:00)"), Duration: aws.String("PT1H")}},
		MuteTargets: &types.MuteTargets{AlarmNames: []string{"arrakis-staging-agent-latency-p99-high"}},
		StartDate:   aws.Time(t0.Add(time.Hour)), ExpireDate: aws.Time(t0.Add(3 * time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.GetAlarmMuteRule(ctx, &cloudwatch.GetAlarmMuteRuleInput{AlarmMuteRuleName: aws.String("deploy-window")})
	if err != nil || g.Status != types.AlarmMuteRuleStatusScheduled || aws.ToString(g.MuteType) != "ONE_TIME" ||
		aws.ToString(g.Rule.Schedule.Duration) != "PT1H" || g.MuteTargets.AlarmNames[0] != "arrakis-staging-agent-latency-p99-high" {
		t.Fatalf("%v %+v", err, g)
	}
	clock.t = t0.Add(2 * time.Hour)
	l, err := c.ListAlarmMuteRules(ctx, &cloudwatch.ListAlarmMuteRulesInput{AlarmName: aws.String("arrakis-staging-agent-latency-p99-high"),
		Statuses: []types.AlarmMuteRuleStatus{types.AlarmMuteRuleStatusActive}})
	if err != nil || len(l.AlarmMuteRuleSummaries) != 1 || !strings.HasSuffix(aws.ToString(l.AlarmMuteRuleSummaries[0].AlarmMuteRuleArn), ":alarm-mute-rule:deploy-window") {
		t.Fatalf("%v %+v", err, l)
	}
	l, err = c.ListAlarmMuteRules(ctx, &cloudwatch.ListAlarmMuteRulesInput{AlarmName: aws.String("other")})
	if err != nil || len(l.AlarmMuteRuleSummaries) != 0 {
		t.Fatalf("other alarm: %v %+v", err, l)
	}
	_, err = c.PutAlarmMuteRule(ctx, &cloudwatch.PutAlarmMuteRuleInput{Name: aws.String("bad"),
		Rule: &types.Rule{Schedule: &types.Schedule{Expression: aws.String("tomorrow"), Duration: aws.String("PT1H")}}})
	if code := apiCode(t, err); code != "InvalidParameterValue" {
		t.Fatalf("%s", code)
	}
	if _, err = c.DeleteAlarmMuteRule(ctx, &cloudwatch.DeleteAlarmMuteRuleInput{AlarmMuteRuleName: aws.String("deploy-window")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetAlarmMuteRule(ctx, &cloudwatch.GetAlarmMuteRuleInput{AlarmMuteRuleName: aws.String("deploy-window")})
	if code := apiCode(t, err); code != "ResourceNotFound" {
		t.Fatalf("%s", code)
	}
	_, err = c.DeleteAlarmMuteRule(ctx, &cloudwatch.DeleteAlarmMuteRuleInput{AlarmMuteRuleName: aws.String("deploy-window")})
	if code := apiCode(t, err); code != "ResourceNotFound" {
		t.Fatalf("%s", code)
	}
}

// History is kept at the millisecond, as CloudWatch reports it and as a
// request's EndDate arrives: a state change 0.6 ms into a millisecond is
// inside an EndDate of that same millisecond (it was "after" it, so a read
// "until now" right after a change missed it; the contract test
// TestHistoryAndRunAgainstCloudWatch failed 15 of 60 runs that way).
func TestHistoryUntilNowHoldsAChangeOfTheSameMillisecond(t *testing.T) {
	s, c, clock, _ := startSDK(t)
	ctx := context.Background()
	if err := s.PutMetricAlarm(maxAlarm("breaker", 2, 0, "notBreaching")); err != nil {
		t.Fatal(err)
	}
	changed := t0.Add(time.Minute + 600*time.Microsecond)
	clock.t = changed
	if _, err := c.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("breaker"), StateValue: types.StateValueAlarm,
		StateReason: aws.String("drill")}); err != nil {
		t.Fatal(err)
	}
	h, err := c.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("breaker"),
		StartDate: aws.Time(t0), EndDate: aws.Time(changed.Add(100 * time.Microsecond)), HistoryItemType: types.HistoryItemTypeStateUpdate})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.AlarmHistoryItems) != 1 {
		t.Fatalf("history until the change's own millisecond: %d items, want the change", len(h.AlarmHistoryItems))
	}
	if at := aws.ToTime(h.AlarmHistoryItems[0].Timestamp); !at.Equal(changed.Truncate(time.Millisecond)) {
		t.Fatalf("item at %v, want %v (the millisecond)", at, changed.Truncate(time.Millisecond))
	}
}
