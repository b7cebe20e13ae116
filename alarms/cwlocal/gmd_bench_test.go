package cwlocal

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"sort"
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

// The old ring store (a slice of raw points per series, every query
// scanning the ring and sorting a copy of the values for a percentile),
// kept as the baseline of BenchmarkGetMetricData500Store.
type ringPoint struct {
	t                  time.Time
	sum, min, max, cnt float64
	values             []float64
}

type ringStore map[string][]ringPoint

func (r ringStore) p99Series(key string, from, to time.Time, period int) []timeValue {
	type agg struct {
		start  time.Time
		cnt    float64
		values []float64
	}
	buckets := map[int64]*agg{}
	for _, p := range r[key] {
		if p.t.Before(from) || !p.t.Before(to) {
			continue
		}
		k := p.t.Unix() - mod(p.t.Unix(), int64(period))
		b := buckets[k]
		if b == nil {
			b = &agg{start: time.Unix(k, 0).UTC()}
			buckets[k] = b
		}
		b.cnt += p.cnt
		b.values = append(b.values, p.values...)
	}
	out := make([]timeValue, 0, len(buckets))
	for _, b := range buckets {
		v := append([]float64(nil), b.values...)
		sort.Float64s(v)
		out = append(out, timeValue{t: b.start, v: v[max(int(math.Ceil(0.99*float64(len(v)))), 1)-1], count: b.cnt})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].t.Before(out[j].t) })
	return out
}

// storeFixture fills both stores with the data of gmdFixture and compiles
// the same 500 p99 queries.
func storeFixture(b *testing.B) (*Service, ringStore, []compiledQuery) {
	s := newTestService()
	ring := ringStore{}
	var wire []MetricDataQuery
	for i := range gmdSeries {
		dims := []Dimension{{Name: "poolId", Value: fmt.Sprintf("pool-%04d", i)}}
		id := newMetricID("Arrakis/AgentGateway", "RequestLatency", dims)
		var data []MetricDatum
		for m := 1; m <= gmdMinutes; m++ {
			v := float64(100 + (i*7+m*13)%900)
			at := t0.Add(-time.Duration(m) * time.Minute)
			data = append(data, MetricDatum{MetricName: "RequestLatency", Dimensions: dims, Unit: "Milliseconds", Timestamp: &Timestamp{at}, Value: &v})
			ring[id.key()] = append(ring[id.key()], ringPoint{t: at, sum: v, min: v, max: v, cnt: 1, values: []float64{v}})
		}
		if err := s.PutMetricData(PutMetricDataInput{Namespace: "Arrakis/AgentGateway", MetricData: data}); err != nil {
			b.Fatal(err)
		}
		if i%2 == 0 && len(wire) < gmdQueries {
			wire = append(wire, MetricDataQuery{Id: fmt.Sprintf("q%d", i), MetricStat: &MetricStatWire{
				Metric: &Metric{Namespace: id.Namespace, MetricName: id.MetricName, Dimensions: dims}, Period: 60, Stat: "p99"}})
		}
	}
	qs, err := compileQueries(wire, "MetricDataQueries")
	if err != nil {
		b.Fatal(err)
	}
	return s, ring, qs
}

// BenchmarkGetMetricData500Store is the store's half of one GetMetricData of
// 500 p99 queries over 1,000 series (no HTTP); ...RingBaseline is the same
// work on the old ring store, in the same run.
func BenchmarkGetMetricData500Store(b *testing.B) {
	s, _, qs := storeFixture(b)
	from, to := t0.Add(-gmdMinutes*time.Minute), t0
	points := 0
	for b.Loop() {
		s.mu.Lock()
		res := s.runQueries(qs, from, to)
		s.mu.Unlock()
		points = 0
		for _, r := range res {
			points += len(r)
		}
	}
	if points != gmdQueries*gmdMinutes {
		b.Fatalf("%d datapoints, want %d", points, gmdQueries*gmdMinutes)
	}
}

func BenchmarkGetMetricData500RingBaseline(b *testing.B) {
	_, ring, qs := storeFixture(b)
	from, to := t0.Add(-gmdMinutes*time.Minute), t0
	points := 0
	for b.Loop() {
		points = 0
		for _, q := range qs {
			points += len(ring.p99Series(q.id.key(), from, to, q.period))
		}
	}
	if points != gmdQueries*gmdMinutes {
		b.Fatalf("%d datapoints, want %d", points, gmdQueries*gmdMinutes)
	}
}

