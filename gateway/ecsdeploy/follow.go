package ecsdeploy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// DefaultTimeout bounds following one rollout. The gateway's tasks take a
// few minutes each (ALB health checks, 120 s stopTimeout drain of the old
// task); ECS's own circuit breaker decides a failing rollout well within it.
const DefaultTimeout = 15 * time.Minute

// DefaultPoll is the pause between two progress reads (two to four calls each).
const DefaultPoll = 10 * time.Second

// Ends of following a rollout.
const (
	EndCompleted = "COMPLETED"
	EndFailed    = "FAILED"
	EndTimeout   = "TIMEOUT"
	EndDetached  = "DETACHED"
)

// Progress is one reading of the rollout being followed.
type Progress struct {
	Deployment     string    `json:"deployment"`
	TaskDefinition string    `json:"taskDefinition"`
	RolloutState   string    `json:"rolloutState"`
	Reason         string    `json:"reason,omitempty"`
	Desired        int       `json:"desired"`
	Running        int       `json:"running"`
	Pending        int       `json:"pending"`
	Failed         int       `json:"failed"`
	Events         []string  `json:"events,omitempty"` // new since the previous reading, oldest first
	StoppedReasons []string  `json:"stoppedReasons,omitempty"`
	RolledBackTo   string    `json:"rolledBackTo,omitempty"`
	At             time.Time `json:"at"`
	// Throttled counts progress reads that ECS throttled (the follow goes on).
	Throttled int `json:"throttled,omitempty"`
}

// Line is the progress as one CLI line.
func (p Progress) Line() string {
	s := fmt.Sprintf("rollout %s: %s %d/%d running, %d pending, %d failed", Revision(p.TaskDefinition), p.RolloutState, p.Running, p.Desired, p.Pending, p.Failed)
	if p.RolledBackTo != "" {
		s += "; ECS rolled back to " + Revision(p.RolledBackTo)
	}
	return s
}

// FollowOptions pace Follow. Sleep and Now are injected in tests.
type FollowOptions struct {
	Timeout, Poll time.Duration
	Now           func() time.Time
	// Sleep waits d or until ctx ends (default: a timer).
	Sleep      func(ctx context.Context, d time.Duration) error
	OnProgress func(Progress)
}

func (o FollowOptions) withDefaults() FollowOptions {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	if o.OnProgress == nil {
		o.OnProgress = func(Progress) {}
	}
	return o
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Follow reads the deployment until it COMPLETES, FAILS (the circuit breaker
// stopped it, and maybe rolled back), the timeout passes, or ctx ends
// (DETACHED: the rollout goes on in ECS). It returns the last reading and how
// it ended; an error only when ECS could not be read at all.
func (c *Client) Follow(ctx context.Context, deployment string, o FollowOptions) (Progress, string, error) {
	o = o.withDefaults()
	deadline := o.Now().Add(o.Timeout)
	seen := map[string]bool{}
	var last Progress
	throttled := 0
	for {
		p, err := c.read(ctx, deployment, seen)
		switch {
		case ctx.Err() != nil:
			return last, EndDetached, nil
		case isThrottle(err):
			throttled++ // a throttled poll is skipped; the next one will tell
		case err != nil:
			return last, "", err
		default:
			p.Throttled, p.At = throttled, o.Now()
			last = p
			o.OnProgress(p)
			if end := p.end(); end != "" {
				return p, end, nil
			}
		}
		if !o.Now().Before(deadline) {
			return last, EndTimeout, nil
		}
		if err := o.Sleep(ctx, o.Poll); err != nil {
			return last, EndDetached, nil
		}
	}
}

func (p Progress) end() string {
	switch p.RolloutState {
	case string(types.DeploymentRolloutStateCompleted):
		return EndCompleted
	case string(types.DeploymentRolloutStateFailed):
		return EndFailed
	}
	return ""
}

func isThrottle(err error) bool {
	return err != nil && strings.Contains(err.Error(), "ThrottlingException")
}

// read is one progress reading of deployment; seen dedups events.
func (c *Client) read(ctx context.Context, deployment string, seen map[string]bool) (Progress, error) {
	svc, err := c.service(ctx)
	if err != nil {
		return Progress{}, err
	}
	var d *types.Deployment
	for i := range svc.Deployments {
		if aws.ToString(svc.Deployments[i].Id) == deployment {
			d = &svc.Deployments[i]
		}
	}
	p := Progress{Deployment: deployment, Desired: int(svc.DesiredCount)}
	if d == nil {
		// Our deployment is gone: replaced by someone else's, or by the rollback
		// after it failed. Either way it did not complete.
		pr := primary(svc)
		p.RolloutState, p.TaskDefinition = string(types.DeploymentRolloutStateFailed), aws.ToString(pr.TaskDefinition)
		p.Reason = "deployment " + deployment + " is no longer listed; the service now runs deployment " + aws.ToString(pr.Id)
	} else {
		p.TaskDefinition, p.RolloutState, p.Reason = aws.ToString(d.TaskDefinition), string(d.RolloutState), aws.ToString(d.RolloutStateReason)
		p.Running, p.Pending, p.Failed, p.Desired = int(d.RunningCount), int(d.PendingCount), int(d.FailedTasks), int(d.DesiredCount)
		if pr := primary(svc); aws.ToString(pr.Id) != deployment {
			p.RolledBackTo = aws.ToString(pr.TaskDefinition)
		}
	}
	p.Events = newEvents(svc.Events, seen)
	if p.Failed > 0 || p.RolloutState == string(types.DeploymentRolloutStateFailed) {
		p.StoppedReasons, err = c.stoppedReasons(ctx, deployment)
	}
	return p, err
}

func newEvents(events []types.ServiceEvent, seen map[string]bool) []string {
	var out []string
	for i := len(events) - 1; i >= 0; i-- { // ECS lists newest first
		id := aws.ToString(events[i].Id)
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, stamp(events[i].CreatedAt)+" "+aws.ToString(events[i].Message))
	}
	if len(seen) == len(out) && len(out) > 5 {
		out = out[len(out)-5:] // the first reading shows only the latest few
	}
	return out
}

// stoppedReasons lists the distinct stopped reasons of the deployment's tasks.
func (c *Client) stoppedReasons(ctx context.Context, deployment string) ([]string, error) {
	lt, err := c.api.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(c.t.Cluster), ServiceName: aws.String(c.t.Service),
		DesiredStatus: types.DesiredStatusStopped})
	if err != nil {
		return nil, explain(err)
	}
	if len(lt.TaskArns) == 0 {
		return nil, nil
	}
	arns := lt.TaskArns
	if len(arns) > 100 {
		arns = arns[len(arns)-100:]
	}
	dt, err := c.api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(c.t.Cluster), Tasks: arns})
	if err != nil {
		return nil, explain(err)
	}
	count := map[string]int{}
	var order []string
	for _, t := range dt.Tasks {
		if aws.ToString(t.StartedBy) != deployment {
			continue
		}
		r := aws.ToString(t.StoppedReason)
		if count[r] == 0 {
			order = append(order, r)
		}
		count[r]++
	}
	out := make([]string, len(order))
	for i, r := range order {
		out[i] = fmt.Sprintf("%d× %s", count[r], r)
	}
	return out, nil
}

// ErrStale says the service changed between plan and apply.
var ErrStale = errors.New("stale plan")
