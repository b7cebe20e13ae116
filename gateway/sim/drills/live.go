package drills

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"gatewayops/alarms"
	"gatewayops/ops"
)

// Phase is where a live drill is.
type Phase string

// The phases of a live drill, in order.
const (
	PhaseRaising Phase = "raising" // the fault is made, the signal is not on yet
	PhaseOn      Phase = "on"      // the incident shows: follow the runbook
	PhaseCleared Phase = "cleared" // the signal cleared: the report is final
)

// Status is a live drill as the console shows it.
type Status struct {
	// Version grows with every change, for Wait.
	Version int
	Phase   Phase
	// Since is when the phase began, on the drill clock.
	Since time.Time
	// Err is the last tick's error ("" when it went through).
	Err string
	// NextManual is the text of the next manual step of the list (a step
	// no ops command performs; ManualStep does it), "" when none is left.
	NextManual string
	Report     Report
}

// Event is a drill milestone, for the journal.
type Event struct {
	At   time.Time
	Kind string // "fault", "signal on", "runbook opened", "cleared"
	Text string
}

// Live runs a scenario on a Rig in wall-clock time for `gatewayops drill`:
// every tick it steps the rig (gauges published, alarms evaluated on the
// drill clock) and reads the signal; the console tells it when the runbook
// was opened and which steps ran; when the signal clears it freezes the
// report. Safe for concurrent use: ticks come from one goroutine, the
// console's calls from its commands.
type Live struct {
	rig     *Rig
	sc      Scenario
	speed   int
	onEvent func(Event)

	// incident is the alarms the fault raises by itself (FaultAlarms): one
	// of them firing after a step is the incident, not the step.
	incident map[string]bool

	mu      sync.Mutex
	st      Status
	pending []int // indexes into st.Report.Steps still to judge
	manual  int   // manual steps done
	changed chan struct{}
}

// NewLive prepares a live drill of sc on r. speed is the drill clock's
// compression (1 = wall time): the rig steps one Tick every Tick/speed.
// incident is what FaultAlarms measured for sc (nil: none known). onEvent
// (optional) hears each milestone, outside the lock.
func NewLive(r *Rig, sc Scenario, speed int, incident map[string]bool, onEvent func(Event)) *Live {
	if onEvent == nil {
		onEvent = func(Event) {}
	}
	speed = max(speed, 1)
	l := &Live{rig: r, sc: sc, speed: speed, incident: incident, onEvent: onEvent, changed: make(chan struct{}),
		st: Status{Phase: PhaseRaising, Report: newReport(sc, speed)}}
	if len(sc.Manual) > 0 {
		l.st.NextManual = sc.Manual[0].Text
	}
	return l
}

// Interval is the wall time between two ticks.
func (l *Live) Interval() time.Duration { return Tick / time.Duration(l.speed) }

// Start makes the scenario's fault.
func (l *Live) Start(ctx context.Context) error {
	now := l.rig.Clock.Now()
	if err := l.sc.Fault(ctx, l.rig); err != nil {
		return fmt.Errorf("drill %s: making the fault: %w", l.sc.Name, err)
	}
	l.update(func(st *Status) { st.Since, st.Report.FaultAt = now, now })
	l.onEvent(Event{At: now, Kind: "fault", Text: fmt.Sprintf("drill %s started: %s", l.sc.Name, l.sc.Summary)})
	return nil
}

// Run ticks on every value of ticks until ctx ends. A failing tick is
// shown in the status and the next one tries again.
func (l *Live) Run(ctx context.Context, ticks <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
			err := l.Tick(ctx)
			if ctx.Err() != nil {
				return
			}
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			l.update(func(st *Status) { st.Err = msg })
		}
	}
}

// Tick steps the rig once, reads the signal and the alarms in ALARM, judges
// the steps whose time has come and moves the phase on.
func (l *Live) Tick(ctx context.Context) error {
	if err := l.rig.Step(ctx); err != nil {
		return err
	}
	on, cleared, err := l.rig.State(ctx, l.sc.Signal)
	if err != nil {
		return err
	}
	firing, err := l.firing(ctx)
	if err != nil {
		return err
	}
	now := l.rig.Clock.Now()
	var ev *Event
	l.update(func(st *Status) { ev = l.advance(st, now, on, cleared, firing) })
	if ev != nil {
		l.onEvent(*ev)
	}
	return nil
}