// BenchmarkStore10000SeriesDay fills 10,000 series with a day of minutes
// through PutMetricData StatisticValues (1,000 datums a request), then runs
// one GetMetricData of 500 Sum queries over the day at 5 min; it reports the
// fill rate, the query time and the RSS (run without -race).
func BenchmarkStore10000SeriesDay(b *testing.B) {
	const series, minutes = 10000, 1440
	for b.Loop() {
		s := newTestService()
		fill := time.Now()
		batch := make([]MetricDatum, 0, 1000)
		for i := range series {
			dims := []Dimension{{Name: "poolId", Value: fmt.Sprintf("pool-%05d", i)}}
			for m := 1; m <= minutes; m++ {
				v := float64(m % 97)
				batch = append(batch, MetricDatum{MetricName: "RequestLatency", Dimensions: dims, Timestamp: &Timestamp{t0.Add(-time.Duration(m) * time.Minute)},
					StatisticValues: &StatisticSet{SampleCount: f(3), Sum: f(3 * v), Minimum: f(v), Maximum: f(v)}})
				if len(batch) == cap(batch) {
					if err := s.PutMetricData(PutMetricDataInput{Namespace: "Arrakis/AgentGateway", MetricData: batch}); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
		}
		b.ReportMetric(float64(series*minutes)/time.Since(fill).Seconds(), "datums/s")
		var wire []MetricDataQuery
		for q := range gmdQueries {
			wire = append(wire, MetricDataQuery{Id: fmt.Sprintf("q%d", q), MetricStat: &MetricStatWire{Period: 300, Stat: "Sum",
				Metric: &Metric{Namespace: "Arrakis/AgentGateway", MetricName: "RequestLatency", Dimensions: []Dimension{{Name: "poolId", Value: fmt.Sprintf("pool-%05d", q*20)}}}}})
		}
		qs, err := compileQueries(wire, "MetricDataQueries")
		if err != nil {
			b.Fatal(err)
		}
		query := time.Now()
		s.mu.Lock()
		res := s.runQueries(qs, t0.Add(-24*time.Hour), t0)
		s.mu.Unlock()
		b.ReportMetric(float64(time.Since(query).Milliseconds()), "GetMetricData500-ms")
		// The day is longer than the 5 min tier keeps: its oldest part sits
		// in 1 h buckets, so the points and their total follow from the
		// retention's boundaries (not from the 5 min tier alone).
		wantN, wantSum := dayExpect(s.Retention(), t0.Add(-24*time.Hour), minutes)
		n, sum := len(res["q0"]), 0.0
		for _, p := range res["q0"] {
			sum += p.v
		}
		if n != wantN || sum != wantSum {
			b.Fatalf("%d five-minute points summing to %g, want %d summing to %g", n, sum, wantN, wantSum)
		}
		st := s.Stats()
		b.ReportMetric(float64(st.AccountedBytes)/(1<<20), "accounted-MiB")
	}
	b.ReportMetric(rssMiB(), "RSS-MiB")
}

// dayExpect is what a 5 min Sum query over [from, t0) answers for pool 0 of
// BenchmarkStore10000SeriesDay, derived from the retention's boundaries: a
// minute's sample lands in the finest tier whose window still covers its
// bucket (60 s, else 5 min, else 1 h), each bucket gives the period it
// starts in, and a bucket starting before from is not read (the oldest
// hour begins before the window).
func dayExpect(r Retention, from time.Time, minutes int) (points int, sum float64) {
	periods := map[int64]bool{}
	for m := 1; m <= minutes; m++ {
		at := t0.Add(-time.Duration(m) * time.Minute)
		start := at
		for _, tr := range []struct{ res, keep time.Duration }{{time.Minute, r.Minute}, {5 * time.Minute, r.FiveMinutes}, {time.Hour, r.Hour}} {
			start = at.Truncate(tr.res)
			if start.Add(tr.res).After(t0.Add(-tr.keep)) {
				break
			}
		}
		if start.Before(from) {
			continue
		}
		periods[start.Truncate(5*time.Minute).Unix()] = true
		sum += float64(3 * (m % 97))
	}
	return len(periods), sum
}
