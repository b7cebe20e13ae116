package ops

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"gatewayops/alarms"
)

// TimelineEvent is one row of an incident timeline.
type TimelineEvent struct {
	At     time.Time
	Source string // "alarm" or "action"
	What   string
}

// TouchedAlarms names the alarms an incident touched: those named by a
// journaled step (alarm=...), plus those that changed state since the start.
func TouchedAlarms(ctx context.Context, src *alarms.Source, entries []Entry, since time.Time) ([]string, error) {
	set := map[string]bool{}
	for _, e := range entries {
		if a := e.Params["alarm"]; a != "" {
			set[a] = true
		}
	}
	if src != nil {
		all, err := src.Alarms(ctx)
		if err != nil {
			return sortedKeys(set), err
		}
		for _, a := range all {
			if !a.Since.Before(since) {
				set[a.Name] = true
			}
		}
	}
	return sortedKeys(set), nil
}

// FilterEntries keeps the entries at or after since, of one environment ("" = all).
func FilterEntries(entries []Entry, since time.Time, env string) []Entry {
	var out []Entry
	for _, e := range entries {
		if !e.Time.Before(since) && (env == "" || e.Environment == env) {
			out = append(out, e)
		}
	}
	return out
}

// Timeline merges alarm transitions and journaled steps into one
// chronological Markdown document. notes are printed under the heading (e.g.
// "alarm history unavailable: ..."). A drill's milestones are rows of their
// own (source drill) and its report follows the table.
func Timeline(entries []Entry, history map[string][]alarms.HistoryItem, since, until time.Time, notes []string) string {
	var events []TimelineEvent
	for alarm, items := range history {
		for _, h := range items {
			if h.Type != "" && h.Type != "StateUpdate" {
				continue
			}
			events = append(events, TimelineEvent{At: h.At, Source: "alarm", What: fmt.Sprintf("**%s**: %s", alarm, h.Summary)})
		}
	}
	actions, drillEvents, reports := splitDrill(entries)
	events = append(events, actionEvents(actions)...)
	events = append(events, drillEvents...)
	sort.SliceStable(events, func(i, j int) bool { return events[i].At.Before(events[j].At) })
	var b strings.Builder
	fmt.Fprintf(&b, "# Incident timeline %s to %s (UTC)\n\n", since.UTC().Format("2006-01-02 15:04"), until.UTC().Format("2006-01-02 15:04"))
	if names := drillNames(entries); len(names) > 0 {
		fmt.Fprintf(&b, "> DRILL: this window holds the drill %s, a rehearsal on the embedded stack (not a real incident); its rows say drill.\n\n", strings.Join(names, ", "))
	}
	for _, n := range notes {
		fmt.Fprintf(&b, "> %s\n\n", n)
	}
	if len(events) == 0 {
		b.WriteString("No alarm transitions and no journaled actions in this window.\n")
		return b.String()
	}
	b.WriteString("| Time (UTC) | Source | Event |\n|---|---|---|\n")
	for _, e := range events {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", e.At.UTC().Format("01-02 15:04:05"), e.Source, escapeCell(e.What))
	}
	for _, r := range reports {
		b.WriteString("\n" + strings.TrimRight(r, "\n") + "\n")
	}
	return b.String()
}

// splitDrill separates a drill's milestones (rows) and reports (sections)
// from the action entries; a drill's actions are marked as such.
func splitDrill(entries []Entry) (actions []Entry, events []TimelineEvent, reports []string) {
	for _, e := range entries {
		switch {
		case e.Phase == PhaseDrill && e.Action == "drill.report":
			events = append(events, TimelineEvent{At: e.Time, Source: "drill", What: strings.TrimLeft(strings.SplitN(e.Result, "\n", 2)[0], "# ") + " (below the table)"})
			reports = append(reports, e.Result)
		case e.Phase == PhaseDrill:
			events = append(events, TimelineEvent{At: e.Time, Source: "drill", What: e.Result})
		default:
			actions = append(actions, e)
		}
	}
	return actions, events, reports
}

// drillNames are the drills the entries were written in, in order.
func drillNames(entries []Entry) []string {
	var out []string
	for _, e := range entries {
		if e.Drill != "" && !slices.Contains(out, e.Drill) {
			out = append(out, e.Drill)
		}
	}
	return out
}

// actionEvents turns intent/result pairs into one event per action, at the
// intent's time, with the outcome; an intent without result is "outcome unknown".
func actionEvents(entries []Entry) []TimelineEvent {
	results := map[string]Entry{}
	for _, e := range entries {
		if e.Phase == PhaseResult {
			results[e.ID] = e
		}
	}
	var out []TimelineEvent
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		r, done := results[e.ID]
		cmd := strings.TrimSpace(e.Action + " " + FormatParams(e.Params))
		what := fmt.Sprintf("`%s` by %s on %s", cmd, orUnknown(e.Operator), e.Environment)
		switch {
		case e.Phase == PhaseResult: // a refusal: no intent was written
			what += fmt.Sprintf(": %s (%s)", e.Outcome, e.Error)
		case !done:
			what += ": **outcome unknown** (no result recorded)"
		default:
			what += ": " + describeResult(r)
		}
		if e.Plan != "" && e.Kind == string(Write) {
			what += "; plan: " + strings.ReplaceAll(e.Plan, "\n", "; ")
		}
		source := "action"
		if e.Drill != "" {
			source = "action (drill)"
		}
		out = append(out, TimelineEvent{At: e.Time, Source: source, What: what})
	}
	return out
}

func describeResult(r Entry) string {
	s := r.Outcome
	if s == OutcomeInProgress {
		// Not an end: the timeline must send the reader to what ECS did next.
		s = "**in progress** (detached from the rollout, ECS went on: the service's events tell how it ended)"
	}
	if r.Verification != nil {
		verdict := "pass"
		if !r.Verification.Pass {
			verdict = "FAIL"
		}
		s += fmt.Sprintf(", verify %s: %s", verdict, r.Verification.Detail)
	}
	if r.Error != "" {
		s += " (" + r.Error + ")"
	}
	if r.RequestID != "" {
		s += ", admin API request " + r.RequestID
	}
	return s
}

// FormatParams renders journaled parameters as grammar text, sorted.
func FormatParams(p map[string]string) string {
	var parts []string
	for _, k := range sortedKeys(p) {
		parts = append(parts, k+"="+Quote(p[k]))
	}
	return strings.Join(parts, " ")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func escapeCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
