package cwlocal

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// getMetricStatistics is the older single-metric read that runbooks and the
// gateway's pool-claim-preflight.sh use: the exact identity (no dimension
// means the series without dimensions), up to 1,440 datapoints.
func (s *Service) getMetricStatistics(in *GetMetricStatisticsInput) (any, *APIError) {
	stats, err := checkStatistics(in)
	if err != nil {
		return nil, err
	}
	from, to := in.StartTime.Time, in.EndTime.Time
	if n := to.Sub(from) / (time.Duration(in.Period) * time.Second); n > 1440 {
		return nil, errCombination("the request asks for %d datapoints; at most 1,440 per call (use a longer Period or a shorter range)", n)
	}
	out := &GetMetricStatisticsOutput{Label: in.MetricName, Datapoints: []Datapoint{}}
	sr := s.store.get(newMetricID(in.Namespace, in.MetricName, in.Dimensions))
	if sr == nil || (in.Period < 60 && !sr.highRes) || (in.Unit != "" && in.Unit != sr.unit) {
		return out, nil
	}
	aggs := s.store.periods(sr, from.Unix(), to.Unix(), int64(in.Period), len(in.ExtendedStatistics) > 0)
	for i := range aggs {
		d := s.datapoint(aggs[i].bucket(), stats, sr.unit)
		d.Timestamp = TS(time.Unix(aggs[i].b.start, 0))
		out.Datapoints = append(out.Datapoints, d)
	}
	return out, nil
}

func checkStatistics(in *GetMetricStatisticsInput) ([]Statistic, *APIError) {
	switch {
	case in.Namespace == "":
		return nil, errMissing("Namespace")
	case in.MetricName == "":
		return nil, errMissing("MetricName")
	case in.StartTime == nil:
		return nil, errMissing("StartTime")
	case in.EndTime == nil:
		return nil, errMissing("EndTime")
	case !in.EndTime.After(in.StartTime.Time):
		return nil, errInvalidValue("EndTime must be after StartTime")
	case in.Period == 0:
		return nil, errMissing("Period")
	case !ValidPeriod(in.Period):
		return nil, errInvalidValue("Period %d is invalid (accepted: 1, 5, 10, 30 or a multiple of 60)", in.Period)
	case len(in.Statistics) == 0 && len(in.ExtendedStatistics) == 0:
		return nil, errMissing("Statistics or ExtendedStatistics")
	case len(in.Statistics) > 5 || len(in.ExtendedStatistics) > 10:
		return nil, errInvalidValue("at most 5 Statistics and 10 ExtendedStatistics per call")
	}
	if err := checkDimensions(in.Dimensions, "Dimensions"); err != nil {
		return nil, err
	}
	var out []Statistic
	for _, name := range in.Statistics {
		st, err := ParseStatistic(name)
		if err != nil || st.IsPercentile() {
			return nil, errInvalidValue("Statistics value %q is invalid (accepted: %s; percentiles go in ExtendedStatistics)", name, strings.Join(statNames, ", "))
		}
		out = append(out, st)
	}
	for _, name := range in.ExtendedStatistics {
		st, err := ParseStatistic(name)
		if err != nil || !st.IsPercentile() {
			return nil, errInvalidValue("ExtendedStatistics value %q must be a percentile such as p99", name)
		}
		out = append(out, st)
	}
	return out, nil
}

func (s *Service) datapoint(b *bucket, stats []Statistic, unit string) Datapoint {
	d := Datapoint{Timestamp: TS(time.Unix(b.start, 0)), Unit: unit}
	for _, st := range stats {
		v, ok := s.store.value(b, st)
		if !ok {
			continue
		}
		switch st.Name {
		case "SampleCount":
			d.SampleCount = &v
		case "Sum":
			d.Sum = &v
		case "Average":
			d.Average = &v
		case "Minimum":
			d.Minimum = &v
		case "Maximum":
			d.Maximum = &v
		default:
			if d.ExtendedStatistics == nil {
				d.ExtendedStatistics = map[string]float64{}
			}
			d.ExtendedStatistics[st.Name] = v
		}
	}
	return d
}

