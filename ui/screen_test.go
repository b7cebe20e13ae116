package ui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/smithy-go/middleware"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
	"gatewayops/internal/testclock"
	"gatewayops/runbooks"

	"gatewayops/internal/sdkhttp"
)

// billFixture is cwlocal with n bench-shaped alarms (a third each ALARM,
// OK and INSUFFICIENT_DATA once evaluated, one RequestLatency series per
// pool) behind a real SDK client that counts, per alarm, the metrics every
// GetMetricData asks for: what CloudWatch bills.
type billFixture struct {
	cat alarms.Catalog
	src *alarms.Source
	mu  sync.Mutex
	per map[string]int // alarm name -> metrics requested
}

func newBillFixture(t *testing.T, n int, now func() time.Time) *billFixture {
	t.Helper()
	f := &billFixture{per: map[string]int{}}
	modes := []string{"breaching", "notBreaching", "missing"}
	f.cat = alarms.Catalog{Name: "bill"}
	for i := range n {
		f.cat.Alarms = append(f.cat.Alarms, alarms.AlarmDef{
			Name: fmt.Sprintf("arrakis-bench-agent-bench-%04d", i), Severity: "high",
			Metric: &alarms.MetricStat{Namespace: "Arrakis/AgentGateway", MetricName: "RequestLatency",
				Dimensions: []alarms.Dimension{{Name: "poolId", Value: fmt.Sprintf("pool-%04d", i)}}, Stat: "Average", Period: 60},
			ComparisonOperator: "GreaterThanThreshold", Threshold: 1000, EvaluationPeriods: 1, TreatMissingData: modes[i%3],
		})
	}
	svc := cwlocal.New(cwlocal.Config{Now: now})
	if err := svc.ProvisionCatalog(f.cat); err != nil {
		t.Fatal(err)
	}
	svc.EvaluateAll(now())
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(srv.Close)
	cw := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", HTTPClient: sdkhttp.NewClient(), // as alarms.NewClient (decision 34)
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{}, RetryMaxAttempts: 1,
		APIOptions: []func(*middleware.Stack) error{f.count}})
	f.src = alarms.NewSource(cw, "arrakis-bench-")
	return f
}