// advance is one tick's bookkeeping under the lock; it returns the
// milestone reached, if any.
func (l *Live) advance(st *Status, now time.Time, on, cleared bool, firing map[string]bool) *Event {
	if st.Phase == PhaseCleared {
		return nil
	}
	l.judgeDue(st, firing, on, cleared)
	switch {
	case st.Phase == PhaseRaising && on:
		st.Phase, st.Since, st.Report.RaisedAt = PhaseOn, now, now
		return &Event{At: now, Kind: "signal on", Text: fmt.Sprintf("drill %s: signal on: %s", l.sc.Name, l.sc.Signal)}
	case st.Phase == PhaseOn && cleared:
		st.Phase, st.Since, st.Report.RecoveredAt = PhaseCleared, now, now
		return &Event{At: now, Kind: "cleared", Text: fmt.Sprintf("drill %s: signal cleared", l.sc.Name)}
	}
	return nil
}

// judgeDue judges the pending steps JudgeTicks old, or all of them once the
// signal cleared (the report is final then).
func (l *Live) judgeDue(st *Status, firing map[string]bool, on, cleared bool) {
	keep := l.pending[:0]
	for _, i := range l.pending {
		s := &st.Report.Steps[i]
		s.ticks++
		if s.ticks < JudgeTicks && !(cleared && st.Phase == PhaseOn) {
			keep = append(keep, i)
			continue
		}
		s.judge(firing, l.incident, on)
	}
	l.pending = keep
}

// FaultAlarms measures, on a twin rig of its own and its stepped clock,
// every alarm that sc's fault puts in ALARM with no action within watch:
// the incident's own alarms, which a step's judgement must not blame on
// the step (the kms breaker's BYOK 503s raise the error rate a period
// after the breaker alarm, whatever the operator does meanwhile).
func FaultAlarms(ctx context.Context, sc Scenario, watch time.Duration) (map[string]bool, error) {
	r, err := StartRig(ctx)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if err := sc.Fault(ctx, r); err != nil {
		return nil, fmt.Errorf("drill %s: making the fault: %w", sc.Name, err)
	}
	seen := map[string]bool{}
	for elapsed := time.Duration(0); elapsed < watch; elapsed += Tick {
		if err := r.Step(ctx); err != nil {
			return nil, err
		}
		firing, err := firing(ctx, r)
		if err != nil {
			return nil, err
		}
		for name := range firing {
			seen[name] = true
		}
	}
	return seen, nil
}

// firing is the set of alarms in ALARM now, read through the SDK.
func (l *Live) firing(ctx context.Context) (map[string]bool, error) { return firing(ctx, l.rig) }

