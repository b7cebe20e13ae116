package drills

import (
	"context"
	"time"

	"gatewayops/alarms"
	"gatewayops/gateway"
	"gatewayops/gateway/ecsdeploy"
	"gatewayops/gateway/sim"
)

// loaFinnAlarm is the drill catalog's loa-finn breaker alarm: the demo
// catalog points agent-circuit-breaker-open at the kms breaker instead.
func loaFinnAlarm(env string) alarms.AlarmDef {
	return alarms.AlarmDef{
		Name:        "arrakis-" + env + "-drill-loa-finn-breaker-open",
		Description: "drill: CircuitBreakerState (component=loa-finn) Maximum above 0 in a 10 s period: a task's in-process breaker is not closed",
		Severity:    "high",
		Metric: &alarms.MetricStat{Namespace: sim.Namespace, MetricName: "CircuitBreakerState",
			Dimensions: []alarms.Dimension{{Name: "component", Value: gateway.LoaFinnBreaker}}, Stat: "Maximum", Period: 10},
		ComparisonOperator: "GreaterThanThreshold", Threshold: 0, EvaluationPeriods: 1, TreatMissingData: "missing",
	}
}

// runningTasks lists the ECS stand-in's running gateway tasks.
func (r *Rig) runningTasks() ([]string, error) {
	tgt := ecsdeploy.DefaultTarget(r.Stack.Environment)
	running, err := r.Stack.ECS.RunningTasks(tgt.Cluster, tgt.Service, tgt.Container)
	if err != nil {
		return nil, err
	}
	arns := make([]string, len(running))
	for i, t := range running {
		arns[i] = t.ARN
	}
	return arns, nil
}

// stuckLoaFinn is the fault of Resolution C: every running task's
// in-process loa-finn breaker is open and stays open (its connection pool
// is wedged); only a new task starts closed.
func stuckLoaFinn(_ context.Context, r *Rig) error {
	arns, err := r.runningTasks()
	if err != nil {
		return err
	}
	for _, a := range arns {
		r.finnOpen[a] = true
	}
	return nil
}

// loaFinnLines is each running task's emitCircuitBreakerState for loa-finn.
func (r *Rig) loaFinnLines(now time.Time) ([][]byte, error) {
	arns, err := r.runningTasks()
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(arns))
	for _, a := range arns {
		state := 0.0
		if r.finnOpen[a] {
			state = 2
		}
		out = append(out, sim.BreakerStateLine(now, gateway.LoaFinnBreaker, state))
	}
	return out, nil
}
