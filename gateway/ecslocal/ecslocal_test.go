package ecslocal

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"gatewayops/internal/testclock"
)

const (
	cluster = "arrakis-staging-cluster"
	svcName = "arrakis-staging-api"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func setup(t *testing.T, spec ServiceSpec) (*Service, *ecs.Client, *testclock.Clock) {
	t.Helper()
	clk := testclock.New(t0)
	s := New(Config{Now: clk.Now})
	if spec.TaskDefinition == nil {
		spec.TaskDefinition = GatewayTaskDefinition("staging", "-----BEGIN PRIVATE KEY-----\nMIIEsecret\n-----END PRIVATE KEY-----")
	}
	spec.Cluster, spec.Name = cluster, svcName
	if _, err := s.CreateService(spec); err != nil {
		t.Fatal(err)
	}
	return s, NewSDKClient(StartForTest(t, s)), clk
}

func describe(t *testing.T, c *ecs.Client) types.Service {
	t.Helper()
	out, err := c.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{svcName}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Services) != 1 {
		t.Fatalf("services = %d, failures %v", len(out.Services), out.Failures)
	}
	return out.Services[0]
}

// newRevision registers a copy of the current revision with one env change.
func newRevision(t *testing.T, c *ecs.Client, name, value string) string {
	t.Helper()
	ctx := context.Background()
	cur, err := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("arrakis-staging-api")})
	if err != nil {
		t.Fatal(err)
	}
	td := cur.TaskDefinition
	defs := td.ContainerDefinitions
	for i := range defs[0].Environment {
		if aws.ToString(defs[0].Environment[i].Name) == name {
			defs[0].Environment[i].Value = aws.String(value)
		}
	}
	reg, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: td.Family, ContainerDefinitions: defs,
		Cpu: td.Cpu, Memory: td.Memory, NetworkMode: td.NetworkMode, RequiresCompatibilities: td.RequiresCompatibilities,
		TaskRoleArn: td.TaskRoleArn, ExecutionRoleArn: td.ExecutionRoleArn})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(reg.TaskDefinition.TaskDefinitionArn)
}

func update(t *testing.T, c *ecs.Client, in ecs.UpdateServiceInput) types.Service {
	t.Helper()
	in.Cluster, in.Service = aws.String(cluster), aws.String(svcName)
	out, err := c.UpdateService(context.Background(), &in)
	if err != nil {
		t.Fatal(err)
	}
	return *out.Service
}

// until advances the clock by ticks until cond holds, failing after limit.
func until(t *testing.T, clk *testclock.Clock, c *ecs.Client, limit time.Duration, cond func(types.Service) bool) types.Service {
	t.Helper()
	for waited := time.Duration(0); waited <= limit; waited += 5 * time.Second {
		if s := describe(t, c); cond(s) {
			return s
		}
		clk.Advance(5 * time.Second)
	}
	t.Fatalf("condition not reached within %s: %+v", limit, describe(t, c).Deployments)
	return types.Service{}
}

func TestSeededServiceIsSteady(t *testing.T) {
	_, c, _ := setup(t, ServiceSpec{})
	s := describe(t, c)
	if s.RunningCount != 1 || len(s.Deployments) != 1 || s.Deployments[0].RolloutState != types.DeploymentRolloutStateCompleted {
		t.Fatalf("seeded service: running %d deployments %+v", s.RunningCount, s.Deployments)
	}
	dc := s.DeploymentConfiguration
	if aws.ToInt32(dc.MaximumPercent) != 200 || aws.ToInt32(dc.MinimumHealthyPercent) != 50 || !dc.DeploymentCircuitBreaker.Enable || !dc.DeploymentCircuitBreaker.Rollback {
		t.Fatalf("deployment configuration %+v", dc)
	}
	if !strings.HasSuffix(aws.ToString(s.TaskDefinition), ":task-definition/arrakis-staging-api:1") {
		t.Fatalf("task definition %s", aws.ToString(s.TaskDefinition))
	}
}

