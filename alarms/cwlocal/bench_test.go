package cwlocal

import (
	"fmt"
	"os"
	"strconv"
	"strings"
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

// BenchmarkFlood1MEMFLines is the Done-when flood at full size: 1,000,000
// EMF lines into one series over 30 simulated minutes, every minute's
// SampleCount checked exact, with the process RSS after (run without -race).
func BenchmarkFlood1MEMFLines(b *testing.B) {
	const lines = 1000000
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for b.Loop() {
		now := start
		s := clockService(Config{}, &now)
		step := 30 * time.Minute / lines
		for i := range lines {
			now = start.Add(time.Duration(i) * step)
			if err := s.IngestEMF(emfAt(now, "Arrakis/AgentGateway", "RequestLatency", float64(i%997), false)); err != nil {
				b.Fatal(err)
			}
		}
		id := newMetricID("Arrakis/AgentGateway", "RequestLatency", []Dimension{{Name: "feature", Value: "baseline"}})
		cnt := statOf(s, id, start, now.Add(time.Minute), 60, Statistic{Name: "SampleCount"})
		total := 0.0
		for _, c := range cnt {
			total += c.v
		}
		if len(cnt) != 30 || total != lines {
			b.Fatalf("%d minutes, %v samples", len(cnt), total)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(rssMiB(), "RSS-MiB")
}

// rssMiB is this process's resident set size from /proc (0 elsewhere).
func rssMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
