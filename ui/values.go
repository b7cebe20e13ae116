package ui

import (
	"math"
	"time"

	"gatewayops/alarms"
)

// utcClock is the console's one time rule: UTC, marked with Z.
func utcClock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("15:04:05Z")
}

// evaluatedText is the value the alarm's state was computed from (the newest
// datapoint CloudWatch evaluated, from StateReasonData), the operator and the
// whole threshold: "485056 ms > 100000". "no data" when CloudWatch evaluated
// none, whatever the series holds since.
func evaluatedText(a alarms.Alarm) string {
	if a.Composite {
		return "composite: " + a.Rule
	}
	val := "no data"
	if n := len(a.Recent); n > 0 {
		val = alarms.FormatValue(a.Recent[n-1].Value, a.Unit)
	}
	if !a.HasThreshold {
		return val
	}
	return val + " " + alarms.ComparisonSymbol(a.Comparison) + " " + alarms.FormatValue(a.Threshold, a.Unit)
}

// newestText is the newest point of the series when it is newer than the
// evaluated one and differs from it (not yet evaluated); "" otherwise.
func newestText(a alarms.Alarm) string {
	n := len(a.Series)
	if n == 0 || a.Composite {
		return ""
	}
	p := a.Series[n-1]
	if math.IsNaN(p.Value) {
		return ""
	}
	if m := len(a.Recent); m > 0 {
		last := a.Recent[m-1]
		if last.Value == p.Value || (!last.Timestamp.IsZero() && !p.Time.After(last.Timestamp)) {
			return ""
		}
	}
	return "now " + alarms.FormatValue(p.Value, a.Unit)
}

// fixNote is what the console says after a verified fix while the alarm it
// was run for has not moved yet.
type fixNote struct {
	alarm   string
	state   alarms.State
	since   time.Time
	applied time.Time
	period  int
}

// text is "fix applied 08:25:37Z, next evaluation ~08:26:00Z": the next
// period boundary after the fix, when CloudWatch evaluates a datapoint that
// includes it.
func (f fixNote) text() string {
	p := time.Duration(max(f.period, 10)) * time.Second
	next := f.applied.UTC().Truncate(p).Add(p)
	if f.period >= 60 {
		next = f.applied.UTC().Truncate(time.Minute).Add(time.Minute)
	}
	return "fix applied " + utcClock(f.applied) + ", next evaluation ~" + utcClock(next)
}

// moved is true once the alarm changed state or transitioned again.
func (f fixNote) moved(a alarms.Alarm) bool { return a.State != f.state || !a.Since.Equal(f.since) }