func TestDeploymentConvergesOverTime(t *testing.T) {
	_, c, clk := setup(t, ServiceSpec{DesiredCount: 2})
	arn := newRevision(t, c, "ENSEMBLE_ENABLED", "false")
	s := update(t, c, ecs.UpdateServiceInput{TaskDefinition: aws.String(arn)})
	if p := s.Deployments[0]; aws.ToString(p.Status) != "PRIMARY" || p.RolloutState != types.DeploymentRolloutStateInProgress || aws.ToString(p.TaskDefinition) != arn {
		t.Fatalf("after update: %+v", p)
	}
	clk.Advance(10 * time.Second)
	mid := describe(t, c)
	if mid.Deployments[0].PendingCount != 2 || mid.RunningCount != 2 || len(mid.Deployments) != 2 {
		t.Fatalf("mid rollout: pending %d running %d deployments %d", mid.Deployments[0].PendingCount, mid.RunningCount, len(mid.Deployments))
	}
	done := until(t, clk, c, 5*time.Minute, func(s types.Service) bool {
		return s.Deployments[0].RolloutState == types.DeploymentRolloutStateCompleted
	})
	if len(done.Deployments) != 1 || done.Deployments[0].RunningCount != 2 || done.RunningCount != 2 {
		t.Fatalf("completed: %+v", done.Deployments)
	}
	if !strings.Contains(aws.ToString(done.Events[0].Message), "has reached a steady state") {
		t.Fatalf("newest event %q", aws.ToString(done.Events[0].Message))
	}
	// The stopped old tasks say why they stopped.
	stopped, err := c.ListTasks(context.Background(), &ecs.ListTasksInput{Cluster: aws.String(cluster), ServiceName: aws.String(svcName), DesiredStatus: types.DesiredStatusStopped})
	if err != nil || len(stopped.TaskArns) != 2 {
		t.Fatalf("stopped tasks %v %v", stopped, err)
	}
	tasks, err := c.DescribeTasks(context.Background(), &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: stopped.TaskArns})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tasks.Tasks {
		if !strings.HasPrefix(aws.ToString(tk.StoppedReason), "Scaling activity initiated by") || tk.StoppedAt == nil {
			t.Fatalf("stopped task %+v", tk)
		}
	}
}

func TestBadRevisionTripsBreakerAndRollsBack(t *testing.T) {
	s, c, clk := setup(t, ServiceSpec{})
	s.FailRevisions("arrakis-staging-api", 2, "Error: POOL_PROVIDER_HINTS: invalid provider")
	arn := newRevision(t, c, "ENSEMBLE_ENABLED", "false")
	update(t, c, ecs.UpdateServiceInput{TaskDefinition: aws.String(arn)})
	failed := until(t, clk, c, 10*time.Minute, func(s types.Service) bool {
		for _, d := range s.Deployments {
			if d.RolloutState == types.DeploymentRolloutStateFailed {
				return true
			}
		}
		return false
	})
	if !strings.HasSuffix(aws.ToString(failed.TaskDefinition), ":1") || aws.ToString(failed.Deployments[0].TaskDefinition) != aws.ToString(failed.TaskDefinition) {
		t.Fatalf("rollback did not restore revision 1: %s / %+v", aws.ToString(failed.TaskDefinition), failed.Deployments)
	}
	done := until(t, clk, c, 5*time.Minute, func(s types.Service) bool {
		return len(s.Deployments) == 1 && s.Deployments[0].RolloutState == types.DeploymentRolloutStateCompleted
	})
	if !strings.HasSuffix(aws.ToString(done.Deployments[0].TaskDefinition), ":1") || done.RunningCount != 1 {
		t.Fatalf("after rollback: %+v", done.Deployments)
	}
	stopped, _ := c.ListTasks(context.Background(), &ecs.ListTasksInput{Cluster: aws.String(cluster), ServiceName: aws.String(svcName), DesiredStatus: types.DesiredStatusStopped})
	tasks, err := c.DescribeTasks(context.Background(), &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: stopped.TaskArns})
	if err != nil {
		t.Fatal(err)
	}
	failedStarts := 0
	for _, tk := range tasks.Tasks {
		if strings.Contains(aws.ToString(tk.StoppedReason), "POOL_PROVIDER_HINTS") {
			failedStarts++
		}
	}
	if failedStarts != 3 {
		t.Fatalf("failed task starts = %d, want the breaker threshold 3", failedStarts)
	}
}

