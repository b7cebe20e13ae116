package ops

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Kind says whether an action changes anything.
type Kind string

// Action kinds.
const (
	Read  Kind = "read"
	Write Kind = "write"
)

// ParamType is the type of one parameter value.
type ParamType string

// Parameter types of the grammar.
const (
	TypeString   ParamType = "string"
	TypeInt      ParamType = "int"
	TypeBool     ParamType = "bool"
	TypeDuration ParamType = "duration"
	TypeEnum     ParamType = "enum"
)

// Param declares one parameter of an action.
type Param struct {
	Name string
	Type ParamType
	// Enum lists the accepted values of an enum parameter.
	Enum []string
	// Default is the raw text used when the parameter is absent ("" = none).
	Default  string
	Required bool
	// Min and Max bound int parameters (when Max > Min).
	Min, Max int64
	// MinDuration and MaxDuration bound duration parameters (0 = unbounded).
	MinDuration, MaxDuration time.Duration
	// Check validates a string value further (e.g. a YYYY-MM month).
	Check func(string) error
	Help  string
}

// Spec describes an action: the schema the registry validates against.
type Spec struct {
	Name    string
	Kind    Kind
	Summary string
	Params  []Param
	// ExactlyOneOf, when set, requires exactly one of these parameters.
	ExactlyOneOf []string
	// Inverse names the action that undoes this one, if any.
	Inverse string
}

// Param returns the named parameter.
func (s Spec) Param(name string) (Param, bool) {
	for _, p := range s.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

func (s Spec) paramNames() []string {
	out := make([]string, len(s.Params))
	for i, p := range s.Params {
		out[i] = p.Name
	}
	return out
}

// Invocation is a validated command: typed values with defaults applied.
type Invocation struct {
	Action string
	// Values holds string, int64, bool or time.Duration per parameter.
	Values map[string]any
	// Given lists the parameters the operator wrote (not defaulted), sorted.
	Given []string
}

// String renders the invocation in the grammar, parameters sorted, so it can be
// journaled, shown and parsed back.
func (inv Invocation) String() string {
	keys := make([]string, 0, len(inv.Values))
	for k := range inv.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := []string{inv.Action}
	for _, k := range keys {
		parts = append(parts, k+"="+Quote(formatValue(inv.Values[k])))
	}
	return strings.Join(parts, " ")
}

func formatValue(v any) string {
	switch x := v.(type) {
	case time.Duration:
		return formatDuration(x)
	default:
		return fmt.Sprint(x)
	}
}

// formatDuration writes 5m rather than 5m0s.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Str returns a string parameter ("" when absent).
func (inv Invocation) Str(name string) string { s, _ := inv.Values[name].(string); return s }

// Int returns an int parameter (0 when absent).
func (inv Invocation) Int(name string) int64 { n, _ := inv.Values[name].(int64); return n }

// Bool returns a bool parameter and whether it is set.
func (inv Invocation) Bool(name string) (value, ok bool) {
	b, ok := inv.Values[name].(bool)
	return b, ok
}

// Duration returns a duration parameter (0 when absent).
func (inv Invocation) Duration(name string) time.Duration {
	d, _ := inv.Values[name].(time.Duration)
	return d
}

// Has says whether the parameter has a value (given or defaulted).
func (inv Invocation) Has(name string) bool { _, ok := inv.Values[name]; return ok }

// Params returns the values as display strings, for the journal and JSON output.
func (inv Invocation) Params() map[string]string {
	out := make(map[string]string, len(inv.Values))
	for k, v := range inv.Values {
		out[k] = formatValue(v)
	}
	return out
}

// parseValue types one raw value against its parameter; errors name the
// parameter and what it accepts.
func parseValue(p Param, raw string) (any, error) {
	switch p.Type {
	case TypeInt:
		return parseInt(p, raw)
	case TypeBool:
		switch raw {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("%s=%s: want true or false", p.Name, raw)
	case TypeDuration:
		return parseDur(p, raw)
	case TypeEnum:
		for _, e := range p.Enum {
			if raw == e {
				return raw, nil
			}
		}
		return nil, fmt.Errorf("%s=%s: accepted values are %s", p.Name, raw, strings.Join(p.Enum, ", "))
	default:
		if p.Check != nil {
			if err := p.Check(raw); err != nil {
				return nil, fmt.Errorf("%s=%s: %w", p.Name, raw, err)
			}
		}
		return raw, nil
	}
}

func parseInt(p Param, raw string) (any, error) {
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s=%s: want a whole number%s", p.Name, raw, rangeText(p))
	}
	if p.Max > p.Min && (n < p.Min || n > p.Max) {
		return nil, fmt.Errorf("%s=%d is out of range: want %d..%d", p.Name, n, p.Min, p.Max)
	}
	return n, nil
}

func rangeText(p Param) string {
	if p.Max > p.Min {
		return fmt.Sprintf(" in %d..%d", p.Min, p.Max)
	}
	return ""
}

func parseDur(p Param, raw string) (any, error) {
	d, err := time.ParseDuration(raw)
	if err != nil {
		return nil, fmt.Errorf("%s=%s: want a duration like 90s, 5m or 1h30m", p.Name, raw)
	}
	if d < 0 {
		return nil, fmt.Errorf("%s=%s: durations are never negative", p.Name, raw)
	}
	if p.MinDuration > 0 && d < p.MinDuration {
		return nil, fmt.Errorf("%s=%s is below the minimum %s", p.Name, raw, formatDuration(p.MinDuration))
	}
	if p.MaxDuration > 0 && d > p.MaxDuration {
		return nil, fmt.Errorf("%s=%s is above the maximum %s", p.Name, raw, formatDuration(p.MaxDuration))
	}
	return d, nil
}

// checkMonth accepts a UTC month written YYYY-MM.
func checkMonth(s string) error {
	if _, err := time.Parse("2006-01", s); err != nil || len(s) != 7 {
		return fmt.Errorf("want a month written YYYY-MM, e.g. 2026-11")
	}
	return nil
}
