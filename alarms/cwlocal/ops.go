package cwlocal

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gatewayops/alarms/emf"
)

// Paging tokens are opaque to callers: base64 of "kind:offset".
func encodeToken(kind string, offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.Itoa(offset)))
}

func decodeToken(kind, token string) (int, *APIError) {
	if token == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, errNextToken(token)
	}
	k, off, ok := strings.Cut(string(b), ":")
	n, err := strconv.Atoi(off)
	if !ok || k != kind || err != nil || n < 0 {
		return 0, errNextToken(token)
	}
	return n, nil
}

// page cuts [offset, offset+size) out of n items and the token for the rest.
func page(kind string, n, offset, size int) (lo, hi int, next string) {
	lo = min(offset, n)
	hi = min(lo+size, n)
	if hi < n {
		next = encodeToken(kind, hi)
	}
	return lo, hi, next
}

func maxRecords(p *int, def, limit int) (int, *APIError) {
	if p == nil {
		return def, nil
	}
	if *p < 1 || *p > limit {
		return 0, errInvalidValue("MaxRecords must be between 1 and %d, got %d", limit, *p)
	}
	return *p, nil
}

func (s *Service) describeAlarms(in *DescribeAlarmsInput) (any, *APIError) {
	size, err := maxRecords(in.MaxRecords, 50, 100)
	if err != nil {
		return nil, err
	}
	if in.StateValue != "" && !oneOf(in.StateValue, stateValues) {
		return nil, errInvalidValue("StateValue %q is invalid (accepted: %s)", in.StateValue, strings.Join(stateValues, ", "))
	}
	if len(in.AlarmNames) > 0 && in.AlarmNamePrefix != "" {
		return nil, errCombination("AlarmNames and AlarmNamePrefix cannot be used together")
	}
	if len(in.AlarmNames) > 100 {
		return nil, errInvalidValue("AlarmNames has %d names, at most 100 allowed", len(in.AlarmNames))
	}
	// CloudWatch answers metric alarms only unless AlarmTypes asks for more.
	kinds := map[string]bool{"MetricAlarm": len(in.AlarmTypes) == 0}
	for _, t := range in.AlarmTypes {
		if !oneOf(t, []string{"MetricAlarm", "CompositeAlarm"}) {
			return nil, errInvalidValue("AlarmTypes value %q is invalid (accepted: MetricAlarm, CompositeAlarm)", t)
		}
		kinds[t] = true
	}
	after, err := decodeNameToken("alarms", in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &DescribeAlarmsOutput{MetricAlarms: []MetricAlarm{}, CompositeAlarms: []CompositeAlarm{}}
	n := 0
	s.eachCandidate(in, after, func(name string, a *alarm) bool {
		if !kinds[a.kind()] || !matchesAlarm(in, a) {
			return true
		}
		if n == size {
			out.NextToken = encodeNameToken("alarms", after)
			return false
		}
		if a.comp != nil {
			out.CompositeAlarms = append(out.CompositeAlarms, s.describeComposite(a))
		} else {
			out.MetricAlarms = append(out.MetricAlarms, s.describe(a))
		}
		n, after = n+1, name
		return true
	})
	return out, nil
}

// eachCandidate walks, in name order and after the token's name, the alarms
// a DescribeAlarms can return: the named ones, or the prefix's range of the
// sorted index of every alarm (or of the alarms in StateValue). No page
// sorts or scans past what it returns.
func (s *Service) eachCandidate(in *DescribeAlarmsInput, after string, fn func(string, *alarm) bool) {
	if len(in.AlarmNames) > 0 {
		names := slices.Clone(in.AlarmNames)
		slices.Sort(names)
		for _, n := range slices.Compact(names) {
			if a := s.alarms[n]; a != nil && (after == "" || n > after) && !fn(n, a) {
				return
			}
		}
		return
	}
	index := s.names
	if in.StateValue != "" {
		index = s.byState[in.StateValue]
	}
	i, _ := slices.BinarySearch(index, max(in.AlarmNamePrefix, after))
	for ; i < len(index); i++ {
		n := index[i]
		if n == after {
			continue
		}
		if !strings.HasPrefix(n, in.AlarmNamePrefix) {
			return
		}
		// An index entry without its alarm is a writer's bug (every write
		// goes through storeAlarm, transition and deleteAlarms); skipping it
		// keeps one from panicking a handler that holds the lock.
		if a := s.alarms[n]; a != nil && !fn(n, a) {
			return
		}
	}
}

// Name tokens resume after the last name returned, so alarms created or
// deleted between pages neither repeat nor shift the rest.
func encodeNameToken(kind, name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + name))
}