func TestWithoutBreakerABadRevisionNeverCompletes(t *testing.T) {
	s, c, clk := setup(t, ServiceSpec{NoCircuitBreaker: true})
	s.FailRevisions("arrakis-staging-api", 2, "exit 1")
	arn := newRevision(t, c, "ENSEMBLE_ENABLED", "false")
	update(t, c, ecs.UpdateServiceInput{TaskDefinition: aws.String(arn)})
	clk.Advance(30 * time.Minute)
	st := describe(t, c)
	if st.Deployments[0].RolloutState != types.DeploymentRolloutStateInProgress || st.Deployments[0].FailedTasks < 10 || st.RunningCount != 1 {
		t.Fatalf("without a breaker: %+v running %d", st.Deployments[0], st.RunningCount)
	}
}

func TestForceNewDeploymentReplacesEveryTask(t *testing.T) {
	s, c, clk := setup(t, ServiceSpec{DesiredCount: 2})
	before, _ := s.RunningTasks(cluster, svcName, "api")
	update(t, c, ecs.UpdateServiceInput{ForceNewDeployment: true})
	until(t, clk, c, 5*time.Minute, func(s types.Service) bool {
		return len(s.Deployments) == 1 && s.Deployments[0].RolloutState == types.DeploymentRolloutStateCompleted
	})
	after, _ := s.RunningTasks(cluster, svcName, "api")
	if len(after) != 2 {
		t.Fatalf("running after restart: %d", len(after))
	}
	for _, a := range after {
		for _, b := range before {
			if a.ARN == b.ARN {
				t.Fatalf("task %s survived the forced deployment", a.ARN)
			}
		}
		if a.Env["ENSEMBLE_ENABLED"] != "true" || !strings.HasSuffix(a.TaskDefinition, ":1") {
			t.Fatalf("restart changed the revision: %+v", a)
		}
	}
}

func TestThrottleAndDenyAreAPIErrors(t *testing.T) {
	s, c, _ := setup(t, ServiceSpec{})
	s.Throttle("DescribeServices", 1)
	_, err := c.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{svcName}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ThrottlingException" {
		t.Fatalf("throttled call: %v", err)
	}
	describe(t, c) // the next call passes
	s.Deny("UpdateService", "")
	_, err = c.UpdateService(context.Background(), &ecs.UpdateServiceInput{Cluster: aws.String(cluster), Service: aws.String(svcName), ForceNewDeployment: true})
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" || !strings.Contains(ae.ErrorMessage(), "ecs:UpdateService") {
		t.Fatalf("denied call: %v", err)
	}
	if got := s.Calls(); got["DescribeServices"] != 2 || got["UpdateService"] != 1 {
		t.Fatalf("calls %v", got)
	}
}

func TestUnknownNamesAreClientErrors(t *testing.T) {
	_, c, _ := setup(t, ServiceSpec{})
	ctx := context.Background()
	_, err := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("arrakis-staging-api:9")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ClientException" {
		t.Fatalf("unknown revision: %v", err)
	}
	_, err = c.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("nope"), Service: aws.String(svcName)})
	if !errors.As(err, &ae) || ae.ErrorCode() != "ClusterNotFoundException" {
		t.Fatalf("unknown cluster: %v", err)
	}
	_, err = c.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(cluster), Service: aws.String("nope")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "ServiceNotFoundException" {
		t.Fatalf("unknown service: %v", err)
	}
	_, err = c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("x"), ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("a")}}})
	if !errors.As(err, &ae) || !strings.Contains(ae.ErrorMessage(), "image") {
		t.Fatalf("container without image: %v", err)
	}
}
