package cwlocal

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"gatewayops/alarms"
)

// minute returns t0 - n minutes: the start of the nth period before t0.
func minute(n int) time.Time { return t0.Add(-time.Duration(n) * time.Minute) }

func put(t *testing.T, s *Service, ns, name string, at time.Time, values ...float64) {
	t.Helper()
	if err := s.PutMetricData(PutMetricDataInput{Namespace: ns, MetricData: []MetricDatum{
		{MetricName: name, Timestamp: &Timestamp{at}, Values: values},
	}}); err != nil {
		t.Fatal(err)
	}
}

func newTestService() *Service {
	return New(Config{Now: func() time.Time { return t0 }})
}

func f(v float64) *float64 { return &v }

// statOf reads one statistic of a stored series, as a query would.
func statOf(s *Service, id MetricID, from, to time.Time, period int, st Statistic) []timeValue {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store.statSeries(s.store.get(id), from, to, period, st, "")
}

// state returns an alarm's state and reason.
func state(s *Service, name string) (string, string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.alarms[name]
	return a.state, a.reason, a.reasonData
}

func TestStatistics(t *testing.T) {
	s := newTestService()
	put(t, s, "N", "M", minute(1).Add(5*time.Second), 1, 2, 3, 4, 5)
	put(t, s, "N", "M", minute(1).Add(40*time.Second), 6, 7, 8, 9, 10)
	cases := map[string]float64{
		"SampleCount": 10, "Sum": 55, "Average": 5.5, "Minimum": 1, "Maximum": 10,
		// nearest rank: p90 -> rank ceil(0.9*10) = 9 -> 9; p50 -> rank 5 -> 5;
		// p99 -> rank ceil(9.9) = 10 -> 10; p0 -> rank 1 -> 1; p25 -> ceil(2.5) = 3 -> 3.
		"p90": 9, "p50": 5, "p99": 10, "p0": 1, "p25": 3,
	}
	for name, want := range cases {
		st, err := ParseStatistic(name)
		if err != nil {
			t.Fatal(err)
		}
		got := statOf(s, newMetricID("N", "M", nil), minute(5), t0, 60, st)
		if len(got) != 1 || got[0].v != want || !got[0].t.Equal(minute(1)) {
			t.Errorf("%s = %+v, want %v at %v", name, got, want, minute(1))
		}
	}
	if _, err := ParseStatistic("p101"); err == nil || !strings.Contains(err.Error(), "accepted: SampleCount") {
		t.Fatalf("p101: %v", err)
	}
	if _, err := ParseStatistic("Median"); err == nil {
		t.Fatal("Median accepted")
	}
}

func TestPercentileIsNotComputedFromStatisticSets(t *testing.T) {
	s := newTestService()
	if err := s.PutMetricData(PutMetricDataInput{Namespace: "N", MetricData: []MetricDatum{{MetricName: "M", Timestamp: &Timestamp{minute(1)},
		StatisticValues: &StatisticSet{SampleCount: f(4), Sum: f(10), Minimum: f(1), Maximum: f(4)}}}}); err != nil {
		t.Fatal(err)
	}
	id := newMetricID("N", "M", nil)
	p99, _ := ParseStatistic("p99")
	avg, _ := ParseStatistic("Average")
	if got := statOf(s, id, minute(5), t0, 60, p99); len(got) != 0 {
		t.Fatalf("p99 from a statistic set: %+v", got)
	}
	if got := statOf(s, id, minute(5), t0, 60, avg); len(got) != 1 || got[0].v != 2.5 {
		t.Fatalf("Average = %+v, want 2.5", got)
	}
}

func maxAlarm(name string, n, m int, missing string) PutMetricAlarmInput {
	return PutMetricAlarmInput{AlarmName: name, Namespace: "N", MetricName: "M", Statistic: "Maximum", Period: 60,
		EvaluationPeriods: n, DatapointsToAlarm: m, Threshold: f(5), ComparisonOperator: "GreaterThanThreshold", TreatMissingData: missing}
}

