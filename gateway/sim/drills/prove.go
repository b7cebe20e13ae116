package drills

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Bounds of a proof, in drill time: how long a fault may take to show, and
// how long the signal may take to clear after the last step.
const (
	MaxRaise = 2 * time.Minute
	MaxClear = 2 * time.Minute
)

// RunStep applies one step line through the ops runner (plan, confirm,
// apply, verify, journal) and fails when the step fails or does not verify.
type RunStep func(ctx context.Context, line string) error

// Fixed is what a fixed run measured, in drill time.
type Fixed struct {
	// Raised is from the fault to the signal coming on; Recovered from the
	// first step to the signal clearing.
	Raised, Recovered time.Duration
}

// Fix makes the scenario's fault on r, waits (in steps) for its signal,
// applies the step list through run and steps r until the signal clears.
// A step that fails, or a list after which the signal stays on, is an
// error naming the step and the signal.
func Fix(ctx context.Context, r *Rig, sc Scenario, run RunStep) (Fixed, error) {
	raised, err := Raise(ctx, r, sc)
	if err != nil {
		return Fixed{}, err
	}
	start := r.Clock.Now()
	for i, m := range sc.Manual {
		if err := m.Apply(ctx, r); err != nil {
			return Fixed{}, fmt.Errorf("drill %s: manual step %d %q of %s (%s) failed: %w", sc.Name, i+1, m.Text, sc.Runbook, sc.Branch, err)
		}
	}
	for i, line := range sc.Steps {
		if err := run(ctx, line); err != nil {
			return Fixed{}, fmt.Errorf("drill %s: step %d %q of %s (%s) failed: %w", sc.Name, len(sc.Manual)+i+1, line, sc.Runbook, sc.Branch, err)
		}
	}
	for elapsed := time.Duration(0); ; elapsed += Tick {
		_, cleared, err := r.State(ctx, sc.Signal)
		if err != nil {
			return Fixed{}, err
		}
		if cleared {
			return Fixed{Raised: raised, Recovered: max(r.Clock.Now().Sub(start), Tick)}, nil
		}
		if elapsed >= MaxClear {
			steps := sc.StepList()
			last := "(none)"
			if len(steps) > 0 {
				last = steps[len(steps)-1]
			}
			return Fixed{}, fmt.Errorf("drill %s: after step %q (last of %s's %s: %s) the signal %s is still on %s later",
				sc.Name, last, sc.Runbook, sc.Branch, strings.Join(steps, "; "), sc.Signal, MaxClear)
		}
		if err := r.Step(ctx); err != nil {
			return Fixed{}, err
		}
	}
}

// Raise makes the fault and steps r until the signal is on; it returns how
// long that took in drill time.
func Raise(ctx context.Context, r *Rig, sc Scenario) (time.Duration, error) {
	start := r.Clock.Now()
	if err := sc.Fault(ctx, r); err != nil {
		return 0, fmt.Errorf("drill %s: making the fault: %w", sc.Name, err)
	}
	for {
		on, _, err := r.State(ctx, sc.Signal)
		if err != nil {
			return 0, err
		}
		if on {
			return r.Clock.Now().Sub(start), nil
		}
		if r.Clock.Now().Sub(start) >= MaxRaise {
			return 0, fmt.Errorf("drill %s: the signal %s did not come on within %s of the fault", sc.Name, sc.Signal, MaxRaise)
		}
		if err := r.Step(ctx); err != nil {
			return 0, err
		}
	}
}

// Unfixed makes the fault, waits for the signal, then steps r for watch
// with no action; the signal clearing on its own is an error.
func Unfixed(ctx context.Context, r *Rig, sc Scenario, watch time.Duration) error {
	if _, err := Raise(ctx, r, sc); err != nil {
		return err
	}
	for elapsed := time.Duration(0); elapsed < watch; elapsed += Tick {
		if err := r.Step(ctx); err != nil {
			return err
		}
		on, cleared, err := r.State(ctx, sc.Signal)
		if err != nil {
			return err
		}
		if cleared || !on {
			return fmt.Errorf("drill %s: with no action the signal %s went off after %s (watching %s): the fault does not persist",
				sc.Name, sc.Signal, elapsed+Tick, watch)
		}
	}
	return nil
}
