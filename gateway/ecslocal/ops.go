package ecslocal

import "strings"

type describeServicesIn struct {
	Cluster  string   `json:"cluster"`
	Services []string `json:"services"`
}

func (s *Service) findService(cluster, name string) (*service, *apiError) {
	cluster = shortName(cluster, "default")
	if !s.clusterExists(cluster) {
		return nil, errClusterNotFound()
	}
	svc, ok := s.services[cluster+"/"+shortName(name, "")]
	if !ok {
		return nil, errServiceNotFound()
	}
	return svc, nil
}

func (s *Service) clusterExists(cluster string) bool {
	for _, svc := range s.services {
		if svc.cluster == cluster {
			return true
		}
	}
	return false
}

// shortName takes the last path element of an ARN, or the name itself.
func shortName(ref, def string) string {
	if ref == "" {
		return def
	}
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		return ref[i+1:]
	}
	return ref
}

func (s *Service) describeServices(in *describeServicesIn) (any, *apiError) {
	if len(in.Services) == 0 {
		return nil, errInvalid("services should not be empty")
	}
	if !s.clusterExists(shortName(in.Cluster, "default")) {
		return nil, errClusterNotFound()
	}
	out := struct {
		Services []serviceOut `json:"services"`
		Failures []failureOut `json:"failures"`
	}{Services: []serviceOut{}, Failures: []failureOut{}}
	for _, name := range in.Services {
		svc, err := s.findService(in.Cluster, name)
		if err != nil {
			out.Failures = append(out.Failures, failureOut{Arn: s.arn("service", shortName(in.Cluster, "default")+"/"+name), Reason: "MISSING"})
			continue
		}
		out.Services = append(out.Services, s.serviceView(svc))
	}
	return out, nil
}

func (s *Service) serviceView(svc *service) serviceOut {
	running, pending := svc.counts("")
	v := serviceOut{ServiceArn: svc.arn, ServiceName: svc.name, ClusterArn: s.arn("cluster", svc.cluster), Status: "ACTIVE",
		DesiredCount: svc.desired, RunningCount: running, PendingCount: pending, LaunchType: "FARGATE",
		TaskDefinition: svc.taskDef, CreatedAt: epochOf(svc.created), EnableExecuteCommand: true,
		DeploymentConfiguration: deploymentConfigOut{CircuitBreaker: circuitBreakerOut{svc.breaker, svc.rollback},
			MaximumPercent: svc.maxPct, MinimumHealthyPercent: svc.minPct},
		Events: []eventOut{}}
	for _, d := range svc.deployments {
		r, p := svc.counts(d.id)
		v.Deployments = append(v.Deployments, deploymentOut{ID: "ecs-svc/" + d.id, Status: d.status, TaskDefinition: d.taskDef,
			DesiredCount: d.desired, RunningCount: r, PendingCount: p, FailedTasks: d.failed,
			CreatedAt: epochOf(d.created), UpdatedAt: epochOf(d.updated), LaunchType: "FARGATE",
			RolloutState: d.rollout, RolloutStateReason: d.reason})
	}
	for _, e := range svc.events {
		v.Events = append(v.Events, eventOut{ID: e.id, CreatedAt: epochOf(e.at), Message: e.msg})
	}
	return v
}

type describeTaskDefinitionIn struct {
	TaskDefinition string   `json:"taskDefinition"`
	Include        []string `json:"include"`
}

func (s *Service) describeTaskDefinition(in *describeTaskDefinitionIn) (any, *apiError) {
	if in.TaskDefinition == "" {
		return nil, errInvalid("taskDefinition is required")
	}
	td, err := s.lookup(in.TaskDefinition)
	if err != nil {
		return nil, err
	}
	return s.taskDefAnswer(td, contains(in.Include, "TAGS")), nil
}

func (s *Service) taskDefAnswer(td *taskDef, tags bool) map[string]any {
	out := map[string]any{"taskDefinition": clone(td.view())}
	if tags {
		out["tags"] = clone(orEmpty(td.tags))
	}
	return out
}

func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