func decodeNameToken(kind, token string) (string, *APIError) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	k, name, ok := strings.Cut(string(b), ":")
	if err != nil || !ok || k != kind || name == "" {
		return "", errNextToken(token)
	}
	return name, nil
}

// matchesAlarm is the filter left after eachCandidate (which already keeps
// to the names or the prefix).
func matchesAlarm(in *DescribeAlarmsInput, a *alarm) bool {
	if in.StateValue != "" && a.state != in.StateValue {
		return false
	}
	if in.ActionPrefix != "" {
		c := a.cfg
		if a.comp != nil {
			c = PutMetricAlarmInput{AlarmActions: a.comp.in.AlarmActions, OKActions: a.comp.in.OKActions, InsufficientDataActions: a.comp.in.InsufficientDataActions}
		}
		all := append(append(append([]string{}, c.AlarmActions...), c.OKActions...), c.InsufficientDataActions...)
		for _, act := range all {
			if strings.HasPrefix(act, in.ActionPrefix) {
				return true
			}
		}
		return false
	}
	return true
}

var historyTypes = []string{"ConfigurationUpdate", "StateUpdate", "Action", "AlarmContributorStateUpdate", "AlarmContributorAction"}

func (s *Service) describeAlarmHistory(in *DescribeAlarmHistoryInput) (any, *APIError) {
	size, err := maxRecords(in.MaxRecords, 100, 100)
	if err != nil {
		return nil, err
	}
	if in.HistoryItemType != "" && !oneOf(in.HistoryItemType, historyTypes) {
		return nil, errInvalidValue("HistoryItemType %q is invalid (accepted: %s)", in.HistoryItemType, strings.Join(historyTypes, ", "))
	}
	if in.ScanBy != "" && !oneOf(in.ScanBy, []string{"TimestampDescending", "TimestampAscending"}) {
		return nil, errInvalidValue("ScanBy %q is invalid (accepted: TimestampDescending, TimestampAscending)", in.ScanBy)
	}
	if in.StartDate != nil && in.EndDate != nil && in.EndDate.Before(in.StartDate.Time) {
		return nil, errInvalidValue("EndDate is before StartDate")
	}
	if in.AlarmName != "" && s.alarms[in.AlarmName] == nil {
		return &DescribeAlarmHistoryOutput{AlarmHistoryItems: []AlarmHistoryItem{}}, nil
	}
	after, err := decodeHistToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	kinds := map[string]bool{"MetricAlarm": len(in.AlarmTypes) == 0} // as CloudWatch: metric alarms unless asked
	for _, t := range in.AlarmTypes {
		if !oneOf(t, []string{"MetricAlarm", "CompositeAlarm"}) {
			return nil, errInvalidValue("AlarmTypes value %q is invalid (accepted: MetricAlarm, CompositeAlarm)", t)
		}
		kinds[t] = true
	}
	src := s.history.entries
	if in.AlarmName != "" {
		src = s.alarms[in.AlarmName].history
	}
	items, next := pageHistory(historyRange(src, in.StartDate, in.EndDate), in.ScanBy == "TimestampAscending", after, size,
		func(e *histEntry) bool { return kinds[e.item.AlarmType] && keepHistory(in, e.item) })
	return &DescribeAlarmHistoryOutput{AlarmHistoryItems: items, NextToken: next}, nil
}

func keepHistory(in *DescribeAlarmHistoryInput, h AlarmHistoryItem) bool {
	if in.HistoryItemType != "" && h.HistoryItemType != in.HistoryItemType {
		return false
	}
	if in.StartDate != nil && h.Timestamp.Before(in.StartDate.Time) {
		return false
	}
	if in.EndDate != nil && h.Timestamp.After(in.EndDate.Time) {
		return false
	}
	return true
}

