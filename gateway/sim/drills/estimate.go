package drills

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gatewayops/alarms"
	"gatewayops/gateway"
	"gatewayops/gateway/sim"
)

// An ensemble is reserved for n calls, n defaulting to 2
// (gateway-domain.md 11), at the cheap pool's estimate per call.
const (
	ensembleReservedCalls = 2
	ensembleCentsPerCall  = 4
)

// ensembleRequest is one ensemble request. While ensemble_enabled is false
// in the runtime flag store it is refused (400 ENSEMBLE_DISABLED). Else it
// reserves for ensembleReservedCalls calls and finalizes what its calls
// really cost, through the real scripts, and publishes what the token
// estimator would if it were wired: TokenEstimateDrift, the estimate's
// error in percent. THE REAL GATEWAY NEVER EMITS TokenEstimateDrift (its
// estimator only logs token_estimate_drift and recordActual has no caller,
// gateway-domain.md 1.2); the drill publishes it in the simulator's EMF
// shape, with the EMF library's default dimensions (no setDimensions).
// EnsembleSavings (reserved minus actual, dimension strategy) goes with it.
func (r *Rig) ensembleRequest(ctx context.Context, now time.Time, enabled bool) ([][]byte, error) {
	if !enabled {
		return [][]byte{sim.RequestCompleteLine(now, "ensemble", 40, 400, rigCommunity, "cheap")}, nil
	}
	calls := ensembleReservedCalls
	r.faults.with(func(f *faultState) {
		if f.ensembleCalls > 0 {
			calls = f.ensembleCalls
		}
	})
	r.probes++
	user, key := "user-ensemble", "ensemble-"+strconv.Itoa(r.probes)
	estimate, actual := int64(ensembleReservedCalls*ensembleCentsPerCall), int64(calls*ensembleCentsPerCall)
	res, err := r.Stack.Store.Reserve(ctx, gateway.ReserveInput{Community: rigCommunity, User: user, IdempotencyKey: key, ModelAlias: "cheap", EstimateCents: estimate})
	if err != nil {
		return nil, fmt.Errorf("ensemble reserve: %w", err)
	}
	if res.Status != gateway.StatusReserved {
		return [][]byte{sim.RequestCompleteLine(now, "ensemble", 40, 402, rigCommunity, "cheap")}, nil
	}
	if _, err := r.Stack.Store.Finalize(ctx, rigCommunity, user, key, actual); err != nil {
		return nil, fmt.Errorf("ensemble finalize: %w", err)
	}
	drift, err := tokenDriftLine(now, r.Stack.Environment, estimate, actual)
	if err != nil {
		return nil, err
	}
	savings, err := sim.EMFLine(now, sim.Namespace, map[string]any{"strategy": "consensus"}, []string{"strategy"},
		[]sim.EMFMetric{{Name: "EnsembleSavings", Unit: "Count"}}, map[string]float64{"EnsembleSavings": float64(estimate - actual)})
	if err != nil {
		return nil, err
	}
	return [][]byte{sim.RequestCompleteLine(now, "ensemble", 900, 200, rigCommunity, "cheap"), drift, savings}, nil
}

// tokenDriftLine is TokenEstimateDrift for one request: |actual-estimate|
// over the estimate, in percent.
func tokenDriftLine(now time.Time, env string, estimate, actual int64) ([]byte, error) {
	pct := 100 * float64(max(actual-estimate, estimate-actual)) / float64(estimate)
	root := sim.DefaultDimensions(env)
	root["communityId"], root["modelAlias"], root["estimated"], root["actual"] = rigCommunity, "cheap", estimate, actual
	return sim.EMFLine(now, sim.Namespace, root, []string{"LogGroup", "ServiceName", "ServiceType"},
		[]sim.EMFMetric{{Name: "TokenEstimateDrift", Unit: "Percent"}}, map[string]float64{"TokenEstimateDrift": pct})
}

// estimateDriftAlarm watches the drill-published TokenEstimateDrift as the
// Terraform's agent-token-estimate-drift does (Average above 100 %), over
// 10 s instead of 15 x 1 min, on the default dimensions the drill
// publishes (the Terraform alarm queries none). No data is no ensemble
// request measured: not breaching.
func estimateDriftAlarm(env string) alarms.AlarmDef {
	dims := []alarms.Dimension{}
	for _, k := range []string{"LogGroup", "ServiceName", "ServiceType"} {
		dims = append(dims, alarms.Dimension{Name: k, Value: fmt.Sprint(sim.DefaultDimensions(env)[k])})
	}
	return alarms.AlarmDef{
		Name:               "arrakis-" + env + "-drill-agent-token-estimate-drift",
		Description:        "drill: TokenEstimateDrift Average above 100 % in a 10 s period. The real gateway never emits TokenEstimateDrift: this drill publishes it",
		Severity:           "high",
		Metric:             &alarms.MetricStat{Namespace: sim.Namespace, MetricName: "TokenEstimateDrift", Dimensions: dims, Stat: "Average", Period: 10},
		ComparisonOperator: "GreaterThanThreshold", Threshold: 100, EvaluationPeriods: 1, TreatMissingData: "notBreaching",
	}
}

// ensembleOverrun is the estimate-drift fault: ensemble is on in staging's
// runtime flags for a test, and consensus requests run 3 rounds of 2
// models (6 calls) on a reservation for 2: each commits 3x its estimate.
func ensembleOverrun(ctx context.Context, r *Rig) error {
	if _, err := r.Stack.Store.SetFlag(ctx, "ensemble_enabled", true); err != nil {
		return err
	}
	r.faults.with(func(f *faultState) { f.ensembleCalls = 6 })
	return nil
}
