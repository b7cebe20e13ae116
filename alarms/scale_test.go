package alarms_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/smithy-go/middleware"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
)

// benchShaped is the catalog `make bench` generates: n alarms on
// RequestLatency, one pool each, no panels. No series are sent, so
// treatMissingData decides the state after an evaluation: a third each
// ALARM (breaching), OK (notBreaching) and INSUFFICIENT_DATA (missing).
func benchShaped(n int) alarms.Catalog {
	modes := []string{"breaching", "notBreaching", "missing"}
	c := alarms.Catalog{Name: fmt.Sprintf("bench-%d", n)}
	for i := range n {
		c.Alarms = append(c.Alarms, alarms.AlarmDef{
			Name: fmt.Sprintf("arrakis-bench-agent-bench-%05d", i), Severity: "high",
			Metric: &alarms.MetricStat{Namespace: gw, MetricName: "RequestLatency",
				Dimensions: []alarms.Dimension{{Name: "poolId", Value: fmt.Sprintf("pool-%05d", i)}}, Stat: "Average", Period: 60},
			ComparisonOperator: "GreaterThanThreshold", Threshold: 1000, EvaluationPeriods: 1,
			TreatMissingData: modes[i%3],
		})
	}
	return c
}

// wireCounter counts, at cwlocal's HTTP handler, every request and the
// MetricDataQueries of every GetMetricData (the metrics CloudWatch bills),
// as an SDK middleware sees them leave the client.
type wireCounter struct {
	requests atomic.Int64
	metrics  atomic.Int64
}

func (w *wireCounter) install(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("countMetrics",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if gmd, ok := in.Parameters.(*cloudwatch.GetMetricDataInput); ok {
				n := 0
				for _, q := range gmd.MetricDataQueries {
					if q.MetricStat != nil {
						n++
					}
				}
				w.metrics.Add(int64(n))
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// scaleFixture is cwlocal (behind a request-counting handler) with a
// bench-shaped catalog of n alarms, evaluated once so the states are set,
// and a real SDK client counting the metrics it requests.
type scaleFixture struct {
	svc  *cwlocal.Service
	cat  alarms.Catalog
	src  *alarms.Source
	wire *wireCounter
}

func newScaleFixture(tb testing.TB, n int, now time.Time) *scaleFixture {
	tb.Helper()
	svc := cwlocal.New(cwlocal.Config{})
	wire := &wireCounter{}
	h := svc.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		wire.requests.Add(1)
		h.ServeHTTP(rw, r)
	}))
	tb.Cleanup(srv.Close)
	cat := benchShaped(n)
	if err := svc.ProvisionCatalog(cat); err != nil {
		tb.Fatal(err)
	}
	svc.EvaluateAll(now)
	cw := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: benchRetryAttempts,
		APIOptions: []func(*middleware.Stack) error{wire.install}})
	return &scaleFixture{svc: svc, cat: cat, src: alarms.NewSource(cw, "arrakis-bench-"), wire: wire}
}

// BenchmarkRefreshScale is one steady-state console refresh (lint and mutes
// on, as the console runs) at 10, 1,000 and 10,000 alarms, after a first
// refresh has filled the caches.
func BenchmarkRefreshScale(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("alarms=%d", n), func(b *testing.B) {
			f := newScaleFixture(b, n, time.Now())
			p := alarms.NewPoller(f.src, f.cat, alarms.PollerOptions{Lint: true})
			p.Refresh(context.Background())
			r0, m0 := f.wire.requests.Load(), f.wire.metrics.Load()
			for b.Loop() {
				if snap := p.Refresh(context.Background()); snap.Health[alarms.BackendCloudWatch].Stale || len(snap.Alarms) != n {
					b.Fatalf("refresh: %d alarms, %+v", len(snap.Alarms), snap.Health)
				}
			}
			b.ReportMetric(float64(f.wire.requests.Load()-r0)/float64(b.N), "calls/op")
			b.ReportMetric(float64(f.wire.metrics.Load()-m0)/float64(b.N), "metrics/op")
		})
	}
}

// diffCalls is after minus before, per operation, without the zeros.
func diffCalls(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for op, n := range after {
		if d := n - before[op]; d != 0 {
			out[op] = d
		}
	}
	return out
}
