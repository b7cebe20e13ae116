package cli

import (
	"context"
	"fmt"

	"gatewayops/ops"
)

// session is one environment's backends and action runner (registry,
// safety policy, journal). The console, the demo and `run` all build it
// here, so a write meets the same policy and journal from every front end.
type session struct {
	env    ops.Environment
	runner *ops.Runner
	close  func()
}

// openSession builds the backends of env (ops.BuildEnv, with build's
// options: the console's log sink) and its runner.
func openSession(ctx context.Context, cfg ops.Config, env ops.Environment, build ...ops.BuildOptions) (*session, error) {
	operator := cfg.OperatorName()
	e, closeEnv, err := ops.BuildEnv(ctx, env, operator, build...)
	if err != nil {
		return nil, err
	}
	profile := env.Safety
	if profile == "" {
		profile = ops.Protected // an environment that does not say is treated as production
	}
	policy, err := ops.NewPolicy(env.Name, profile, nil)
	if err != nil {
		closeEnv()
		return nil, fmt.Errorf("environment %s: %w", env.Name, err)
	}
	jpath, err := ops.DefaultJournalPath()
	if err != nil {
		closeEnv()
		return nil, err
	}
	journal, err := ops.OpenJournal(jpath, ops.NewRedactor(env.Secrets()...))
	if err != nil {
		closeEnv()
		return nil, err
	}
	runner := &ops.Runner{Registry: ops.DefaultRegistry(), Policy: policy, Journal: journal, Operator: operator, Env: e}
	return &session{env: env, runner: runner, close: func() { _ = journal.Close(); closeEnv() }}, nil
}
