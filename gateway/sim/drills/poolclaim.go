package drills

import (
	"context"
	"encoding/json"
	"time"

	"gatewayops/alarms"
	"gatewayops/gateway"
	"gatewayops/gateway/sim"
)

// DrillAlarms are the drill catalog's own alarms, for incidents the demo
// catalog has no alarm for; their names carry "drill-" so nobody takes
// them for the Terraform alarms.
func DrillAlarms(env string) alarms.Catalog {
	return alarms.Catalog{Name: "drill", Alarms: append([]alarms.AlarmDef{loaFinnAlarm(env), estimateDriftAlarm(env), workerFinalizeAlarm(env), {
		Name:        "arrakis-" + env + "-drill-pool-claim-rejects",
		Description: "drill: PoolClaimReject (pool_id=reasoning) above 0 in a 10 s period: reject-mode rejections of mismatched pool claims",
		Severity:    "medium",
		Metric: &alarms.MetricStat{Namespace: sim.Namespace, MetricName: "PoolClaimReject",
			Dimensions: []alarms.Dimension{{Name: "pool_id", Value: "reasoning"}}, Stat: "Sum", Period: 10},
		ComparisonOperator: "GreaterThanThreshold", Threshold: 0, EvaluationPeriods: 1,
		// Emitted only on a rejection: no data is no rejection.
		TreatMissingData: "notBreaching",
	}}, redisAlarms(env)...)}
}

// graduateEarly is the pool-claim fault: enforcement set to reject while
// one request a tick still carries a pool claim that does not match.
func graduateEarly(ctx context.Context, r *Rig) error {
	if _, err := r.Stack.Store.SetEnforcement(ctx, gateway.EnforcementReject); err != nil {
		return err
	}
	r.mismatches = 1
	return nil
}

// poolClaimLines is emitPoolClaimEvent for this tick's mismatched claims:
// PoolClaimReject in reject mode, PoolClaimMismatch in warn mode, with the
// dimension set [pool_id].
func (r *Rig) poolClaimLines(ctx context.Context, now time.Time) ([][]byte, error) {
	if r.mismatches == 0 {
		return nil, nil
	}
	mode, err := r.Stack.Store.Enforcement(ctx)
	if err != nil {
		return nil, err
	}
	metric := "PoolClaimMismatch"
	if mode.Mode == gateway.EnforcementReject {
		metric = "PoolClaimReject"
	}
	var out [][]byte
	for range r.mismatches {
		b, err := json.Marshal(map[string]any{
			"pool_id": "reasoning", metric: 1,
			"_aws": map[string]any{"Timestamp": now.UnixMilli(), "CloudWatchMetrics": []any{map[string]any{
				"Namespace": sim.Namespace, "Dimensions": [][]string{{"pool_id"}},
				"Metrics": []any{map[string]any{"Name": metric, "Unit": "Count", "StorageResolution": 1}},
			}}},
		})
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}
