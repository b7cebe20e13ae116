package ops

import (
	"context"
	"fmt"
	"os"
	"time"

	"gatewayops/alarms"
	"gatewayops/gateway/ecsdeploy"
	"github.com/aws/smithy-go/logging"
)

// Flag backends.
const (
	BackendRuntime = "runtime"
	BackendECS     = "ecs"
)

// validateFlagsBackend checks flags_backend and fills the ECS names from the
// environment's name. ecs applies only when set explicitly: a gateway whose
// flags a new revision changes is a decision, not a default.
func validateFlagsBackend(e *Environment) error {
	switch e.FlagsBackend {
	case "":
		e.FlagsBackend = BackendRuntime
	case BackendRuntime, BackendECS:
	default:
		return fmt.Errorf("flags_backend %q: accepted values are %s (the admin API's store) and %s (task-definition revisions)",
			e.FlagsBackend, BackendRuntime, BackendECS)
	}
	if e.FlagsBackend != BackendECS && (e.Cluster != "" || e.Service != "" || e.Container != "") {
		return fmt.Errorf("cluster, service and container apply to flags_backend = %q only; this environment uses %q", BackendECS, e.FlagsBackend)
	}
	return nil
}

// ECSTarget is the service flags_backend = "ecs" acts on.
func (e Environment) ECSTarget() ecsdeploy.Target {
	t := ecsdeploy.DefaultTarget(e.Name)
	if e.Cluster != "" {
		t.Cluster = e.Cluster
	}
	if e.Service != "" {
		t.Service = e.Service
	}
	if e.Container != "" {
		t.Container = e.Container
	}
	return t
}

// buildECS builds the ECS client of an ecs-backed environment (nil
// otherwise). The endpoint comes from the standard chain, which honours
// AWS_ENDPOINT_URL_ECS; a loopback endpoint (the stand-in) is sent unsigned.
func buildECS(ctx context.Context, e Environment, logger logging.Logger) (*ecsdeploy.Client, error) {
	if e.FlagsBackend != BackendECS {
		return nil, nil
	}
	api, err := ecsdeploy.NewSDKClient(ctx, ecsdeploy.Options{Region: e.Region, Profile: e.Profile,
		Anonymous: alarms.IsLocalEndpoint(os.Getenv("AWS_ENDPOINT_URL_ECS")), Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("environment %s: ECS: %w", e.Name, err)
	}
	return ecsdeploy.New(api, e.ECSTarget()), nil
}

// followFor paces following rollouts: the local stand-in converges in
// seconds, so it is polled every second; real ECS every DefaultPoll.
func followFor() ecsdeploy.FollowOptions {
	if alarms.IsLocalEndpoint(os.Getenv("AWS_ENDPOINT_URL_ECS")) {
		return ecsdeploy.FollowOptions{Poll: time.Second}
	}
	return ecsdeploy.FollowOptions{}
}

// ecsCurrent is what every ECS apply and verify starts from: the action's
// own plan data, the environment's client and the service as it runs now.
func ecsCurrent(ctx context.Context, env *Env, planData any, step string) (*ecsPlan, *ecsdeploy.Client, ecsdeploy.State, error) {
	data, ok := planData.(*ecsPlan)
	if !ok {
		return nil, nil, ecsdeploy.State{}, fmt.Errorf("%s without its ECS plan (a bug)", step)
	}
	c, err := env.ecs()
	if err != nil {
		return nil, nil, ecsdeploy.State{}, err
	}
	st, err := c.Read(ctx)
	if err != nil {
		return nil, nil, ecsdeploy.State{}, err
	}
	return data, c, st, nil
}

func (e *Env) ecs() (*ecsdeploy.Client, error) {
	if e.ECS == nil {
		return nil, fmt.Errorf("environment %s: flags_backend is %q but no ECS client was built: %w", e.Name, e.Config.FlagsBackend, ErrNoBackend)
	}
	return e.ECS, nil
}

// usesECS says whether flags and enforcement act through ECS here.
func (e *Env) usesECS() bool { return e.Config.FlagsBackend == BackendECS }