func TestMOfN(t *testing.T) {
	s := newTestService()
	if err := s.PutMetricAlarm(maxAlarm("a", 5, 3, "")); err != nil {
		t.Fatal(err)
	}
	for i, v := range []float64{8, 2, 7, 1, 6} { // minute(1)=8 ... minute(5)=6
		put(t, s, "N", "M", minute(i+1), v)
	}
	s.EvaluateAll(t0)
	st, reason, data := state(s, "a")
	want := "Threshold Crossed: 3 out of the last 5 datapoints [8.0 (27/11/26 03:09:00), 7.0 (27/11/26 03:07:00), 6.0 (27/11/26 03:05:00)] " +
		"were greater than the threshold (5.0) (minimum 3 datapoints for INSUFFICIENT_DATA -> ALARM transition)."
	if st != StateAlarm || reason != want {
		t.Fatalf("state %s reason\n%s\nwant\n%s", st, reason, want)
	}
	var rd stateReasonData
	if err := json.Unmarshal([]byte(data), &rd); err != nil {
		t.Fatal(err)
	}
	if rd.Version != "1.0" || rd.Statistic != "Maximum" || rd.Period != 60 || rd.Threshold != 5 || len(rd.EvaluatedDatapoints) != 5 ||
		len(rd.RecentDatapoints) != 5 || rd.RecentDatapoints[0] != 6 || rd.RecentDatapoints[4] != 8 ||
		rd.StartDate != "2026-11-27T03:05:00.000+0000" || rd.QueryDate != "2026-11-27T03:10:00.000+0000" ||
		*rd.EvaluatedDatapoints[0].Value != 8 || *rd.EvaluatedDatapoints[0].SampleCount != 1 {
		t.Fatalf("reason data %s", data)
	}
	// One minute later the window drops the 6 and takes a 1: 2 of 5 breach -> OK.
	put(t, s, "N", "M", t0, 1)
	s.EvaluateAll(t0.Add(time.Minute))
	st, reason, _ = state(s, "a")
	if st != StateOK || !strings.HasPrefix(reason, "Threshold Crossed: 3 out of the last 5 datapoints [1.0 (27/11/26 03:10:00), 2.0 (27/11/26 03:08:00), 1.0 (27/11/26 03:06:00)] were not greater than the threshold (5.0) (minimum 3 datapoints for ALARM -> OK transition).") {
		t.Fatalf("state %s reason %s", st, reason)
	}
}

func TestComparisonOperators(t *testing.T) {
	cases := []struct {
		op   string
		v    float64
		want string
	}{
		{"GreaterThanThreshold", 5, StateOK}, {"GreaterThanThreshold", 5.1, StateAlarm},
		{"GreaterThanOrEqualToThreshold", 5, StateAlarm}, {"GreaterThanOrEqualToThreshold", 4.9, StateOK},
		{"LessThanThreshold", 5, StateOK}, {"LessThanThreshold", 4.9, StateAlarm},
		{"LessThanOrEqualToThreshold", 5, StateAlarm}, {"LessThanOrEqualToThreshold", 5.1, StateOK},
	}
	for _, c := range cases {
		s := newTestService()
		in := maxAlarm("a", 1, 1, "")
		in.ComparisonOperator = c.op
		if err := s.PutMetricAlarm(in); err != nil {
			t.Fatal(err)
		}
		put(t, s, "N", "M", minute(1), c.v)
		s.EvaluateAll(t0)
		if st, _, _ := state(s, "a"); st != c.want {
			t.Errorf("%s %v: %s, want %s", c.op, c.v, st, c.want)
		}
	}
}

