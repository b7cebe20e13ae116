package ops

import (
	"context"

	"gatewayops/gateway/ecsdeploy"
)

// Phases of an ECS action reported to a ProgressFunc.
const (
	PhaseRollout = "rollout" // following the deployment
	PhaseEffect  = "effect"  // waiting for the metrics the change should move
)

// Progress is one report of a running ECS action.
type Progress struct {
	Phase    string
	Rollout  ecsdeploy.Progress
	Message  string
	Finished bool
}

// ProgressFunc receives progress while an action applies or verifies. It is
// called on the action's goroutine and must not block.
type ProgressFunc func(Progress)

type progressKey struct{}

// WithProgress returns a context whose ECS actions report to fn: the CLI
// prints lines, the console draws a bar. A context carries it because the
// Action interface is shared by actions that have nothing to report.
func WithProgress(ctx context.Context, fn ProgressFunc) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

func progressOf(ctx context.Context) ProgressFunc {
	if fn, ok := ctx.Value(progressKey{}).(ProgressFunc); ok && fn != nil {
		return fn
	}
	return func(Progress) {}
}

// FollowsRollout says whether a prepared action will follow an ECS rollout
// (the console gives it a longer timeout and a progress bar).
func FollowsRollout(p Prepared) bool {
	_, ok := p.Plan.Data.(*ecsPlan)
	return ok && !p.Plan.NoChange
}

// Report sends p to the context's ProgressFunc, if any.
func Report(ctx context.Context, p Progress) { progressOf(ctx)(p) }
