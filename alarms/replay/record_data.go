package replay

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"gatewayops/alarms"
)

// historyData is the part of a StateUpdate's HistoryData a replay needs.
type historyData struct {
	OldState struct {
		StateValue  string `json:"stateValue"`
		StateReason string `json:"stateReason"`
	} `json:"oldState"`
	NewState struct {
		StateValue      string          `json:"stateValue"`
		StateReason     string          `json:"stateReason"`
		StateReasonData json.RawMessage `json:"stateReasonData"`
	} `json:"newState"`
}

// transitionOf reads the states from HistoryData, falling back on the
// summary ("Alarm updated from OK to ALARM") when the data does not parse.
func transitionOf(name string, h types.AlarmHistoryItem) Transition {
	t := Transition{Alarm: name, At: aws.ToTime(h.Timestamp).UTC()}
	var d historyData
	if json.Unmarshal([]byte(aws.ToString(h.HistoryData)), &d) == nil && d.NewState.StateValue != "" {
		t.From, t.FromReason = d.OldState.StateValue, d.OldState.StateReason
		t.To, t.Reason = d.NewState.StateValue, d.NewState.StateReason
		if len(d.NewState.StateReasonData) > 0 {
			t.ReasonData = string(d.NewState.StateReasonData)
		}
		return t
	}
	s := aws.ToString(h.HistorySummary)
	if rest, ok := strings.CutPrefix(s, "Alarm updated from "); ok {
		t.From, t.To, _ = strings.Cut(rest, " to ")
	}
	t.Reason = s
	return t
}

// metricKey is a metric by namespace and name, every dimension set.
type metricKey struct{ ns, name string }

// watched is how the alarms read one metric: the shortest period, every
// percentile, and the identities the alarms themselves name.
type watched struct {
	period int
	pcts   []string
	own    [][]alarms.Dimension
}

func watchedMetrics(list []Alarm) ([]metricKey, map[metricKey]*watched) {
	var keys []metricKey
	by := map[metricKey]*watched{}
	for _, a := range list {
		for _, s := range a.Stats() {
			k := metricKey{s.Namespace, s.MetricName}
			w := by[k]
			if w == nil {
				w = &watched{period: s.Period}
				by[k] = w
				keys = append(keys, k)
			}
			w.period = min(w.period, s.Period)
			if strings.HasPrefix(s.Stat, "p") && !slices.Contains(w.pcts, s.Stat) {
				w.pcts = append(w.pcts, s.Stat)
			}
			w.own = append(w.own, s.Dimensions)
		}
	}
	return keys, by
}

// seriesOf lists, for every metric the alarms read, each identity
// ListMetrics knows, plus the alarms' own identities it does not (those
// are recorded as unlisted: no data, no query).
func (r *Recorder) seriesOf(ctx context.Context, list []Alarm) ([]Series, error) {
	keys, by := watchedMetrics(list)
	var out []Series
	for _, k := range keys {
		w := by[k]
		ids, err := r.listMetrics(ctx, k)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		add := func(d []alarms.Dimension, listed bool) {
			if key := dimKey(d); !seen[key] {
				seen[key] = true
				out = append(out, Series{ID: len(out) + 1, Namespace: k.ns, MetricName: k.name, Dimensions: d,
					Period: w.period, Percentiles: w.pcts, Listed: listed})
			}
		}
		for _, d := range ids {
			add(d, true)
		}
		for _, d := range w.own {
			add(d, false)
		}
	}
	return out, nil
}

func dimKey(ds []alarms.Dimension) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Name + "\x00" + d.Value + "\x01")
	}
	return b.String()
}

