package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"gatewayops/gateway/ecsdeploy"
)

// ecsParams are the parameters the ECS backend adds to flags.set and
// poolclaims.enforce; the runtime backend refuses them.
func ecsParams() []Param {
	return []Param{
		{Name: "force", Type: TypeBool, Help: "ecs backend: deploy even while another deployment is in progress"},
		{Name: "timeout", Type: TypeDuration, MinDuration: 30 * time.Second, MaxDuration: 2 * time.Hour,
			Help: "ecs backend: how long to follow the rollout (default " + formatDuration(ecsdeploy.DefaultTimeout) + ")"},
	}
}

func refuseECSParams(env *Env, inv Invocation) error {
	for _, k := range []string{"force", "timeout"} {
		if inv.Has(k) {
			return fmt.Errorf("%s= applies to flags_backend = %q; environment %s uses %q", k, BackendECS, env.Name, env.Config.FlagsBackend)
		}
	}
	return nil
}

// ErrInProgress marks an apply that stopped following a rollout that ECS
// goes on with (Ctrl-C in `run`): journaled as "in progress", not as failed.
var ErrInProgress = errors.New("rollout in progress")

// OutcomeInProgress is the journal outcome of such an apply.
const OutcomeInProgress = "in progress"

// ecsPlan is Plan.Data (and Result.Data) of an ECS change. It is a pointer
// on purpose: Apply records the revision it registered in it, so Inverse,
// which sees only the plan, can name that revision for the undo.
type ecsPlan struct {
	Cluster        string              `json:"cluster"`
	Service        string              `json:"service"`
	Container      string              `json:"container"`
	Variable       string              `json:"variable,omitempty"`
	From           string              `json:"from,omitempty"`
	FromSet        bool                `json:"fromSet,omitempty"`
	To             string              `json:"to,omitempty"`
	ToUnset        bool                `json:"toUnset,omitempty"` // a rollback that removes the variable again
	Revision       string              `json:"revision"`
	Deployment     string              `json:"deployment"`
	LatestRevision int                 `json:"latestRevision"`
	Tasks          []string            `json:"tasks,omitempty"` // restart: the tasks to replace
	Registered     string              `json:"registered,omitempty"`
	NewDeployment  string              `json:"newDeployment,omitempty"`
	End            string              `json:"end,omitempty"`
	Last           *ecsdeploy.Progress `json:"last,omitempty"`
	AppliedAt      time.Time           `json:"appliedAt,omitzero"`
	CompletedAt    time.Time           `json:"completedAt,omitzero"`
}

// ecsChange is one variable of the gateway's container to set.
type ecsChange struct{ variable, value string }

func quoteOrUnset(v string, set bool) string {
	if !set {
		return "(unset)"
	}
	return fmt.Sprintf("%q", v)
}

// planECSChange reads the service and describes the revision it would
// register. Only the one variable's value is ever put in a line.
func planECSChange(ctx context.Context, env *Env, inv Invocation, ch ecsChange) (Plan, error) {
	c, err := env.ecs()
	if err != nil {
		return Plan{}, err
	}
	st, err := c.Read(ctx)
	if err != nil {
		return Plan{}, err
	}
	cur, set, err := st.Env(ch.variable)
	if err != nil {
		return Plan{}, err
	}
	t := c.Target()
	latest, err := c.LatestRevision(ctx, aws.ToString(st.Current.Family))
	if err != nil {
		return Plan{}, err
	}
	data := &ecsPlan{Cluster: t.Cluster, Service: t.Service, Container: t.Container, Variable: ch.variable, From: cur, FromSet: set,
		To: ch.value, Revision: aws.ToString(st.Service.TaskDefinition), Deployment: aws.ToString(st.Primary().Id), LatestRevision: latest}
	before := map[string]string{"revision": ecsdeploy.Revision(data.Revision), ch.variable: quoteOrUnset(cur, set)}
	lines := []string{serviceLine(st), runningLine(st)}
	if set && cur == ch.value {
		lines = append(lines, fmt.Sprintf("%s is already %q in container %s: nothing to change (no new revision, no rollout)", ch.variable, cur, t.Container))
		return Plan{Lines: lines, NoChange: true, Before: before, Data: data}, nil
	}
	if busy := st.Busy(); busy != "" && !forced(inv) {
		return Plan{}, fmt.Errorf("another deployment is in progress: %s; wait for it (service.status) or pass force=true", busy)
	}
	family := aws.ToString(st.Current.Family)
	lines = append(lines,
		fmt.Sprintf("change: %s %s -> %q in container %s (every other field of the revision is kept as it is)", ch.variable, quoteOrUnset(cur, set), ch.value, t.Container),
		fmt.Sprintf("registers %s:%d (a copy of %s with that one change) and updates the service to it", family, latest+1, ecsdeploy.Revision(data.Revision)),
		"rollout: "+st.DeploymentText(),
		"follows the rollout for up to "+formatDuration(followTimeout(inv))+"; then verifies it rolled out AND that the metrics show the effect")
	if b := st.Busy(); b != "" {
		lines = append(lines, "FORCED while "+b)
	}
	lines = append(lines, traps(st, ch)...)
	lines = append(lines, terraformHint(env.Name, ch.variable, ch.value), "undo: service.rollback to "+ecsdeploy.Revision(data.Revision)+" while the service still runs the new revision")
	return Plan{Lines: lines, Before: before, Data: data}, nil
}

