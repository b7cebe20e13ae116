package replay

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"gatewayops/alarms"
)

// ReadOnlyOperations are the only CloudWatch operations a Recorder calls.
var ReadOnlyOperations = []string{"DescribeAlarms", "DescribeAlarmHistory", "ListMetrics", "GetMetricData"}

// Recorder reads, and only reads, an environment's alarms and their data.
// Calls counts every request by operation.
type Recorder struct {
	CW     *cloudwatch.Client
	Env    string
	Region string
	Prefix string
	Tool   string
	Calls  map[string]int
}

func (r *Recorder) count(op string) {
	if r.Calls == nil {
		r.Calls = map[string]int{}
	}
	r.Calls[op]++
}

// Record saves the alarms under the prefix, their StateUpdate history and
// the data of every series they watch over [until-since, until), the start
// aligned down to the longest period the alarms use. Cost: ceil(alarms/100)
// DescribeAlarms; per alarm ceil(items/100) DescribeAlarmHistory (at least
// one); per distinct metric one ListMetrics page per 500 identities; and
// ceil(queries/500) GetMetricData (more only if a call pages), with
// 4 + percentiles queries per listed series.
func (r *Recorder) Record(ctx context.Context, since time.Duration, until time.Time) (*Recording, error) {
	list, err := r.describe(ctx)
	if err != nil {
		return nil, err
	}
	from, to := window(list, since, until)
	rec := &Recording{Header: Header{Version: Version, Env: r.Env, Region: r.Region, Prefix: r.Prefix,
		From: from, To: to, RecordedAt: time.Now().UTC(), Tool: r.Tool}, Alarms: list}
	for _, a := range list {
		ts, err := r.history(ctx, a.Name, from, to)
		if err != nil {
			return nil, err
		}
		rec.Transitions = append(rec.Transitions, ts...)
	}
	slices.SortStableFunc(rec.Transitions, func(a, b Transition) int { return a.At.Compare(b.At) })
	if rec.Series, err = r.seriesOf(ctx, list); err != nil {
		return nil, err
	}
	if err := r.data(ctx, rec.Series, from, to); err != nil {
		return nil, err
	}
	return rec, nil
}

// window is [until-since, until): its start aligned down to the longest
// period (so every series' periods start there), its end as given (the
// last period may be partial, as it was when it was recorded).
func window(list []Alarm, since time.Duration, until time.Time) (time.Time, time.Time) {
	p := 60
	for _, a := range list {
		for _, s := range a.Stats() {
			p = max(p, s.Period)
		}
	}
	step := time.Duration(p) * time.Second
	to := until.UTC()
	return to.Add(-since).Truncate(step), to
}

func (r *Recorder) describe(ctx context.Context) ([]Alarm, error) {
	in := &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(100)}
	if r.Prefix != "" {
		in.AlarmNamePrefix = aws.String(r.Prefix)
	}
	var out []Alarm
	for {
		r.count("DescribeAlarms")
		page, err := r.CW.DescribeAlarms(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("DescribeAlarms: %w", err)
		}
		for _, m := range page.MetricAlarms {
			out = append(out, fromMetricAlarm(m))
		}
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

func fromMetricAlarm(m types.MetricAlarm) Alarm {
	a := Alarm{
		Name: aws.ToString(m.AlarmName), Description: aws.ToString(m.AlarmDescription),
		ComparisonOperator: string(m.ComparisonOperator), Threshold: aws.ToFloat64(m.Threshold),
		EvaluationPeriods: int(aws.ToInt32(m.EvaluationPeriods)), DatapointsToAlarm: int(aws.ToInt32(m.DatapointsToAlarm)),
		TreatMissingData: aws.ToString(m.TreatMissingData), State: string(m.StateValue),
		StateReason: aws.ToString(m.StateReason), StateSince: aws.ToTime(m.StateTransitionedTimestamp).UTC(),
	}
	if a.StateSince.IsZero() {
		a.StateSince = aws.ToTime(m.StateUpdatedTimestamp).UTC()
	}
	if m.MetricName != nil {
		st := string(m.Statistic)
		if st == "" {
			st = aws.ToString(m.ExtendedStatistic)
		}
		a.Metric = &Stat{Namespace: aws.ToString(m.Namespace), MetricName: aws.ToString(m.MetricName),
			Dimensions: dims(m.Dimensions), Stat: st, Period: int(aws.ToInt32(m.Period)), Unit: string(m.Unit)}
	}
	for _, q := range m.Metrics {
		mq := Query{ID: aws.ToString(q.Id), Label: aws.ToString(q.Label), Expression: aws.ToString(q.Expression), ReturnData: aws.ToBool(q.ReturnData)}
		if ms := q.MetricStat; ms != nil && ms.Metric != nil {
			mq.Metric = &Stat{Namespace: aws.ToString(ms.Metric.Namespace), MetricName: aws.ToString(ms.Metric.MetricName),
				Dimensions: dims(ms.Metric.Dimensions), Stat: aws.ToString(ms.Stat), Period: int(aws.ToInt32(ms.Period)), Unit: string(ms.Unit)}
		}
		a.Metrics = append(a.Metrics, mq)
	}
	return a
}

func dims(ds []types.Dimension) []alarms.Dimension {
	var out []alarms.Dimension
	for _, d := range ds {
		out = append(out, alarms.Dimension{Name: aws.ToString(d.Name), Value: aws.ToString(d.Value)})
	}
	slices.SortFunc(out, func(a, b alarms.Dimension) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// history reads one alarm's StateUpdate items in the window, oldest first.
func (r *Recorder) history(ctx context.Context, name string, from, to time.Time) ([]Transition, error) {
	in := &cloudwatch.DescribeAlarmHistoryInput{
		AlarmName: aws.String(name), HistoryItemType: types.HistoryItemTypeStateUpdate,
		StartDate: aws.Time(from), EndDate: aws.Time(to), ScanBy: types.ScanByTimestampAscending, MaxRecords: aws.Int32(100),
	}
	var out []Transition
	for {
		r.count("DescribeAlarmHistory")
		page, err := r.CW.DescribeAlarmHistory(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("DescribeAlarmHistory %s: %w", name, err)
		}
		for _, h := range page.AlarmHistoryItems {
			out = append(out, transitionOf(name, h))
		}
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}
