package alarms_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/middleware"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
	"gatewayops/internal/testclock"

	"gatewayops/internal/sdkhttp"
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
	cw   *cloudwatch.Client
	src  *alarms.Source
	wire *wireCounter
}

// newScaleFixture provisions and evaluates the alarms at now(), cwlocal's
// clock (its history timestamps) as well as the poller's in the tests.
func newScaleFixture(tb testing.TB, n int, now func() time.Time) *scaleFixture {
	tb.Helper()
	svc := cwlocal.New(cwlocal.Config{Now: now})
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
	svc.EvaluateAll(now())
	cw := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", HTTPClient: sdkhttp.NewClient(), // as alarms.NewClient (decision 34)
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{}, RetryMaxAttempts: benchRetryAttempts,
		APIOptions: []func(*middleware.Stack) error{wire.install}})
	return &scaleFixture{svc: svc, cat: cat, cw: cw, src: alarms.NewSource(cw, "arrakis-bench-"), wire: wire}
}

// steadyPoller is the console's poller over f after the sweep and the read
// of the provisioning's history have filled its caches, with the 60 rows on
// screen passed by SetOnScreen as the console passes the rows it drew
// (without it the poller ranks every alarm twice a refresh to guess them,
// which the console never makes it do); and its last snapshot.
func steadyPoller(f *scaleFixture) (*alarms.Poller, alarms.Snapshot) {
	p := alarms.NewPoller(f.src, f.cat, alarms.PollerOptions{Lint: true, ScreenRows: 60})
	p.Refresh(context.Background())         // the sweep
	snap := p.Refresh(context.Background()) // the history of the alarms just provisioned
	shown := slices.Clone(snap.Alarms)
	slices.SortFunc(shown, func(a, b alarms.Alarm) int {
		if alarms.DisplayLess(a, b) {
			return -1
		}
		return 1
	})
	var rows []string
	for _, a := range shown[:min(60, len(shown))] {
		rows = append(rows, a.Name)
	}
	p.SetOnScreen(rows, false)
	return p, snap
}

