package alarms_test

import (
	"context"
	"testing"
	"time"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
)

// benchView is 150 alarms and the 11 default panels on cwlocal with an hour of traffic.
func benchView(b *testing.B) (*alarms.Poller, *cwlocal.Service) {
	b.Helper()
	svc, url := cwlocal.StartForTest(b)
	cat := manyAlarms(150)
	if err := svc.ProvisionCatalog(cat); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for m := 60; m >= 1; m-- {
		for _, f := range []string{"baseline", "ensemble", "byok"} {
			if err := svc.IngestEMF(emfLine(gw, now.Add(-time.Duration(m)*time.Minute), [][2]string{{"feature", f}}, "Count", map[string]float64{"RequestCount": 1})); err != nil {
				b.Fatal(err)
			}
		}
	}
	cw, err := cwlocal.NewSDKClient(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	return alarms.NewPoller(alarms.NewSource(cw, "arrakis-test-"), cat, alarms.PollerOptions{SkipMutes: true}), svc
}

// BenchmarkRefresh: one view = 2 DescribeAlarms + 1 GetMetricData.
func BenchmarkRefresh(b *testing.B) {
	p, svc := benchView(b)
	for b.Loop() {
		if snap := p.Refresh(context.Background()); snap.Health[alarms.BackendCloudWatch].Stale {
			b.Fatal(snap.Health[alarms.BackendCloudWatch].LastError)
		}
	}
	b.ReportMetric(float64(svc.Calls()["GetMetricData"])/float64(b.N), "GetMetricData/op")
}

// BenchmarkRefreshPerPanel: the dashboard way, one GetMetricData per sparkline and panel.
func BenchmarkRefreshPerPanel(b *testing.B) {
	p, svc := benchView(b)
	for b.Loop() {
		if _, err := p.RefreshPerPanel(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(svc.Calls()["GetMetricData"])/float64(b.N), "GetMetricData/op")
}
