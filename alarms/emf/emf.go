// Package emf parses CloudWatch Embedded Metric Format log lines: the JSON
// objects the gateway's metric emitters write (the aws-embedded-metrics
// library shape and the hand-written Arrakis/Economic shape).
package emf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Limits from the EMF specification.
const (
	MaxDimensionsPerSet = 30
	MaxValuesPerMetric  = 100
	MaxMetricsPerLine   = 100
	// MaxMagnitude is the largest absolute value CloudWatch stores.
	MaxMagnitude = 1.174271e+108
)

// Dimension is one name/value pair of a dimension set, in the order the line lists it.
type Dimension struct {
	Name  string
	Value string
}

// Datum is one metric of one directive under one dimension set.
type Datum struct {
	Namespace  string
	MetricName string
	// Dimensions is the full dimension set; empty means "no dimensions".
	Dimensions []Dimension
	// Unit is a CloudWatch standard unit; "None" when the line names none.
	Unit      string
	Timestamp time.Time
	// Values holds the root value, or every element of a root array.
	Values []float64
	// StorageResolution is 60 (standard) or 1 (high resolution).
	StorageResolution int
}

// standardUnits are the unit strings CloudWatch accepts.
var standardUnits = []string{
	"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
	"Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
	"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
	"Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
	"Gigabits/Second", "Terabits/Second", "Count/Second", "None",
}

// IsStandardUnit reports whether u is a CloudWatch standard unit string.
func IsStandardUnit(u string) bool {
	for _, s := range standardUnits {
		if s == u {
			return true
		}
	}
	return false
}

// StandardUnits returns the accepted unit strings (a fresh copy).
func StandardUnits() []string { return append([]string(nil), standardUnits...) }

type metaJSON struct {
	Timestamp         json.RawMessage `json:"Timestamp"`
	CloudWatchMetrics json.RawMessage `json:"CloudWatchMetrics"`
}

type directiveJSON struct {
	Namespace  *string      `json:"Namespace"`
	Dimensions *[][]string  `json:"Dimensions"`
	Metrics    []metricJSON `json:"Metrics"`
}

type metricJSON struct {
	Name              *string  `json:"Name"`
	Unit              *string  `json:"Unit"`
	StorageResolution *float64 `json:"StorageResolution"`
}

// Parse turns one EMF line into its data points, one per (directive,
// dimension set, metric). A line that breaks the format yields an error that
// says what is wrong and no data.
func Parse(line []byte) ([]Datum, error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return nil, errors.New("emf: empty line")
	}
	var root map[string]json.RawMessage
	if err := json.Unmarshal(line, &root); err != nil {
		return nil, fmt.Errorf("emf: not a JSON object: %v", err)
	}
	rawMeta, ok := root["_aws"]
	if !ok {
		return nil, errors.New("emf: missing _aws metadata object")
	}
	var meta metaJSON
	if err := json.Unmarshal(rawMeta, &meta); err != nil {
		return nil, fmt.Errorf("emf: _aws is not an object: %v", err)
	}
	ts, err := parseTimestamp(meta.Timestamp)
	if err != nil {
		return nil, err
	}
	var directives []json.RawMessage
	if len(meta.CloudWatchMetrics) == 0 {
		return nil, errors.New("emf: missing _aws.CloudWatchMetrics")
	}
	if err := json.Unmarshal(meta.CloudWatchMetrics, &directives); err != nil || directives == nil {
		return nil, errors.New("emf: _aws.CloudWatchMetrics must be an array of directives")
	}
	if len(directives) == 0 {
		return nil, errors.New("emf: _aws.CloudWatchMetrics is empty")
	}
	var out []Datum
	for i, raw := range directives {
		data, err := parseDirective(root, raw, ts)
		if err != nil {
			return nil, fmt.Errorf("emf: CloudWatchMetrics[%d]: %w", i, err)
		}
		out = append(out, data...)
	}
	return out, nil
}

func parseTimestamp(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 {
		return time.Time{}, errors.New("emf: missing _aws.Timestamp")
	}
	var ms float64
	if isNull(raw) || json.Unmarshal(raw, &ms) != nil {
		return time.Time{}, fmt.Errorf("emf: _aws.Timestamp must be a number of epoch milliseconds, got %s", clip(raw))
	}
	if ms < 0 || ms > 253402300799999 { // year 9999
		return time.Time{}, fmt.Errorf("emf: _aws.Timestamp %v is out of range", ms)
	}
	return time.UnixMilli(int64(ms)).UTC(), nil
}

