package sim

import (
	"encoding/json"
	"time"
)

// Namespace is where the gateway's emitter publishes (gateway-domain.md 1.1).
const Namespace = "Arrakis/AgentGateway"

// EMFMetric is one {"Name","Unit"} entry of an EMF directive. Every metric
// is high-resolution (StorageResolution 1), unlike the real gateway's, so the
// demo's and the drills' 10 s alarm periods have data (docs/decisions.md 7).
type EMFMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

func (m EMFMetric) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name, Unit        string
		StorageResolution int
	}{m.Name, m.Unit, 1})
}

// EMFLine builds one EMF line in namespace the way the aws-embedded-metrics
// library serialises it: dimension and property root keys, then _aws, then
// one root key per metric. dims lists the root keys of the single dimension
// set. Only a NaN or an infinite value fails. The drills build their
// ElastiCache and log-metric lines with it too.
func EMFLine(at time.Time, namespace string, root map[string]any, dims []string, metrics []EMFMetric, values map[string]float64) ([]byte, error) {
	doc := make(map[string]any, len(root)+len(values)+1)
	for k, v := range root {
		doc[k] = v
	}
	for k, v := range values {
		doc[k] = v
	}
	if dims == nil {
		dims = []string{} // an empty dimension set, not null
	}
	doc["_aws"] = map[string]any{
		"Timestamp": at.UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Dimensions": [][]string{dims},
			"Metrics":    metrics,
			"Namespace":  namespace,
		}},
	}
	return json.Marshal(doc)
}

// emfLine is an EMFLine in the gateway's namespace; a line that cannot be
// encoded (a NaN or infinite value) is dropped.
func emfLine(at time.Time, root map[string]any, dims []string, metrics []EMFMetric, values map[string]float64) []byte {
	b, err := EMFLine(at, Namespace, root, dims, metrics, values)
	if err != nil {
		return nil
	}
	return b
}

// RequestCompleteLine is emitRequestComplete: RequestLatency, RequestCount and,
// for a 5xx, Error5xxCount, with the dimension set [feature].
func RequestCompleteLine(at time.Time, feature string, latencyMs float64, status int, community, pool string) []byte {
	metrics := []EMFMetric{{"RequestLatency", "Milliseconds"}, {"RequestCount", "Count"}}
	values := map[string]float64{"RequestLatency": latencyMs, "RequestCount": 1}
	if status >= 500 {
		metrics = append(metrics, EMFMetric{"Error5xxCount", "Count"})
		values["Error5xxCount"] = 1
	}
	root := map[string]any{"feature": feature, "communityId": community, "poolId": pool, "isStream": false, "statusCode": status}
	return emfLine(at, root, []string{"feature"}, metrics, values)
}

// BreakerStateLine is emitCircuitBreakerState: 0 closed, 1 half-open, 2 open.
func BreakerStateLine(at time.Time, component string, state float64) []byte {
	return emfLine(at, map[string]any{"component": component}, []string{"component"},
		[]EMFMetric{{"CircuitBreakerState", "None"}}, map[string]float64{"CircuitBreakerState": state})
}

// RedisLatencyLine is emitRedisLatency with the dimension set [operation].
func RedisLatencyLine(at time.Time, operation string, ms float64) []byte {
	return emfLine(at, map[string]any{"operation": operation}, []string{"operation"},
		[]EMFMetric{{"RedisLatency", "Milliseconds"}}, map[string]float64{"RedisLatency": ms})
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
		[]EMFMetric{{"ReservationAge", "Milliseconds"}}, map[string]float64{"ReservationAge": ageMs})
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
