package replay

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
)

// PercentileDimension marks the series that holds a recorded percentile:
// the recorded series' dimensions plus PercentileDimension=pNN, one value
// per period. A percentile cannot be turned back into samples, so it is
// kept as what it was, beside the statistic sets, never mixed into them.
const PercentileDimension = "RecordedPercentile"

// Player loads a recording into a cwlocal as a clock passes its times: a
// datapoint once its period is over, a transition at its time. It never
// reads a clock itself; the caller moves it with AdvanceTo.
type Player struct {
	svc    *cwlocal.Service
	rec    *Recording
	rename func(string) string
	shift  time.Duration
	points []due
	trans  []Transition
	pi, ti int
}

// due is one datapoint and when it may be loaded (the end of its period).
type due struct {
	at     time.Time
	series int
	point  Point
}

// Renamer maps a recorded alarm name onto prefix: the gateway's own
// "arrakis-{env}-" (or, failing that, "arrakis-{first word}-") is replaced by
// prefix, any other name gets prefix in front; an empty prefix keeps names.
func Renamer(rec *Recording, prefix string) func(string) string {
	own := "arrakis-" + rec.Header.Env + "-"
	return func(name string) string {
		if prefix == "" {
			return name
		}
		if rest, ok := strings.CutPrefix(name, own); ok {
			return prefix + rest
		}
		if rest, ok := strings.CutPrefix(name, "arrakis-"); ok {
			if _, after, found := strings.Cut(rest, "-"); found {
				return prefix + after
			}
		}
		return prefix + name
	}
}

// PlayOptions shape a playback. The zero value keeps names and times.
type PlayOptions struct {
	// Rename maps recorded alarm names onto the replay's (nil keeps them).
	Rename func(string) string
	// Shift moves every recorded time by this much (a multiple of every
	// period, so periods stay aligned): the replay runs on a clock that
	// must not go back, recorded times land at T+Shift.
	Shift time.Duration
}

// NewPlayer replaces every alarm of svc with the recorded ones in the state
// each had when the window began. Call it with svc's clock at the
// recording's start (plus the shift).
func NewPlayer(svc *cwlocal.Service, rec *Recording, o PlayOptions) (*Player, error) {
	rename := o.Rename
	if rename == nil {
		rename = func(s string) string { return s }
	}
	p := &Player{svc: svc, rec: rec, rename: rename, shift: o.Shift, trans: slices.Clone(rec.Transitions)}
	slices.SortStableFunc(p.trans, func(a, b Transition) int { return a.At.Compare(b.At) })
	svc.ClearAlarms()
	for _, a := range rec.Alarms {
		if err := svc.PutMetricAlarm(alarmInput(a, rename(a.Name))); err != nil {
			return nil, fmt.Errorf("recorded alarm %s: %w", a.Name, err)
		}
		state, reason, since := p.initial(a)
		if err := svc.SeedAlarmState(rename(a.Name), state, reason, since); err != nil {
			return nil, err
		}
	}
	for i, s := range rec.Series {
		for _, pt := range s.Points {
			pt.T = pt.T.Add(o.Shift)
			at := pt.T.Add(time.Duration(s.Period) * time.Second)
			if end := rec.Header.To.Add(o.Shift); at.After(end) { // the partial last period
				at = end
			}
			p.points = append(p.points, due{at: at, series: i, point: pt})
		}
	}
	slices.SortStableFunc(p.points, func(a, b due) int { return a.at.Compare(b.at) })
	return p, nil
}

// initial is an alarm's state when the window began: the state its first
// recorded transition left, else the state it was recorded in.
func (p *Player) initial(a Alarm) (state, reason string, since time.Time) {
	for _, t := range p.trans {
		if t.Alarm == a.Name && t.From != "" { // "" only from a summary that did not parse
			reason := t.FromReason
			if reason == "" {
				reason = "state when the recording began"
			}
			return t.From, reason, p.rec.Header.From.Add(p.shift)
		}
	}
	return a.State, a.StateReason, a.StateSince.Add(p.shift)
}

// Progress is what one AdvanceTo loaded.
type Progress struct {
	Points, Transitions int
	// Done is true once everything recorded has been played.
	Done bool
}

