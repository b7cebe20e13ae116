package cwlocal

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// slot is one evaluation period of an alarm: its value, or missing.
type slot struct {
	t       time.Time
	v       float64
	count   float64
	present bool
}

// EvaluateAll evaluates every metric alarm at now, then the composite
// alarms over their states: a few passes, so a composite that reads another
// composite sees its new state (CloudWatch allows nesting).
func (s *Service) EvaluateAll(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.names {
		if a := s.alarms[n]; a.comp == nil {
			s.evaluate(a, now)
		}
	}
	s.evaluateComposites(now)
}

// evaluateComposites re-evaluates every composite alarm. Caller holds the lock.
func (s *Service) evaluateComposites(now time.Time) {
	for range maxCompositeDepth {
		changed := false
		for _, n := range s.names {
			if a := s.alarms[n]; a.comp != nil {
				before := a.state
				s.evaluateComposite(a, now)
				changed = changed || a.state != before
			}
		}
		if !changed {
			return
		}
	}
}

// maxCompositeDepth bounds how deep composites nest (and so the passes).
const maxCompositeDepth = 5

// slots returns the alarm's last N complete periods before now, newest first.
// Periods are aligned to the epoch, like CloudWatch's.
func (s *Service) slots(a *alarm, now time.Time) []slot {
	p := int64(a.period)
	end := now.Unix() - mod(now.Unix(), p)
	n := int64(a.cfg.EvaluationPeriods)
	from, to := time.Unix(end-n*p, 0), time.Unix(end, 0)
	var series []timeValue
	if a.queries != nil {
		res := s.runQueries(a.queries, from, to)
		for _, q := range a.queries {
			if q.returns() {
				series = res[q.q.Id]
			}
		}
	} else if sr := s.store.get(newMetricID(a.cfg.Namespace, a.cfg.MetricName, a.cfg.Dimensions)); sr != nil {
		series = s.store.statSeries(sr, from, to, a.period, a.stat, a.cfg.Unit)
	}
	byStart := map[int64]timeValue{}
	for _, tv := range series {
		byStart[tv.t.Unix()] = tv
	}
	out := make([]slot, n)
	for i := range out {
		start := end - int64(i+1)*p
		tv, ok := byStart[start]
		out[i] = slot{t: time.Unix(start, 0).UTC(), v: tv.v, count: tv.count, present: ok}
	}
	return out
}

func breaches(op string, v, threshold float64) bool {
	switch op {
	case "GreaterThanThreshold":
		return v > threshold
	case "GreaterThanOrEqualToThreshold":
		return v >= threshold
	case "LessThanThreshold":
		return v < threshold
	default: // LessThanOrEqualToThreshold
		return v <= threshold
	}
}

// verdict is the outcome of one evaluation.
type verdict struct {
	state  string
	reason string
}

// decide applies M-of-N and the missing-data mode to the slots. keep reports
// that the alarm must keep its current state. With some periods missing:
//   - missing: evaluate the datapoints that exist; when fewer than M exist,
//     all of them must breach (CloudWatch's "- - X - -" row goes to ALARM);
//   - ignore: ALARM when M breach, OK when M could not breach even if every
//     missing period did, otherwise keep the current state;
//   - notBreaching / breaching: missing periods count as that.
//
// With none present: INSUFFICIENT_DATA, keep, OK and ALARM respectively.
func decide(a *alarm, slots []slot, current string) (v verdict, keep bool) {
	c := a.cfg
	n, m := c.EvaluationPeriods, c.DatapointsToAlarm
	var present, breaching, okPts []slot
	for _, sl := range slots {
		if !sl.present {
			continue
		}
		present = append(present, sl)
		if breaches(c.ComparisonOperator, sl.v, *c.Threshold) {
			breaching = append(breaching, sl)
		} else {
			okPts = append(okPts, sl)
		}
	}
	missing := n - len(present)
	if len(present) == 0 {
		switch c.TreatMissingData {
		case "ignore":
			return verdict{}, true
		case "notBreaching":
			return verdict{StateOK, allMissingReason(n, "NonBreaching")}, false
		case "breaching":
			return verdict{StateAlarm, allMissingReason(n, "Breaching")}, false
		}
		return verdict{StateInsufficientData, fmt.Sprintf("Insufficient Data: %s %s unknown.", plural(n, "datapoint"), wasWere(n))}, false
	}
	nBreach := len(breaching)
	switch c.TreatMissingData {
	case "breaching":
		nBreach += missing
	case "missing":
		m = min(m, len(present))
	case "ignore":
		if nBreach < m && nBreach+missing >= m {
			return verdict{}, true
		}
	}
	phrase := operatorPhrase(c.ComparisonOperator)
	th := formatValue(*c.Threshold)
	if nBreach >= m {
		return verdict{StateAlarm, fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints %s %s %s the threshold (%s) (minimum %s for %s -> ALARM transition).",
			nBreach, n, listPoints(breaching), wasWere(nBreach), phrase, th, plural(m, "datapoint"), current)}, false
	}
	need := n - m + 1
	return verdict{StateOK, fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints %s %s not %s the threshold (%s) (minimum %s for %s -> OK transition).",
		n-nBreach, n, listPoints(okPts), wasWere(n-nBreach), phrase, th, plural(need, "datapoint"), current)}, false
}