func contains(l []string, v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// registerTaskDefinition stores the request members as the revision's body;
// tags are kept apart, as ECS keeps them on the resource.
func (s *Service) registerTaskDefinition(in *map[string]any) (any, *apiError) {
	body, _ := clone(*in).(map[string]any)
	tags := asList(body["tags"])
	delete(body, "tags")
	td, err := s.register(body, tags)
	if err != nil {
		return nil, err
	}
	return s.taskDefAnswer(td, true), nil
}

type updateServiceIn struct {
	Cluster            string `json:"cluster"`
	Service            string `json:"service"`
	TaskDefinition     string `json:"taskDefinition"`
	ForceNewDeployment bool   `json:"forceNewDeployment"`
	DesiredCount       *int   `json:"desiredCount"`
}

func (s *Service) updateService(in *updateServiceIn) (any, *apiError) {
	svc, err := s.findService(in.Cluster, in.Service)
	if err != nil {
		return nil, err
	}
	target := svc.taskDef
	if in.TaskDefinition != "" {
		td, err := s.lookup(in.TaskDefinition)
		if err != nil {
			return nil, err
		}
		target = td.arn
	}
	if in.DesiredCount != nil {
		svc.desired = *in.DesiredCount
		svc.primary().desired = *in.DesiredCount
	}
	if target != svc.taskDef || in.ForceNewDeployment {
		s.deploy(svc, target)
	}
	return map[string]any{"service": s.serviceView(svc)}, nil
}

// deploy starts a new PRIMARY deployment of taskDef; the old ones turn ACTIVE.
func (s *Service) deploy(svc *service, taskDef string) {
	now := s.cfg.Now()
	for _, d := range svc.deployments {
		d.status = statusActive
	}
	d := &deployment{id: s.nextID(), status: statusPrimary, taskDef: taskDef, desired: svc.desired,
		rollout: RolloutInProgress, created: now, updated: now}
	d.reason = "ECS deployment " + depLabel(d.id) + " in progress."
	svc.deployments = append([]*deployment{d}, svc.deployments...)
	svc.taskDef = taskDef
}

type listTasksIn struct {
	Cluster       string `json:"cluster"`
	ServiceName   string `json:"serviceName"`
	DesiredStatus string `json:"desiredStatus"`
}

func (s *Service) listTasks(in *listTasksIn) (any, *apiError) {
	svc, err := s.findService(in.Cluster, in.ServiceName)
	if err != nil {
		return nil, err
	}
	want := in.DesiredStatus
	if want == "" {
		want = taskRunning
	}
	arns := []string{}
	for _, t := range svc.tasks {
		if desiredStatus(t) == want {
			arns = append(arns, t.arn)
		}
	}
	return map[string]any{"taskArns": arns}, nil
}

func desiredStatus(t *task) string {
	if t.last == taskStopped {
		return taskStopped
	}
	return taskRunning
}

type describeTasksIn struct {
	Cluster string   `json:"cluster"`
	Tasks   []string `json:"tasks"`
}

func (s *Service) describeTasks(in *describeTasksIn) (any, *apiError) {
	if len(in.Tasks) == 0 || len(in.Tasks) > 100 {
		return nil, errInvalid("tasks must name 1 to 100 tasks")
	}
	out := struct {
		Tasks    []taskOut    `json:"tasks"`
		Failures []failureOut `json:"failures"`
	}{Tasks: []taskOut{}, Failures: []failureOut{}}
	for _, ref := range in.Tasks {
		if t, svc := s.findTask(ref); t != nil {
			out.Tasks = append(out.Tasks, s.taskView(svc, t))
		} else {
			out.Failures = append(out.Failures, failureOut{Arn: ref, Reason: "MISSING"})
		}
	}
	return out, nil
}

func (s *Service) findTask(ref string) (*task, *service) {
	for _, svc := range s.services {
		for _, t := range svc.tasks {
			if t.arn == ref || taskID(t.arn) == ref {
				return t, svc
			}
		}
	}
	return nil, nil
}

func (s *Service) taskView(svc *service, t *task) taskOut {
	v := taskOut{TaskArn: t.arn, ClusterArn: s.arn("cluster", svc.cluster), TaskDefinitionArn: t.taskDef,
		LastStatus: t.last, DesiredStatus: desiredStatus(t), StartedBy: "ecs-svc/" + t.deployment,
		Group: "service:" + svc.name, LaunchType: "FARGATE", CreatedAt: epochOf(t.created),
		StartedAt: epochOf(t.started), StoppedAt: epochOf(t.stop), StopCode: t.stopCode, StoppedReason: t.stopReason}
	td, _ := s.lookup(t.taskDef)
	for _, c := range asList(td.body["containerDefinitions"]) {
		cm, _ := c.(map[string]any)
		name, _ := cm["name"].(string)
		co := containerOut{Name: name, LastStatus: t.last}
		if t.exitCode != nil && name == essentialName(td) {
			co.ExitCode, co.Reason = t.exitCode, strings.TrimPrefix(t.stopReason, "Essential container in task exited: ")
		}
		v.Containers = append(v.Containers, co)
	}
	return v
}

// essentialName is the first essential container (the one whose exit stops the task).
func essentialName(td *taskDef) string {
	for _, c := range asList(td.body["containerDefinitions"]) {
		cm, _ := c.(map[string]any)
		if e, ok := cm["essential"].(bool); !ok || e {
			name, _ := cm["name"].(string)
			return name
		}
	}
	return ""
}
