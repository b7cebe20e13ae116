package alarms_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/smithy-go/middleware"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"

	"gatewayops/internal/sdkhttp"
)

// queryCounter counts the MetricDataQueries of every GetMetricData the SDK
// client sends: the metrics one refresh asks CloudWatch for (each query is
// billed as one metric requested).
type queryCounter struct{ n atomic.Int64 }

func (q *queryCounter) install(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("benchCountQueries",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if gmd, ok := in.Parameters.(*cloudwatch.GetMetricDataInput); ok {
				q.n.Add(int64(len(gmd.MetricDataQueries)))
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// benchRetryAttempts is the SDK's default number of attempts: a
// rare "use of closed network connection" while reading a 200 answer
// (aws/aws-sdk-go-v2#2737) would otherwise abort a whole benchmark run. A
// retry is one more call cwlocal counts, so it shows in calls/op.
const benchRetryAttempts = 3

// countedView is the refresh benchmarks' fixture (150 alarms, 11 panels, an hour of
// traffic on cwlocal) with an SDK client that counts the metrics requested.
func countedView(b *testing.B) (*alarms.Poller, *cwlocal.Service, *queryCounter) {
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
	q := &queryCounter{}
	cw := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", HTTPClient: sdkhttp.NewClient(), // as alarms.NewClient (decision 34)
		BaseEndpoint: aws.String(url),
		Credentials:  aws.AnonymousCredentials{}, RetryMaxAttempts: benchRetryAttempts,
		APIOptions: []func(*middleware.Stack) error{q.install}})
	return alarms.NewPoller(alarms.NewSource(cw, "arrakis-test-"), cat, alarms.PollerOptions{SkipMutes: true}), svc, q
}

// reportCalls reports, per refresh, every CloudWatch call cwlocal answered,
// the GetMetricData calls among them and the metrics requested.
func reportCalls(b *testing.B, svc *cwlocal.Service, q *queryCounter) {
	total := 0
	for _, n := range svc.Calls() {
		total += n
	}
	n := float64(b.N)
	b.ReportMetric(float64(total)/n, "calls/op")
	b.ReportMetric(float64(svc.Calls()["GetMetricData"])/n, "GetMetricData/op")
	b.ReportMetric(float64(q.n.Load())/n, "metrics/op")
}

// BenchmarkRefreshCounted is one poller refresh, with its calls and metrics.
func BenchmarkRefreshCounted(b *testing.B) {
	p, svc, q := countedView(b)
	for b.Loop() {
		if snap := p.Refresh(context.Background()); snap.Health[alarms.BackendCloudWatch].Stale {
			b.Fatal(snap.Health[alarms.BackendCloudWatch].LastError)
		}
	}
	reportCalls(b, svc, q)
}

// BenchmarkRefreshPerPanelCounted is the per-panel baseline on the same fixture.
func BenchmarkRefreshPerPanelCounted(b *testing.B) {
	p, svc, q := countedView(b)
	for b.Loop() {
		if _, err := p.RefreshPerPanel(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	reportCalls(b, svc, q)
}
