package ops

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"gatewayops/gateway/ecsdeploy"
)

// verifyECSChange checks both parts: "rolled out" (the PRIMARY deployment
// runs the registered revision, running == desired, the variable reads the
// new value) and "effect" (the metrics the change should move moved). It
// never passes on the first part alone.
func verifyECSChange(ctx context.Context, env *Env, res Result) (Verification, error) {
	data, _, st, err := ecsCurrent(ctx, env, res.Data, "ecs verify")
	if err != nil {
		return Verification{}, err
	}
	if data.Registered == "" {
		return verifyAlready(st, data), nil
	}
	okRoll, roll := rolledOut(st, data.Registered)
	want := quoteOrUnset(data.To, !data.ToUnset)
	if v, set, _ := st.Env(data.Variable); okRoll && quoteOrUnset(v, set) != want {
		okRoll, roll = false, fmt.Sprintf("%s reads %s in the running revision, want %s", data.Variable, quoteOrUnset(v, set), want)
	} else if okRoll {
		roll += fmt.Sprintf(", %s=%s", data.Variable, want)
	}
	if !okRoll {
		return Verification{Pass: false, Detail: "rolled out: FAIL: " + roll + "; effect: not checked"}, nil
	}
	okEff, eff := observeEffect(ctx, env, data)
	return Verification{Pass: okEff, Detail: "rolled out: PASS: " + roll + "; effect: " + eff}, nil
}

// rolledOut says whether the service runs exactly revision, settled.
func rolledOut(st ecsdeploy.State, revision string) (bool, string) {
	p := st.Primary()
	rev := ecsdeploy.Revision(revision)
	switch {
	case aws.ToString(p.TaskDefinition) != revision:
		return false, fmt.Sprintf("the PRIMARY deployment runs %s, not %s", ecsdeploy.Revision(aws.ToString(p.TaskDefinition)), rev)
	case p.RolloutState != "COMPLETED":
		return false, fmt.Sprintf("deployment %s of %s is %s", aws.ToString(p.Id), rev, p.RolloutState)
	case len(st.Service.Deployments) > 1:
		return false, fmt.Sprintf("%d deployments still listed", len(st.Service.Deployments))
	case p.RunningCount != p.DesiredCount:
		return false, fmt.Sprintf("%d/%d tasks of %s running", p.RunningCount, p.DesiredCount, rev)
	}
	return true, fmt.Sprintf("PRIMARY runs %s, %d/%d running", rev, p.RunningCount, p.DesiredCount)
}

// verifyAlready checks a write the plan skipped (the variable already had
// the value): nothing was registered or rolled out, so the check is that
// the revision the service runs still reads the value.
func verifyAlready(st ecsdeploy.State, data *ecsPlan) Verification {
	rev := ecsdeploy.Revision(aws.ToString(st.Service.TaskDefinition))
	want := quoteOrUnset(data.To, !data.ToUnset)
	v, set, err := st.Env(data.Variable)
	if got := quoteOrUnset(v, set); err != nil || got != want {
		return Verification{Pass: false, Detail: fmt.Sprintf("no change was made, but %s reads %s in %s, which the service runs (want %s)", data.Variable, got, rev, want)}
	}
	return Verification{Pass: true, Detail: fmt.Sprintf("already %s: nothing to do (%s in %s, which the service runs)", want, data.Variable, rev)}
}