func forced(inv Invocation) bool { v, _ := inv.Bool("force"); return v }

func followTimeout(inv Invocation) time.Duration {
	if d := inv.Duration("timeout"); d > 0 {
		return d
	}
	return ecsdeploy.DefaultTimeout
}

func serviceLine(st ecsdeploy.State) string {
	return fmt.Sprintf("backend ecs: service %s in cluster %s, container %s", st.Target.Service, st.Target.Cluster, st.Target.Container)
}

func runningLine(st ecsdeploy.State) string {
	p := st.Primary()
	return fmt.Sprintf("running: %s, deployment %s %s since %s, %d/%d tasks running", ecsdeploy.Revision(aws.ToString(st.Service.TaskDefinition)),
		aws.ToString(p.Id), p.RolloutState, stampOf(p.UpdatedAt), st.Service.RunningCount, st.Service.DesiredCount)
}

func stampOf(t *time.Time) string {
	if t == nil {
		return "an unknown time"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// traps are the real gateway's known ways a value does not do what it says
// (gateway-domain.md 7).
func traps(st ecsdeploy.State, ch ecsChange) []string {
	var out []string
	switch ch.variable {
	case "ENSEMBLE_ENABLED", "BYOK_ENABLED":
		out = append(out, "trap: factory-built gateways ignore "+ch.variable+" (createAgentGateway never passes it): the effect may never show")
	case "AGENT_ENABLED":
		if ch.value == "true" && !ecsdeploy.HasVariable(st.Current, st.Target.Container, "AGENT_JWT_SECRET_ID") {
			out = append(out, "trap: AGENT_ENABLED=true but container "+st.Target.Container+" sets no AGENT_JWT_SECRET_ID: the config load throws and the agent routes (/internal/agent) fail to mount")
		}
	}
	if ch.variable != EnforcementVariable && ch.value != "true" && ch.value != "false" {
		out = append(out, "trap: the gateway accepts exactly \"true\" or \"false\"; anything else means false")
	}
	return out
}

// applyECSChange registers the one-variable revision and follows its rollout.
func applyECSChange(ctx context.Context, env *Env, inv Invocation, plan Plan) (Result, error) {
	data, c, st, err := ecsCurrent(ctx, env, plan.Data, "ecs apply")
	if err != nil {
		return Result{}, err
	}
	if err := checkFresh(ctx, c, st, data, inv); err != nil {
		return Result{}, err
	}
	in, err := ecsdeploy.RevisionWith(st.Current, st.Tags, data.Container, data.Variable, data.To)
	if err != nil {
		return Result{}, err
	}
	arn, err := c.Register(ctx, in)
	if err != nil {
		return Result{}, err
	}
	data.Registered = arn
	lines := []string{fmt.Sprintf("registered %s: %s with %s %s -> %q", ecsdeploy.Revision(arn), ecsdeploy.Revision(data.Revision),
		data.Variable, quoteOrUnset(data.From, data.FromSet), data.To)}
	return followDeploy(ctx, env, c, inv, data, lines, func() (string, error) { return c.Deploy(ctx, arn) })
}

// checkFresh refuses a plan the service moved away from: another revision
// deployed, or a newer revision of the family registered since planning.
func checkFresh(ctx context.Context, c *ecsdeploy.Client, st ecsdeploy.State, data *ecsPlan, inv Invocation) error {
	now := aws.ToString(st.Service.TaskDefinition)
	if now != data.Revision {
		p := st.Primary()
		return fmt.Errorf("%w: the service now runs %s (deployment %s since %s), the plan was made against %s: plan again",
			ecsdeploy.ErrStale, ecsdeploy.Revision(now), aws.ToString(p.Id), stampOf(p.CreatedAt), ecsdeploy.Revision(data.Revision))
	}
	latest, err := c.LatestRevision(ctx, aws.ToString(st.Current.Family))
	if err != nil {
		return err
	}
	if latest != data.LatestRevision {
		return fmt.Errorf("%w: %s:%d was registered after the plan (the plan saw :%d as the newest): someone is editing the task definition; plan again",
			ecsdeploy.ErrStale, aws.ToString(st.Current.Family), latest, data.LatestRevision)
	}
	if busy := st.Busy(); busy != "" && aws.ToString(st.Primary().Id) != data.Deployment && !forced(inv) {
		return fmt.Errorf("%w: a deployment started after the plan: %s", ecsdeploy.ErrStale, busy)
	}
	return nil
}

// followDeploy starts the deployment and follows it, reporting progress.
func followDeploy(ctx context.Context, env *Env, c *ecsdeploy.Client, inv Invocation, data *ecsPlan, lines []string, start func() (string, error)) (Result, error) {
	data.AppliedAt = env.now()
	dep, err := start()
	if err != nil {
		return Result{Lines: lines, Data: data}, err
	}
	data.NewDeployment = dep
	lines = append(lines, fmt.Sprintf("service %s updated: deployment %s started", data.Service, dep))
	report := progressOf(ctx)
	o := env.ECSFollow
	o.Timeout = followTimeout(inv)
	if o.Now == nil {
		o.Now = env.now
	}
	o.OnProgress = func(p ecsdeploy.Progress) { report(Progress{Phase: PhaseRollout, Rollout: p, Message: p.Line()}) }
	last, end, err := c.Follow(ctx, dep, o)
	data.End, data.Last = end, &last
	report(Progress{Phase: PhaseRollout, Rollout: last, Message: endLine(last, end, o.Timeout), Finished: true})
	lines = append(lines, endLine(last, end, o.Timeout))
	res := Result{Lines: lines, Data: data}
	switch {
	case err != nil:
		return res, err
	case end == ecsdeploy.EndCompleted:
		data.CompletedAt = last.At
		return res, nil
	case end == ecsdeploy.EndDetached:
		return res, fmt.Errorf("%w: detached from deployment %s; ECS goes on with it: follow it with service.status", ErrInProgress, dep)
	case end == ecsdeploy.EndTimeout:
		return res, fmt.Errorf("rollout not finished after %s: deployment %s is still %s; follow it with service.status", formatDuration(o.Timeout), dep, last.RolloutState)
	}
	return res, errors.New("rollout FAILED: " + failText(last))
}

func endLine(p ecsdeploy.Progress, end string, timeout time.Duration) string {
	switch end {
	case ecsdeploy.EndCompleted:
		return fmt.Sprintf("rollout COMPLETED: %d/%d tasks run %s", p.Running, p.Desired, ecsdeploy.Revision(p.TaskDefinition))
	case ecsdeploy.EndFailed:
		return "rollout FAILED: " + failText(p)
	case ecsdeploy.EndTimeout:
		return fmt.Sprintf("rollout TIMEOUT after %s: %s", formatDuration(timeout), p.Line())
	case ecsdeploy.EndDetached:
		return "rollout in progress: detached (ECS goes on): " + p.Line()
	}
	return "rollout: could not be followed"
}

func failText(p ecsdeploy.Progress) string {
	s := p.Reason
	if p.RolledBackTo != "" {
		s += "; the circuit breaker rolled the service back to " + ecsdeploy.Revision(p.RolledBackTo)
	}
	if len(p.StoppedReasons) > 0 {
		s += "; stopped tasks: " + strings.Join(p.StoppedReasons, "; ")
	}
	return s
}

// inverseECS is the undo of a change: back to the planned-against revision,
// only while the service still runs the one this action registered.
func inverseECS(plan Plan) (Invocation, bool) {
	data, ok := plan.Data.(*ecsPlan)
	if !ok || data.Registered == "" {
		return Invocation{}, false
	}
	return Invocation{Action: "service.rollback", Given: []string{"expect", "revision"}, Values: map[string]any{
		"revision": ecsdeploy.Revision(data.Revision), "expect": ecsdeploy.Revision(data.Registered)}}, true
}
