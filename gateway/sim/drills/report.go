package drills

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Effect is what a step taken during a drill did to the incident.
type Effect string

// The effects a report names. A step is judged JudgeTicks after it ran (or
// at recovery, whichever comes first).
const (
	EffectPending  Effect = "pending"
	EffectListed   Effect = "on the list"
	EffectCleared  Effect = "cleared the signal (not on the list)"
	EffectNothing  Effect = "did nothing"
	EffectWorse    Effect = "made it worse"
	EffectReadOnly Effect = "read-only"
	EffectFailed   Effect = "failed"
)

// JudgeTicks is how many drill ticks after a step its effect is judged:
// 20 s of drill time, two of the drill catalog's 10 s periods, long enough
// for an alarm the step broke to go to ALARM.
const JudgeTicks = 4

// StepRecord is one step the operator ran during a drill.
type StepRecord struct {
	At      time.Time
	Line    string
	Write   bool
	Outcome string // ok, or what went wrong
	// Listed is the step's number in the scenario's list (1-based), 0 when
	// the step is not on it.
	Listed int
	Effect Effect
	// Detail says why the effect was judged so (the alarms that fired).
	Detail string

	before map[string]bool // alarms in ALARM when the step ran
	ticks  int             // ticks since it ran
}

// Report is the end of a drill: how long the operator took and what the
// steps did. Times are on the drill clock.
type Report struct {
	Name, Runbook, Branch, Signal string
	Expected                      []string
	// Speed is the drill clock's compression (1 = wall time).
	Speed int
	// FaultAt is when the fault was made; RaisedAt when the signal came on;
	// RunbookAt when the operator opened the scenario's runbook; MitigatedAt
	// when the first write (or manual step) of the list ran ok, reads of the
	// list being diagnosis; RecoveredAt when the signal
	// cleared. A zero time did not happen.
	FaultAt, RaisedAt, RunbookAt, MitigatedAt, RecoveredAt time.Time
	Steps                                                  []StepRecord
}

func newReport(sc Scenario, speed int) Report {
	return Report{Name: sc.Name, Runbook: sc.Runbook, Branch: sc.Branch, Signal: sc.Signal.String(),
		Expected: sc.StepList(), Speed: speed}
}

// Missing lists the scenario's steps nobody ran (ok).
func (r Report) Missing() []string {
	var out []string
	for i, line := range r.Expected {
		if !slices.ContainsFunc(r.Steps, func(s StepRecord) bool { return s.Listed == i+1 && s.Outcome == "ok" }) {
			out = append(out, line)
		}
	}
	return out
}

// Unhelpful lists the steps that did nothing, failed or made it worse.
func (r Report) Unhelpful() []StepRecord {
	var out []StepRecord
	for _, s := range r.Steps {
		if s.Effect == EffectNothing || s.Effect == EffectWorse || s.Effect == EffectFailed {
			out = append(out, s)
		}
	}
	return out
}

// since is d from the signal coming on, as "+m:ss", or "never".
func (r Report) since(t time.Time) string {
	if t.IsZero() || r.RaisedAt.IsZero() {
		return "never"
	}
	if d := t.Sub(r.RaisedAt); d < 0 {
		return "-" + mmss(-d)
	}
	return "+" + mmss(t.Sub(r.RaisedAt))
}

func mmss(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// Title is the report's one-line summary.
func (r Report) Title() string { return fmt.Sprintf("DRILL %s: %s", r.Name, r.Summary()) }

// Summary is the three times in one line.
func (r Report) Summary() string {
	return fmt.Sprintf("recovered %s after the signal came on (runbook opened %s, first mitigating step %s)",
		r.since(r.RecoveredAt), r.since(r.RunbookAt), r.since(r.MitigatedAt))
}

// Markdown is the report as the console shows it and the journal keeps it:
// Markdown that reads as plain text too.
func (r Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Drill report: %s\n\nA rehearsal on the embedded stack, not a real incident.\n\n", r.Name)
	fmt.Fprintf(&b, "- runbook: %s, %s\n- signal: %s\n", r.Runbook, r.Branch, r.Signal)
	fmt.Fprintf(&b, "- drill clock: %dx wall time; times below are from the signal coming on (%s UTC)\n\n",
		r.Speed, r.RaisedAt.UTC().Format("15:04:05"))
	fmt.Fprintf(&b, "| Milestone | Time |\n|---|---|\n| fault made | %s |\n| signal on | 0:00 |\n", r.since(r.FaultAt))
	fmt.Fprintf(&b, "| runbook opened | %s |\n| first mitigating step | %s |\n| recovered | %s |\n\n",
		r.since(r.RunbookAt), r.since(r.MitigatedAt), r.since(r.RecoveredAt))
	fmt.Fprintf(&b, "### Steps against the list (%d)\n\n", len(r.Expected))
	for i, line := range r.Expected {
		fmt.Fprintf(&b, "%d. %s: %s\n", i+1, code(line), r.listedText(i+1))
	}
	b.WriteString("\n### Steps taken\n\n")
	if len(r.Steps) == 0 {
		b.WriteString("None.\n")
	}
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "- %s %s: %s, %s%s\n", r.since(s.At), code(s.Line), s.Outcome, s.Effect, detail(s.Detail))
	}
	b.WriteString("\n### Did nothing or made it worse\n\n")
	bad := r.Unhelpful()
	if len(bad) == 0 {
		b.WriteString("None.\n")
	}
	for _, s := range bad {
		fmt.Fprintf(&b, "- %s (%s): %s%s\n", code(s.Line), r.since(s.At), s.Effect, detail(s.Detail))
	}
	if m := r.Missing(); len(m) > 0 {
		quoted := make([]string, len(m))
		for i, line := range m {
			quoted[i] = code(line)
		}
		fmt.Fprintf(&b, "\nNot run from the list: %s.\n", strings.Join(quoted, ", "))
	}
	return b.String()
}

// code is s as a Markdown code span; one holding a backtick (a manual
// step quoting the runbook) is fenced with two.
func code(s string) string {
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

func detail(d string) string {
	if d == "" {
		return ""
	}
	return " (" + d + ")"
}

// listedText says when list step n was first run ok, or that it was not.
func (r Report) listedText(n int) string {
	for _, s := range r.Steps {
		if s.Listed == n && s.Outcome == "ok" {
			return "done " + r.since(s.At)
		}
	}
	for _, s := range r.Steps {
		if s.Listed == n {
			return "tried " + r.since(s.At) + ", " + s.Outcome
		}
	}
	return "not run"
}

// judge decides a step's effect from the alarms firing now and the signal.
// An alarm of the incident itself (incident) firing later is not the step's doing.
func (s *StepRecord) judge(firing, incident map[string]bool, signalOn bool) {
	var fired []string
	for name := range firing {
		if !s.before[name] && !incident[name] {
			fired = append(fired, name)
		}
	}
	slices.Sort(fired)
	switch {
	case s.Outcome != "ok":
		s.Effect = EffectFailed
	case len(fired) > 0:
		s.Effect, s.Detail = EffectWorse, "went to ALARM after it: "+strings.Join(fired, ", ")
	case s.Listed > 0:
		s.Effect = EffectListed
	case !s.Write:
		s.Effect, s.Detail = EffectReadOnly, "changes nothing"
	case !signalOn:
		s.Effect = EffectCleared
	default:
		s.Effect, s.Detail = EffectNothing, "the signal stayed on"
	}
}