// count is an SDK middleware: every MetricStat query of a GetMetricData,
// attributed to the alarm of its pool.
func (f *billFixture) count(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("countPerAlarm",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if gmd, ok := in.Parameters.(*cloudwatch.GetMetricDataInput); ok {
				f.mu.Lock()
				for _, q := range gmd.MetricDataQueries {
					if q.MetricStat != nil {
						pool := aws.ToString(q.MetricStat.Metric.Dimensions[0].Value)
						f.per["arrakis-bench-agent-bench-"+strings.TrimPrefix(pool, "pool-")]++
					}
				}
				f.mu.Unlock()
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// take returns the counts since the last take and starts again.
func (f *billFixture) take() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.per
	f.per = map[string]int{}
	return out
}

// refreshOnce is one poll as the running console makes it: Init's or the
// tick's refresh command, its answer applied.
func refreshOnce(t *testing.T, m Model) Model {
	t.Helper()
	m, cmd := poll(t, m)
	if cmd == nil {
		t.Fatal("the poll tick issued no refresh")
	}
	return update(t, m, cmd())
}

// The bill follows the screen (issue 12 item 6): at 1,000 alarms in a
// 200x60 pane, refreshed every 10 s as the console runs (FastStart, lint,
// mute rules), the series of the rows on screen are asked for once per
// period, off-screen OK rows at most once in 10 minutes, however many
// refreshes; after G scrolls to the bottom the OK rows now shown take their
// place (the rows it scrolled away from drop to their 10-minute slot), so
// the console does tell the poller which rows it shows. Each 10 simulated
// minutes stay within the $2/day count (200,000 metrics a day).
func TestMetricsRequestedFollowTheRowsOnScreen(t *testing.T) {
	clk := testclock.New(time.Date(2026, 12, 1, 10, 0, 5, 0, time.UTC))
	f := newBillFixture(t, 1000, clk.Now)
	s := startStack(t, "bench", false)
	p := alarms.NewPoller(f.src, f.cat, alarms.PollerOptions{Lint: true, FastStart: true, ScreenRows: alarms.DefaultScreenRows,
		QuietInterval: 10 * time.Second, AlarmInterval: 10 * time.Second, Now: clk.Now})
	lib, err := runbooks.Default()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBackend(Deps{Poller: p, Runbooks: lib, Runner: s.runner, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	m := New(b, Options{RefreshEvery: 10 * time.Second, NoColor: true, Now: clk.Now})
	m = update(t, m, tea.WindowSizeMsg{Width: 200, Height: 60})
	const perTenMinutes = 200000 * 10 / (24 * 60) // $2/day at $0.01 per 1,000 metrics
	tenMinutes := func() (map[string]int, []string) {
		var shown []string
		for range 60 {
			m = refreshOnce(t, m)
			shown = m.list.rowsShown()
			clk.Advance(10 * time.Second)
		}
		return f.take(), shown
	}
	check := func(phase string, per map[string]int, shown []string) {
		t.Helper()
		total, on := 0, map[string]bool{}
		for _, n := range shown {
			on[n] = true
			if per[n] < 9 || per[n] > 11 {
				t.Errorf("%s: on-screen row %s asked for %d times in 10 minutes, want once per 60 s period (9-11)", phase, n, per[n])
			}
		}
		for name, n := range per {
			total += n
			a, _ := alarmNamed(m.snap.Alarms, name)
			// An OK row off screen waits for its 30-minute slot; a firing one
			// for its 10-minute slot, once more when it just left the screen
			// and a slot began since its last on-screen read.
			if most := map[bool]int{true: 2, false: 1}[a.State == alarms.StateAlarm]; !on[name] && n > most {
				t.Errorf("%s: off-screen %s (%s) asked for %d times in 10 minutes, want at most %d", phase, name, a.State, n, most)
			}
		}
		if total > perTenMinutes {
			t.Errorf("%s: %d metrics requested in 10 minutes, over the $2/day count %d", phase, total, perTenMinutes)
		}
		t.Logf("%s: %d rows on screen, %d metrics requested in 10 minutes (limit %d)", phase, len(shown), total, perTenMinutes)
	}
	top, shownTop := tenMinutes()
	if len(shownTop) < 50 {
		t.Fatalf("a 200x60 pane shows %d rows", len(shownTop))
	}
	check("top of the list", top, shownTop)

	m = update(t, m, press("G"))
	bottom, shownBottom := tenMinutes()
	check("bottom of the list", bottom, shownBottom)
	for _, n := range shownBottom {
		if a, ok := alarmNamed(m.snap.Alarms, n); !ok || a.State != alarms.StateOK {
			t.Fatalf("row %s at the bottom is %v, want an OK alarm", n, a.State)
		}
	}
	for _, n := range shownTop {
		if bottom[n] > 2 {
			t.Errorf("%s, scrolled off screen, still asked for %d times in 10 minutes", n, bottom[n])
		}
	}
}

func alarmNamed(as []alarms.Alarm, name string) (alarms.Alarm, bool) {
	for _, a := range as {
		if a.Name == name {
			return a, true
		}
	}
	return alarms.Alarm{}, false
}

// A drill console wraps the backend to hear about applied steps; what is
// on screen still reaches the live backend's poller.
func TestScreenReachesThePollerUnderTheDrillWrapper(t *testing.T) {
	s := startStack(t, "staging", false)
	if _, ok := reporterOf(drillBackend{Backend: s.backend}); !ok {
		t.Fatal("the drill's wrapper hides SetOnScreen from the console")
	}
	if _, ok := reporterOf(s.backend); !ok {
		t.Fatal("the live backend does not take SetOnScreen")
	}
}