// AdvanceTo loads every datapoint whose period ended by now, then applies
// every transition at or before now, in order.
func (p *Player) AdvanceTo(now time.Time) (Progress, error) {
	var pr Progress
	batch := map[int][]cwlocal.StatSetAt{}
	var pcts []due
	for ; p.pi < len(p.points) && !p.points[p.pi].at.After(now); p.pi++ {
		d := p.points[p.pi]
		pt := d.point
		batch[d.series] = append(batch[d.series], cwlocal.StatSetAt{T: pt.T, SampleCount: pt.SampleCount, Sum: pt.Sum, Minimum: pt.Minimum, Maximum: pt.Maximum})
		if len(pt.Percentiles) > 0 {
			pcts = append(pcts, d)
		}
		pr.Points++
	}
	for _, i := range slices.Sorted(maps.Keys(batch)) {
		s := p.rec.Series[i]
		if err := p.svc.LoadStatisticSets(s.Namespace, s.MetricName, cwDims(s.Dimensions), "", s.Period < 60, batch[i]); err != nil {
			return pr, fmt.Errorf("loading series %d: %w", s.ID, err)
		}
	}
	if err := p.loadPercentiles(pcts); err != nil {
		return pr, err
	}
	for ; p.ti < len(p.trans) && !p.trans[p.ti].At.Add(p.shift).After(now); p.ti++ {
		t := p.trans[p.ti]
		if err := p.svc.SetAlarmStateAt(p.rename(t.Alarm), t.To, t.Reason, t.ReasonData, t.At.Add(p.shift)); err != nil {
			return pr, fmt.Errorf("transition of %s at %s: %w", t.Alarm, t.At.Format(time.RFC3339), err)
		}
		pr.Transitions++
	}
	pr.Done = p.Done()
	return pr, nil
}

// Done is true once every datapoint and transition has been played.
func (p *Player) Done() bool { return p.pi == len(p.points) && p.ti == len(p.trans) }

// loadPercentiles stores each recorded percentile as the one value of its
// period in the series PercentileIdentity names.
func (p *Player) loadPercentiles(ds []due) error {
	for _, d := range ds {
		s := p.rec.Series[d.series]
		for _, name := range slices.Sorted(maps.Keys(d.point.Percentiles)) {
			v := d.point.Percentiles[name]
			set := []cwlocal.StatSetAt{{T: d.point.T, SampleCount: 1, Sum: v, Minimum: v, Maximum: v}}
			if err := p.svc.LoadStatisticSets(s.Namespace, s.MetricName, cwDims(PercentileIdentity(s, name)), "", s.Period < 60, set); err != nil {
				return fmt.Errorf("loading %s of series %d: %w", name, s.ID, err)
			}
		}
	}
	return nil
}

// PercentileIdentity is the dimension set that holds a series' recorded pNN.
func PercentileIdentity(s Series, pct string) []alarms.Dimension {
	d := append(slices.Clone(s.Dimensions), alarms.Dimension{Name: PercentileDimension, Value: pct})
	slices.SortFunc(d, func(a, b alarms.Dimension) int { return cmp.Compare(a.Name, b.Name) })
	return d
}

func cwDims(ds []alarms.Dimension) []cwlocal.Dimension {
	out := make([]cwlocal.Dimension, len(ds))
	for i, d := range ds {
		out[i] = cwlocal.Dimension{Name: d.Name, Value: d.Value}
	}
	return out
}

// alarmInput is the PutMetricAlarm request that recreates a recorded alarm.
func alarmInput(a Alarm, name string) cwlocal.PutMetricAlarmInput {
	th := a.Threshold
	in := cwlocal.PutMetricAlarmInput{AlarmName: name, AlarmDescription: a.Description, ComparisonOperator: a.ComparisonOperator,
		Threshold: &th, EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.DatapointsToAlarm, TreatMissingData: a.TreatMissingData}
	if m := a.Metric; m != nil {
		in.Namespace, in.MetricName, in.Dimensions, in.Period, in.Unit = m.Namespace, m.MetricName, cwDims(m.Dimensions), m.Period, m.Unit
		if strings.HasPrefix(m.Stat, "p") {
			in.ExtendedStatistic = m.Stat
		} else {
			in.Statistic = m.Stat
		}
	}
	for _, q := range a.Metrics {
		rd := q.ReturnData
		mq := cwlocal.MetricDataQuery{Id: q.ID, Label: q.Label, Expression: q.Expression, ReturnData: &rd}
		if m := q.Metric; m != nil {
			mq.MetricStat = &cwlocal.MetricStatWire{Metric: &cwlocal.Metric{Namespace: m.Namespace, MetricName: m.MetricName, Dimensions: cwDims(m.Dimensions)},
				Period: m.Period, Stat: m.Stat, Unit: m.Unit}
		}
		in.Metrics = append(in.Metrics, mq)
	}
	return in
}
