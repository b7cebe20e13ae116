package ops

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"gatewayops/gateway/ecsdeploy"
)

// ecsOrRuntime is a write on either backend: the runtime store (the admin
// API) or, with flags_backend = "ecs", a new task-definition revision that
// changes the one variable change names.
type ecsOrRuntime struct {
	runtime Action
	spec    func(Spec) Spec
	change  func(Invocation) ecsChange
}

// flagsSetBackends is flags.set on either backend.
func flagsSetBackends() Action {
	return ecsOrRuntime{runtime: flagsSet{}, change: flagChange, spec: func(s Spec) Spec {
		s.Summary = "set one feature flag: the runtime store, or with flags_backend = ecs a new task-definition revision rolled out"
		return s
	}}
}

// enforceBackends is poolclaims.enforce on either backend; on ECS it sets
// AGENT_POOL_CLAIM_ENFORCEMENT, which Terraform does not set at all.
func enforceBackends() Action {
	return ecsOrRuntime{runtime: poolClaimsEnforce{},
		change: func(inv Invocation) ecsChange {
			return ecsChange{variable: EnforcementVariable, value: inv.Str("mode")}
		},
		spec: func(s Spec) Spec {
			s.Summary += "; with flags_backend = ecs, AGENT_POOL_CLAIM_ENFORCEMENT in a new task-definition revision"
			return s
		}}
}

func flagChange(inv Invocation) ecsChange {
	name, v := flagOf(inv)
	return ecsChange{variable: flagVariables[name], value: fmt.Sprint(v)}
}

func (a ecsOrRuntime) Spec() Spec {
	s := a.spec(a.runtime.Spec())
	s.Params = append(append([]Param(nil), s.Params...), ecsParams()...)
	return s
}

func (a ecsOrRuntime) Plan(ctx context.Context, env *Env, inv Invocation) (Plan, error) {
	if env.usesECS() {
		return planECSChange(ctx, env, inv, a.change(inv))
	}
	if err := refuseECSParams(env, inv); err != nil {
		return Plan{}, err
	}
	return a.runtime.Plan(ctx, env, inv)
}

func (a ecsOrRuntime) Apply(ctx context.Context, env *Env, inv Invocation, plan Plan) (Result, error) {
	if env.usesECS() {
		return applyECSChange(ctx, env, inv, plan)
	}
	return a.runtime.Apply(ctx, env, inv, plan)
}

func (a ecsOrRuntime) Verify(ctx context.Context, env *Env, inv Invocation, res Result) (Verification, error) {
	if env.usesECS() {
		return verifyECSChange(ctx, env, res)
	}
	return a.runtime.Verify(ctx, env, inv, res)
}

func (a ecsOrRuntime) Inverse(inv Invocation, plan Plan) (Invocation, bool) {
	if _, ok := plan.Data.(*ecsPlan); ok {
		return inverseECS(plan)
	}
	return a.runtime.Inverse(inv, plan)
}

// showBackends runs a runtime read, or on flags_backend = ecs reads the
// flag variables of the revision the service runs.
func showBackends(runtime Action) Action {
	ra := runtime.(readAction)
	return readAction{spec: ra.spec, run: func(ctx context.Context, env *Env, inv Invocation) (Result, error) {
		if !env.usesECS() {
			return ra.run(ctx, env, inv)
		}
		c, err := env.ecs()
		if err != nil {
			return Result{}, err
		}
		st, err := c.Read(ctx)
		if err != nil {
			return Result{}, err
		}
		rev := ecsdeploy.Revision(aws.ToString(st.Service.TaskDefinition))
		lines := []string{serviceLine(st), flagsIn(st, rev)}
		if _, set, _ := st.Env(EnforcementVariable); !set {
			lines = append(lines, EnforcementVariable+" unset: the gateway's code default reject applies")
		}
		return Result{Lines: lines, Data: st.Service}, nil
	}}
}
