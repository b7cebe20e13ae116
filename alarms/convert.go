package alarms

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// fromMetricAlarm maps the SDK shape to Alarm. A StateReasonData that does not
// parse is not fatal: the alarm still shows, its reason text tells the story.
func fromMetricAlarm(m types.MetricAlarm) Alarm {
	a := Alarm{
		Name:              aws.ToString(m.AlarmName),
		Description:       aws.ToString(m.AlarmDescription),
		State:             State(m.StateValue),
		Since:             aws.ToTime(m.StateTransitionedTimestamp),
		UpdatedAt:         aws.ToTime(m.StateUpdatedTimestamp),
		Reason:            aws.ToString(m.StateReason),
		Comparison:        string(m.ComparisonOperator),
		Statistic:         string(m.Statistic),
		Period:            int(aws.ToInt32(m.Period)),
		EvaluationPeriods: int(aws.ToInt32(m.EvaluationPeriods)),
		DatapointsToAlarm: int(aws.ToInt32(m.DatapointsToAlarm)),
		TreatMissingData:  aws.ToString(m.TreatMissingData),
		Namespace:         aws.ToString(m.Namespace),
		MetricName:        aws.ToString(m.MetricName),
		Unit:              string(m.Unit),
		EvaluationState:   string(m.EvaluationState),
		ActionsEnabled:    aws.ToBool(m.ActionsEnabled),
	}
	if m.ExtendedStatistic != nil {
		a.Statistic = *m.ExtendedStatistic
	}
	if a.TreatMissingData == "" {
		a.TreatMissingData = "missing"
	}
	if a.DatapointsToAlarm == 0 {
		a.DatapointsToAlarm = a.EvaluationPeriods
	}
	if m.Threshold != nil {
		a.Threshold, a.HasThreshold = *m.Threshold, true
	}
	for _, d := range m.Dimensions {
		a.Dimensions = append(a.Dimensions, Dimension{Name: aws.ToString(d.Name), Value: aws.ToString(d.Value)})
	}
	for _, q := range m.Metrics {
		a.Metrics = append(a.Metrics, fromSDKQuery(q))
	}
	th, recent, err := parseStateReasonData(aws.ToString(m.StateReasonData))
	if err == nil {
		a.Recent = recent
		if th != nil && !a.HasThreshold {
			a.Threshold, a.HasThreshold = *th, true
		}
	}
	return a
}

func fromCompositeAlarm(c types.CompositeAlarm) Alarm {
	return Alarm{
		Name:           aws.ToString(c.AlarmName),
		Description:    aws.ToString(c.AlarmDescription),
		Composite:      true,
		Rule:           aws.ToString(c.AlarmRule),
		State:          State(c.StateValue),
		Since:          aws.ToTime(c.StateTransitionedTimestamp),
		UpdatedAt:      aws.ToTime(c.StateUpdatedTimestamp),
		Reason:         aws.ToString(c.StateReason),
		ActionsEnabled: aws.ToBool(c.ActionsEnabled),
		// ActionsSuppressedBy is WaitPeriod, ExtensionPeriod or Alarm while suppressed.
		ActionsSuppressed: c.ActionsSuppressedBy != "",
	}
}

func fromSDKQuery(q types.MetricDataQuery) MetricQuery {
	out := MetricQuery{
		ID:         aws.ToString(q.Id),
		Label:      aws.ToString(q.Label),
		Expression: aws.ToString(q.Expression),
		ReturnData: aws.ToBool(q.ReturnData),
	}
	if ms := q.MetricStat; ms != nil && ms.Metric != nil {
		st := &MetricStat{
			Namespace:  aws.ToString(ms.Metric.Namespace),
			MetricName: aws.ToString(ms.Metric.MetricName),
			Stat:       aws.ToString(ms.Stat),
			Period:     int(aws.ToInt32(ms.Period)),
			Unit:       string(ms.Unit),
		}
		for _, d := range ms.Metric.Dimensions {
			st.Dimensions = append(st.Dimensions, Dimension{Name: aws.ToString(d.Name), Value: aws.ToString(d.Value)})
		}
		out.Metric = st
	}
	return out
}

// toSDKQuery maps a catalog query to the SDK shape under a (possibly prefixed) id.
func toSDKQuery(q MetricQuery, id, expr string) types.MetricDataQuery {
	out := types.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(q.ReturnData)}
	if q.Label != "" {
		out.Label = aws.String(q.Label)
	}
	if q.Metric != nil {
		out.MetricStat = toSDKStat(*q.Metric)
		return out
	}
	out.Expression = aws.String(expr)
	return out
}

func toSDKStat(m MetricStat) *types.MetricStat {
	metric := &types.Metric{Namespace: aws.String(m.Namespace), MetricName: aws.String(m.MetricName)}
	for _, d := range m.Dimensions {
		metric.Dimensions = append(metric.Dimensions, types.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)})
	}
	// Unit is deliberately not sent: in GetMetricData it filters datapoints by
	// unit, and a catalog's unit is for display only.
	return &types.MetricStat{Metric: metric, Stat: aws.String(m.Stat), Period: aws.Int32(int32(m.Period))}
}