func firing(ctx context.Context, r *Rig) (map[string]bool, error) {
	list, err := r.Alarms.Alarms(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, a := range list {
		if a.State == alarms.StateAlarm {
			out[a.Name] = true
		}
	}
	return out, nil
}

// RunbookOpened records the first time the operator opened the scenario's
// runbook (another runbook does not count).
func (l *Live) RunbookOpened(id string) {
	if id != l.sc.Runbook {
		return
	}
	now := l.rig.Clock.Now()
	first := false
	l.update(func(st *Status) {
		if st.Report.RunbookAt.IsZero() && st.Phase != PhaseCleared {
			st.Report.RunbookAt, first = now, true
		}
	})
	if first {
		l.onEvent(Event{At: now, Kind: "runbook opened", Text: fmt.Sprintf("drill %s: runbook %s opened", l.sc.Name, id)})
	}
}

// StepApplied records a step the console ran: its command line, whether it
// writes, and its outcome ("ok" when it ran and verified). Steps after the
// signal cleared are not part of the report.
func (l *Live) StepApplied(ctx context.Context, line string, write bool, outcome string) {
	before, err := l.firing(ctx)
	if err != nil {
		before = map[string]bool{}
	}
	listed := 0
	reg := ops.DefaultRegistry()
	want := canonicalCommand(reg, line)
	if i := slices.IndexFunc(l.sc.Steps, func(s string) bool { return canonicalCommand(reg, s) == want }); i >= 0 {
		listed = len(l.sc.Manual) + i + 1 // the list is the manual steps, then the ops steps (StepList)
	}
	l.record(StepRecord{At: l.rig.Clock.Now(), Line: strings.TrimSpace(line), Write: write, Outcome: outcome, Listed: listed, before: before})
}

// record adds a step to the report (not after it is final) for judging.
func (l *Live) record(rec StepRecord) {
	rec.Effect = EffectPending
	l.update(func(st *Status) {
		if st.Phase == PhaseCleared {
			return
		}
		st.Report.Steps = append(st.Report.Steps, rec)
		l.pending = append(l.pending, len(st.Report.Steps)-1)
		// A read of the list (redis.diagnose) diagnoses; a write or a manual step mitigates.
		if rec.Listed > 0 && rec.Write && rec.Outcome == "ok" && st.Report.MitigatedAt.IsZero() {
			st.Report.MitigatedAt = rec.At
		}
	})
}

// ManualStep does the next manual step of the list (an escalation, a fix
// made outside the console) to the drill's stack and records it; it
// returns the step's text. With none left it is an error.
func (l *Live) ManualStep(ctx context.Context) (string, error) {
	l.mu.Lock()
	i := l.manual
	if i >= len(l.sc.Manual) {
		l.mu.Unlock()
		return "", fmt.Errorf("drill %s has no manual step left", l.sc.Name)
	}
	l.manual++
	l.mu.Unlock()
	m := l.sc.Manual[i]
	before, err := l.firing(ctx)
	if err != nil {
		before = map[string]bool{}
	}
	outcome := "ok"
	if err := m.Apply(ctx, l.rig); err != nil {
		outcome = "failed: " + err.Error()
	}
	l.record(StepRecord{At: l.rig.Clock.Now(), Line: "(manual) " + m.Text, Write: true, Outcome: outcome, Listed: i + 1, before: before})
	l.update(func(st *Status) {
		st.NextManual = ""
		if i+1 < len(l.sc.Manual) {
			st.NextManual = l.sc.Manual[i+1].Text
		}
	})
	return m.Text, nil
}

// sameCommand says whether two command lines are the same step (see
// canonicalCommand).
func sameCommand(a, b string) bool {
	reg := ops.DefaultRegistry()
	return canonicalCommand(reg, a) == canonicalCommand(reg, b)
}

// canonicalCommand is a command line as the ops registry parses it
// (defaults filled, parameters in order: the console hands over the parsed
// form, "reservations.drain batch=500 mode=reconcile older=5m" for the
// list's "reservations.drain older=5m mode=reconcile"), or its words when
// it does not parse. StepApplied builds the registry once for all the
// list's steps (sameCommand built one per comparison).
func canonicalCommand(reg *ops.Registry, line string) string {
	if inv, err := reg.Parse(line); err == nil {
		return inv.String()
	}
	return strings.Join(strings.Fields(line), " ")
}

// Status is the drill now.
func (l *Live) Status() Status {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.snapshot()
}

func (l *Live) snapshot() Status {
	st := l.st
	st.Report.Steps = slices.Clone(st.Report.Steps)
	return st
}

// Wait returns the status once its Version is above after (at once if it
// already is), or the current one when ctx ends.
func (l *Live) Wait(ctx context.Context, after int) Status {
	l.mu.Lock()
	if l.st.Version > after {
		defer l.mu.Unlock()
		return l.snapshot()
	}
	ch := l.changed
	l.mu.Unlock()
	select {
	case <-ch:
	case <-ctx.Done():
	}
	return l.Status()
}

// update changes the status under the lock and wakes the waiters when it
// changed.
func (l *Live) update(f func(*Status)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	before := l.snapshot()
	f(&l.st)
	if statusEqual(before, l.st) {
		return
	}
	l.st.Version++
	close(l.changed)
	l.changed = make(chan struct{})
}

func statusEqual(a, b Status) bool {
	if a.Phase != b.Phase || !a.Since.Equal(b.Since) || a.Err != b.Err || a.NextManual != b.NextManual || len(a.Report.Steps) != len(b.Report.Steps) {
		return false
	}
	ra, rb := a.Report, b.Report
	for i := range ra.Steps {
		if ra.Steps[i].Effect != rb.Steps[i].Effect {
			return false
		}
	}
	return ra.FaultAt.Equal(rb.FaultAt) && ra.RaisedAt.Equal(rb.RaisedAt) && ra.RunbookAt.Equal(rb.RunbookAt) &&
		ra.MitigatedAt.Equal(rb.MitigatedAt) && ra.RecoveredAt.Equal(rb.RecoveredAt)
}