func (r *Recorder) listMetrics(ctx context.Context, k metricKey) ([][]alarms.Dimension, error) {
	in := &cloudwatch.ListMetricsInput{Namespace: aws.String(k.ns), MetricName: aws.String(k.name)}
	var out [][]alarms.Dimension
	for {
		r.count("ListMetrics")
		page, err := r.CW.ListMetrics(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("ListMetrics %s %s: %w", k.ns, k.name, err)
		}
		for _, m := range page.Metrics {
			out = append(out, dims(m.Dimensions))
		}
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

// plainStats are the statistics that replay exactly.
var plainStats = []string{"SampleCount", "Sum", "Minimum", "Maximum"}

// queryRef says which series and statistic a query id answers.
type queryRef struct {
	series int // index in the series slice
	stat   string
}

// data fills the points of every listed series: 4 + percentiles queries
// each, 500 to a GetMetricData call.
func (r *Recorder) data(ctx context.Context, series []Series, from, to time.Time) error {
	var qs []types.MetricDataQuery
	refs := map[string]queryRef{}
	for i, s := range series {
		if !s.Listed {
			continue
		}
		for _, st := range append(slices.Clone(plainStats), s.Percentiles...) {
			id := fmt.Sprintf("q%d", len(qs))
			refs[id] = queryRef{i, st}
			qs = append(qs, types.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(true), MetricStat: &types.MetricStat{
				Metric: &types.Metric{Namespace: aws.String(s.Namespace), MetricName: aws.String(s.MetricName), Dimensions: sdkDims(s.Dimensions)},
				Period: aws.Int32(int32(s.Period)), Stat: aws.String(st)}})
		}
	}
	acc := newAccumulator(len(series))
	for lo := 0; lo < len(qs); lo += 500 {
		if err := r.getMetricData(ctx, qs[lo:min(lo+500, len(qs))], from, to, refs, acc); err != nil {
			return err
		}
	}
	return acc.fill(series)
}

func sdkDims(ds []alarms.Dimension) []types.Dimension {
	out := make([]types.Dimension, len(ds))
	for i, d := range ds {
		out[i] = types.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)}
	}
	return out
}

func (r *Recorder) getMetricData(ctx context.Context, qs []types.MetricDataQuery, from, to time.Time, refs map[string]queryRef, acc *accumulator) error {
	in := &cloudwatch.GetMetricDataInput{MetricDataQueries: qs, StartTime: aws.Time(from), EndTime: aws.Time(to),
		ScanBy: types.ScanByTimestampAscending}
	for {
		r.count("GetMetricData")
		page, err := r.CW.GetMetricData(ctx, in)
		if err != nil {
			return fmt.Errorf("GetMetricData: %w", err)
		}
		for _, res := range page.MetricDataResults {
			ref, ok := refs[aws.ToString(res.Id)]
			if !ok || len(res.Timestamps) != len(res.Values) {
				return fmt.Errorf("GetMetricData answered query %q with %d timestamps and %d values", aws.ToString(res.Id), len(res.Timestamps), len(res.Values))
			}
			for i, t := range res.Timestamps {
				acc.put(ref, t.UTC(), res.Values[i])
			}
		}
		if aws.ToString(page.NextToken) == "" {
			return nil
		}
		in.NextToken = page.NextToken
	}
}

// accumulator joins the per-statistic answers into one point per period.
type accumulator struct {
	by []map[time.Time]*Point
}

func newAccumulator(n int) *accumulator {
	a := &accumulator{by: make([]map[time.Time]*Point, n)}
	for i := range a.by {
		a.by[i] = map[time.Time]*Point{}
	}
	return a
}

func (a *accumulator) put(ref queryRef, t time.Time, v float64) {
	p := a.by[ref.series][t]
	if p == nil {
		p = &Point{T: t}
		a.by[ref.series][t] = p
	}
	switch ref.stat {
	case "SampleCount":
		p.SampleCount = v
	case "Sum":
		p.Sum = v
	case "Minimum":
		p.Minimum = v
	case "Maximum":
		p.Maximum = v
	default:
		if p.Percentiles == nil {
			p.Percentiles = map[string]float64{}
		}
		p.Percentiles[ref.stat] = v
	}
}

// fill sorts each series' points by time; a period with a percentile but
// no samples cannot be a statistic set and is an error.
func (a *accumulator) fill(series []Series) error {
	for i := range series {
		for _, p := range a.by[i] {
			if p.SampleCount <= 0 {
				return fmt.Errorf("series %s/%s: period %s has no SampleCount", series[i].Namespace, series[i].MetricName, p.T.Format(time.RFC3339))
			}
			series[i].Points = append(series[i].Points, *p)
		}
		slices.SortFunc(series[i].Points, func(x, y Point) int { return x.T.Compare(y.T) })
	}
	return nil
}
