package alarms

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// State is a CloudWatch alarm state.
type State string

// The three CloudWatch alarm states. INSUFFICIENT_DATA is its own state and is
// never shown or counted as OK: an alarm without data cannot vouch for anything.
const (
	StateOK               State = "OK"
	StateAlarm            State = "ALARM"
	StateInsufficientData State = "INSUFFICIENT_DATA"
)

// Word is the short human word for a state, as the console prints it.
func (s State) Word() string {
	switch s {
	case StateOK:
		return "ok"
	case StateAlarm:
		return "ALARM"
	case StateInsufficientData:
		return "no data"
	default:
		return "unknown (" + string(s) + ")"
	}
}

// Symbol is a one-rune marker for the state, so state never depends on colour alone.
func (s State) Symbol() string {
	switch s {
	case StateOK:
		return "✓"
	case StateAlarm:
		return "✗"
	case StateInsufficientData:
		return "?"
	default:
		return "!"
	}
}

// IsOK is true only for OK; INSUFFICIENT_DATA and unknown states are not OK.
func (s State) IsOK() bool { return s == StateOK }

// Datapoint is one evaluated datapoint CloudWatch reported in StateReasonData.
type Datapoint struct {
	Timestamp time.Time `json:"timestamp,omitzero"`
	Value     float64   `json:"value"`
}

// Point is one point of a metric series (for sparklines).
type Point struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
}

// Alarm is an alarm as CloudWatch reports it, enriched with catalog facts.
type Alarm struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Composite is true for a composite alarm (it has a rule, no metric).
	Composite bool   `json:"composite,omitempty"`
	Rule      string `json:"rule,omitempty"`
	State     State  `json:"state"`
	// Since is StateTransitionedTimestamp: when the alarm entered State.
	Since time.Time `json:"since,omitzero"`
	// UpdatedAt is StateUpdatedTimestamp: the last evaluation that touched the state.
	UpdatedAt         time.Time     `json:"updatedAt,omitzero"`
	Reason            string        `json:"reason,omitempty"`
	Threshold         float64       `json:"threshold"`
	HasThreshold      bool          `json:"hasThreshold"`
	Comparison        string        `json:"comparison,omitempty"`
	Statistic         string        `json:"statistic,omitempty"`
	Period            int           `json:"period,omitempty"`
	EvaluationPeriods int           `json:"evaluationPeriods,omitempty"`
	DatapointsToAlarm int           `json:"datapointsToAlarm,omitempty"`
	TreatMissingData  string        `json:"treatMissingData,omitempty"`
	Namespace         string        `json:"namespace,omitempty"`
	MetricName        string        `json:"metricName,omitempty"`
	Dimensions        []Dimension   `json:"dimensions,omitempty"`
	Metrics           []MetricQuery `json:"metrics,omitempty"`
	Unit              string        `json:"unit,omitempty"`
	// EvaluationState is PARTIAL_DATA or EVALUATION_ERROR when CloudWatch could
	// not evaluate normally; empty otherwise.
	EvaluationState   string `json:"evaluationState,omitempty"`
	ActionsEnabled    bool   `json:"actionsEnabled"`
	ActionsSuppressed bool   `json:"actionsSuppressed,omitempty"`
	// Muted is set when an active alarm mute rule targets this alarm.
	Muted bool `json:"muted,omitempty"`
	// MutedUntil is the expiry of that mute rule (zero: none known).
	MutedUntil time.Time   `json:"mutedUntil,omitzero"`
	Recent     []Datapoint `json:"recent,omitempty"`
	Severity   string      `json:"severity,omitempty"`
	Series     []Point     `json:"series,omitempty"`
}

// ComparisonSymbol is ">" for GreaterThanThreshold and so on; the raw operator if unknown.
func ComparisonSymbol(op string) string {
	switch op {
	case "GreaterThanThreshold", "GreaterThanUpperThreshold":
		return ">"
	case "GreaterThanOrEqualToThreshold":
		return ">="
	case "LessThanThreshold", "LessThanLowerThreshold":
		return "<"
	case "LessThanOrEqualToThreshold":
		return "<="
	case "LessThanLowerOrGreaterThanUpperThreshold":
		return "outside"
	default:
		return op
	}
}

