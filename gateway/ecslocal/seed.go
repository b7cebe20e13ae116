package ecslocal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ServiceSpec creates a service at steady state (Go-side setup; the stand-in
// serves no CreateService because gatewayops never creates services).
type ServiceSpec struct {
	Cluster, Name string
	// TaskDefinition is the JSON of a RegisterTaskDefinition request.
	TaskDefinition []byte
	DesiredCount   int // default 1
	// MaximumPercent / MinimumHealthyPercent default to 200 / 50, and the
	// circuit breaker to enabled with rollback, as Terraform sets the gateway's.
	MaximumPercent, MinimumHealthyPercent int
	NoCircuitBreaker, NoRollback          bool
}

// CreateService registers the task definition and starts the service with
// its desired count already running and the first rollout COMPLETED.
func (s *Service) CreateService(spec ServiceSpec) (taskDefARN string, err error) {
	if spec.Cluster == "" || spec.Name == "" {
		return "", errors.New("ecslocal: CreateService needs Cluster and Name")
	}
	var body map[string]any
	dec := json.NewDecoder(bytes.NewReader(spec.TaskDefinition))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		return "", fmt.Errorf("ecslocal: task definition JSON: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	tags := asList(body["tags"])
	delete(body, "tags")
	td, apiErr := s.register(body, tags)
	if apiErr != nil {
		return "", apiErr
	}
	svc := newService(spec, s.arn("service", spec.Cluster+"/"+spec.Name), td.arn)
	now := s.cfg.Now()
	svc.created = now
	d := &deployment{id: s.nextID(), status: statusPrimary, taskDef: td.arn, desired: svc.desired,
		rollout: RolloutCompleted, created: now, updated: now}
	d.reason = "ECS deployment " + depLabel(d.id) + " completed."
	svc.deployments = []*deployment{d}
	for i := 0; i < svc.desired; i++ {
		svc.tasks = append(svc.tasks, &task{arn: s.arn("task", spec.Cluster+"/"+s.nextID()), taskDef: td.arn,
			deployment: d.id, last: taskRunning, created: now, started: now})
	}
	svc.event(s.nextID(), now, "has reached a steady state.")
	s.services[spec.Cluster+"/"+spec.Name] = svc
	return td.arn, nil
}

func newService(spec ServiceSpec, arn, taskDef string) *service {
	svc := &service{name: spec.Name, arn: arn, cluster: spec.Cluster, taskDef: taskDef, desired: spec.DesiredCount,
		maxPct: spec.MaximumPercent, minPct: spec.MinimumHealthyPercent,
		breaker: !spec.NoCircuitBreaker, rollback: !spec.NoCircuitBreaker && !spec.NoRollback}
	if svc.desired == 0 {
		svc.desired = 1
	}
	if svc.maxPct == 0 {
		svc.maxPct = 200
	}
	if svc.minPct == 0 {
		svc.minPct = 50
	}
	return svc
}

// RunningTask is one running task as the demo's simulated gateway sees it.
type RunningTask struct {
	ARN            string
	TaskDefinition string
	// Env is the plain environment of the container asked for.
	Env map[string]string
}

// RunningTasks lists the service's running tasks with container's env,
// after advancing the simulation (the demo's traffic reads its flags here).
func (s *Service) RunningTasks(cluster, name, container string) ([]RunningTask, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	svc, apiErr := s.findService(cluster, name)
	if apiErr != nil {
		return nil, apiErr
	}
	var out []RunningTask
	for _, t := range svc.tasks {
		if t.last != taskRunning {
			continue
		}
		td, _ := s.lookup(t.taskDef)
		out = append(out, RunningTask{ARN: t.arn, TaskDefinition: t.taskDef, Env: td.containerEnv(container)})
	}
	return out, nil
}