// BenchmarkRefreshScale is one steady-state console refresh (lint and mutes
// on, as the console runs) at 10, 1,000 and 10,000 alarms, after the sweep
// and the read of the provisioning's history have filled the caches, with
// the 60 rows on screen (steadyPoller).
func BenchmarkRefreshScale(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("alarms=%d", n), func(b *testing.B) {
			f := newScaleFixture(b, n, time.Now)
			p, _ := steadyPoller(f)
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

// BenchmarkRefreshScaleChanging is BenchmarkRefreshScale with an alarm off
// screen changing state before every refresh (cwlocal's own Go call,
// neither counted nor timed): each refresh then reads it by name with the rows
// on screen and hands out a new list, the one copy a changed refresh makes
// (decisions.md 145), where an unchanged one hands out the last list again.
func BenchmarkRefreshScaleChanging(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("alarms=%d", n), func(b *testing.B) {
			f := newScaleFixture(b, n, time.Now)
			p, snap := steadyPoller(f)
			k := len(snap.Alarms) - 1 // the last by name that is OK: off screen (the screen is ALARMs)
			for snap.Alarms[k].State != alarms.StateOK {
				k--
			}
			name, prev := snap.Alarms[k].Name, time.Time{}
			states := [2]string{"ALARM", "OK"}
			r0 := f.wire.requests.Load()
			for i := 0; b.Loop(); i++ {
				// History's precision is a millisecond and the poller's mark
				// is exclusive: one change a millisecond at most.
				at := time.Now()
				if !at.After(prev.Add(time.Millisecond)) {
					at = prev.Add(time.Millisecond)
				}
				prev = at
				b.StopTimer() // cwlocal's own work (it re-evaluates every composite), not the poller's
				if err := f.svc.SetAlarmStateAt(name, states[i%2], "bench", "", at); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				snap := p.Refresh(context.Background())
				if got := snap.Alarms[k]; snap.Health[alarms.BackendCloudWatch].Stale || string(got.State) != states[i%2] {
					b.Fatalf("refresh %d: %s is %s, want %s (%+v)", i, got.Name, got.State, states[i%2], snap.Health)
				}
			}
			b.ReportMetric(float64(f.wire.requests.Load()-r0)/float64(b.N), "calls/op")
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

// refreshCounts is what one refresh cost at the wire: cwlocal's per-operation
// request counts and the metrics the SDK client asked for.
type refreshCounts struct {
	calls   map[string]int
	metrics int
}

func (f *scaleFixture) refresh(t testing.TB, p *alarms.Poller) (alarms.Snapshot, refreshCounts) {
	t.Helper()
	before, m0 := f.svc.Calls(), f.wire.metrics.Load()
	snap := p.Refresh(context.Background())
	if h := snap.Health[alarms.BackendCloudWatch]; h.Stale {
		t.Fatalf("refresh failed: %s", h.LastError)
	}
	return snap, refreshCounts{calls: diffCalls(before, f.svc.Calls()), metrics: int(f.wire.metrics.Load() - m0)}
}

func pages(n int) int { return (n + 99) / 100 }

// The console's refresh at 1,000 and 10,000 alarms, lint and mutes on, in
// a 200x60 pane (60 rows on screen), counted at cwlocal's handler and at the
// SDK. The first sweeps the prefix by state and asks for the 60 rows' series.
// The next, in the same period, reads the account's history since then (one
// page: nothing changed) and the 60 rows on screen by name (one call), so it
// costs the same at 10,000 alarms as at 1,000, and asks for no metric beyond
// the off-screen trickle (twice a tenth of the firing and a thirtieth of the
// rest per minute, scaled to 10 s, bounds the hash's unevenness). An alarm
// off screen that changes state is read by name at the next refresh. After
// the period boundary the 60 rows' series are due again.
func TestRefreshCallsAndMetricsAt1000And10000Alarms(t *testing.T) {
	for _, n := range []int{1000, 10000} {
		t.Run(fmt.Sprintf("alarms=%d", n), func(t *testing.T) {
			t0 := time.Date(2026, 12, 1, 10, 0, 5, 0, time.UTC)
			clock := testclock.New(t0.Add(-5 * time.Minute))
			f := newScaleFixture(t, n, clock.Now)
			clock.Set(t0)
			p := alarms.NewPoller(f.src, f.cat, alarms.PollerOptions{Lint: true, ScreenRows: 60, Now: clock.Now})
			firing, ok := (n+2)/3, n-(n+2)/3
			perState := pages(firing) + 2*pages((n-firing)/2)

			snap, c := f.refresh(t, p)
			want := map[string]int{"DescribeAlarms": perState, "GetMetricData": 1, "ListAlarmMuteRules": 1, "ListMetrics": 1}
			if len(snap.Alarms) != n || !equalCalls(c.calls, want) || c.metrics != 60 {
				t.Fatalf("first refresh: %d alarms, calls %v (want %v), metrics %d (want 60)", len(snap.Alarms), c.calls, want, c.metrics)
			}
			clock.Advance(10 * time.Second)
			snap, c = f.refresh(t, p)
			trickle := 2*(firing-60)/60 + 2*ok/180 + 2
			if len(snap.Alarms) != n || c.calls["DescribeAlarmHistory"] != 1 || c.calls["DescribeAlarms"] != 1 || c.calls["ListAlarmMuteRules"] != 1 ||
				c.calls["ListMetrics"] != 0 || c.calls["GetMetricData"] > 1 || c.metrics > trickle {
				t.Fatalf("refresh in the same period: %d alarms, calls %v (want 1 DescribeAlarmHistory, 1 DescribeAlarms, 1 ListAlarmMuteRules, at most 1 GetMetricData), metrics %d (want 0..%d)",
					len(snap.Alarms), c.calls, c.metrics, trickle)
			}

			i := len(snap.Alarms) - 1 // the last OK alarm by name: off screen (the screen is ALARMs)
			for snap.Alarms[i].State != alarms.StateOK {
				i--
			}
			last := snap.Alarms[i]
			clock.Advance(10 * time.Second)
			if _, err := f.cw.SetAlarmState(context.Background(), &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(last.Name),
				StateValue: types.StateValueAlarm, StateReason: aws.String("test")}); err != nil {
				t.Fatal(err)
			}
			snap, c = f.refresh(t, p)
			got := snap.Alarms[i]
			if got.Name != last.Name || got.State != alarms.StateAlarm || c.calls["DescribeAlarmHistory"] != 1 || c.calls["DescribeAlarms"] != 1 {
				t.Fatalf("after SetAlarmState of %s (%s): %s is %s, calls %v (want ALARM, 1 history page, 1 DescribeAlarms)", last.Name, last.State, got.Name, got.State, c.calls)
			}

			clock.Set(t0.Truncate(time.Minute).Add(time.Minute))
			_, c = f.refresh(t, p)
			bound := 60 + 2*(firing-60)/10 + 2*ok/30
			if c.calls["GetMetricData"] != pages5(c.metrics) || c.metrics < 60 || c.metrics > bound {
				t.Fatalf("refresh after the period boundary: calls %v, metrics %d (want 60..%d)", c.calls, c.metrics, bound)
			}
		})
	}
}

func pages5(metrics int) int { return (metrics + 499) / 500 }

func equalCalls(got, want map[string]int) bool {
	if len(got) != len(want) {
		return false
	}
	for op, n := range want {
		if got[op] != n {
			return false
		}
	}
	return true
}

// maxMetricsPer10Min is $2/day at $0.01 per 1,000 metrics, over 10 minutes
// (1,388.9, rounded down).
func maxMetricsPer10Min() int {
	perDay := 2.0 / alarms.CostPerMetricUSD
	return int(perDay * 10 / (24 * 60))
}

// The goal: at 1,000 alarms (a third of them in ALARM) in a 200x60
// pane, refreshed every 10 s, GetMetricData costs at most $2/day, counted as
// the metrics requested over 10 simulated minutes: the first ten (every
// first fetch included) and ten in the steady state, half an hour later.
// The header's running $/day figure agrees.
func TestMetricsRequestedAt1000AlarmsOver10MinutesStayUnder2USDPerDay(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 5, 0, time.UTC)
	clock := t0.Add(-5 * time.Minute)
	now := func() time.Time { return clock }
	f := newScaleFixture(t, 1000, now)
	p := alarms.NewPoller(f.src, f.cat, alarms.PollerOptions{ScreenRows: 60, Now: now, SkipMutes: true})
	window := func(from time.Time) (int, float64) {
		clock = from
		m0 := f.wire.metrics.Load()
		var snap alarms.Snapshot
		for ; !clock.After(from.Add(10 * time.Minute)); clock = clock.Add(10 * time.Second) {
			snap, _ = f.refresh(t, p)
		}
		return int(f.wire.metrics.Load() - m0), snap.Health[alarms.BackendCloudWatch].CostPerDayUSD
	}
	first, _ := window(t0)
	clock = t0.Add(30*time.Minute - 10*time.Second)
	f.refresh(t, p) // the catch-up after the pause: everything once
	steady, perDay := window(t0.Add(30 * time.Minute))
	for _, w := range []struct {
		name string
		n    int
	}{{"first 10 minutes", first}, {"10 steady minutes", steady}} {
		if w.n > maxMetricsPer10Min() || w.n < 600 {
			t.Errorf("%s: %d metrics requested, want 600 (60 rows on screen x 10 periods) .. %d ($2/day)", w.name, w.n, maxMetricsPer10Min())
		}
	}
	if perDay <= 0 || perDay > 2 {
		t.Errorf("running cost = $%.2f/day, want (0, 2]", perDay)
	}
	t.Logf("metrics requested: first 10 min %d, steady 10 min %d (limit %d); running $%.2f/day", first, steady, maxMetricsPer10Min(), perDay)
}

// FastStart (the console's first refresh): the list with states comes from
// the catalog's names alone, ten AlarmNames batches of 100 at 1,000 alarms
// and the mute rules, with no GetMetricData, ListMetrics or prefix sweep in
// front of the first frame; NextDelay asks for the rest at once, and the
// follow-up sweeps, asks for the rows on screen and lints.
func TestFastStartListsFirstAndFetchesTheRestNext(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 5, 0, time.UTC)
	f := newScaleFixture(t, 1000, func() time.Time { return t0 })
	p := alarms.NewPoller(f.src, f.cat, alarms.PollerOptions{Lint: true, FastStart: true, ScreenRows: 60, QuietInterval: 30 * time.Second,
		Now: func() time.Time { return t0 }})
	snap, c := f.refresh(t, p)
	if want := map[string]int{"DescribeAlarms": 10, "ListAlarmMuteRules": 1}; !equalCalls(c.calls, want) || c.metrics != 0 || len(snap.Alarms) != 1000 {
		t.Fatalf("first refresh: %d alarms, calls %v (want %v), metrics %d", len(snap.Alarms), c.calls, want, c.metrics)
	}
	if snap.InAlarm() != 334 {
		t.Fatalf("first refresh: %d in ALARM, want 334", snap.InAlarm())
	}
	if d := p.NextDelay(snap); d > 100*time.Millisecond {
		t.Fatalf("after a FastStart refresh the next is in %s, want at once", d)
	}
	snap, c = f.refresh(t, p)
	if want := map[string]int{"DescribeAlarms": 12, "GetMetricData": 1, "ListAlarmMuteRules": 1, "ListMetrics": 1}; !equalCalls(c.calls, want) || c.metrics != 60 {
		t.Fatalf("follow-up: calls %v (want %v), metrics %d (want 60)", c.calls, want, c.metrics)
	}
	if d := p.NextDelay(snap); d != 10*time.Second {
		t.Fatalf("after the follow-up the next is in %s, want the alarm interval", d)
	}
}

// BenchmarkFirstRefresh is the console's first refresh (what stands between
// start-up and the first list with states) at 10 and 1,000 alarms: a fresh
// poller each time, complete or FastStart (AlarmNames batches only).
func BenchmarkFirstRefresh(b *testing.B) {
	for _, n := range []int{10, 1000} {
		for _, fast := range []bool{false, true} {
			b.Run(fmt.Sprintf("alarms=%d/fast=%v", n, fast), func(b *testing.B) {
				f := newScaleFixture(b, n, time.Now)
				for b.Loop() {
					p := alarms.NewPoller(f.src, f.cat, alarms.PollerOptions{Lint: true, FastStart: fast, ScreenRows: 60})
					if snap := p.Refresh(context.Background()); len(snap.Alarms) != n {
						b.Fatalf("first refresh: %d alarms, %+v", len(snap.Alarms), snap.Health)
					}
				}
			})
		}
	}
}

// A catalog whose names are not under the source's prefix (another
// environment's) gives FastStart nothing to read by name: it sweeps at once.
func TestFastStartSweepsWhenNoCatalogNameIsUnderThePrefix(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 5, 0, time.UTC)
	f := newScaleFixture(t, 10, func() time.Time { return t0 })
	src := alarms.NewSource(f.cw, "arrakis-bench-agent-")
	other := benchShaped(10)
	for i := range other.Alarms {
		other.Alarms[i].Name = "arrakis-prod-" + other.Alarms[i].Name
	}
	p := alarms.NewPoller(src, other, alarms.PollerOptions{FastStart: true, SkipMutes: true, Now: func() time.Time { return t0 }})
	if snap := p.Refresh(context.Background()); len(snap.Alarms) != 10 {
		t.Fatalf("first refresh: %d alarms, want the 10 under the prefix", len(snap.Alarms))
	}
}