// describeAlarmsForMetric returns the metric alarms on one exact identity,
// narrowed by the optional statistic, period and unit.
func (s *Service) describeAlarmsForMetric(in *DescribeAlarmsForMetricInput) (any, *APIError) {
	switch {
	case in.Namespace == "":
		return nil, errMissing("Namespace")
	case in.MetricName == "":
		return nil, errMissing("MetricName")
	}
	key := newMetricID(in.Namespace, in.MetricName, in.Dimensions).key()
	out := &DescribeAlarmsForMetricOutput{MetricAlarms: []MetricAlarm{}}
	for _, n := range s.names {
		a := s.alarms[n]
		c := a.cfg
		if a.comp != nil || a.queries != nil || newMetricID(c.Namespace, c.MetricName, c.Dimensions).key() != key ||
			(in.Statistic != "" && in.Statistic != c.Statistic) || (in.ExtendedStatistic != "" && in.ExtendedStatistic != c.ExtendedStatistic) ||
			(in.Period != 0 && in.Period != c.Period) || (in.Unit != "" && in.Unit != c.Unit) {
			continue
		}
		out.MetricAlarms = append(out.MetricAlarms, s.describe(a))
	}
	return out, nil
}

func checkNames(names []string) *APIError {
	switch {
	case len(names) == 0:
		return errMissing("AlarmNames")
	case len(names) > 100:
		return errInvalidValue("AlarmNames has %d names, at most 100 allowed", len(names))
	}
	return nil
}

// deleteAlarms deletes every named alarm, or none when one does not exist or
// a composite alarm that is not deleted too reads one of them.
func (s *Service) deleteAlarms(in *AlarmNamesInput) (any, *APIError) {
	if err := checkNames(in.AlarmNames); err != nil {
		return nil, err
	}
	for _, n := range in.AlarmNames {
		if s.alarms[n] == nil {
			return nil, errNotFound("Alarm %s not found; no alarm was deleted", n)
		}
	}
	for _, name := range s.names {
		a := s.alarms[name]
		if a.comp == nil || slices.Contains(in.AlarmNames, name) {
			continue
		}
		for _, r := range a.comp.reads {
			if slices.Contains(in.AlarmNames, r) {
				return nil, errInvalidValue("composite alarm %q reads %q; delete or change it first (no alarm was deleted)", name, r)
			}
		}
	}
	for _, n := range in.AlarmNames {
		s.forgetAlarm(n)
	}
	return &empty{}, nil
}

// forgetAlarm removes an alarm and everything that indexes it: the series
// it kept admitted, the sorted names, the state index and its history.
// Caller holds the lock.
func (s *Service) forgetAlarm(n string) {
	a := s.alarms[n]
	if a == nil {
		return
	}
	s.store.watch(a.reads(), -1)
	delete(s.alarms, n)
	s.removeName(n)
	s.byState.remove(a.state, n)
	s.dropHistory(a)
}

func (s *Service) enableAlarmActions(in *AlarmNamesInput) (any, *APIError) {
	return s.setActions(in, true)
}

func (s *Service) disableAlarmActions(in *AlarmNamesInput) (any, *APIError) {
	return s.setActions(in, false)
}

// setActions switches actions of the named alarms; unknown names are
// ignored, as CloudWatch does.
func (s *Service) setActions(in *AlarmNamesInput, on bool) (any, *APIError) {
	if err := checkNames(in.AlarmNames); err != nil {
		return nil, err
	}
	for _, n := range in.AlarmNames {
		if a := s.alarms[n]; a != nil {
			a.setActionsEnabled(on)
		}
	}
	return &empty{}, nil
}

// taggedAlarm resolves an alarm ARN (only alarms carry tags here).
func (s *Service) taggedAlarm(arn string) (*alarm, *APIError) {
	if arn == "" {
		return nil, errMissing("ResourceARN")
	}
	name, ok := strings.CutPrefix(arn, s.arn("alarm", ""))
	if a := s.alarms[name]; ok && a != nil {
		return a, nil
	}
	return nil, newAPIError("ResourceNotFoundException", "ResourceNotFoundException", http.StatusNotFound, true,
		"no alarm has the ARN %s", arn)
}

func (s *Service) listTagsForResource(in *ResourceInput) (any, *APIError) {
	a, err := s.taggedAlarm(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return &ListTagsForResourceOutput{Tags: append([]Tag{}, a.tags...)}, nil
}

func (s *Service) tagResource(in *TagResourceInput) (any, *APIError) {
	a, err := s.taggedAlarm(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	for i, t := range in.Tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return nil, errInvalidValue("Tags[%d] needs a Key of 1-128 characters and a Value of at most 256", i)
		}
	}
	for _, t := range in.Tags {
		a.tags = slices.DeleteFunc(a.tags, func(x Tag) bool { return x.Key == t.Key })
		a.tags = append(a.tags, t)
	}
	return &empty{}, nil
}

func (s *Service) untagResource(in *UntagResourceInput) (any, *APIError) {
	a, err := s.taggedAlarm(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	a.tags = slices.DeleteFunc(a.tags, func(x Tag) bool { return slices.Contains(in.TagKeys, x.Key) })
	return &empty{}, nil
}