func TestTreatMissingData(t *testing.T) {
	// N=3, M=2, one point at 03:09 and two missing periods. A breaching 9:
	// missing evaluates the one present point (1 of 1 breaches -> ALARM);
	// ignore cannot decide (1 breach, 2 unknown) and keeps INSUFFICIENT_DATA.
	// A non-breaching 1: only breaching mode (2 missing count as breaching) alarms;
	// ignore knows at most 2 can breach... which is M, so it still keeps its state.
	partial := []struct {
		mode, want string
		v          float64
	}{
		{"missing", StateAlarm, 9}, {"notBreaching", StateOK, 9}, {"breaching", StateAlarm, 9}, {"ignore", StateInsufficientData, 9},
		{"missing", StateOK, 1}, {"notBreaching", StateOK, 1}, {"breaching", StateAlarm, 1}, {"ignore", StateInsufficientData, 1},
	}
	for _, c := range partial {
		s := newTestService()
		if err := s.PutMetricAlarm(maxAlarm("a", 3, 2, c.mode)); err != nil {
			t.Fatal(err)
		}
		put(t, s, "N", "M", minute(1), c.v)
		s.EvaluateAll(t0)
		if st, reason, _ := state(s, "a"); st != c.want {
			t.Errorf("%s with partial data %v: %s (%s), want %s", c.mode, c.v, st, reason, c.want)
		}
	}
	// ignore with M=3 of 3 and one non-breaching point: 3 breaches are impossible -> OK.
	s := newTestService()
	if err := s.PutMetricAlarm(maxAlarm("a", 3, 3, "ignore")); err != nil {
		t.Fatal(err)
	}
	put(t, s, "N", "M", minute(2), 1)
	s.EvaluateAll(t0)
	if st, reason, _ := state(s, "a"); st != StateOK || !strings.HasPrefix(reason, "Threshold Crossed: 3 out of the last 3 datapoints [1.0 (27/11/26 03:08:00)] were not greater than") {
		t.Errorf("ignore, ALARM impossible: %s %s", st, reason)
	}
	// No data at all, starting from a state set by hand.
	none := map[string]struct{ from, want, reason string }{
		"missing":      {StateOK, StateInsufficientData, "Insufficient Data: 3 datapoints were unknown."},
		"notBreaching": {StateAlarm, StateOK, "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching]."},
		"breaching":    {StateOK, StateAlarm, "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching]."},
		"ignore":       {StateAlarm, StateAlarm, "set by hand"},
	}
	for mode, c := range none {
		s := newTestService()
		if err := s.PutMetricAlarm(maxAlarm("a", 3, 2, mode)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.setAlarmState(&SetAlarmStateInput{AlarmName: "a", StateValue: c.from, StateReason: "set by hand"}); err != nil {
			t.Fatal(err)
		}
		s.EvaluateAll(t0)
		if st, reason, _ := state(s, "a"); st != c.want || reason != c.reason {
			t.Errorf("%s with no data: %s %q, want %s %q", mode, st, reason, c.want, c.reason)
		}
	}
}

// errorRateAlarm is catalog alarm #1: IF(total > 0, errors / total * 100, 0) > 5.
func errorRateAlarm(m int) alarms.AlarmDef {
	stat := func(name string) *alarms.MetricStat {
		return &alarms.MetricStat{Namespace: "Arrakis/AgentGateway", MetricName: name, Stat: "Sum", Period: 60}
	}
	return alarms.AlarmDef{
		Name: "arrakis-staging-agent-error-rate-high", Severity: "critical",
		Metrics: []alarms.MetricQuery{
			{ID: "errors", Metric: stat("Error5xxCount")},
			{ID: "total", Metric: stat("RequestCount")},
			{ID: "error_rate", Expression: "IF(total > 0, errors / total * 100, 0)", Label: "Error Rate %", ReturnData: true},
		},
		ComparisonOperator: "GreaterThanThreshold", Threshold: 5, EvaluationPeriods: 5, DatapointsToAlarm: m, TreatMissingData: "notBreaching",
	}
}

func TestErrorRateMath(t *testing.T) {
	s := newTestService()
	if err := s.ProvisionCatalog(alarms.Catalog{Name: "t", Alarms: []alarms.AlarmDef{errorRateAlarm(3)}}); err != nil {
		t.Fatal(err)
	}
	ns := "Arrakis/AgentGateway"
	// 03:05: 1 of 10 failed -> 10%. 03:06: 4 requests, no Error5xxCount emitted -> no datapoint.
	// 03:07: explicit zeros -> IF takes the 0 branch -> 0. 03:08: 5 of 20 -> 25%. 03:09: 8 of 8 -> 100%.
	put(t, s, ns, "RequestCount", minute(5), 10)
	put(t, s, ns, "Error5xxCount", minute(5), 1)
	put(t, s, ns, "RequestCount", minute(4), 4)
	put(t, s, ns, "RequestCount", minute(3), 0)
	put(t, s, ns, "Error5xxCount", minute(3), 0)
	put(t, s, ns, "RequestCount", minute(2), 20)
	put(t, s, ns, "Error5xxCount", minute(2), 5)
	put(t, s, ns, "RequestCount", minute(1), 8)
	put(t, s, ns, "Error5xxCount", minute(1), 8)
	s.EvaluateAll(t0)
	st, reason, _ := state(s, "arrakis-staging-agent-error-rate-high")
	want := "Threshold Crossed: 3 out of the last 5 datapoints [100.0 (27/11/26 03:09:00), 25.0 (27/11/26 03:08:00), 10.0 (27/11/26 03:05:00)] were greater than the threshold (5.0) (minimum 3 datapoints for INSUFFICIENT_DATA -> ALARM transition)."
	if st != StateAlarm || reason != want {
		t.Fatalf("%s %s", st, reason)
	}
	// With M = N = 5 (the Terraform default) the same data is only 3 of 5: OK.
	s2 := newTestService()
	s2.store = s.store
	if err := s2.ProvisionCatalog(alarms.Catalog{Alarms: []alarms.AlarmDef{errorRateAlarm(0)}}); err != nil {
		t.Fatal(err)
	}
	s2.EvaluateAll(t0)
	if st, _, _ := state(s2, "arrakis-staging-agent-error-rate-high"); st != StateOK {
		t.Fatalf("M=N: %s", st)
	}
}

func TestProvisionCatalogRejectsBadAlarmAndChangesNothing(t *testing.T) {
	s := newTestService()
	bad := errorRateAlarm(0)
	bad.Name = "broken"
	bad.Metrics[2].Expression = "IF(total > 0, errors / totl * 100, 0)"
	err := s.ProvisionCatalog(alarms.Catalog{Name: "c", Alarms: []alarms.AlarmDef{errorRateAlarm(0), bad}})
	if err == nil || !strings.Contains(err.Error(), `"broken"`) || !strings.Contains(err.Error(), `unknown id "totl"`) {
		t.Fatalf("error %v", err)
	}
	if len(s.alarms) != 0 {
		t.Fatalf("%d alarms provisioned despite the error", len(s.alarms))
	}
}

func TestMathExpressions(t *testing.T) {
	in := map[string]float64{"a": 6, "b": 3}
	lookup := func(id string) (float64, bool) { v, ok := in[id]; return v, ok }
	cases := map[string]float64{
		"a + b * 2": 12, "(a + b) * 2": 18, "a / b - 1": 1, "-a + 10": 4, "a > b": 1, "a <= b": 0,
		"IF(a == 6, 1, 2)": 1, "IF(a != 6, 1, 2)": 2, "a > 1 AND b > 5": 0, "a > 1 || b > 5": 1,
		"FILL(missing, 7) + a": 13, "a >= 6 && b < 4": 1,
	}
	for src, want := range cases {
		pe, err := parseExpr(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if got, ok := pe.root.eval(&env{lookup: lookup}); !ok || got != want {
			t.Errorf("%s = %v (%v), want %v", src, got, ok, want)
		}
	}
	for _, src := range []string{"a / 0", "missing + 1", "IF(a < 0, 1)"} {
		pe, _ := parseExpr(src)
		if _, ok := pe.root.eval(&env{lookup: lookup}); ok {
			t.Errorf("%s has a value, want none", src)
		}
	}
	bad := map[string]string{"a +": "ends early", "SUM(a)": "over one series it is not served", "STDDEV(a)": "unsupported function STDDEV",
		"METRICS()": "returns several series", "SUM(SEARCH('x'))": "SEARCH: unknown statistic", "SUM(SEARCH('x', 'Sum'))": "SEARCH takes a search expression, a statistic and a period", "a = b": "unknown operator", "(a": "missing ')'",
		"1 + 2": "references no metric", "a $ b": "unexpected character", "IF(a)": "IF takes 2 or 3", "FILL(a, b)": "FILL takes"}
	for src, msg := range bad {
		if _, err := parseExpr(src); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", src, err, msg)
		}
	}
}

func TestRunEvaluatesOnItsTicker(t *testing.T) {
	s := newTestService()
	if err := s.PutMetricAlarm(maxAlarm("a", 1, 1, "")); err != nil {
		t.Fatal(err)
	}
	put(t, s, "N", "M", minute(1), 9)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx, time.Millisecond); close(done) }()
	defer func() { cancel(); <-done }()
	for i := 0; ; i++ {
		if st, _, _ := state(s, "a"); st == StateAlarm {
			return
		}
		if i > 5000 {
			t.Fatal("Run never evaluated the alarm")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestStartForTestServesTheSDK(t *testing.T) {
	s, url := StartForTest(t)
	c, err := NewSDKClient(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutMetricAlarm(maxAlarm("a", 1, 1, "")); err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{})
	if err != nil || len(out.MetricAlarms) != 1 {
		t.Fatalf("%v %+v", err, out)
	}
}
