package sim

import (
	"encoding/json"
	"time"
)

// Namespace is where the gateway's emitter publishes (gateway-domain.md 1.1).
const Namespace = "Arrakis/AgentGateway"

// emfMetric is one {"Name","Unit"} entry of an EMF directive. Every metric
// is high-resolution (StorageResolution 1), unlike the real gateway's, so the
// demo's 10 s alarm periods have data (docs/decisions.md 7).
type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

func (m emfMetric) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name, Unit        string
		StorageResolution int
	}{m.Name, m.Unit, 1})
}

// emfLine builds one EMF line the way the aws-embedded-metrics library
// serialises it: dimension and property root keys, then _aws, then one root
// key per metric. dims lists the root keys of the single dimension set.
func emfLine(at time.Time, root map[string]any, dims []string, metrics []emfMetric, values map[string]float64) []byte {
	doc := make(map[string]any, len(root)+len(values)+1)
	for k, v := range root {
		doc[k] = v
	}
	for k, v := range values {
		doc[k] = v
	}
	doc["_aws"] = map[string]any{
		"Timestamp": at.UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Dimensions": [][]string{dims},
			"Metrics":    metrics,
			"Namespace":  Namespace,
		}},
	}
	b, err := json.Marshal(doc)
	if err != nil { // only a NaN or infinite value can fail; such a line is dropped
		return nil
	}
	return b
}

// RequestCompleteLine is emitRequestComplete: RequestLatency, RequestCount and,
// for a 5xx, Error5xxCount, with the dimension set [feature].
func RequestCompleteLine(at time.Time, feature string, latencyMs float64, status int, community, pool string) []byte {
	metrics := []emfMetric{{"RequestLatency", "Milliseconds"}, {"RequestCount", "Count"}}
	values := map[string]float64{"RequestLatency": latencyMs, "RequestCount": 1}
	if status >= 500 {
		metrics = append(metrics, emfMetric{"Error5xxCount", "Count"})
		values["Error5xxCount"] = 1
	}
	root := map[string]any{"feature": feature, "communityId": community, "poolId": pool, "isStream": false, "statusCode": status}
	return emfLine(at, root, []string{"feature"}, metrics, values)
}

// BreakerStateLine is emitCircuitBreakerState: 0 closed, 1 half-open, 2 open.
func BreakerStateLine(at time.Time, component string, state float64) []byte {
	return emfLine(at, map[string]any{"component": component}, []string{"component"},
		[]emfMetric{{"CircuitBreakerState", "None"}}, map[string]float64{"CircuitBreakerState": state})
}

// RedisLatencyLine is emitRedisLatency with the dimension set [operation].
func RedisLatencyLine(at time.Time, operation string, ms float64) []byte {
	return emfLine(at, map[string]any{"operation": operation}, []string{"operation"},
		[]emfMetric{{"RedisLatency", "Milliseconds"}}, map[string]float64{"RedisLatency": ms})
}

// DefaultDimensions are the root keys the EMF library adds when no
// setDimensions call was made (ReservationAge, FinalizeFailure) in ECS.
func DefaultDimensions(env string) map[string]any {
	return map[string]any{
		"LogGroup":    "/ecs/arrakis-" + env + "/api",
		"ServiceName": "arrakis-" + env + "-api",
		"ServiceType": "AWS::ECS::Container",
	}
}

func defaultDimensionSet() []string { return []string{"LogGroup", "ServiceName", "ServiceType"} }

// ReservationAgeLine is emitReservationAge (the reaper's oldest reservation
// age) under the library's default dimension set.
func ReservationAgeLine(at time.Time, env string, ageMs float64) []byte {
	return emfLine(at, DefaultDimensions(env), defaultDimensionSet(),
		[]emfMetric{{"ReservationAge", "Milliseconds"}}, map[string]float64{"ReservationAge": ageMs})
}

// BreakerStateValue maps a stored breaker state to the metric's encoding.
func BreakerStateValue(state string) float64 {
	switch state {
	case "open":
		return 2
	case "half-open":
		return 1
	default:
		return 0
	}
}
