package cwlocal

import (
	"fmt"
	"testing"
	"time"

	"gatewayops/alarms"
)

const benchLine = `{"feature":"baseline","communityId":"6f1c","poolId":"cheap","isStream":false,"statusCode":502,"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Dimensions":[["feature"]],"Metrics":[{"Name":"RequestLatency","Unit":"Milliseconds"},{"Name":"RequestCount","Unit":"Count"},{"Name":"Error5xxCount","Unit":"Count"}],"Namespace":"Arrakis/AgentGateway"}]},"RequestLatency":1834,"RequestCount":1,"Error5xxCount":1}`

func BenchmarkIngestEMF(b *testing.B) {
	s := newTestService()
	line := []byte(fmt.Sprintf(benchLine, t0.UnixMilli()))
	b.ReportAllocs()
	for b.Loop() {
		if err := s.IngestEMF(line); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateFullRing evaluates the error-rate math alarm over series
// whose rings are full (10,080 points each: a week of minutes).
func BenchmarkEvaluateFullRing(b *testing.B) {
	s := newTestService()
	for i := range 10080 { // a week of minutes
		at := t0.Add(-time.Duration(i) * time.Minute)
		line := []byte(fmt.Sprintf(benchLine, at.UnixMilli()))
		if err := s.IngestEMF(line); err != nil {
			b.Fatal(err)
		}
	}
	def := errorRateAlarm(3)
	for i := range def.Metrics[:2] {
		def.Metrics[i].Metric.Dimensions = []alarms.Dimension{{Name: "feature", Value: "baseline"}}
	}
	if err := s.ProvisionCatalog(alarms.Catalog{Alarms: []alarms.AlarmDef{def}}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.EvaluateAll(t0)
	}
	if st, _, _ := state(s, def.Name); st != StateAlarm {
		b.Fatalf("state %s, want ALARM (100%% errors)", st)
	}
}
