package stack

import (
	"testing"

	"gatewayops/alarms"
)

func TestDemoCatalogIsValidAndShortened(t *testing.T) {
	c := DemoCatalog("demo")
	if err := c.Validate(); err != nil {
		t.Fatalf("demo catalog invalid: %v", err)
	}
	periods := func(m *alarms.MetricStat) {
		if m != nil && m.Period != DemoPeriod {
			t.Errorf("%s period %d, want %d", m.MetricName, m.Period, DemoPeriod)
		}
	}
	kmsSeen := false
	for _, a := range c.Alarms {
		periods(a.Metric)
		for _, q := range a.Metrics {
			periods(q.Metric)
		}
		if a.Metric != nil && a.Metric.MetricName == "CircuitBreakerState" {
			kmsSeen = len(a.Metric.Dimensions) == 1 && a.Metric.Dimensions[0].Value == "kms"
		}
	}
	if !kmsSeen {
		t.Error("the demo breaker alarm does not watch component=kms")
	}
	for _, p := range c.Panels {
		for _, q := range p.Queries {
			periods(q.Metric)
			if q.Metric != nil && q.Metric.MetricName == "CircuitBreakerState" && q.Metric.Dimensions[0].Value == "byok-kms" {
				t.Errorf("panel %s still queries byok-kms, which the demo never publishes", p.Title)
			}
		}
	}
}
