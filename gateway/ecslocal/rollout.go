package ecslocal

import "time"

// maxCatchUp bounds how many ticks one request simulates after a long idle
// gap (a demo left alone for a day); the rest is skipped, not replayed.
const maxCatchUp = 2000

// advance runs the simulation up to now. Caller holds s.mu.
func (s *Service) advance() {
	now := s.cfg.Now()
	n := 0
	for !s.lastStep.Add(s.cfg.Tick).After(now) {
		s.lastStep = s.lastStep.Add(s.cfg.Tick)
		for _, svc := range s.services {
			s.tick(svc, s.lastStep)
		}
		if n++; n >= maxCatchUp {
			s.lastStep = now
		}
	}
}

// tick is one step of one service's deployments.
func (s *Service) tick(svc *service, now time.Time) {
	p := svc.primary()
	s.startTasks(svc, p, now)
	s.checkBreaker(svc, now)
	p = svc.primary()
	s.launch(svc, p, now)
	s.drain(svc, p, now)
	s.complete(svc, p, now)
}

// startTasks turns pending tasks that waited StartDelay into running ones,
// or stops them when their revision is bad.
func (s *Service) startTasks(svc *service, p *deployment, now time.Time) {
	for _, t := range svc.tasks {
		if t.last != taskPending || now.Sub(t.created) < s.cfg.StartDelay {
			continue
		}
		td, _ := s.lookup(t.taskDef)
		if reason := s.failureOf(td); reason != "" {
			code := 1
			t.last, t.stop, t.stopCode, t.exitCode = taskStopped, now, "EssentialContainerExited", &code
			t.stopReason = "Essential container in task exited: " + reason
			for _, d := range svc.deployments {
				if d.id == t.deployment {
					d.failed++
					d.updated = now
				}
			}
			svc.event(s.nextID(), now, "has stopped 1 running tasks: (task "+taskID(t.arn)+").")
			continue
		}
		t.last, t.started = taskRunning, now
		if t.deployment == p.id {
			svc.event(s.nextID(), now, "registered 1 targets in (target-group arrakis-api)")
		}
	}
}

// checkBreaker fails the primary rollout once enough tasks failed and, with
// rollback on, starts a new deployment of the last completed revision.
func (s *Service) checkBreaker(svc *service, now time.Time) {
	p := svc.primary()
	if !svc.breaker || p.rollout != RolloutInProgress || p.failed < breakerThreshold(p.desired) {
		return
	}
	p.rollout, p.updated = RolloutFailed, now
	p.reason = "ECS deployment circuit breaker: tasks failed to start."
	svc.event(s.nextID(), now, depLabel(p.id)+" deployment failed: tasks failed to start.")
	if !svc.rollback || len(svc.deployments) < 2 {
		return
	}
	back := svc.deployments[1].taskDef
	svc.event(s.nextID(), now, "rolling back to deployment "+depLabel(svc.deployments[1].id))
	p.status = statusActive
	nd := &deployment{id: s.nextID(), status: statusPrimary, taskDef: back, desired: svc.desired,
		rollout: RolloutInProgress, reason: "ECS deployment " + depLabel(p.id) + " rolled back.", created: now, updated: now}
	svc.deployments = append([]*deployment{nd}, svc.deployments...)
	svc.taskDef = back
}

// launch starts primary tasks up to the desired count, within maximumPercent.
func (s *Service) launch(svc *service, p *deployment, now time.Time) {
	if p.rollout == RolloutFailed {
		return // the breaker stopped this deployment
	}
	running, pending := svc.counts(p.id)
	allR, allP := svc.counts("")
	need := p.desired - running - pending
	room := svc.desired*svc.maxPct/100 - allR - allP
	for i := 0; i < min(need, room); i++ {
		t := &task{arn: s.arn("task", svc.cluster+"/"+s.nextID()), taskDef: p.taskDef, deployment: p.id,
			last: taskPending, created: now}
		svc.tasks = append(svc.tasks, t)
		svc.event(s.nextID(), now, "has started 1 tasks: (task "+taskID(t.arn)+").")
	}
}

// drain stops tasks of older deployments while the running count stays at or
// above minimumHealthyPercent of the desired count.
func (s *Service) drain(svc *service, p *deployment, now time.Time) {
	floor := ceilPct(svc.desired, svc.minPct)
	for _, t := range svc.tasks {
		if t.deployment == p.id || t.last == taskStopped {
			continue
		}
		running, _ := svc.counts("")
		primaryRunning, _ := svc.counts(p.id)
		if t.last == taskRunning && (running-1 < floor || primaryRunning == 0 && running-1 < svc.desired) {
			continue
		}
		t.last, t.stop, t.stopCode = taskStopped, now, "ServiceSchedulerInitiated"
		t.stopReason = "Scaling activity initiated by " + depLabel(p.id)
		svc.event(s.nextID(), now, "has stopped 1 running tasks: (task "+taskID(t.arn)+").")
	}
	keep := svc.deployments[:1]
	for _, d := range svc.deployments[1:] {
		// A failed deployment stays listed until the rollback completes, so a
		// client following the rollout sees FAILED and its reason.
		if r, pe := svc.counts(d.id); r+pe > 0 || d.rollout == RolloutFailed {
			keep = append(keep, d)
		}
	}
	svc.deployments = keep
	svc.pruneStopped()
}

// complete marks the primary rollout COMPLETED once it alone runs the desired count.
func (s *Service) complete(svc *service, p *deployment, now time.Time) {
	running, pending := svc.counts(p.id)
	allR, allP := svc.counts("")
	if p.rollout != RolloutInProgress || allR+allP != running+pending || running != p.desired || pending > 0 {
		return
	}
	svc.deployments = svc.deployments[:1]
	p.rollout, p.updated = RolloutCompleted, now
	p.reason = "ECS deployment " + depLabel(p.id) + " completed."
	svc.event(s.nextID(), now, depLabel(p.id)+" deployment completed.")
	svc.event(s.nextID(), now, "has reached a steady state.")
}

// pruneStopped keeps the 50 most recent stopped tasks, as ECS keeps stopped
// tasks visible for a while.
func (svc *service) pruneStopped() {
	stopped := 0
	for i := len(svc.tasks) - 1; i >= 0; i-- {
		if svc.tasks[i].last == taskStopped {
			stopped++
			if stopped > 50 {
				svc.tasks = append(svc.tasks[:i], svc.tasks[i+1:]...)
			}
		}
	}
}

func taskID(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}
