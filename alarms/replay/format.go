// Package replay records what an environment's CloudWatch shows for the
// gateway's alarms (definitions, state history and the metric data they
// watch, read-only) into a versioned JSON Lines file, and plays such a file
// back into a local CloudWatch (cwlocal) on a clock the caller moves:
// SampleCount, Sum, Minimum and Maximum exactly, as statistic sets; alarm
// states at their recorded times; percentiles only as the recorded value of
// each period, since a percentile cannot be turned back into samples.
package replay

import (
	"time"

	"gatewayops/alarms"
)

// Version is the file format this package writes and reads.
const Version = 1

// Record kinds, one per line. The first line is the header, the last the end.
const (
	KindHeader     = "header"
	KindAlarm      = "alarm"
	KindTransition = "transition"
	KindSeries     = "series"
	KindPoint      = "point"
	KindEnd        = "end"
)

// Header says what the file holds: the environment, the alarm prefix read
// and the window [From, To), aligned to the longest recorded period.
type Header struct {
	Version    int       `json:"version"`
	Env        string    `json:"env"`
	Region     string    `json:"region"`
	Prefix     string    `json:"prefix"`
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	RecordedAt time.Time `json:"recordedAt"`
	Tool       string    `json:"tool,omitempty"`
}

// Stat is one metric and its aggregation, as an alarm reads it.
type Stat struct {
	Namespace  string             `json:"namespace"`
	MetricName string             `json:"metricName"`
	Dimensions []alarms.Dimension `json:"dimensions,omitempty"`
	Stat       string             `json:"stat"`
	Period     int                `json:"period"`
	Unit       string             `json:"unit,omitempty"`
}

// Query is one entry of a metric-math alarm.
type Query struct {
	ID         string `json:"id"`
	Label      string `json:"label,omitempty"`
	Expression string `json:"expression,omitempty"`
	Metric     *Stat  `json:"metric,omitempty"`
	ReturnData bool   `json:"returnData,omitempty"`
}

// Alarm is a metric alarm's definition and its state when it was recorded.
type Alarm struct {
	Name               string  `json:"name"`
	Description        string  `json:"description,omitempty"`
	Metric             *Stat   `json:"metric,omitempty"`
	Metrics            []Query `json:"metrics,omitempty"`
	ComparisonOperator string  `json:"comparisonOperator"`
	Threshold          float64 `json:"threshold"`
	EvaluationPeriods  int     `json:"evaluationPeriods"`
	DatapointsToAlarm  int     `json:"datapointsToAlarm,omitempty"`
	TreatMissingData   string  `json:"treatMissingData,omitempty"`

	State       string    `json:"state"`
	StateReason string    `json:"stateReason,omitempty"`
	StateSince  time.Time `json:"stateSince"`
}

// Stats is every metric the alarm reads (one for a single-metric alarm).
func (a Alarm) Stats() []Stat {
	if a.Metric != nil {
		return []Stat{*a.Metric}
	}
	var out []Stat
	for _, q := range a.Metrics {
		if q.Metric != nil {
			out = append(out, *q.Metric)
		}
	}
	return out
}

// Transition is one StateUpdate of an alarm's history.
type Transition struct {
	Alarm      string    `json:"alarm"`
	At         time.Time `json:"at"`
	From       string    `json:"from"`
	FromReason string    `json:"fromReason,omitempty"`
	To         string    `json:"to"`
	Reason     string    `json:"reason,omitempty"`
	ReasonData string    `json:"reasonData,omitempty"`
}

// Series is one metric identity (namespace, name, full dimension set) at
// one period. Listed is false for an alarm's own identity that ListMetrics
// does not know: it has no data (the Terraform alarms' case), and no query
// is spent on it. Percentiles are the pNN the alarms on this metric use.
type Series struct {
	ID          int                `json:"id"`
	Namespace   string             `json:"namespace"`
	MetricName  string             `json:"metricName"`
	Dimensions  []alarms.Dimension `json:"dimensions,omitempty"`
	Period      int                `json:"period"`
	Percentiles []string           `json:"percentiles,omitempty"`
	Listed      bool               `json:"listed"`

	Points []Point `json:"-"`
}

// Point is one period of a series: its statistic set and the recorded
// percentiles of that period.
type Point struct {
	Series      int                `json:"series"`
	T           time.Time          `json:"t"`
	SampleCount float64            `json:"sampleCount"`
	Sum         float64            `json:"sum"`
	Minimum     float64            `json:"minimum"`
	Maximum     float64            `json:"maximum"`
	Percentiles map[string]float64 `json:"percentiles,omitempty"`
}

// End closes the file; Records counts the lines before it (header included),
// so a file cut at a line boundary is told from a whole one.
type End struct {
	Records int `json:"records"`
}

// Recording is a whole file in memory.
type Recording struct {
	Header      Header
	Alarms      []Alarm
	Transitions []Transition
	Series      []Series
}

// Points counts the datapoints of every series.
func (r *Recording) Points() int {
	n := 0
	for _, s := range r.Series {
		n += len(s.Points)
	}
	return n
}
