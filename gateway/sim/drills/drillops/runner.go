// Package drillops runs a drill's steps through the ops runner, on the
// rig's stack and clock, exactly as the demo's console would: plan,
// confirmation, apply, verify, journal. The proofs and `gatewayops drill`
// share it, so a proven step list is the one an operator runs.
package drillops

import (
	"context"
	"fmt"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/ecsdeploy"
	"gatewayops/gateway/sim/drills"
	"gatewayops/ops"
)

// Operator is who the drill's journal entries name.
const Operator = "drill"

// Runner builds the ops runner of the rig's environment (standard safety,
// the rig's clock) journaling to journalPath, and returns it as a RunStep
// that confirms each step as the console's y does. The admin key goes
// straight into the client options: it is never put in the process
// environment, and the journal's redactor knows it.
func Runner(ctx context.Context, r *drills.Rig, journalPath string) (*ops.Runner, drills.RunStep, func(), error) {
	st := r.Stack
	env := ops.Environment{Name: st.Environment, Region: "us-east-1", AlarmPrefix: "arrakis-" + st.Environment + "-",
		CloudWatchEndpoint: st.CloudWatchURL, AdminURL: st.AdminURL, Safety: ops.Standard}
	e, closeEnv, err := ops.BuildEnv(ctx, env, Operator)
	if err != nil {
		return nil, nil, nil, err
	}
	e.AdminOptions.APIKey = st.AdminKey()
	e.Now = r.Clock.Now
	// redis.diagnose reads through the api's own path to Redis (its proxy),
	// so a degraded path shows in the diagnosis as it does to the gateway.
	e.Inspector = gateway.NewInspector(r.GatewayRedis())
	if err := attachECS(ctx, e, r); err != nil {
		closeEnv()
		return nil, nil, nil, err
	}
	policy, err := ops.NewPolicy(env.Name, ops.Standard, r.Clock.Now)
	if err != nil {
		closeEnv()
		return nil, nil, nil, err
	}
	journal, err := ops.OpenJournal(journalPath, ops.NewRedactor(st.AdminKey()))
	if err != nil {
		closeEnv()
		return nil, nil, nil, err
	}
	run := &ops.Runner{Registry: ops.DefaultRegistry(), Env: e, Policy: policy, Journal: journal, Operator: Operator}
	step := func(ctx context.Context, line string) error {
		out, err := run.Run(ctx, line, ops.Confirmation{StartKey: "enter", ConfirmKey: "y"})
		switch {
		case err != nil:
			return err
		case !out.OK():
			detail := "the result did not verify"
			if out.Verification != nil {
				detail = out.Verification.Detail
			}
			return fmt.Errorf("did not verify: %s", detail)
		}
		return nil
	}
	return run, step, func() { _ = journal.Close(); closeEnv() }, nil
}

// attachECS gives the env the stack's ECS stand-in for the service.*
// actions (the flag actions stay on the admin API's runtime store), its
// endpoint passed directly rather than through AWS_ENDPOINT_URL_ECS; a
// rollout is followed on the rig's clock: each poll's wait moves it.
func attachECS(ctx context.Context, e *ops.Env, r *drills.Rig) error {
	api, err := ecsdeploy.NewSDKClient(ctx, ecsdeploy.Options{Region: "us-east-1", Endpoint: r.Stack.ECSURL, Anonymous: true})
	if err != nil {
		return err
	}
	e.ECS = ecsdeploy.New(api, ecsdeploy.DefaultTarget(r.Stack.Environment))
	e.ECSFollow = ecsdeploy.FollowOptions{Poll: time.Second, Now: r.Clock.Now,
		Sleep: func(_ context.Context, d time.Duration) error { r.Clock.Advance(d); return nil }}
	return nil
}
