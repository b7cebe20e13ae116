package drills

import (
	"encoding/json"
	"time"
)

// metricUnit is one {"Name","Unit"} entry of an EMF directive.
type metricUnit struct{ Name, Unit string }

// emfLine is one EMF line as the aws-embedded-metrics library writes it
// (gateway/sim's shape), for metrics gateway/sim has no builder for: the
// root keys, one dimension set, every metric high-resolution so the drill
// catalog's 10 s periods have data. Only a NaN or an infinity fails.
func emfLine(at time.Time, namespace string, root map[string]any, dims []string, metrics []metricUnit, values map[string]float64) ([]byte, error) {
	doc := make(map[string]any, len(root)+len(values)+1)
	for k, v := range root {
		doc[k] = v
	}
	for k, v := range values {
		doc[k] = v
	}
	defs := make([]map[string]any, len(metrics))
	for i, m := range metrics {
		defs[i] = map[string]any{"Name": m.Name, "Unit": m.Unit, "StorageResolution": 1}
	}
	if dims == nil {
		dims = []string{}
	}
	doc["_aws"] = map[string]any{"Timestamp": at.UnixMilli(), "CloudWatchMetrics": []any{map[string]any{
		"Namespace": namespace, "Dimensions": [][]string{dims}, "Metrics": defs,
	}}}
	return json.Marshal(doc)
}
