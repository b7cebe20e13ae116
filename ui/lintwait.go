package ui

import (
	"time"

	"gatewayops/alarms"
)

// minLintWait is the shortest time after the console's first data before a
// "nothing publishes this" finding is believed: a freshly started emitter
// (the demo's simulator, a deploy) has had no chance to publish yet.
const minLintWait = time.Minute

// lintWaitUntil is when data for the alarm could first exist: two of its
// periods (at least a minute) after the console's first snapshot.
func lintWaitUntil(first time.Time, a alarms.Alarm) time.Time {
	return first.Add(max(2*time.Duration(a.Period)*time.Second, minLintWait))
}

// splitLint keeps the findings of alarms whose data could exist by now and
// returns, for the others, until when they wait.
func splitLint(as []alarms.Alarm, lint map[string][]alarms.Finding, first, now time.Time) (map[string][]alarms.Finding, map[string]time.Time) {
	kept := make(map[string][]alarms.Finding, len(lint))
	waiting := map[string]time.Time{}
	for _, a := range as {
		fs := lint[a.Name]
		if len(fs) == 0 {
			continue
		}
		if until := lintWaitUntil(first, a); now.Before(until) {
			waiting[a.Name] = until
			continue
		}
		if fs = dataContradicts(a, fs); len(fs) > 0 {
			kept[a.Name] = fs
		}
	}
	return kept, waiting
}

// dataContradicts drops "nothing publishes this" findings of an alarm that
// has datapoints: CloudWatch evaluated data for it, so the metric exists and
// the lint inventory (read every few minutes) is older than the data.
func dataContradicts(a alarms.Alarm, fs []alarms.Finding) []alarms.Finding {
	if len(a.Recent) == 0 && len(a.Series) == 0 {
		return fs
	}
	var out []alarms.Finding
	for _, f := range fs {
		if f.Kind != alarms.FindingIdentity {
			out = append(out, f)
		}
	}
	return out
}