// Latest is the most recent known value: the newest evaluated datapoint, else
// the newest series point. ok is false when there is none.
func (a Alarm) Latest() (v float64, ok bool) {
	if n := len(a.Recent); n > 0 {
		return a.Recent[n-1].Value, true
	}
	if n := len(a.Series); n > 0 {
		return a.Series[n-1].Value, true
	}
	return 0, false
}

// ValueVsThreshold renders "12.5% > 5": the latest value in its unit, the
// operator and the threshold; "no data > 5" without a value.
func (a Alarm) ValueVsThreshold() string {
	if a.Composite {
		return "composite: " + a.Rule
	}
	val := "no data"
	if v, ok := a.Latest(); ok {
		val = FormatValue(v, a.Unit)
	}
	if !a.HasThreshold {
		return val
	}
	return val + " " + ComparisonSymbol(a.Comparison) + " " + formatNumber(a.Threshold)
}

// FormatValue formats v with a short suffix for the CloudWatch unit.
func FormatValue(v float64, unit string) string {
	switch unit {
	case "Percent":
		return formatNumber(v) + "%"
	case "Milliseconds":
		return formatNumber(v) + " ms"
	case "Seconds":
		return formatNumber(v) + " s"
	default:
		return formatNumber(v)
	}
}

// formatNumber prints at most 3 significant decimals, no exponent for normal magnitudes.
func formatNumber(v float64) string {
	s := strconv.FormatFloat(v, 'f', 3, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// stateReasonData is the JSON CloudWatch writes into StateReasonData.
type stateReasonData struct {
	Threshold        *float64  `json:"threshold"`
	RecentDatapoints []float64 `json:"recentDatapoints"`
	Evaluated        []struct {
		Timestamp string   `json:"timestamp"`
		Value     *float64 `json:"value"`
	} `json:"evaluatedDatapoints"`
}

// decodeStateReasonData is go-json-experiment/json (encoding/json/v2
// without GOEXPERIMENT) with encoding/json's leniencies (member names in
// any case, the last of duplicates, invalid UTF-8 kept): 1.1 µs an alarm
// against encoding/json's 2.6, and every alarm of the first refresh has one
// (decisions.md 170).
func decodeStateReasonData(raw []byte, d *stateReasonData) error {
	return jsonv2.Unmarshal(raw, d, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true),
		jsonv2.MatchCaseInsensitiveNames(true))
}

// parseStateReasonData extracts the threshold and the recent datapoints,
// oldest first. Evaluated datapoints carry timestamps and win over
// recentDatapoints, which do not. An empty input is no data, not an error.
func parseStateReasonData(raw string) (threshold *float64, recent []Datapoint, err error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil, nil
	}
	var d stateReasonData
	if err := decodeStateReasonData([]byte(raw), &d); err != nil {
		return nil, nil, fmt.Errorf("StateReasonData is not valid JSON: %w", err)
	}
	for _, e := range d.Evaluated {
		if e.Value == nil {
			continue // a missing datapoint: nothing to show
		}
		ts, _ := time.Parse("2006-01-02T15:04:05.000-0700", e.Timestamp)
		if ts.IsZero() {
			ts, _ = time.Parse(time.RFC3339, e.Timestamp)
		}
		recent = append(recent, Datapoint{Timestamp: ts, Value: *e.Value})
	}
	// CloudWatch lists evaluated datapoints newest first.
	if len(recent) > 1 && recent[0].Timestamp.After(recent[len(recent)-1].Timestamp) {
		for i, j := 0, len(recent)-1; i < j; i, j = i+1, j-1 {
			recent[i], recent[j] = recent[j], recent[i]
		}
	}
	if len(recent) == 0 {
		for _, v := range d.RecentDatapoints {
			recent = append(recent, Datapoint{Value: v})
		}
	}
	return d.Threshold, recent, nil
}
