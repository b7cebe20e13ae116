package ecslocal

import (
	"strconv"
	"time"
)

// Rollout states, deployment and task statuses as ECS names them.
const (
	RolloutInProgress = "IN_PROGRESS"
	RolloutCompleted  = "COMPLETED"
	RolloutFailed     = "FAILED"

	statusPrimary = "PRIMARY"
	statusActive  = "ACTIVE"

	taskPending = "PENDING"
	taskRunning = "RUNNING"
	taskStopped = "STOPPED"
)

type service struct {
	name, arn, cluster string
	taskDef            string // ARN
	desired            int
	maxPct, minPct     int
	breaker, rollback  bool
	created            time.Time
	deployments        []*deployment // [0] is PRIMARY
	events             []event       // newest first
	tasks              []*task
}

type deployment struct {
	id, status, taskDef string
	desired, failed     int
	rollout, reason     string
	created, updated    time.Time
}

type event struct {
	id  string
	at  time.Time
	msg string
}

type task struct {
	arn, taskDef, deployment string
	last                     string
	created, started, stop   time.Time
	stopCode, stopReason     string
	exitCode                 *int
}

func (s *service) primary() *deployment { return s.deployments[0] }

func (s *service) event(id string, at time.Time, msg string) {
	s.events = append([]event{{id: id, at: at, msg: "(service " + s.name + ") " + msg}}, s.events...)
	if len(s.events) > 100 {
		s.events = s.events[:100]
	}
}

// counts returns the running and pending tasks of one deployment ("" = all).
func (s *service) counts(dep string) (running, pending int) {
	for _, t := range s.tasks {
		if dep != "" && t.deployment != dep {
			continue
		}
		switch t.last {
		case taskRunning:
			running++
		case taskPending:
			pending++
		}
	}
	return running, pending
}

// ceilPct is ceil(n*pct/100): ECS rounds the minimum healthy count up.
func ceilPct(n, pct int) int { return (n*pct + 99) / 100 }

// breakerThreshold is ECS's deployment circuit breaker failure threshold:
// half the desired count, at least 3, at most 200.
func breakerThreshold(desired int) int {
	return min(max((desired+1)/2, 3), 200)
}

func depLabel(id string) string { return "(deployment ecs-svc/" + id + ")" }

func itoa(n int) string { return strconv.Itoa(n) }
