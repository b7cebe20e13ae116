package alarms

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Finding is one monitoring defect: an alarm input that matches no published metric.
type Finding struct {
	Alarm      string      `json:"alarm"`
	QueryID    string      `json:"queryId,omitempty"`
	Namespace  string      `json:"namespace"`
	MetricName string      `json:"metricName"`
	Dimensions []Dimension `json:"dimensions,omitempty"`
	// Published lists the dimension-name sets that do exist for this metric.
	Published [][]string `json:"published"`
	// Kind is FindingIdentity when no published metric has these dimension
	// names (the alarm can never fire), FindingUnseenValue when the names are
	// published but not with these values (yet: a counter such as
	// Error5xxCount appears only once something fails, or the value is a typo).
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// Finding kinds.
const (
	FindingIdentity    = "identity"
	FindingUnseenValue = "unseen-value"
)

// metricKey is namespace + metric name: the unit of one ListMetrics call.
type metricKey struct{ Namespace, MetricName string }

// Inventory is what ListMetrics returned, per namespace and metric name.
type Inventory map[metricKey][]MetricIdentity

// Add records the published identities of one namespace+metric (none = never published).
func (inv Inventory) Add(namespace, metric string, ids []MetricIdentity) {
	inv[metricKey{namespace, metric}] = ids
}

// metricStats lists every metric an alarm reads: its metric, or each math input.
func metricStats(a AlarmDef) []MetricQuery {
	if a.Metric != nil {
		return []MetricQuery{{Metric: a.Metric}}
	}
	var out []MetricQuery
	for _, q := range a.Metrics {
		if q.Metric != nil {
			out = append(out, q)
		}
	}
	return out
}

// LintTargets is what the lint checks: every metric alarm that exists in
// CloudWatch, as deployed (the live definition is what can or cannot fire),
// plus the catalog alarms that CloudWatch does not have (yet).
func LintTargets(live []Alarm, c Catalog) []AlarmDef {
	var defs []AlarmDef
	seen := map[string]bool{}
	for _, a := range live {
		seen[a.Name] = true
		if def, ok := a.Def(); ok {
			defs = append(defs, def)
		}
	}
	for _, d := range c.Alarms {
		if !seen[d.Name] {
			defs = append(defs, d)
		}
	}
	return defs
}

// Def is the alarm's metric definition as CloudWatch reports it; false for a
// composite alarm, which reads no metric itself.
func (a Alarm) Def() (AlarmDef, bool) {
	if a.Composite {
		return AlarmDef{}, false
	}
	d := AlarmDef{
		Name: a.Name, Description: a.Description, Severity: a.Severity, Metrics: a.Metrics,
		ComparisonOperator: a.Comparison, Threshold: a.Threshold, EvaluationPeriods: a.EvaluationPeriods,
		DatapointsToAlarm: a.DatapointsToAlarm, TreatMissingData: a.TreatMissingData,
	}
	if a.MetricName != "" {
		d.Metric = &MetricStat{Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions, Stat: a.Statistic, Period: a.Period, Unit: a.Unit}
	}
	return d, true
}

// Inventory asks ListMetrics once per distinct namespace+metric the alarms read.
// Callers build one per refresh; that is the cache.
func (s *Source) Inventory(ctx context.Context, defs []AlarmDef) (Inventory, error) {
	inv := Inventory{}
	for _, a := range defs {
		for _, q := range metricStats(a) {
			k := metricKey{q.Metric.Namespace, q.Metric.MetricName}
			if _, done := inv[k]; done {
				continue
			}
			ids, err := s.ListMetrics(ctx, k.Namespace, k.MetricName)
			if err != nil {
				return nil, err
			}
			inv[k] = ids
		}
	}
	return inv, nil
}

// Lint reports every alarm input whose identity (namespace, name and FULL
// dimension set) matches no published metric: such an alarm can never fire.
// An input whose namespace+metric is absent from the inventory is not judged.
func Lint(defs []AlarmDef, inv Inventory) []Finding {
	var out []Finding
	for _, a := range defs {
		for _, q := range metricStats(a) {
			m := q.Metric
			published, known := inv[metricKey{m.Namespace, m.MetricName}]
			if !known || identityPublished(m.Dimensions, published) {
				continue
			}
			f := Finding{
				Alarm: a.Name, QueryID: q.ID, Namespace: m.Namespace, MetricName: m.MetricName,
				Dimensions: m.Dimensions, Published: dimensionSets(published),
			}
			f.Kind = findingKind(m.Dimensions, published)
			f.Message = lintMessage(f)
			out = append(out, f)
		}
	}
	return out
}

// findingKind tells an impossible identity from a value not seen yet.
func findingKind(want []Dimension, published []MetricIdentity) string {
	names := make([]Dimension, len(want))
	for i, d := range want {
		names[i] = Dimension{Name: d.Name}
	}
	key := dimKey(names)
	for _, p := range published {
		pn := make([]Dimension, len(p.Dimensions))
		for i, d := range p.Dimensions {
			pn[i] = Dimension{Name: d.Name}
		}
		if dimKey(pn) == key {
			return FindingUnseenValue
		}
	}
	return FindingIdentity
}

func lintMessage(f Finding) string {
	dims := "no dimensions"
	if len(f.Dimensions) > 0 {
		parts := make([]string, len(f.Dimensions))
		for i, d := range f.Dimensions {
			parts[i] = d.Name + "=" + d.Value
		}
		dims = "dimensions {" + strings.Join(parts, ", ") + "}"
	}
	if len(f.Published) == 0 {
		return fmt.Sprintf("alarm %s queries %s %s with %s, but this metric is not published at all", f.Alarm, f.Namespace, f.MetricName, dims)
	}
	sets := make([]string, len(f.Published))
	for i, s := range f.Published {
		sets[i] = "[" + strings.Join(s, ", ") + "]"
	}
	if f.Kind == FindingUnseenValue {
		return fmt.Sprintf("alarm %s queries %s %s with %s: nothing published with these values yet (the dimension names match); "+
			"it will fire only once they appear, so check they are not a typo", f.Alarm, f.Namespace, f.MetricName, dims)
	}
	return fmt.Sprintf("alarm %s queries %s %s with %s, which is never published; published dimension sets: %s",
		f.Alarm, f.Namespace, f.MetricName, dims, strings.Join(sets, " "))
}

// identityPublished is true when a published metric has exactly these dimensions
// (same names, same values, nothing more).
func identityPublished(want []Dimension, published []MetricIdentity) bool {
	key := dimKey(want)
	for _, p := range published {
		if dimKey(p.Dimensions) == key {
			return true
		}
	}
	return false
}

func dimKey(ds []Dimension) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.Name + "\x00" + d.Value
	}
	sort.Strings(parts)
	return strings.Join(parts, "\x01")
}

// dimensionSets lists the distinct sets of dimension names, sorted, for messages.
func dimensionSets(ids []MetricIdentity) [][]string {
	seen := map[string]bool{}
	var out [][]string
	for _, id := range ids {
		names := make([]string, len(id.Dimensions))
		for i, d := range id.Dimensions {
			names[i] = d.Name
		}
		sort.Strings(names)
		k := strings.Join(names, ",")
		if !seen[k] {
			seen[k] = true
			out = append(out, names)
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.Join(out[i], ",") < strings.Join(out[j], ",") })
	return out
}