func allMissingReason(n int, as string) string {
	return fmt.Sprintf("Threshold Crossed: no datapoints were received for %s and %d missing %s treated as [%s].",
		plural(n, "period"), n, singularPlural(n, "datapoint was", "datapoints were"), as)
}

func operatorPhrase(op string) string {
	return map[string]string{
		"GreaterThanThreshold": "greater than", "GreaterThanOrEqualToThreshold": "greater than or equal to",
		"LessThanThreshold": "less than", "LessThanOrEqualToThreshold": "less than or equal to",
	}[op]
}

func plural(n int, word string) string {
	return singularPlural(n, "1 "+word, fmt.Sprintf("%d %ss", n, word))
}

func singularPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func wasWere(n int) string { return singularPlural(n, "was", "were") }

// formatValue writes a number the way CloudWatch's reasons do: 5.0, 12.5.
func formatValue(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eEN") {
		s += ".0"
	}
	return s
}

// listPoints is "[12.5 (27/11/26 03:10:00), 9.0 (27/11/26 03:09:00)]", newest first.
func listPoints(pts []slot) string {
	parts := make([]string, len(pts))
	for i, p := range pts {
		parts[i] = fmt.Sprintf("%s (%s)", formatValue(p.v), p.t.UTC().Format("02/01/06 15:04:05"))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// evaluate runs one alarm at now and records a transition. Caller holds the lock.
func (s *Service) evaluate(a *alarm, now time.Time) {
	slots := s.slots(a, now)
	v, keep := decide(a, slots, a.state)
	if keep || v.state == a.state {
		return
	}
	s.transition(a, v.state, v.reason, reasonData(a, slots, now), now)
}

// transition moves an alarm to a new state and writes the StateUpdate history item.
func (s *Service) transition(a *alarm, state, reason, data string, now time.Time) {
	old := map[string]any{"stateValue": a.state, "stateReason": a.reason}
	nw := map[string]any{"stateValue": state, "stateReason": reason}
	if data != "" && json.Valid([]byte(data)) {
		nw["stateReasonData"] = json.RawMessage(data)
	}
	hd, _ := json.Marshal(map[string]any{"version": "1.0", "oldState": old, "newState": nw})
	s.addHistory(a, AlarmHistoryItem{
		AlarmName: a.name(), AlarmType: a.kind(), Timestamp: TS(now), HistoryItemType: "StateUpdate",
		HistorySummary: fmt.Sprintf("Alarm updated from %s to %s", a.state, state), HistoryData: string(hd),
	})
	s.setState(a, state, reason, data, now)
}

// setState moves an alarm to a state since a time, with the state index;
// transition writes the history item, a replay's seed does not. Caller
// holds the lock.
func (s *Service) setState(a *alarm, state, reason, data string, since time.Time) {
	s.byState.remove(a.state, a.name())
	s.byState.add(state, a.name())
	a.state, a.reason, a.reasonData = state, reason, data
	a.transitioned, a.updated = since, since
}

type evaluatedPoint struct {
	Timestamp   string   `json:"timestamp"`
	SampleCount *float64 `json:"sampleCount,omitempty"`
	Value       *float64 `json:"value,omitempty"`
}

type stateReasonData struct {
	Version             string           `json:"version"`
	QueryDate           string           `json:"queryDate"`
	StartDate           string           `json:"startDate"`
	Statistic           string           `json:"statistic,omitempty"`
	ExtendedStatistic   string           `json:"extendedStatistic,omitempty"`
	Unit                string           `json:"unit,omitempty"`
	Period              int              `json:"period"`
	RecentDatapoints    []float64        `json:"recentDatapoints"`
	Threshold           float64          `json:"threshold"`
	EvaluatedDatapoints []evaluatedPoint `json:"evaluatedDatapoints"`
}

const reasonTimeLayout = "2006-01-02T15:04:05.000-0700"

// reasonData is the StateReasonData JSON: what was queried and which
// datapoints were evaluated (newest first; missing ones carry no value).
func reasonData(a *alarm, slots []slot, now time.Time) string {
	d := stateReasonData{
		Version: "1.0", QueryDate: now.UTC().Format(reasonTimeLayout),
		StartDate: slots[len(slots)-1].t.Format(reasonTimeLayout), Statistic: a.cfg.Statistic,
		ExtendedStatistic: a.cfg.ExtendedStatistic, Unit: a.cfg.Unit, Period: a.period,
		RecentDatapoints: []float64{}, Threshold: *a.cfg.Threshold,
	}
	for i := len(slots) - 1; i >= 0; i-- {
		if slots[i].present {
			d.RecentDatapoints = append(d.RecentDatapoints, slots[i].v)
		}
	}
	for _, sl := range slots {
		ep := evaluatedPoint{Timestamp: sl.t.Format(reasonTimeLayout)}
		if sl.present {
			v := sl.v
			ep.Value = &v
			if a.queries == nil {
				c := sl.count
				ep.SampleCount = &c
			}
		}
		d.EvaluatedDatapoints = append(d.EvaluatedDatapoints, ep)
	}
	b, _ := json.Marshal(d)
	return string(b)
}