func parseDirective(root map[string]json.RawMessage, raw json.RawMessage, ts time.Time) ([]Datum, error) {
	var d directiveJSON
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("malformed directive: %v", err)
	}
	if d.Namespace == nil || strings.TrimSpace(*d.Namespace) == "" {
		return nil, errors.New("missing Namespace")
	}
	if len(*d.Namespace) > 255 {
		return nil, errors.New("Namespace longer than 255 characters")
	}
	if d.Dimensions == nil {
		return nil, errors.New("missing Dimensions (use [[]] for no dimensions)")
	}
	if len(d.Metrics) == 0 {
		return nil, errors.New("Metrics is empty")
	}
	if len(d.Metrics) > MaxMetricsPerLine {
		return nil, fmt.Errorf("%d metrics, at most %d allowed", len(d.Metrics), MaxMetricsPerLine)
	}
	sets, err := resolveDimensionSets(root, *d.Dimensions)
	if err != nil {
		return nil, err
	}
	var out []Datum
	for _, m := range d.Metrics {
		name, unit, res, values, err := parseMetric(root, m)
		if err != nil {
			return nil, err
		}
		for _, set := range sets {
			out = append(out, Datum{
				Namespace: *d.Namespace, MetricName: name, Dimensions: set, Unit: unit,
				Timestamp: ts, Values: values, StorageResolution: res,
			})
		}
	}
	return out, nil
}

// resolveDimensionSets looks each dimension name up among the root keys.
// An empty list or an empty set both mean one set with no dimensions.
func resolveDimensionSets(root map[string]json.RawMessage, names [][]string) ([][]Dimension, error) {
	if len(names) == 0 {
		return [][]Dimension{nil}, nil
	}
	sets := make([][]Dimension, 0, len(names))
	for i, set := range names {
		if len(set) > MaxDimensionsPerSet {
			return nil, fmt.Errorf("Dimensions[%d] has %d dimensions, at most %d allowed", i, len(set), MaxDimensionsPerSet)
		}
		dims := make([]Dimension, 0, len(set))
		seen := map[string]bool{}
		for _, name := range set {
			if seen[name] {
				return nil, fmt.Errorf("Dimensions[%d] names %q twice", i, name)
			}
			seen[name] = true
			raw, ok := root[name]
			if !ok {
				return nil, fmt.Errorf("dimension %q has no root key", name)
			}
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, fmt.Errorf("dimension %q must have a string value, got %s", name, clip(raw))
			}
			if v == "" {
				return nil, fmt.Errorf("dimension %q has an empty value", name)
			}
			dims = append(dims, Dimension{Name: name, Value: v})
		}
		sets = append(sets, dims)
	}
	return sets, nil
}

func parseMetric(root map[string]json.RawMessage, m metricJSON) (name, unit string, res int, values []float64, err error) {
	if m.Name == nil || *m.Name == "" {
		return "", "", 0, nil, errors.New("a metric definition has no Name")
	}
	name, unit, res = *m.Name, "None", 60
	if m.Unit != nil && *m.Unit != "" {
		if !IsStandardUnit(*m.Unit) {
			return "", "", 0, nil, fmt.Errorf("metric %q: unknown Unit %q (accepted: %s)", name, *m.Unit, strings.Join(standardUnits, ", "))
		}
		unit = *m.Unit
	}
	if m.StorageResolution != nil {
		switch *m.StorageResolution {
		case 1, 60:
			res = int(*m.StorageResolution)
		default:
			return "", "", 0, nil, fmt.Errorf("metric %q: StorageResolution must be 1 or 60, got %v", name, *m.StorageResolution)
		}
	}
	raw, ok := root[name]
	if !ok {
		return "", "", 0, nil, fmt.Errorf("metric %q has no root value", name)
	}
	values, err = parseValues(raw)
	if err != nil {
		return "", "", 0, nil, fmt.Errorf("metric %q: %w", name, err)
	}
	return name, unit, res, values, nil
}

func parseValues(raw json.RawMessage) ([]float64, error) {
	if isNull(raw) {
		return nil, errors.New("value is null, want a number or an array of numbers")
	}
	var one float64
	if err := json.Unmarshal(raw, &one); err == nil {
		if math.Abs(one) > MaxMagnitude {
			return nil, fmt.Errorf("value %g is outside CloudWatch's range (+/-%g)", one, MaxMagnitude)
		}
		return []float64{one}, nil
	}
	var many []float64
	if err := json.Unmarshal(raw, &many); err != nil || many == nil {
		return nil, fmt.Errorf("value must be a number or an array of numbers, got %s", clip(raw))
	}
	if len(many) == 0 {
		return nil, errors.New("value array is empty")
	}
	if len(many) > MaxValuesPerMetric {
		return nil, fmt.Errorf("value array has %d values, at most %d allowed", len(many), MaxValuesPerMetric)
	}
	for _, v := range many {
		if math.Abs(v) > MaxMagnitude {
			return nil, fmt.Errorf("value %g is outside CloudWatch's range (+/-%g)", v, MaxMagnitude)
		}
	}
	return many, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// clip shortens raw JSON for an error message.
func clip(raw json.RawMessage) string {
	s := string(raw)
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

// SortedDimensions returns a copy of dims ordered by name: the identity
// CloudWatch uses, where order does not matter.
func SortedDimensions(dims []Dimension) []Dimension {
	out := append([]Dimension(nil), dims...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
