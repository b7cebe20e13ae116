package cwlocal

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// BenchmarkDecodeEMFJSON is the floor BenchmarkIngestEMF is compared with:
// decoding the same line with encoding/json into a map, and nothing else.
func BenchmarkDecodeEMFJSON(b *testing.B) {
	line := []byte(fmt.Sprintf(benchLine, t0.UnixMilli()))
	b.ReportAllocs()
	for b.Loop() {
		var doc map[string]any
		if err := json.Unmarshal(line, &doc); err != nil {
			b.Fatal(err)
		}
	}
}

const (
	gmdSeries  = 1000 // series stored
	gmdQueries = 500  // queries per GetMetricData (CloudWatch's maximum)
	gmdMinutes = 60   // minutes of data per series, and the query window
)

// gmdFixture stores gmdSeries RequestLatency series (one per poolId, a point a
// minute for an hour) and serves them over HTTP to a real SDK client.
func gmdFixture(b *testing.B) (*cloudwatch.Client, []types.MetricDataQuery) {
	b.Helper()
	s := newTestService()
	for i := range gmdSeries {
		dims := []Dimension{{Name: "poolId", Value: fmt.Sprintf("pool-%04d", i)}}
		data := make([]MetricDatum, 0, gmdMinutes)
		for m := 1; m <= gmdMinutes; m++ {
			v := float64(100 + (i*7+m*13)%900)
			data = append(data, MetricDatum{MetricName: "RequestLatency", Dimensions: dims, Unit: "Milliseconds",
				Timestamp: &Timestamp{t0.Add(-time.Duration(m) * time.Minute)}, Value: &v})
		}
		if err := s.PutMetricData(PutMetricDataInput{Namespace: "Arrakis/AgentGateway", MetricData: data}); err != nil {
			b.Fatal(err)
		}
	}
	srv := httptest.NewServer(s.Handler())
	b.Cleanup(srv.Close)
	cw, _ := NewSDKClient(context.Background(), srv.URL)
	queries := make([]types.MetricDataQuery, gmdQueries)
	for q := range queries { // every second series, so half the store is not asked for
		queries[q] = types.MetricDataQuery{Id: aws.String(fmt.Sprintf("q%d", q)), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String("Arrakis/AgentGateway"), MetricName: aws.String("RequestLatency"),
				Dimensions: []types.Dimension{{Name: aws.String("poolId"), Value: aws.String(fmt.Sprintf("pool-%04d", 2*q))}}},
			Period: aws.Int32(60), Stat: aws.String("p99")}}
	}
	return cw, queries
}

// fetch runs one GetMetricData (following NextToken) and returns the datapoints read.
func fetch(b *testing.B, cw *cloudwatch.Client, queries []types.MetricDataQuery) int {
	in := &cloudwatch.GetMetricDataInput{MetricDataQueries: queries,
		StartTime: aws.Time(t0.Add(-gmdMinutes * time.Minute)), EndTime: aws.Time(t0)}
	points := 0
	for {
		out, err := cw.GetMetricData(context.Background(), in)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range out.MetricDataResults {
			points += len(r.Values)
		}
		if out.NextToken == nil {
			return points
		}
		in.NextToken = out.NextToken
	}
}

// BenchmarkGetMetricData500 is one GetMetricData of 500 p99 queries over a
// store of 1,000 series, through the SDK and HTTP.
func BenchmarkGetMetricData500(b *testing.B) {
	cw, queries := gmdFixture(b)
	points := 0
	for b.Loop() {
		points = fetch(b, cw, queries)
	}
	if points != gmdQueries*gmdMinutes {
		b.Fatalf("read %d datapoints, want %d", points, gmdQueries*gmdMinutes)
	}
	b.ReportMetric(float64(points), "datapoints")
}

// BenchmarkGetMetricData500Single is the baseline: the same 500 queries as
// 500 GetMetricData calls of one query each.
func BenchmarkGetMetricData500Single(b *testing.B) {
	cw, queries := gmdFixture(b)
	points := 0
	for b.Loop() {
		points = 0
		for q := range queries {
			points += fetch(b, cw, queries[q:q+1])
		}
	}
	if points != gmdQueries*gmdMinutes {
		b.Fatalf("read %d datapoints, want %d", points, gmdQueries*gmdMinutes)
	}
	b.ReportMetric(float64(points), "datapoints")
}
