// Package emf parses CloudWatch Embedded Metric Format log lines: the JSON
// objects the gateway's metric emitters write (the aws-embedded-metrics
// library shape and the hand-written Arrakis/Economic shape).
package emf

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/valyala/fastjson"
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

// Parser parses EMF lines with one reusable fastjson parser: one pass over
// the line, no map of the document. A Parser is not safe for concurrent
// use; keep one per goroutine (or in a sync.Pool).
type Parser struct {
	p fastjson.Parser
}

// Parse turns one EMF line into its data points with a fresh Parser; a
// caller parsing many lines should keep a Parser.
func Parse(line []byte) ([]Datum, error) {
	var p Parser
	return p.Parse(line)
}

// Parse turns one EMF line into its data points, one per (directive,
// dimension set, metric). A line that breaks the format yields an error that
// says what is wrong and no data.
func (ps *Parser) Parse(line []byte) ([]Datum, error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return nil, errors.New("emf: empty line")
	}
	v, err := ps.p.ParseBytes(line)
	if err != nil {
		return nil, fmt.Errorf("emf: not a JSON object: %v", err)
	}
	root, err := v.Object()
	if err != nil {
		return nil, errors.New("emf: not a JSON object: the line is a JSON " + v.Type().String())
	}
	meta := root.Get("_aws")
	if meta == nil {
		return nil, errors.New("emf: missing _aws metadata object")
	}
	if meta.Type() != fastjson.TypeObject {
		return nil, fmt.Errorf("emf: _aws is not an object: got %s", clip(meta))
	}
	ts, err := parseTimestamp(meta.Get("Timestamp"))
	if err != nil {
		return nil, err
	}
	cwm := meta.Get("CloudWatchMetrics")
	if cwm == nil {
		return nil, errors.New("emf: missing _aws.CloudWatchMetrics")
	}
	directives, err := cwm.Array()
	if err != nil {
		return nil, errors.New("emf: _aws.CloudWatchMetrics must be an array of directives")
	}
	if len(directives) == 0 {
		return nil, errors.New("emf: _aws.CloudWatchMetrics is empty")
	}
	var out []Datum
	for i, d := range directives {
		data, err := parseDirective(root, d, ts)
		if err != nil {
			return nil, fmt.Errorf("emf: CloudWatchMetrics[%d]: %w", i, err)
		}
		out = append(out, data...)
	}
	return out, nil
}

func parseTimestamp(v *fastjson.Value) (time.Time, error) {
	if v == nil {
		return time.Time{}, errors.New("emf: missing _aws.Timestamp")
	}
	ms, err := number(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("emf: _aws.Timestamp must be a number of epoch milliseconds, got %s", clip(v))
	}
	if ms < 0 || ms > 253402300799999 { // year 9999
		return time.Time{}, fmt.Errorf("emf: _aws.Timestamp %v is out of range", ms)
	}
	return time.UnixMilli(int64(ms)).UTC(), nil
}

// number reads a finite JSON number.
func number(v *fastjson.Value) (float64, error) {
	if v.Type() != fastjson.TypeNumber {
		return 0, errors.New("not a number")
	}
	f, err := v.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("not a finite number")
	}
	return f, nil
}

func str(v *fastjson.Value) (string, bool) {
	if v == nil || v.Type() != fastjson.TypeString {
		return "", false
	}
	b, _ := v.StringBytes()
	return string(b), true
}

func parseDirective(root *fastjson.Object, d *fastjson.Value, ts time.Time) ([]Datum, error) {
	if d.Type() != fastjson.TypeObject {
		return nil, fmt.Errorf("malformed directive: want an object, got %s", clip(d))
	}
	ns, ok := str(d.Get("Namespace"))
	if !ok || strings.TrimSpace(ns) == "" {
		return nil, errors.New("missing Namespace")
	}
	if len(ns) > 255 {
		return nil, errors.New("Namespace longer than 255 characters")
	}
	dimsV := d.Get("Dimensions")
	if dimsV == nil || dimsV.Type() == fastjson.TypeNull {
		return nil, errors.New("missing Dimensions (use [[]] for no dimensions)")
	}
	var metrics []*fastjson.Value
	if mv := d.Get("Metrics"); mv != nil && mv.Type() != fastjson.TypeNull {
		var err error
		if metrics, err = mv.Array(); err != nil {
			return nil, errors.New("malformed directive: Metrics must be an array")
		}
	}
	if len(metrics) == 0 {
		return nil, errors.New("Metrics is empty")
	}
	if len(metrics) > MaxMetricsPerLine {
		return nil, fmt.Errorf("%d metrics, at most %d allowed", len(metrics), MaxMetricsPerLine)
	}
	sets, err := resolveDimensionSets(root, dimsV)
	if err != nil {
		return nil, err
	}
	out := make([]Datum, 0, len(metrics)*len(sets))
	for _, m := range metrics {
		name, unit, res, values, err := parseMetric(root, m)
		if err != nil {
			return nil, err
		}
		for _, set := range sets {
			out = append(out, Datum{
				Namespace: ns, MetricName: name, Dimensions: set, Unit: unit,
				Timestamp: ts, Values: values, StorageResolution: res,
			})
		}
	}
	return out, nil
}

