package stack

import "gatewayops/alarms"

// DemoPeriod is the alarm and panel period of the demo, in seconds. Ten
// seconds is a valid high-resolution CloudWatch period; it lets the incident
// unfold in about a minute instead of the production catalog's 1-15 minutes.
const DemoPeriod = 10

// DemoCatalog is the default catalog for environment env with every period
// shortened to DemoPeriod. Two further changes, both for the demo's story:
//   - the breaker alarm watches component=kms, the fleet-wide breaker kept in
//     Redis that the console can reset (the default catalog's loa-finn breaker
//     lives inside each gateway process and has no remote handle);
//   - alarms judged over several minutes in production are judged here over
//     three 10 s datapoints, two of which must breach.
func DemoCatalog(env string) alarms.Catalog {
	c := alarms.DefaultCatalog().ForEnv(env)
	c.Name = "demo"
	for i := range c.Alarms {
		shortenAlarm(&c.Alarms[i])
	}
	for i := range c.Panels {
		for j := range c.Panels[i].Queries {
			q := &c.Panels[i].Queries[j]
			shorten(q.Metric)
			kmsAsPublished(q)
		}
	}
	return c
}

// kmsAsPublished points the dashboard's documented byok-kms breaker series at
// the component name the breaker really has in Redis (circuit:kms), which is
// what the demo publishes (the dashboard's own fleet panel also uses kms).
func kmsAsPublished(q *alarms.MetricQuery) {
	if q.Metric == nil || q.Metric.MetricName != "CircuitBreakerState" {
		return
	}
	for k, d := range q.Metric.Dimensions {
		if d.Name == "component" && d.Value == "byok-kms" {
			q.Metric.Dimensions[k].Value = "kms"
			q.Label = "kms"
		}
	}
}

func shortenAlarm(a *alarms.AlarmDef) {
	shorten(a.Metric)
	for j := range a.Metrics {
		shorten(a.Metrics[j].Metric)
	}
	if a.Metric != nil && a.Metric.MetricName == "CircuitBreakerState" {
		a.Metric.Dimensions = []alarms.Dimension{{Name: "component", Value: "kms"}}
		a.Description = "CircuitBreakerOpen: the kms circuit breaker is not closed (state > 0)"
		return
	}
	if a.Metrics != nil { // the error-rate math alarm
		a.EvaluationPeriods, a.DatapointsToAlarm = 3, 2
	}
}

func shorten(m *alarms.MetricStat) {
	if m != nil {
		m.Period = DemoPeriod
	}
}
