package ops

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"gatewayops/gateway/ecsdeploy"
)

// gatewayVariables are the only variables whose values ECS actions ever show.
var gatewayVariables = []string{"AGENT_ENABLED", "ENSEMBLE_ENABLED", "BYOK_ENABLED", EnforcementVariable}

// flagsIn describes the gateway's flag variables of one revision.
func flagsIn(st ecsdeploy.State, rev string) string {
	var parts []string
	for _, v := range gatewayVariables {
		val, set := ecsdeploy.EnvOf(st.Current, st.Target.Container, v)
		parts = append(parts, v+"="+quoteOrUnset(val, set))
	}
	return "flags in " + rev + ": " + strings.Join(parts, " ")
}

func serviceStatusAction() Action {
	return readAction{
		spec: Spec{Name: "service.status", Kind: Read, Summary: "the gateway's ECS service: deployments, task counts, flag variables of the running revision, recent events"},
		run: func(ctx context.Context, env *Env, _ Invocation) (Result, error) {
			c, err := env.ecs()
			if err != nil {
				return Result{}, err
			}
			st, err := c.Read(ctx)
			if err != nil {
				return Result{}, err
			}
			rev := ecsdeploy.Revision(aws.ToString(st.Service.TaskDefinition))
			lines := []string{serviceLine(st),
				fmt.Sprintf("revision %s: %d desired, %d running, %d pending", rev, st.Service.DesiredCount, st.Service.RunningCount, st.Service.PendingCount),
				flagsIn(st, rev), "rollout: " + st.DeploymentText()}
			for _, d := range st.Service.Deployments {
				lines = append(lines, fmt.Sprintf("deployment %s %s: %s, %d/%d running, %d pending, %d failed, since %s; %s", aws.ToString(d.Id), aws.ToString(d.Status),
					ecsdeploy.Revision(aws.ToString(d.TaskDefinition)), d.RunningCount, d.DesiredCount, d.PendingCount, d.FailedTasks, stampOf(d.CreatedAt), aws.ToString(d.RolloutStateReason))+" ["+string(d.RolloutState)+"]")
			}
			for i, e := range st.Service.Events {
				if i == 5 {
					break
				}
				lines = append(lines, "event "+stampOf(e.CreatedAt)+" "+aws.ToString(e.Message))
			}
			return Result{Lines: lines, Data: st.Service}, nil
		},
	}
}

// serviceRestart forces a new deployment: every task is replaced, which is
// the only reset the in-process loa-finn breaker has.
type serviceRestart struct{}

func (serviceRestart) Spec() Spec {
	return Spec{Name: "service.restart", Kind: Write,
		Summary: "force a new deployment of the gateway's ECS service (same revision): every task is replaced, which resets in-process state such as the loa-finn breaker",
		Params:  ecsParams()}
}

func (serviceRestart) Plan(ctx context.Context, env *Env, inv Invocation) (Plan, error) {
	c, err := env.ecs()
	if err != nil {
		return Plan{}, err
	}
	st, err := c.Read(ctx)
	if err != nil {
		return Plan{}, err
	}
	if busy := st.Busy(); busy != "" && !forced(inv) {
		return Plan{}, fmt.Errorf("another deployment is in progress: %s; wait for it (service.status) or pass force=true", busy)
	}
	tasks, err := c.RunningTasks(ctx)
	if err != nil {
		return Plan{}, err
	}
	t := c.Target()
	rev := aws.ToString(st.Service.TaskDefinition)
	data := &ecsPlan{Cluster: t.Cluster, Service: t.Service, Container: t.Container, Revision: rev, Deployment: aws.ToString(st.Primary().Id)}
	for arn := range tasks {
		data.Tasks = append(data.Tasks, arn)
	}
	sort.Strings(data.Tasks)
	lines := []string{serviceLine(st), runningLine(st),
		fmt.Sprintf("forces a new deployment of %s (no revision change): all %d running tasks are replaced; in-process state (the loa-finn breaker, caches) starts fresh", ecsdeploy.Revision(rev), len(tasks)),
		"rollout: " + st.DeploymentText(),
		"follows the rollout for up to " + formatDuration(followTimeout(inv)) + "; then verifies it rolled out AND that no old task still runs",
		"no undo: a restart changes no configuration"}
	return Plan{Lines: lines, Before: map[string]string{"revision": ecsdeploy.Revision(rev)}, Data: data}, nil
}

func (serviceRestart) Apply(ctx context.Context, env *Env, inv Invocation, plan Plan) (Result, error) {
	data, ok := plan.Data.(*ecsPlan)
	if !ok {
		return Result{}, errors.New("restart without its plan (a bug)")
	}
	c, err := env.ecs()
	if err != nil {
		return Result{}, err
	}
	data.Registered = data.Revision // the revision the new deployment must run
	return followDeploy(ctx, env, c, inv, data, nil, func() (string, error) { return c.Restart(ctx) })
}

