package cwlocal

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gatewayops/alarms"
	"gatewayops/alarms/emf"
)

// Alarm states, comparison operators and missing-data modes, as CloudWatch names them.
const (
	StateOK               = "OK"
	StateAlarm            = "ALARM"
	StateInsufficientData = "INSUFFICIENT_DATA"
)

var (
	comparisonOperators = []string{"GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"}
	missingDataModes    = []string{"missing", "notBreaching", "breaching", "ignore"}
	stateValues         = []string{StateOK, StateAlarm, StateInsufficientData}
)

// alarm is a metric alarm (cfg) or a composite alarm (comp): its validated
// configuration, its tags and its state.
type alarm struct {
	cfg     PutMetricAlarmInput
	comp    *composite
	tags    []Tag
	stat    Statistic       // single-metric alarms
	queries []compiledQuery // metric-math alarms
	period  int

	configUpdated time.Time
	state         string
	reason        string
	reasonData    string
	transitioned  time.Time
	updated       time.Time
	history       []*histEntry // time order; the items are in Service.history too
}

func oneOf(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// validateAlarm checks a PutMetricAlarm request and fills CloudWatch's defaults.
func validateAlarm(in *PutMetricAlarmInput) (*alarm, *APIError) {
	switch {
	case in.AlarmName == "":
		return nil, errMissing("AlarmName")
	case len(in.AlarmName) > 255:
		return nil, errInvalidValue("AlarmName is longer than 255 characters")
	case in.EvaluationPeriods < 1 || in.EvaluationPeriods > 10080:
		return nil, errInvalidValue("EvaluationPeriods must be between 1 and 10080, got %d", in.EvaluationPeriods)
	case in.ComparisonOperator == "":
		return nil, errMissing("ComparisonOperator")
	case !oneOf(in.ComparisonOperator, comparisonOperators):
		return nil, errInvalidValue("ComparisonOperator %q is not supported (accepted: %s)", in.ComparisonOperator, strings.Join(comparisonOperators, ", "))
	case in.Threshold == nil:
		return nil, errMissing("Threshold")
	}
	if in.DatapointsToAlarm == 0 {
		in.DatapointsToAlarm = in.EvaluationPeriods
	}
	if in.DatapointsToAlarm < 1 || in.DatapointsToAlarm > in.EvaluationPeriods {
		return nil, errInvalidValue("DatapointsToAlarm %d must be between 1 and EvaluationPeriods (%d)", in.DatapointsToAlarm, in.EvaluationPeriods)
	}
	if in.TreatMissingData == "" {
		in.TreatMissingData = "missing"
	}
	if !oneOf(in.TreatMissingData, missingDataModes) {
		return nil, errInvalidValue("TreatMissingData %q is invalid (accepted: %s)", in.TreatMissingData, strings.Join(missingDataModes, ", "))
	}
	if in.Unit != "" && !emf.IsStandardUnit(in.Unit) {
		return nil, errInvalidValue("Unit %q is not a CloudWatch unit (accepted: %s)", in.Unit, strings.Join(emf.StandardUnits(), ", "))
	}
	a := &alarm{cfg: *in}
	var err *APIError
	if len(in.Metrics) > 0 {
		err = a.compileMath()
	} else {
		err = a.compileSingle()
	}
	if err != nil {
		return nil, err
	}
	if a.period*in.EvaluationPeriods > 7*24*3600 {
		return nil, errInvalidValue("Period x EvaluationPeriods is %ds, at most 7 days allowed", a.period*in.EvaluationPeriods)
	}
	return a, nil
}

func (a *alarm) compileSingle() *APIError {
	in := &a.cfg
	switch {
	case in.MetricName == "":
		return errMissing("MetricName (or Metrics for a metric-math alarm)")
	case in.Namespace == "":
		return errMissing("Namespace")
	case in.Statistic != "" && in.ExtendedStatistic != "":
		return errCombination("set Statistic or ExtendedStatistic, not both")
	case in.Statistic == "" && in.ExtendedStatistic == "":
		return errMissing("Statistic or ExtendedStatistic")
	case !ValidPeriod(in.Period):
		return errInvalidValue("Period %d is invalid (accepted: 10, 30 or a multiple of 60 up to 31 days)", in.Period)
	}
	name := in.Statistic + in.ExtendedStatistic
	st, err := ParseStatistic(name)
	if err != nil {
		return errInvalidValue("%v", err)
	}
	if in.Statistic != "" && st.IsPercentile() {
		return errInvalidValue("Statistic %q is a percentile; pass it as ExtendedStatistic", in.Statistic)
	}
	if in.ExtendedStatistic != "" && !st.IsPercentile() {
		return errInvalidValue("ExtendedStatistic %q must be a percentile such as p99", in.ExtendedStatistic)
	}
	if e := checkDimensions(in.Dimensions, "Dimensions"); e != nil {
		return e
	}
	a.stat, a.period = st, in.Period
	return nil
}

func (a *alarm) compileMath() *APIError {
	in := &a.cfg
	if in.MetricName != "" || in.Namespace != "" || in.Statistic != "" || in.ExtendedStatistic != "" || len(in.Dimensions) > 0 {
		return errCombination("Metrics cannot be combined with MetricName, Namespace, Statistic, ExtendedStatistic or Dimensions")
	}
	if len(in.Metrics) > 10 {
		return errInvalidValue("Metrics has %d entries, at most 10 allowed in an alarm", len(in.Metrics))
	}
	qs, err := compileQueries(in.Metrics, "Metrics")
	if err != nil {
		return err
	}
	returning := 0
	for _, q := range qs {
		if q.returns() {
			returning++
		}
	}
	if returning != 1 {
		return errInvalidValue("exactly one of Metrics (%s) must have ReturnData true, %d do", joinIDs(qs), returning)
	}
	a.queries, a.period = qs, maxPeriod(qs)
	if a.period == 0 {
		return errInvalidValue("Metrics holds no MetricStat, so the alarm has no period")
	}
	return nil
}

// putAlarm creates or replaces a metric alarm. Caller holds the lock.
func (s *Service) putAlarm(in PutMetricAlarmInput) *APIError {
	a, err := validateAlarm(&in)
	if err != nil {
		return err
	}
	if old := s.alarms[in.AlarmName]; old != nil && old.comp != nil {
		return errInvalidValue("alarm %q is a composite alarm; delete it before reusing the name", in.AlarmName)
	}
	s.storeAlarm(in.AlarmName, a, in.Tags)
	return nil
}

// storeAlarm creates or replaces an alarm and writes its ConfigurationUpdate
// history item. Replacing keeps the state and the tags, as CloudWatch does
// (it ignores Tags on an update). Caller holds the lock.
func (s *Service) storeAlarm(name string, a *alarm, tags []Tag) *alarm {
	now := s.cfg.Now()
	a.configUpdated = now
	old, exists := s.alarms[name]
	kind, verb := "Create", "created"
	if exists {
		a.state, a.reason, a.reasonData = old.state, old.reason, old.reasonData
		a.transitioned, a.updated, a.history, a.tags = old.transitioned, old.updated, old.history, old.tags
		kind, verb = "Update", "updated"
		s.store.watch(old.reads(), -1)
	} else {
		a.state, a.reason = StateInsufficientData, "Unchecked: Initial alarm creation"
		a.transitioned, a.updated = now, now
		a.tags = append([]Tag(nil), tags...)
		s.insertName(name)
		s.byState.add(a.state, name)
	}
	s.store.watch(a.reads(), 1)
	s.alarms[name] = a
	var view any
	if a.comp != nil {
		view = s.describeComposite(a)
	} else {
		view = s.describe(a)
	}
	data, _ := json.Marshal(map[string]any{"version": "1.0", "type": kind, verb + "Alarm": view})
	s.addHistory(a, AlarmHistoryItem{
		AlarmName: name, AlarmType: a.kind(), Timestamp: TS(now),
		HistoryItemType: "ConfigurationUpdate", HistorySummary: fmt.Sprintf("Alarm %q %s", name, verb),
		HistoryData: string(data),
	})
	return a
}

func (a *alarm) name() string {
	if a.comp != nil {
		return a.comp.in.AlarmName
	}
	return a.cfg.AlarmName
}

func (a *alarm) kind() string {
	if a.comp != nil {
		return "CompositeAlarm"
	}
	return "MetricAlarm"
}

func (a *alarm) actionsEnabled() bool {
	p := a.cfg.ActionsEnabled
	if a.comp != nil {
		p = a.comp.in.ActionsEnabled
	}
	return p == nil || *p
}

func (a *alarm) setActionsEnabled(on bool) {
	if a.comp != nil {
		a.comp.in.ActionsEnabled = &on
		return
	}
	a.cfg.ActionsEnabled = &on
}

// reads is every metric identity the alarm evaluates: those series are
// always admitted and never evicted.
func (a *alarm) reads() []MetricID {
	if a.comp != nil {
		return nil
	}
	if a.queries == nil {
		return []MetricID{newMetricID(a.cfg.Namespace, a.cfg.MetricName, a.cfg.Dimensions)}
	}
	var ids []MetricID
	for _, q := range a.queries {
		if !q.isExpr {
			ids = append(ids, q.id)
		}
	}
	return ids
}

// describe is the DescribeAlarms view of an alarm.
func (s *Service) describe(a *alarm) MetricAlarm {
	c := a.cfg
	enabled := a.actionsEnabled()
	m := MetricAlarm{
		AlarmName: c.AlarmName, AlarmArn: s.arn("alarm", c.AlarmName), AlarmDescription: c.AlarmDescription,
		AlarmConfigurationUpdatedTimestamp: TS(a.configUpdated), ActionsEnabled: enabled,
		OKActions: nonNil(c.OKActions), AlarmActions: nonNil(c.AlarmActions), InsufficientDataActions: nonNil(c.InsufficientDataActions),
		StateValue: a.state, StateReason: a.reason, StateReasonData: a.reasonData,
		StateUpdatedTimestamp: TS(a.updated), StateTransitionedTimestamp: TS(a.transitioned),
		MetricName: c.MetricName, Namespace: c.Namespace, Statistic: c.Statistic, ExtendedStatistic: c.ExtendedStatistic,
		Dimensions: nonNilDims(c.Dimensions), Period: c.Period, Unit: c.Unit,
		EvaluationPeriods: c.EvaluationPeriods, DatapointsToAlarm: c.DatapointsToAlarm,
		Threshold: *c.Threshold, ComparisonOperator: c.ComparisonOperator, TreatMissingData: c.TreatMissingData,
		Metrics: c.Metrics,
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilDims(d []Dimension) []Dimension {
	if d == nil {
		return []Dimension{}
	}
	return d
}

// ProvisionCatalog creates (or updates) every alarm of a catalog, as
// PutMetricAlarm would. Every alarm is checked first: one invalid alarm is
// named in the error and nothing is provisioned.
func (s *Service) ProvisionCatalog(c alarms.Catalog) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	inputs := make([]PutMetricAlarmInput, len(c.Alarms))
	for i, def := range c.Alarms {
		inputs[i] = alarmInput(def)
		probe := inputs[i]
		if _, err := validateAlarm(&probe); err != nil {
			return fmt.Errorf("catalog %q alarm %d (%q): %w", c.Name, i, def.Name, err)
		}
	}
	for _, in := range inputs {
		if err := s.putAlarm(in); err != nil { // cannot fail: validated above
			return err
		}
	}
	return nil
}

// PutMetricAlarm creates or replaces an alarm (the Go form of the operation).
func (s *Service) PutMetricAlarm(in PutMetricAlarmInput) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.putAlarm(in); err != nil {
		return err
	}
	return nil
}

// alarmInput converts a catalog alarm definition into a PutMetricAlarm request.
func alarmInput(d alarms.AlarmDef) PutMetricAlarmInput {
	th := d.Threshold
	in := PutMetricAlarmInput{
		AlarmName: d.Name, AlarmDescription: d.Description, ComparisonOperator: d.ComparisonOperator,
		Threshold: &th, EvaluationPeriods: d.EvaluationPeriods, DatapointsToAlarm: d.DatapointsToAlarm,
		TreatMissingData: d.TreatMissingData,
	}
	if d.Severity != "" {
		in.Tags = []Tag{{Key: "Severity", Value: d.Severity}}
	}
	if d.Metric != nil {
		in.Namespace, in.MetricName, in.Period, in.Unit = d.Metric.Namespace, d.Metric.MetricName, d.Metric.Period, d.Metric.Unit
		in.Dimensions = convertDims(d.Metric.Dimensions)
		if st, err := ParseStatistic(d.Metric.Stat); err == nil && st.IsPercentile() {
			in.ExtendedStatistic = d.Metric.Stat
		} else {
			in.Statistic = d.Metric.Stat
		}
	}
	for _, q := range d.Metrics {
		rd := q.ReturnData
		mq := MetricDataQuery{Id: q.ID, Label: q.Label, Expression: q.Expression, ReturnData: &rd}
		if q.Metric != nil {
			mq.MetricStat = &MetricStatWire{
				Metric: &Metric{Namespace: q.Metric.Namespace, MetricName: q.Metric.MetricName, Dimensions: convertDims(q.Metric.Dimensions)},
				Period: q.Metric.Period, Stat: q.Metric.Stat, Unit: q.Metric.Unit,
			}
		}
		in.Metrics = append(in.Metrics, mq)
	}
	return in
}

func convertDims(ds []alarms.Dimension) []Dimension {
	var out []Dimension
	for _, d := range ds {
		out = append(out, Dimension{Name: d.Name, Value: d.Value})
	}
	return out
}