// resolveDimensionSets looks each dimension name up among the root keys.
// An empty list or an empty set both mean one set with no dimensions.
func resolveDimensionSets(root *fastjson.Object, v *fastjson.Value) ([][]Dimension, error) {
	names, err := v.Array()
	if err != nil {
		return nil, fmt.Errorf("malformed directive: Dimensions must be an array of arrays of names, got %s", clip(v))
	}
	if len(names) == 0 {
		return [][]Dimension{nil}, nil
	}
	sets := make([][]Dimension, 0, len(names))
	for i, setV := range names {
		set, err := setV.Array()
		if err != nil {
			return nil, fmt.Errorf("malformed directive: Dimensions[%d] must be an array of names", i)
		}
		if len(set) > MaxDimensionsPerSet {
			return nil, fmt.Errorf("Dimensions[%d] has %d dimensions, at most %d allowed", i, len(set), MaxDimensionsPerSet)
		}
		dims := make([]Dimension, 0, len(set))
		for _, nv := range set {
			name, ok := str(nv)
			if !ok {
				return nil, fmt.Errorf("malformed directive: Dimensions[%d] holds %s, want a name", i, clip(nv))
			}
			for _, d := range dims {
				if d.Name == name {
					return nil, fmt.Errorf("Dimensions[%d] names %q twice", i, name)
				}
			}
			raw := root.Get(name)
			if raw == nil {
				return nil, fmt.Errorf("dimension %q has no root key", name)
			}
			val, ok := str(raw)
			if !ok {
				return nil, fmt.Errorf("dimension %q must have a string value, got %s", name, clip(raw))
			}
			if val == "" {
				return nil, fmt.Errorf("dimension %q has an empty value", name)
			}
			dims = append(dims, Dimension{Name: name, Value: val})
		}
		sets = append(sets, dims)
	}
	return sets, nil
}

func parseMetric(root *fastjson.Object, m *fastjson.Value) (name, unit string, res int, values []float64, err error) {
	if m.Type() != fastjson.TypeObject {
		return "", "", 0, nil, fmt.Errorf("malformed directive: a metric definition must be an object, got %s", clip(m))
	}
	name, ok := str(m.Get("Name"))
	if !ok || name == "" {
		return "", "", 0, nil, errors.New("a metric definition has no Name")
	}
	unit, res = "None", 60
	if u := m.Get("Unit"); u != nil && u.Type() != fastjson.TypeNull {
		us, ok := str(u)
		if !ok {
			return "", "", 0, nil, fmt.Errorf("metric %q: Unit must be a string", name)
		}
		if us != "" {
			if !IsStandardUnit(us) {
				return "", "", 0, nil, fmt.Errorf("metric %q: unknown Unit %q (accepted: %s)", name, us, strings.Join(standardUnits, ", "))
			}
			unit = us
		}
	}
	if r := m.Get("StorageResolution"); r != nil && r.Type() != fastjson.TypeNull {
		f, err := number(r)
		if err != nil || (f != 1 && f != 60) {
			return "", "", 0, nil, fmt.Errorf("metric %q: StorageResolution must be 1 or 60, got %s", name, clip(r))
		}
		res = int(f)
	}
	raw := root.Get(name)
	if raw == nil {
		return "", "", 0, nil, fmt.Errorf("metric %q has no root value", name)
	}
	values, err = parseValues(raw)
	if err != nil {
		return "", "", 0, nil, fmt.Errorf("metric %q: %w", name, err)
	}
	return name, unit, res, values, nil
}

func parseValues(raw *fastjson.Value) ([]float64, error) {
	switch raw.Type() {
	case fastjson.TypeNull:
		return nil, errors.New("value is null, want a number or an array of numbers")
	case fastjson.TypeNumber:
		one, err := number(raw)
		if err != nil {
			return nil, fmt.Errorf("value must be a number or an array of numbers, got %s", clip(raw))
		}
		if math.Abs(one) > MaxMagnitude {
			return nil, fmt.Errorf("value %g is outside CloudWatch's range (+/-%g)", one, MaxMagnitude)
		}
		return []float64{one}, nil
	case fastjson.TypeArray:
	default:
		return nil, fmt.Errorf("value must be a number or an array of numbers, got %s", clip(raw))
	}
	arr, _ := raw.Array()
	if len(arr) == 0 {
		return nil, errors.New("value array is empty")
	}
	if len(arr) > MaxValuesPerMetric {
		return nil, fmt.Errorf("value array has %d values, at most %d allowed", len(arr), MaxValuesPerMetric)
	}
	many := make([]float64, len(arr))
	for i, e := range arr {
		v, err := number(e)
		if err != nil {
			return nil, fmt.Errorf("value must be a number or an array of numbers, got %s", clip(raw))
		}
		if math.Abs(v) > MaxMagnitude {
			return nil, fmt.Errorf("value %g is outside CloudWatch's range (+/-%g)", v, MaxMagnitude)
		}
		many[i] = v
	}
	return many, nil
}

// clip shortens a JSON value for an error message.
func clip(v *fastjson.Value) string {
	s := v.String()
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