func (serviceRestart) Verify(ctx context.Context, env *Env, _ Invocation, res Result) (Verification, error) {
	data, c, st, err := ecsCurrent(ctx, env, res.Data, "restart verify")
	if err != nil {
		return Verification{}, err
	}
	okRoll, roll := rolledOut(st, data.Revision)
	if okRoll && aws.ToString(st.Primary().Id) != data.NewDeployment {
		okRoll, roll = false, "the PRIMARY deployment is "+aws.ToString(st.Primary().Id)+", not the restart's "+data.NewDeployment
	}
	if !okRoll {
		return Verification{Detail: "rolled out: FAIL: " + roll + "; every task replaced: not checked"}, nil
	}
	running, err := c.RunningTasks(ctx)
	if err != nil {
		return Verification{}, err
	}
	old := 0
	for _, arn := range data.Tasks {
		if _, still := running[arn]; still {
			old++
		}
	}
	if old > 0 {
		return Verification{Detail: fmt.Sprintf("rolled out: PASS: %s; every task replaced: FAIL: %d of %d old tasks still run", roll, old, len(data.Tasks))}, nil
	}
	return Verification{Pass: true, Detail: fmt.Sprintf("rolled out: PASS: %s; every task replaced: PASS: none of the %d old tasks runs, %d new", roll, len(data.Tasks), len(running))}, nil
}

func (serviceRestart) Inverse(Invocation, Plan) (Invocation, bool) { return Invocation{}, false }

// serviceRollback is the undo of an ECS change: the service back to an
// earlier revision, only while it still runs the one the change registered.
type serviceRollback struct{}

func (serviceRollback) Spec() Spec {
	return Spec{Name: "service.rollback", Kind: Write,
		Summary: "update the gateway's ECS service back to an earlier revision, only while it still runs the expected one (the undo of an ECS flag change)",
		Params: append([]Param{
			{Name: "revision", Type: TypeString, Required: true, Help: "revision to go back to, family:N"},
			{Name: "expect", Type: TypeString, Required: true, Help: "revision the service must still run, family:N (else refused)"},
		}, ecsParams()...), Inverse: "service.rollback"}
}

func (serviceRollback) Plan(ctx context.Context, env *Env, inv Invocation) (Plan, error) {
	c, err := env.ecs()
	if err != nil {
		return Plan{}, err
	}
	st, err := c.Read(ctx)
	if err != nil {
		return Plan{}, err
	}
	now := ecsdeploy.Revision(aws.ToString(st.Service.TaskDefinition))
	if now != inv.Str("expect") {
		p := st.Primary()
		return Plan{}, fmt.Errorf("refused: the service no longer runs %s: it runs %s (deployment %s, %s, since %s); going back to %s now would undo that change too: look at service.status",
			inv.Str("expect"), now, aws.ToString(p.Id), p.RolloutState, stampOf(p.CreatedAt), inv.Str("revision"))
	}
	target, err := c.Describe(ctx, inv.Str("revision"))
	if err != nil {
		return Plan{}, err
	}
	t := c.Target()
	data := &ecsPlan{Cluster: t.Cluster, Service: t.Service, Container: t.Container, Revision: aws.ToString(st.Service.TaskDefinition),
		Deployment: aws.ToString(st.Primary().Id), Registered: aws.ToString(target.TaskDefinitionArn)}
	lines := []string{serviceLine(st), runningLine(st),
		fmt.Sprintf("updates the service back to %s (it still runs %s, as expected)", inv.Str("revision"), now)}
	for _, v := range gatewayVariables {
		from, fset := ecsdeploy.EnvOf(st.Current, t.Container, v)
		to, tset := ecsdeploy.EnvOf(target, t.Container, v)
		if from != to || fset != tset {
			lines = append(lines, fmt.Sprintf("change: %s %s -> %s in container %s", v, quoteOrUnset(from, fset), quoteOrUnset(to, tset), t.Container))
			data.Variable, data.From, data.FromSet, data.To, data.ToUnset = v, from, fset, to, !tset
		}
	}
	lines = append(lines, "rollout: "+st.DeploymentText())
	return Plan{Lines: lines, Before: map[string]string{"revision": now}, Data: data}, nil
}

func (serviceRollback) Apply(ctx context.Context, env *Env, inv Invocation, plan Plan) (Result, error) {
	data, c, st, err := ecsCurrent(ctx, env, plan.Data, "rollback")
	if err != nil {
		return Result{}, err
	}
	if aws.ToString(st.Service.TaskDefinition) != data.Revision {
		return Result{}, fmt.Errorf("%w: the service now runs %s, not %s", ecsdeploy.ErrStale, ecsdeploy.Revision(aws.ToString(st.Service.TaskDefinition)), ecsdeploy.Revision(data.Revision))
	}
	return followDeploy(ctx, env, c, inv, data, nil, func() (string, error) { return c.Deploy(ctx, data.Registered) })
}

func (serviceRollback) Verify(ctx context.Context, env *Env, _ Invocation, res Result) (Verification, error) {
	data, ok := res.Data.(*ecsPlan)
	if !ok {
		return Verification{}, errors.New("rollback verify without its result (a bug)")
	}
	if data.Variable == "" {
		c, err := env.ecs()
		if err != nil {
			return Verification{}, err
		}
		st, err := c.Read(ctx)
		if err != nil {
			return Verification{}, err
		}
		ok, roll := rolledOut(st, data.Registered)
		return Verification{Pass: false, Detail: fmt.Sprintf("rolled out: %s: %s; effect: NOT OBSERVED: the two revisions differ in no flag variable", verdict(ok), roll)}, nil
	}
	return verifyECSChange(ctx, env, res)
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func (serviceRollback) Inverse(inv Invocation, _ Plan) (Invocation, bool) {
	return Invocation{Action: "service.rollback", Given: []string{"expect", "revision"},
		Values: map[string]any{"revision": inv.Str("expect"), "expect": inv.Str("revision")}}, true
}
