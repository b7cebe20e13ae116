package ecsdeploy

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// State is the service and the revision it runs, read in two calls.
type State struct {
	Target  Target
	Service types.Service
	// Current is the task definition the service is set to run, with its tags.
	Current types.TaskDefinition
	Tags    []types.Tag
}

// Read describes the service and its current task definition.
func (c *Client) Read(ctx context.Context) (State, error) {
	svc, err := c.service(ctx)
	if err != nil {
		return State{}, err
	}
	td, err := c.api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
		TaskDefinition: svc.TaskDefinition, Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags}})
	if err != nil {
		return State{}, explain(err)
	}
	return State{Target: c.t, Service: svc, Current: *td.TaskDefinition, Tags: td.Tags}, nil
}

func (c *Client) service(ctx context.Context) (types.Service, error) {
	out, err := c.api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(c.t.Cluster), Services: []string{c.t.Service}})
	if err != nil {
		return types.Service{}, explain(err)
	}
	if len(out.Services) == 0 {
		reason := "MISSING"
		if len(out.Failures) > 0 {
			reason = aws.ToString(out.Failures[0].Reason)
		}
		return types.Service{}, fmt.Errorf("ECS service %s in cluster %s: %s (check cluster/service in the environment's config)", c.t.Service, c.t.Cluster, reason)
	}
	return out.Services[0], nil
}

// Env returns the value of one plain variable of the target container, and
// whether it is set. Only the one variable asked for is ever read out.
func (st State) Env(name string) (value string, set bool, err error) {
	cd, err := container(st.Current, st.Target.Container)
	if err != nil {
		return "", false, err
	}
	for _, s := range cd.Secrets {
		if aws.ToString(s.Name) == name {
			return "", false, fmt.Errorf("%s is a secret (valueFrom) of container %s: gatewayops changes plain variables only", name, st.Target.Container)
		}
	}
	for _, kv := range cd.Environment {
		if aws.ToString(kv.Name) == name {
			return aws.ToString(kv.Value), true, nil
		}
	}
	return "", false, nil
}

func container(td types.TaskDefinition, name string) (types.ContainerDefinition, error) {
	var names []string
	for _, cd := range td.ContainerDefinitions {
		if aws.ToString(cd.Name) == name {
			return cd, nil
		}
		names = append(names, aws.ToString(cd.Name))
	}
	return types.ContainerDefinition{}, fmt.Errorf("task definition %s has no container %q (containers: %s)",
		Revision(aws.ToString(td.TaskDefinitionArn)), name, strings.Join(names, ", "))
}

// Primary is the service's PRIMARY deployment.
func (st State) Primary() types.Deployment { return primary(st.Service) }

func primary(s types.Service) types.Deployment {
	for _, d := range s.Deployments {
		if aws.ToString(d.Status) == "PRIMARY" {
			return d
		}
	}
	return types.Deployment{}
}

// Busy says why another deployment is in progress ("" = none).
func (st State) Busy() string {
	p := st.Primary()
	if len(st.Service.Deployments) > 1 || p.RolloutState == types.DeploymentRolloutStateInProgress {
		return fmt.Sprintf("deployment %s of %s is %s since %s (%d deployments listed)", aws.ToString(p.Id),
			Revision(aws.ToString(p.TaskDefinition)), p.RolloutState, stamp(p.CreatedAt), len(st.Service.Deployments))
	}
	return ""
}

// Revision shortens a task-definition ARN to family:revision.
func Revision(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// RevisionNumber is the revision of a task-definition ARN (0 if none).
func RevisionNumber(arn string) int {
	i := strings.LastIndex(arn, ":")
	n, _ := strconv.Atoi(arn[i+1:])
	return n
}

func stamp(t *time.Time) string {
	if t == nil {
		return "an unknown time"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// DeploymentText describes the rollout ECS will perform for the service.
func (st State) DeploymentText() string {
	dc := st.Service.DeploymentConfiguration
	if dc == nil {
		return fmt.Sprintf("desired count %d; deployment configuration not reported", st.Service.DesiredCount)
	}
	cb := "circuit breaker OFF: a failing revision keeps retrying until the timeout"
	if b := dc.DeploymentCircuitBreaker; b != nil && b.Enable {
		cb = "circuit breaker on, rollback "
		if b.Rollback {
			cb += "on: a failing revision is rolled back by ECS"
		} else {
			cb += "OFF: a failing revision stays FAILED"
		}
	}
	return fmt.Sprintf("rolling update of %d task(s): minimum healthy %d%%, maximum %d%%; %s",
		st.Service.DesiredCount, aws.ToInt32(dc.MinimumHealthyPercent), aws.ToInt32(dc.MaximumPercent), cb)
}

// LatestRevision is the newest registered revision of family (a stale-plan check).
func (c *Client) LatestRevision(ctx context.Context, family string) (int, error) {
	out, err := c.api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(family)})
	if err != nil {
		return 0, explain(err)
	}
	return int(out.TaskDefinition.Revision), nil
}

// Describe reads one task definition (family:revision or ARN).
func (c *Client) Describe(ctx context.Context, ref string) (types.TaskDefinition, error) {
	out, err := c.api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref)})
	if err != nil {
		return types.TaskDefinition{}, explain(err)
	}
	return *out.TaskDefinition, nil
}

// RunningTasks lists the ARNs of the service's running tasks and the
// revision each runs.
func (c *Client) RunningTasks(ctx context.Context) (map[string]string, error) {
	lt, err := c.api.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(c.t.Cluster), ServiceName: aws.String(c.t.Service),
		DesiredStatus: types.DesiredStatusRunning})
	if err != nil {
		return nil, explain(err)
	}
	out := map[string]string{}
	for i := 0; i < len(lt.TaskArns); i += 100 {
		dt, err := c.api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(c.t.Cluster), Tasks: lt.TaskArns[i:min(i+100, len(lt.TaskArns))]})
		if err != nil {
			return nil, explain(err)
		}
		for _, t := range dt.Tasks {
			if aws.ToString(t.LastStatus) == "RUNNING" {
				out[aws.ToString(t.TaskArn)] = aws.ToString(t.TaskDefinitionArn)
			}
		}
	}
	return out, nil
}

// EnvOf reads one plain variable of container from any task definition.
func EnvOf(td types.TaskDefinition, containerName, name string) (string, bool) {
	cd, err := container(td, containerName)
	if err != nil {
		return "", false
	}
	for _, kv := range cd.Environment {
		if aws.ToString(kv.Name) == name {
			return aws.ToString(kv.Value), true
		}
	}
	return "", false
}

// HasVariable says whether container sets name, plainly or as a secret
// (only the name is looked at).
func HasVariable(td types.TaskDefinition, containerName, name string) bool {
	cd, err := container(td, containerName)
	if err != nil {
		return false
	}
	for _, s := range cd.Secrets {
		if aws.ToString(s.Name) == name {
			return true
		}
	}
	_, ok := EnvOf(td, containerName, name)
	return ok
}