func (s *Service) setAlarmState(in *SetAlarmStateInput) (any, *APIError) {
	switch {
	case in.AlarmName == "":
		return nil, errMissing("AlarmName")
	case in.StateValue == "":
		return nil, errMissing("StateValue")
	case !oneOf(in.StateValue, stateValues):
		return nil, errInvalidValue("StateValue %q is invalid (accepted: %s)", in.StateValue, strings.Join(stateValues, ", "))
	case in.StateReason == "":
		return nil, errMissing("StateReason")
	case len(in.StateReason) > 1023:
		return nil, errInvalidValue("StateReason is longer than 1023 characters")
	case in.StateReasonData != "" && !json.Valid([]byte(in.StateReasonData)):
		return nil, errInvalidValue("StateReasonData must be JSON")
	}
	a := s.alarms[in.AlarmName]
	if a == nil {
		return nil, errNotFound("Alarm %s not found", in.AlarmName)
	}
	now := s.cfg.Now()
	s.transition(a, in.StateValue, in.StateReason, in.StateReasonData, now)
	s.evaluateComposites(now)
	return &empty{}, nil
}

func (s *Service) putMetricAlarm(in *PutMetricAlarmInput) (any, *APIError) {
	if err := s.putAlarm(*in); err != nil {
		return nil, err
	}
	return &empty{}, nil
}

func (s *Service) listMetrics(in *ListMetricsInput) (any, *APIError) {
	if len(in.Dimensions) > 10 {
		return nil, errInvalidValue("Dimensions has %d filters, at most 10 allowed", len(in.Dimensions))
	}
	for i, f := range in.Dimensions {
		if f.Name == "" {
			return nil, errMissing("Dimensions[" + strconv.Itoa(i) + "].Name")
		}
	}
	if in.RecentlyActive != "" && in.RecentlyActive != "PT3H" {
		return nil, errInvalidValue("RecentlyActive %q is invalid (accepted: PT3H)", in.RecentlyActive)
	}
	offset, err := decodeToken("metrics", in.NextToken)
	if err != nil {
		return nil, err
	}
	ids := s.store.list(in.Namespace, in.MetricName, in.Dimensions)
	if in.RecentlyActive != "" {
		cutoff := s.cfg.Now().Add(-3 * time.Hour)
		kept := ids[:0]
		for _, id := range ids {
			if !s.store.get(id).last.Before(cutoff) {
				kept = append(kept, id)
			}
		}
		ids = kept
	}
	lo, hi, next := page("metrics", len(ids), offset, 500)
	out := &ListMetricsOutput{Metrics: []Metric{}, NextToken: next}
	for _, id := range ids[lo:hi] {
		out.Metrics = append(out.Metrics, Metric{Namespace: id.Namespace, MetricName: id.MetricName, Dimensions: nonNilDims(id.Dimensions)})
	}
	return out, nil
}

