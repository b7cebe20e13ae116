package replay

import (
	"fmt"
	"strings"

	"gatewayops/alarms"
)

// maxPanelQueries keeps a panel readable (and its sparklines on screen).
const maxPanelQueries = 8

// Catalog is what a console on the replay shows: the recorded alarms under
// their replay names, and one panel per metric they read with a line per
// recorded series (its alarms' statistic; a percentile as the recorded
// series PercentileIdentity names, one value a period).
func (r *Recording) Catalog(rename func(string) string) alarms.Catalog {
	if rename == nil {
		rename = func(s string) string { return s }
	}
	c := alarms.Catalog{Name: "replay"}
	stat := map[metricKey]string{}
	for _, a := range r.Alarms {
		c.Alarms = append(c.Alarms, alarmDef(a, rename(a.Name)))
		for _, s := range a.Stats() {
			if k := (metricKey{s.Namespace, s.MetricName}); stat[k] == "" {
				stat[k] = s.Stat
			}
		}
	}
	panels := map[metricKey]int{}
	for _, s := range r.Series {
		if !s.Listed {
			continue
		}
		k := metricKey{s.Namespace, s.MetricName}
		i, ok := panels[k]
		if !ok {
			i = len(c.Panels)
			panels[k] = i
			c.Panels = append(c.Panels, alarms.Panel{Title: panelTitle(k, stat[k])})
		}
		p := &c.Panels[i]
		if len(p.Queries) < maxPanelQueries {
			p.Queries = append(p.Queries, panelQuery(s, stat[k], len(p.Queries)))
		}
	}
	return c
}

func panelTitle(k metricKey, stat string) string {
	if strings.HasPrefix(stat, "p") {
		return fmt.Sprintf("%s %s (recorded per period; not samples)", k.name, stat)
	}
	return fmt.Sprintf("%s %s", k.name, stat)
}

func panelQuery(s Series, stat string, n int) alarms.MetricQuery {
	label := dimLabel(s.Dimensions)
	m := &alarms.MetricStat{Namespace: s.Namespace, MetricName: s.MetricName, Dimensions: s.Dimensions, Stat: stat, Period: s.Period}
	if strings.HasPrefix(stat, "p") {
		m.Dimensions, m.Stat = PercentileIdentity(s, stat), "Maximum"
		label += " " + stat
	}
	return alarms.MetricQuery{ID: fmt.Sprintf("m%d", n), Label: label, Metric: m, ReturnData: true}
}

func dimLabel(ds []alarms.Dimension) string {
	if len(ds) == 0 {
		return "(no dimensions)"
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.Name + "=" + d.Value
	}
	return strings.Join(parts, ",")
}

// alarmDef is the catalog form of a recorded alarm (severity unknown: the
// recording holds CloudWatch's view, which has no severity field).
func alarmDef(a Alarm, name string) alarms.AlarmDef {
	d := alarms.AlarmDef{Name: name, Description: a.Description, Severity: "high", ComparisonOperator: a.ComparisonOperator,
		Threshold: a.Threshold, EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.DatapointsToAlarm, TreatMissingData: a.TreatMissingData}
	if m := a.Metric; m != nil {
		d.Metric = &alarms.MetricStat{Namespace: m.Namespace, MetricName: m.MetricName, Dimensions: m.Dimensions, Stat: m.Stat, Period: m.Period, Unit: m.Unit}
	}
	for _, q := range a.Metrics {
		mq := alarms.MetricQuery{ID: q.ID, Label: q.Label, Expression: q.Expression, ReturnData: q.ReturnData}
		if m := q.Metric; m != nil {
			mq.Metric = &alarms.MetricStat{Namespace: m.Namespace, MetricName: m.MetricName, Dimensions: m.Dimensions, Stat: m.Stat, Period: m.Period, Unit: m.Unit}
		}
		d.Metrics = append(d.Metrics, mq)
	}
	return d
}
