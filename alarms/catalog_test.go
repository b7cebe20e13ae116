package alarms

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultCatalogIsTheSprint4AlarmsAndElevenPanels(t *testing.T) {
	c := DefaultCatalog().ForEnv("staging")
	want := map[string]float64{
		"arrakis-staging-agent-error5xx-rate":        5,
		"arrakis-staging-agent-p99-latency":          10000,
		"arrakis-staging-agent-circuit-breaker-open": 0,
		"arrakis-staging-agent-budget-drift-high":    1000,
		"arrakis-staging-agent-stale-reservations":   100000,
		"arrakis-staging-agent-finalize-failures":    0,
	}
	if len(c.Alarms) != len(want) {
		t.Fatalf("default catalog has %d alarms, want %d", len(c.Alarms), len(want))
	}
	for name, th := range want {
		a, ok := c.Find(name)
		if !ok {
			t.Fatalf("missing alarm %s", name)
		}
		if a.Threshold != th {
			t.Errorf("%s threshold = %v, want %v", name, a.Threshold, th)
		}
	}
	if len(c.Panels) != 11 {
		t.Fatalf("default catalog has %d panels, want 11", len(c.Panels))
	}
	age, _ := c.Find("arrakis-staging-agent-stale-reservations")
	if got := age.Metric.Dimensions[0].Value; got != "/ecs/arrakis-staging/api" {
		t.Errorf("ForEnv did not replace {env} in dimension values: %q", got)
	}
}

func TestTerraformCatalogIsTheTenDeployedAlarmsWithoutDimensions(t *testing.T) {
	c := TerraformCatalog().ForEnv("production")
	if len(c.Alarms) != 10 {
		t.Fatalf("terraform catalog has %d alarms, want 10", len(c.Alarms))
	}
	p99, ok := c.Find("arrakis-production-agent-latency-p99-high")
	if !ok || p99.Threshold != 5000 || p99.Metric.Stat != "p99" || p99.EvaluationPeriods != 5 {
		t.Fatalf("latency alarm = %+v", p99)
	}
	for _, a := range c.Alarms {
		if !strings.HasPrefix(a.Name, "arrakis-production-") {
			t.Errorf("name %q not expanded", a.Name)
		}
		if a.TreatMissingData != "notBreaching" {
			t.Errorf("%s treatMissingData = %q", a.Name, a.TreatMissingData)
		}
		for _, q := range metricStats(a) {
			m := q.Metric
			if len(m.Dimensions) != 0 {
				t.Errorf("%s queries dimensions %v; the deployed alarms have none", a.Name, m.Dimensions)
			}
		}
	}
}

func TestForEnvLeavesTheTemplateUntouched(t *testing.T) {
	tmpl := DefaultCatalog()
	_ = tmpl.ForEnv("production")
	if !strings.Contains(tmpl.Alarms[0].Name, "{env}") {
		t.Fatalf("ForEnv modified its receiver: %q", tmpl.Alarms[0].Name)
	}
}

const goodAlarm = `
name: t
alarms:
  - name: a
    severity: high
    metric: {namespace: N, metric: M, stat: Sum, period: 60}
    comparison: GreaterThanThreshold
    threshold: 1
    evaluationPeriods: 1
`

func TestParseCatalogRejectsBadInputNamingTheProblem(t *testing.T) {
	cases := map[string]struct{ from, to, want string }{
		"unknown statistic": {"stat: Sum", "stat: Median", `statistic "Median" is not one of SampleCount, Sum, Average, Minimum, Maximum`},
		"bad percentile":    {"stat: Sum", "stat: p101", `statistic "p101"`},
		"unknown operator":  {"comparison: GreaterThanThreshold", "comparison: Above", `comparison "Above" is not one of GreaterThanThreshold`},
		"bad period":        {"period: 60", "period: 90", "period 90 is not 10, 30, 60 or a multiple of 60 seconds"},
		"missing data mode": {"evaluationPeriods: 1", "evaluationPeriods: 1\n    treatMissingData: ignored", `treatMissingData "ignored" is not one of missing, notBreaching, breaching, ignore`},
		"missing name":      {"- name: a", "- name: \"\"", "missing name"},
		"missing metric":    {"metric: {namespace: N, metric: M, stat: Sum, period: 60}", "", "missing metric"},
		"missing namespace": {"namespace: N, ", "", "missing namespace"},
		"bad severity":      {"severity: high", "severity: urgent", `severity "urgent" is not one of critical, high, medium, low`},
		"unknown field":     {"threshold: 1", "threshhold: 1", "field threshhold not found"},
		"zero evaluation":   {"evaluationPeriods: 1", "evaluationPeriods: 0", "evaluationPeriods must be at least 1"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseCatalog([]byte(strings.Replace(goodAlarm, tc.from, tc.to, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	if _, err := ParseCatalog([]byte(goodAlarm)); err != nil {
		t.Fatalf("the good catalog fails: %v", err)
	}
}

func TestParseCatalogRejectsDuplicates(t *testing.T) {
	dup := goodAlarm + strings.SplitN(goodAlarm, "alarms:\n", 2)[1]
	_, err := ParseCatalog([]byte(dup))
	if err == nil || !strings.Contains(err.Error(), `alarm 2 ("a"): duplicate alarm name`) {
		t.Fatalf("err = %v", err)
	}
	math := `
name: t
alarms:
  - name: m
    severity: low
    comparison: LessThanThreshold
    threshold: 1
    evaluationPeriods: 1
    metrics:
      - {id: x, metric: {namespace: N, metric: M, stat: Sum, period: 60}}
      - {id: x, expression: "x * 2", returnData: true}
`
	_, err = ParseCatalog([]byte(math))
	if err == nil || !strings.Contains(err.Error(), `duplicate query id "x"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadCatalogFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(goodAlarm), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadCatalog(path)
	if err != nil || len(c.Alarms) != 1 || c.Alarms[0].Metric.MetricName != "M" {
		t.Fatalf("LoadCatalog = %+v, %v", c, err)
	}
	if _, err := LoadCatalog(filepath.Join(t.TempDir(), "none.yaml")); err == nil || !strings.Contains(err.Error(), "none.yaml") {
		t.Fatalf("missing file err = %v", err)
	}
}