func (s *Service) getMetricData(in *GetMetricDataInput) (any, *APIError) {
	switch {
	case len(in.MetricDataQueries) == 0:
		return nil, errMissing("MetricDataQueries")
	case len(in.MetricDataQueries) > 500:
		return nil, errInvalidValue("MetricDataQueries has %d queries, at most 500 allowed", len(in.MetricDataQueries))
	case in.StartTime == nil:
		return nil, errMissing("StartTime")
	case in.EndTime == nil:
		return nil, errMissing("EndTime")
	case !in.EndTime.After(in.StartTime.Time):
		return nil, errInvalidValue("EndTime must be after StartTime")
	case in.ScanBy != "" && !oneOf(in.ScanBy, []string{"TimestampDescending", "TimestampAscending"}):
		return nil, errInvalidValue("ScanBy %q is invalid (accepted: TimestampDescending, TimestampAscending)", in.ScanBy)
	case in.MaxDatapoints != nil && *in.MaxDatapoints < 1:
		return nil, errInvalidValue("MaxDatapoints must be at least 1, got %d", *in.MaxDatapoints)
	}
	qs, err := compileQueries(in.MetricDataQueries, "MetricDataQueries")
	if err != nil {
		return nil, err
	}
	offset, err := decodeToken("data", in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := 100800
	if in.MaxDatapoints != nil {
		limit = *in.MaxDatapoints
	}
	res := s.runQueries(qs, in.StartTime.Time, in.EndTime.Time)
	return buildMetricData(qs, res, in.ScanBy == "TimestampAscending", offset, limit), nil
}

// buildMetricData pages the results by datapoints: the offset counts
// datapoints over the returned queries in order, so a page can end mid-series
// (that series is PartialData and NextToken resumes it).
func buildMetricData(qs []compiledQuery, res map[string][]timeValue, asc bool, offset, limit int) *GetMetricDataOutput {
	out := &GetMetricDataOutput{MetricDataResults: []MetricDataResult{}}
	total := 0
	for _, q := range qs {
		if q.returns() {
			total += len(res[q.q.Id])
		}
	}
	end := offset + limit
	if end < total {
		out.NextToken = encodeToken("data", end)
	}
	pos := 0 // datapoints of the queries before this one
	for _, q := range qs {
		if !q.returns() {
			continue
		}
		pts := res[q.q.Id]
		start := pos
		pos += len(pts)
		overlaps := start < end && pos > offset
		emptyHere := len(pts) == 0 && offset <= start && (start < end || end >= total)
		if !overlaps && !emptyHere {
			continue
		}
		r := MetricDataResult{Id: q.q.Id, Label: q.label(), StatusCode: "Complete", Timestamps: []Timestamp{}, Values: []float64{}}
		if pos > end {
			r.StatusCode = "PartialData"
		}
		for i := max(offset-start, 0); i < min(end-start, len(pts)); i++ {
			p := pts[i]
			if !asc {
				p = pts[len(pts)-1-i]
			}
			r.Timestamps = append(r.Timestamps, Timestamp{p.t})
			r.Values = append(r.Values, p.v)
		}
		out.MetricDataResults = append(out.MetricDataResults, r)
	}
	return out
}

func (s *Service) putMetricData(in *PutMetricDataInput) (any, *APIError) {
	if err := s.putData(in); err != nil {
		return nil, err
	}
	return &empty{}, nil
}

// putData validates every datum and checks the store can take them all
// before storing any, so a refused request changes nothing and a retry
// cannot double data. Every refusal is counted and logged.
func (s *Service) putData(in *PutMetricDataInput) *APIError {
	err, reason := s.checkPut(in)
	if err != nil {
		s.refuseLocked(reason, "PutMetricData refused", err)
		return err
	}
	s.counts.putRequests++
	s.counts.datums += len(in.MetricData)
	return nil
}

func (s *Service) checkPut(in *PutMetricDataInput) (*APIError, string) {
	switch {
	case in.Namespace == "":
		return errMissing("Namespace"), refusedInvalid
	case strings.HasPrefix(in.Namespace, "AWS/"):
		return errInvalidValue("Namespace %q is reserved for AWS services", in.Namespace), refusedInvalid
	case len(in.MetricData) == 0:
		return errMissing("MetricData"), refusedInvalid
	case len(in.MetricData) > 1000:
		return errInvalidValue("MetricData has %d data, at most 1000 allowed", len(in.MetricData)), refusedInvalid
	}
	b := s.newBatch()
	for i := range in.MetricData {
		d := &in.MetricData[i]
		smp, err := datumSample(d, i, b.now)
		if err != nil {
			return err, refusedInvalid
		}
		unit := d.Unit
		if unit == "" {
			unit = "None"
		}
		if r := b.put(newMetricID(in.Namespace, d.MetricName, d.Dimensions), unit, smp); r != nil {
			return errInvalidValue("MetricData[%d]: %s", i, r.msg), r.reason
		}
	}
	if r := b.commit(); r != nil {
		return errInvalidValue("%s", r.msg), r.reason
	}
	return nil, ""
}

func datumSample(d *MetricDatum, i int, now time.Time) (sample, *APIError) {
	where := "MetricData[" + strconv.Itoa(i) + "]"
	if d.MetricName == "" {
		return sample{}, errMissing(where + ".MetricName")
	}
	if e := checkDimensions(d.Dimensions, where+".Dimensions"); e != nil {
		return sample{}, e
	}
	if d.Unit != "" && !emf.IsStandardUnit(d.Unit) {
		return sample{}, errInvalidValue("%s.Unit %q is not a CloudWatch unit (accepted: %s)", where, d.Unit, strings.Join(emf.StandardUnits(), ", "))
	}
	if d.StorageResolution != nil && *d.StorageResolution != 1 && *d.StorageResolution != 60 {
		return sample{}, errInvalidValue("%s.StorageResolution must be 1 or 60, got %d", where, *d.StorageResolution)
	}
	t := now
	if d.Timestamp != nil {
		t = d.Timestamp.Time
		if t.Before(now.Add(-14*24*time.Hour)) || t.After(now.Add(2*time.Hour)) {
			return sample{}, errInvalidValue("%s.Timestamp %s is more than two weeks old or two hours in the future", where, t.Format(time.RFC3339))
		}
	}
	styles := 0
	for _, set := range []bool{d.Value != nil, len(d.Values) > 0, d.StatisticValues != nil} {
		if set {
			styles++
		}
	}
	if styles != 1 {
		return sample{}, errCombination("%s must set exactly one of Value, Values or StatisticValues", where)
	}
	if e := checkMagnitudes(d, where); e != nil {
		return sample{}, e
	}
	highRes := d.StorageResolution != nil && *d.StorageResolution == 1
	switch {
	case d.Value != nil:
		return newSample(t.Unix(), []float64{*d.Value}, nil, highRes), nil
	case len(d.Values) > 0:
		return valuesSample(d, where, t.Unix(), highRes)
	}
	return statSetSample(d.StatisticValues, where, t.Unix(), highRes)
}

// valuesSample keeps Values with their Counts as weights: a count of 10,000
// costs what a count of 1 does.
func valuesSample(d *MetricDatum, where string, t int64, highRes bool) (sample, *APIError) {
	if len(d.Values) > 150 {
		return sample{}, errInvalidValue("%s.Values has %d values, at most 150 allowed", where, len(d.Values))
	}
	if len(d.Counts) > 0 && len(d.Counts) != len(d.Values) {
		return sample{}, errInvalidValue("%s.Counts has %d entries but Values has %d", where, len(d.Counts), len(d.Values))
	}
	var weights []float64
	total := 0.0
	for i := range d.Values {
		n := 1.0
		if len(d.Counts) > 0 {
			n = d.Counts[i]
		}
		if !(n >= 0) || n > emf.MaxMagnitude {
			return sample{}, errInvalidValue("%s.Counts[%d] must be a number of samples >= 0, got %v", where, i, n)
		}
		total += n
	}
	if len(d.Counts) > 0 {
		weights = append([]float64(nil), d.Counts...)
	}
	if total == 0 {
		return sample{}, errInvalidValue("%s.Counts are all zero: the datum holds no sample", where)
	}
	return newSample(t, append([]float64(nil), d.Values...), weights, highRes), nil
}

// checkMagnitudes rejects values CloudWatch cannot store, which also keeps
// every sum finite.
func checkMagnitudes(d *MetricDatum, where string) *APIError {
	vals := append([]float64(nil), d.Values...)
	if d.Value != nil {
		vals = append(vals, *d.Value)
	}
	if ss := d.StatisticValues; ss != nil {
		for _, p := range []*float64{ss.SampleCount, ss.Sum, ss.Minimum, ss.Maximum} {
			if p != nil {
				vals = append(vals, *p)
			}
		}
	}
	for _, v := range vals {
		if math.Abs(v) > emf.MaxMagnitude {
			return errInvalidValue("%s holds %g, outside CloudWatch's range (+/-%g)", where, v, emf.MaxMagnitude)
		}
	}
	return nil
}

func statSetSample(ss *StatisticSet, where string, t int64, highRes bool) (sample, *APIError) {
	if ss.SampleCount == nil || ss.Sum == nil || ss.Minimum == nil || ss.Maximum == nil {
		return sample{}, errMissing(where + ".StatisticValues (SampleCount, Sum, Minimum and Maximum)")
	}
	if *ss.SampleCount <= 0 || *ss.Minimum > *ss.Maximum {
		return sample{}, errInvalidValue("%s.StatisticValues needs SampleCount > 0 and Minimum <= Maximum", where)
	}
	return sample{t: t, sum: *ss.Sum, min: *ss.Minimum, max: *ss.Maximum, cnt: *ss.SampleCount, statOnly: true, highRes: highRes}, nil
}

// PutMetricData stores data points (the Go form of the operation).
func (s *Service) PutMetricData(in PutMetricDataInput) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.putData(&in); err != nil {
		return err
	}
	return nil
}
