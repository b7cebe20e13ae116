package alarms

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed catalogs/*.yaml
var embeddedCatalogs embed.FS

// Accepted values, listed in error messages so a bad catalog says how to fix it.
// Constants, not package variables: nothing can change them at run time.
const (
	acceptedStats       = "SampleCount, Sum, Average, Minimum, Maximum, pNN (e.g. p99, p99.9)"
	acceptedOperators   = "GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold, LessThanOrEqualToThreshold"
	acceptedMissingData = "missing, notBreaching, breaching, ignore"
	acceptedSeverities  = "critical, high, medium, low"
)

// The regular expressions are compiled once and only ever read.
var (
	percentileStat = regexp.MustCompile(`^p(100|[1-9]?[0-9])(\.[0-9]{1,2})?$`)
	queryID        = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)
)

// DefaultCatalog is the Sprint 4 report's six alarms plus the dashboard's
// eleven metric panels (catalogs/default.yaml).
func DefaultCatalog() Catalog { return mustEmbedded("catalogs/default.yaml") }

// TerraformCatalog is the ten alarms of infrastructure/terraform/agent-monitoring.tf,
// exactly as deployed: no dimensions, notBreaching (catalogs/terraform.yaml).
func TerraformCatalog() Catalog { return mustEmbedded("catalogs/terraform.yaml") }

// mustEmbedded panics only if an embedded catalog is broken, which the tests rule out.
func mustEmbedded(name string) Catalog {
	raw, err := embeddedCatalogs.ReadFile(name)
	if err != nil {
		panic(err)
	}
	c, err := ParseCatalog(raw)
	if err != nil {
		panic(fmt.Sprintf("embedded %s: %v", name, err))
	}
	return c
}

// LoadCatalog reads and validates a catalog YAML file.
func LoadCatalog(path string) (Catalog, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Catalog{}, fmt.Errorf("catalog %s: %w", path, err)
	}
	c, err := ParseCatalog(raw)
	if err != nil {
		return Catalog{}, fmt.Errorf("catalog %s: %w", path, err)
	}
	return c, nil
}

// ParseCatalog decodes a catalog and validates every alarm and panel. Unknown
// YAML fields are errors, so a typo does not silently drop a setting.
func ParseCatalog(raw []byte) (Catalog, error) {
	var c Catalog
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return Catalog{}, fmt.Errorf("invalid catalog YAML: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Catalog{}, err
	}
	return c, nil
}

// Validate reports every problem of the catalog at once.
func (c Catalog) Validate() error {
	var errs []error
	if len(c.Alarms) == 0 && len(c.Panels) == 0 {
		errs = append(errs, errors.New("catalog defines no alarms and no panels"))
	}
	seen := map[string]bool{}
	for i, a := range c.Alarms {
		where := fmt.Sprintf("alarm %d (%q)", i+1, a.Name)
		if a.Name != "" && seen[a.Name] {
			errs = append(errs, fmt.Errorf("%s: duplicate alarm name", where))
		}
		seen[a.Name] = true
		errs = append(errs, prefixErrs(where, validateAlarm(a))...)
	}
	titles := map[string]bool{}
	for i, p := range c.Panels {
		where := fmt.Sprintf("panel %d (%q)", i+1, p.Title)
		if p.Title == "" {
			errs = append(errs, fmt.Errorf("%s: missing title", where))
		} else if titles[p.Title] {
			errs = append(errs, fmt.Errorf("%s: duplicate panel title", where))
		}
		titles[p.Title] = true
		if len(p.Queries) == 0 {
			errs = append(errs, fmt.Errorf("%s: no queries", where))
		}
		errs = append(errs, prefixErrs(where, validateQueries(p.Queries))...)
	}
	return errors.Join(errs...)
}

func prefixErrs(where string, errs []error) []error {
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = fmt.Errorf("%s: %w", where, e)
	}
	return out
}

func validateAlarm(a AlarmDef) []error {
	var errs []error
	if a.Name == "" {
		errs = append(errs, errors.New("missing name"))
	}
	if !inList(acceptedSeverities, a.Severity) {
		errs = append(errs, fmt.Errorf("severity %q is not one of %s", a.Severity, acceptedSeverities))
	}
	switch {
	case a.Metric != nil && len(a.Metrics) > 0:
		errs = append(errs, errors.New("set either metric or metrics, not both"))
	case a.Metric != nil:
		errs = append(errs, validateStat(*a.Metric)...)
	case len(a.Metrics) > 0:
		errs = append(errs, validateQueries(a.Metrics)...)
		if n := countReturnData(a.Metrics); n != 1 {
			errs = append(errs, fmt.Errorf("a metric-math alarm needs exactly one query with returnData: true, found %d", n))
		}
	default:
		errs = append(errs, errors.New("missing metric (or metrics for a metric-math alarm)"))
	}
	if !inList(acceptedOperators, a.ComparisonOperator) {
		errs = append(errs, fmt.Errorf("comparison %q is not one of %s", a.ComparisonOperator, acceptedOperators))
	}
	if a.EvaluationPeriods < 1 {
		errs = append(errs, fmt.Errorf("evaluationPeriods must be at least 1, got %d", a.EvaluationPeriods))
	}
	if a.DatapointsToAlarm < 0 || a.DatapointsToAlarm > a.EvaluationPeriods {
		errs = append(errs, fmt.Errorf("datapointsToAlarm %d must be between 1 and evaluationPeriods (%d)", a.DatapointsToAlarm, a.EvaluationPeriods))
	}
	if a.TreatMissingData != "" && !inList(acceptedMissingData, a.TreatMissingData) {
		errs = append(errs, fmt.Errorf("treatMissingData %q is not one of %s", a.TreatMissingData, acceptedMissingData))
	}
	return errs
}

func validateQueries(qs []MetricQuery) []error {
	var errs []error
	ids := map[string]bool{}
	for _, q := range qs {
		if !queryID.MatchString(q.ID) {
			errs = append(errs, fmt.Errorf("query id %q must start with a lowercase letter and contain only letters, digits and _", q.ID))
		}
		if ids[q.ID] {
			errs = append(errs, fmt.Errorf("duplicate query id %q", q.ID))
		}
		ids[q.ID] = true
		switch {
		case q.Metric != nil && q.Expression != "":
			errs = append(errs, fmt.Errorf("query %q: set either metric or expression, not both", q.ID))
		case q.Metric != nil:
			errs = append(errs, prefixErrs("query "+q.ID, validateStat(*q.Metric))...)
		case q.Expression == "":
			errs = append(errs, fmt.Errorf("query %q: missing metric or expression", q.ID))
		}
	}
	return errs
}

func validateStat(m MetricStat) []error {
	var errs []error
	if m.Namespace == "" {
		errs = append(errs, errors.New("metric: missing namespace"))
	}
	if m.MetricName == "" {
		errs = append(errs, errors.New("metric: missing metric name"))
	}
	if !validStat(m.Stat) {
		errs = append(errs, fmt.Errorf("statistic %q is not one of %s", m.Stat, acceptedStats))
	}
	if !ValidPeriod(m.Period) {
		errs = append(errs, fmt.Errorf("period %d is not 10, 30, 60 or a multiple of 60 seconds", m.Period))
	}
	for _, d := range m.Dimensions {
		if d.Name == "" || d.Value == "" {
			errs = append(errs, fmt.Errorf("dimension %q=%q needs both a name and a value", d.Name, d.Value))
		}
	}
	return errs
}

// ValidPeriod is CloudWatch's rule: 10, 30, 60 or any multiple of 60 seconds.
func ValidPeriod(p int) bool {
	return p == 10 || p == 30 || (p > 0 && p%60 == 0)
}

func validStat(s string) bool {
	return inList("SampleCount, Sum, Average, Minimum, Maximum", s) || percentileStat.MatchString(s)
}

func countReturnData(qs []MetricQuery) int {
	n := 0
	for _, q := range qs {
		if q.ReturnData {
			n++
		}
	}
	return n
}

// inList reports whether s is one of the comma-separated values of list.
func inList(list, s string) bool {
	for v := range strings.SplitSeq(list, ", ") {
		if v == s {
			return true
		}
	}
	return false
}

// ForEnv returns a copy of the catalog with {env} replaced in alarm names,
// descriptions and dimension values. The receiver is not modified.
func (c Catalog) ForEnv(env string) Catalog {
	r := strings.NewReplacer("{env}", env)
	out := Catalog{Name: c.Name, Alarms: make([]AlarmDef, len(c.Alarms)), Panels: make([]Panel, len(c.Panels))}
	for i, a := range c.Alarms {
		a.Name = r.Replace(a.Name)
		a.Description = r.Replace(a.Description)
		if a.Metric != nil {
			m := envStat(*a.Metric, r)
			a.Metric = &m
		}
		a.Metrics = envQueries(a.Metrics, r)
		out.Alarms[i] = a
	}
	for i, p := range c.Panels {
		p.Queries = envQueries(p.Queries, r)
		out.Panels[i] = p
	}
	return out
}

func envQueries(qs []MetricQuery, r *strings.Replacer) []MetricQuery {
	if qs == nil {
		return nil
	}
	out := make([]MetricQuery, len(qs))
	for i, q := range qs {
		if q.Metric != nil {
			m := envStat(*q.Metric, r)
			q.Metric = &m
		}
		out[i] = q
	}
	return out
}

func envStat(m MetricStat, r *strings.Replacer) MetricStat {
	dims := make([]Dimension, len(m.Dimensions))
	for i, d := range m.Dimensions {
		dims[i] = Dimension{Name: d.Name, Value: r.Replace(d.Value)}
	}
	if len(dims) == 0 {
		dims = nil
	}
	m.Dimensions = dims
	m.Namespace = r.Replace(m.Namespace)
	return m
}

// Find returns the alarm definition with this exact name.
func (c Catalog) Find(name string) (AlarmDef, bool) {
	for _, a := range c.Alarms {
		if a.Name == name {
			return a, true
		}
	}
	return AlarmDef{}, false
}
