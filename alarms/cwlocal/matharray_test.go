package cwlocal

import (
	"testing"
	"time"
)

// The metric-math array subset, in the shapes of AWS's documented examples:
// SUM/AVG/MIN/MAX over METRICS(), METRICS("label part"), [ids] and SEARCH.
func TestMathOverArrays(t *testing.T) {
	s := newTestService()
	for feature, v := range map[string]float64{"baseline": 2, "byok": 5, "ensemble": 11} {
		if err := s.PutMetricData(PutMetricDataInput{Namespace: "Arrakis/AgentGateway", MetricData: []MetricDatum{{MetricName: "RequestCount",
			Dimensions: []Dimension{{Name: "feature", Value: feature}}, Timestamp: &Timestamp{minute(1)}, Value: f(v)}}}); err != nil {
			t.Fatal(err)
		}
	}
	put(t, s, "Arrakis/AgentGateway", "RequestCount", minute(1), 100) // no dimensions: not in the {.., feature} schema
	stat := func(id, feature, label string) MetricDataQuery {
		no := false
		return MetricDataQuery{Id: id, Label: label, ReturnData: &no, MetricStat: &MetricStatWire{Period: 60, Stat: "Sum",
			Metric: &Metric{Namespace: "Arrakis/AgentGateway", MetricName: "RequestCount", Dimensions: []Dimension{{Name: "feature", Value: feature}}}}}
	}
	cases := map[string]float64{
		"SUM(METRICS())":          18,
		"AVG(METRICS())":          6,
		`MAX(METRICS("premium"))`: 11,
		"MIN([m1, m2])":           2,
		`SUM(SEARCH('{Arrakis/AgentGateway,feature} MetricName="RequestCount"', 'Sum', 60))`: 18,
		`MAX(SEARCH('{Arrakis/AgentGateway,feature} byok', 'Sum', 60))`:                      5,
		`SUM(SEARCH('RequestCount', 'Sum', 60))`:                                             118,
		`SUM(METRICS()) / 2 + 1`:                                                             10,
	}
	for src, want := range cases {
		qs, err := compileQueries([]MetricDataQuery{stat("m1", "baseline", ""), stat("m2", "byok", ""), stat("m3", "ensemble", "premium"), {Id: "e", Expression: src}}, "q")
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		s.mu.Lock()
		res := s.runQueries(qs, minute(5), t0)["e"]
		s.mu.Unlock()
		if len(res) != 1 || res[0].v != want || !res[0].t.Equal(minute(1)) {
			t.Errorf("%s = %+v, want %v at %s", src, res, want, minute(1).Format(time.TimeOnly))
		}
	}
}
