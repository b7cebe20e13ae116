package alarms_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
)

// emfLine writes one EMF line shaped like the gateway's emitter (gateway-domain.md 1.3):
// dimension keys at the root, _aws metadata, then one root key per metric.
func emfLine(ns string, at time.Time, dims [][2]string, unit string, metrics map[string]float64) []byte {
	var b strings.Builder
	b.WriteString("{")
	names := make([]string, 0, len(dims))
	for _, d := range dims {
		fmt.Fprintf(&b, "%q:%q,", d[0], d[1])
		names = append(names, fmt.Sprintf("%q", d[0]))
	}
	var defs []string
	for name := range metrics {
		defs = append(defs, fmt.Sprintf(`{"Name":%q,"Unit":%q}`, name, unit))
	}
	fmt.Fprintf(&b, `"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":%q,"Dimensions":[[%s]],"Metrics":[%s]}]}`,
		at.UnixMilli(), ns, strings.Join(names, ","), strings.Join(defs, ","))
	for name, v := range metrics {
		fmt.Fprintf(&b, ",%q:%v", name, v)
	}
	b.WriteString("}")
	return []byte(b.String())
}

const gw = "Arrakis/AgentGateway"

// defaultDims is the EMF library's default set, with the values the default catalog expects.
func defaultDims(env string) [][2]string {
	return [][2]string{{"LogGroup", "/ecs/arrakis-" + env + "/api"}, {"ServiceName", "arrakis-" + env + "-api"}, {"ServiceType", "AWS::ECS::Container"}}
}

// gatewayTraffic ingests what the gateway's emitter would publish over the last
// ten minutes: every metric of gateway-domain.md 1.2 with its real dimension set.
func gatewayTraffic(t *testing.T, svc *cwlocal.Service, env string, now time.Time, breaker float64) {
	t.Helper()
	ingest := func(line []byte) {
		t.Helper()
		if err := svc.IngestEMF(line); err != nil {
			t.Fatalf("ingest %s: %v", line, err)
		}
	}
	for m := 10; m >= 1; m-- {
		at := now.Add(-time.Duration(m) * time.Minute)
		for _, f := range []string{"baseline", "ensemble", "byok"} {
			ingest(emfLine(gw, at, [][2]string{{"feature", f}}, "Milliseconds", map[string]float64{"RequestLatency": 800}))
			ingest(emfLine(gw, at, [][2]string{{"feature", f}}, "Count", map[string]float64{"RequestCount": 1, "Error5xxCount": 0}))
		}
		ingest(emfLine(gw, at, [][2]string{{"component", "loa-finn"}}, "None", map[string]float64{"CircuitBreakerState": breaker}))
		ingest(emfLine(gw, at, [][2]string{{"accounting_mode", "standard"}}, "Count", map[string]float64{"CommittedReportedDelta": 10}))
		ingest(emfLine(gw, at, defaultDims(env), "Milliseconds", map[string]float64{"ReservationAge": 1000}))
		ingest(emfLine(gw, at, defaultDims(env), "Count", map[string]float64{"FinalizeFailure": 0}))
		ingest(emfLine(gw, at, [][2]string{{"pool_id", "cheap"}}, "Count", map[string]float64{"PoolClaimMismatch": 1}))
		ingest(emfLine(gw, at, [][2]string{{"strategy", "best_of_n"}}, "Count", map[string]float64{"EnsembleSavings": 3}))
		ingest(emfLine("Arrakis/Economic", at, [][2]string{{"community_id", "c1"}}, "None", map[string]float64{"conservation_result": 1, "conservation_drift_micro": 5}))
	}
}

func newSource(t *testing.T, url, prefix string) *alarms.Source {
	t.Helper()
	cw, err := cwlocal.NewSDKClient(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return alarms.NewSource(cw, prefix)
}

// manyAlarms is a catalog of n single-metric alarms plus the default catalog's 11 panels.
func manyAlarms(n int) alarms.Catalog {
	c := alarms.DefaultCatalog().ForEnv("test")
	c.Alarms = nil
	for i := range n {
		c.Alarms = append(c.Alarms, alarms.AlarmDef{
			Name: fmt.Sprintf("arrakis-test-agent-load-%03d", i), Severity: "low",
			Metric:             &alarms.MetricStat{Namespace: gw, MetricName: "RequestCount", Dimensions: []alarms.Dimension{{Name: "feature", Value: "baseline"}}, Stat: "Sum", Period: 60},
			ComparisonOperator: "GreaterThanThreshold", Threshold: 1000, EvaluationPeriods: 1,
		})
	}
	return c
}

// The first refresh sweeps the prefix (one listing per state) and asks for
// the series of the rows on screen (the first 60 of 150 here) and of the
// panels in one GetMetricData; the next reads the
// account's history since then and the changed alarms by AlarmNames, and
// asks for nothing not yet due.
func TestOneRefreshOf150AlarmsAnd11PanelsIsFewDescribeAlarmsAnd1GetMetricData(t *testing.T) {
	svc, url := cwlocal.StartForTest(t)
	cat := manyAlarms(150)
	if err := svc.ProvisionCatalog(cat); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	gatewayTraffic(t, svc, "test", now, 0)
	src := newSource(t, url, "arrakis-test-")
	before := svc.Calls()
	poller := alarms.NewPoller(src, cat, alarms.PollerOptions{ScreenRows: 60, Now: func() time.Time { return now }})
	snap := poller.Refresh(context.Background())
	after := svc.Calls()

	if h := snap.Health[alarms.BackendCloudWatch]; h.Stale {
		t.Fatalf("refresh failed: %s", h.LastError)
	}
	if d := after["DescribeAlarms"] - before["DescribeAlarms"]; d != 2+2 {
		t.Errorf("DescribeAlarms calls = %d, want 4 (150 INSUFFICIENT_DATA in 2 pages, one empty page each for ALARM and OK)", d)
	}
	if d := after["GetMetricData"] - before["GetMetricData"]; d != 1 {
		t.Errorf("GetMetricData calls = %d, want 1", d)
	}
	if len(snap.Alarms) != 150 || len(snap.Panels) != 11 {
		t.Fatalf("snapshot has %d alarms and %d panels", len(snap.Alarms), len(snap.Panels))
	}
	if len(snap.Alarms[0].Series) == 0 || len(snap.Alarms[149].Series) != 0 {
		t.Errorf("alarm %s (on screen) has %d points, %s (off screen) %d", snap.Alarms[0].Name, len(snap.Alarms[0].Series),
			snap.Alarms[149].Name, len(snap.Alarms[149].Series))
	}
	u := src.Usage()
	metricsInPanels := 0
	for _, p := range cat.Panels {
		for _, q := range p.Queries {
			if q.Metric != nil {
				metricsInPanels++
			}
		}
	}
	if u.MetricsRequested != 60+metricsInPanels {
		t.Errorf("metrics requested = %d, want %d", u.MetricsRequested, 60+metricsInPanels)
	}
	if want := float64(u.MetricsRequested) * alarms.CostPerMetricUSD; snap.Health[alarms.BackendCloudWatch].CostUSD != want {
		t.Errorf("cost = %v, want %v", snap.Health[alarms.BackendCloudWatch].CostUSD, want)
	}
	before = svc.Calls()
	if again := poller.Refresh(context.Background()); len(again.Alarms[0].Series) == 0 {
		t.Errorf("the second refresh dropped the cached series of %s", again.Alarms[0].Name)
	}
	// The 150 were provisioned within the history's skew margin, so the
	// history names them all: 2 AlarmNames batches.
	if d := diffCalls(before, svc.Calls()); d["DescribeAlarmHistory"] != 2 || d["DescribeAlarms"] != 2 || d["GetMetricData"] != 0 || src.Usage().MetricsRequested != u.MetricsRequested {
		t.Errorf("second refresh in the same period: calls %v, metrics %d (want 2 history pages, 2 DescribeAlarms, nothing else due)", d, src.Usage().MetricsRequested-u.MetricsRequested)
	}

	// The dashboard way, for contrast: one GetMetricData per sparkline and panel.
	before = svc.Calls()
	if _, err := alarms.NewPoller(src, cat, alarms.PollerOptions{}).RefreshPerPanel(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := svc.Calls()["GetMetricData"] - before["GetMetricData"]; d != 161 {
		t.Errorf("per-panel baseline GetMetricData calls = %d, want 161", d)
	}
}

func TestSeriesSplitsOnlyBeyond500Queries(t *testing.T) {
	svc, url := cwlocal.StartForTest(t)
	now := time.Now()
	gatewayTraffic(t, svc, "test", now, 0)
	src := newSource(t, url, "")
	var groups []alarms.QueryGroup
	for i := range 600 {
		groups = append(groups, alarms.QueryGroup{Key: fmt.Sprint(i), Queries: []alarms.MetricQuery{{ID: "m", ReturnData: true,
			Metric: &alarms.MetricStat{Namespace: gw, MetricName: "RequestCount", Dimensions: []alarms.Dimension{{Name: "feature", Value: "byok"}}, Stat: "Sum", Period: 60}}}})
	}
	before := svc.Calls()["GetMetricData"]
	lines, err := src.Series(context.Background(), groups[:500], now.Add(-time.Hour), now)
	if err != nil || len(lines) != 500 {
		t.Fatalf("500 queries: %d groups, err %v", len(lines), err)
	}
	if d := svc.Calls()["GetMetricData"] - before; d != 1 {
		t.Fatalf("500 queries took %d calls, want 1", d)
	}
	lines, err = src.Series(context.Background(), groups, now.Add(-time.Hour), now)
	if err != nil || len(lines) != 600 {
		t.Fatalf("600 queries: %d groups, err %v", len(lines), err)
	}
	if d := svc.Calls()["GetMetricData"] - before; d != 3 {
		t.Fatalf("600 queries took %d more calls, want 2", d-1)
	}
	if pts := lines["599"][0].Points; len(pts) < 5 {
		t.Fatalf("group 599 has %d points, want the ingested minutes", len(pts))
	}
}

func TestFiringAlarmShowsStateSinceValueAndSparkline(t *testing.T) {
	svc, url := cwlocal.StartForTest(t)
	cat := alarms.DefaultCatalog().ForEnv("test")
	if err := svc.ProvisionCatalog(cat); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	gatewayTraffic(t, svc, "test", now, 2) // loa-finn breaker OPEN
	svc.EvaluateAll(now)
	snap := alarms.NewPoller(newSource(t, url, "arrakis-test-"), cat, alarms.PollerOptions{}).Refresh(context.Background())
	if h := snap.Health[alarms.BackendCloudWatch]; h.Stale {
		t.Fatalf("refresh failed: %s", h.LastError)
	}
	var breaker *alarms.Alarm
	for i := range snap.Alarms {
		if snap.Alarms[i].Name == "arrakis-test-agent-circuit-breaker-open" {
			breaker = &snap.Alarms[i]
		}
	}
	if breaker == nil {
		t.Fatalf("breaker alarm missing from %d alarms", len(snap.Alarms))
	}
	if breaker.State != alarms.StateAlarm || breaker.Since.IsZero() || breaker.Severity != "high" {
		t.Fatalf("breaker = %+v", breaker)
	}
	if got := breaker.ValueVsThreshold(); got != "2 > 0" {
		t.Errorf("value vs threshold = %q, want \"2 > 0\"", got)
	}
	if len(breaker.Series) == 0 {
		t.Error("breaker alarm has no sparkline")
	}
	if snap.InAlarm() != 1 {
		t.Errorf("in ALARM = %d, want 1 (only the breaker)", snap.InAlarm())
	}
	for _, p := range snap.Panels {
		if p.Panel.Title == "Circuit Breaker State by Component" {
			for _, l := range p.Lines {
				if l.Label == "loa-finn" && len(l.Points) == 0 {
					t.Error("breaker panel's loa-finn line is empty")
				}
			}
		}
	}
}

func TestLintReportsTheTerraformDimensionDefect(t *testing.T) {
	svc, url := cwlocal.StartForTest(t)
	tf := alarms.TerraformCatalog().ForEnv("test")
	if err := svc.ProvisionCatalog(tf); err != nil {
		t.Fatal(err)
	}
	gatewayTraffic(t, svc, "test", time.Now(), 0)
	src := newSource(t, url, "arrakis-test-")
	snap := alarms.NewPoller(src, tf, alarms.PollerOptions{Lint: true}).Refresh(context.Background())
	affected := map[string]bool{}
	for _, f := range snap.Lint {
		affected[f.Alarm] = true
	}
	for _, a := range tf.Alarms {
		if !affected[a.Name] {
			t.Errorf("lint does not report %s", a.Name)
		}
	}
	want := "alarm arrakis-test-agent-error-rate-high queries Arrakis/AgentGateway RequestCount with no dimensions, which is never published; published dimension sets: [feature]"
	found := false
	for _, f := range snap.Lint {
		found = found || f.Message == want
	}
	if !found {
		t.Errorf("no finding says %q; got %+v", want, snap.Lint)
	}

	// The lint judges what is deployed, whatever catalog the console was given.
	def := alarms.DefaultCatalog().ForEnv("test")
	snap = alarms.NewPoller(src, def, alarms.PollerOptions{Lint: true}).Refresh(context.Background())
	found = false
	for _, f := range snap.Lint {
		found = found || f.Message == want
	}
	if !found {
		t.Errorf("with the default catalog the deployed terraform alarm is not linted: %+v", snap.Lint)
	}

	inv, err := src.Inventory(context.Background(), def.Alarms)
	if err != nil {
		t.Fatal(err)
	}
	if got := alarms.Lint(def.Alarms, inv); len(got) != 0 {
		t.Errorf("the default catalog matches the emitter, yet lint says %+v", got)
	}
}

func TestFailedRefreshKeepsLastGoodDataMarkedStale(t *testing.T) {
	svc, url := cwlocal.StartForTest(t)
	cat := alarms.DefaultCatalog().ForEnv("test")
	if err := svc.ProvisionCatalog(cat); err != nil {
		t.Fatal(err)
	}
	p := alarms.NewPoller(newSource(t, url, "arrakis-test-"), cat, alarms.PollerOptions{})
	good := p.Refresh(context.Background())
	if len(good.Alarms) != 6 || good.Health[alarms.BackendCloudWatch].Stale {
		t.Fatalf("first refresh: %d alarms, health %+v", len(good.Alarms), good.Health)
	}
	for _, fault := range []struct {
		name   string
		inject func()
		want   string
	}{
		{"throttled", func() { svc.SetThrottle(5) }, "Throttling"},
		{"5xx", func() { svc.SetFailures(5) }, "InternalServiceError"},
	} {
		fault.inject()
		snap := p.Refresh(context.Background())
		h := snap.Health[alarms.BackendCloudWatch]
		if !h.Stale || !h.StaleSince.Equal(good.TakenAt) || !strings.Contains(h.LastError, fault.want) {
			t.Fatalf("%s: health = %+v", fault.name, h)
		}
		if h.Throttled != (fault.name == "throttled") {
			t.Fatalf("%s: Throttled = %v", fault.name, h.Throttled)
		}
		if len(snap.Alarms) != 6 || !snap.TakenAt.Equal(good.TakenAt) {
			t.Fatalf("%s: the last good data was not kept: %d alarms taken %s", fault.name, len(snap.Alarms), snap.TakenAt)
		}
		if p.Failures() == 0 || p.NextDelay(snap) < 15*time.Second {
			t.Fatalf("%s: no backoff after %d failures", fault.name, p.Failures())
		}
		svc.SetThrottle(0)
		svc.SetFailures(0)
	}
	if snap := p.Refresh(context.Background()); snap.Health[alarms.BackendCloudWatch].Stale || p.Failures() != 0 {
		t.Fatalf("recovery: %+v", snap.Health)
	}
}

func TestInsufficientDataIsShownAsNoData(t *testing.T) {
	svc, url := cwlocal.StartForTest(t)
	cat := alarms.DefaultCatalog().ForEnv("test")
	if err := svc.ProvisionCatalog(cat); err != nil {
		t.Fatal(err)
	}
	svc.EvaluateAll(time.Now()) // nothing ingested
	snap := alarms.NewPoller(newSource(t, url, "arrakis-test-"), cat, alarms.PollerOptions{}).Refresh(context.Background())
	for _, a := range snap.Alarms {
		if a.Name == "arrakis-test-agent-p99-latency" {
			if a.State != alarms.StateInsufficientData || a.State.IsOK() || !strings.HasPrefix(a.ValueVsThreshold(), "no data") {
				t.Fatalf("p99 alarm without data = %s %q", a.State, a.ValueVsThreshold())
			}
			return
		}
	}
	t.Fatal("p99 alarm not listed")
}

func TestHistoryAndRunAgainstCloudWatch(t *testing.T) {
	svc, url := cwlocal.StartForTest(t)
	cat := alarms.DefaultCatalog().ForEnv("test")
	if err := svc.ProvisionCatalog(cat); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	gatewayTraffic(t, svc, "test", now, 2)
	svc.EvaluateAll(now)
	src := newSource(t, url, "arrakis-test-")
	items, err := src.History(context.Background(), "arrakis-test-agent-circuit-breaker-open", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	sawAlarm := false
	for _, h := range items {
		sawAlarm = sawAlarm || (h.Type == "StateUpdate" && strings.Contains(h.Summary, "ALARM"))
	}
	if !sawAlarm {
		t.Fatalf("history has no transition to ALARM: %+v", items)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan alarms.Snapshot)
	p := alarms.NewPoller(src, cat, alarms.PollerOptions{AlarmInterval: time.Millisecond, QuietInterval: time.Millisecond})
	done := make(chan struct{})
	go func() { p.Run(ctx, out); close(done) }()
	before := svc.Calls()["GetMetricData"]
	for range 2 {
		if snap := <-out; snap.InAlarm() != 1 {
			t.Fatalf("Run snapshot: %d in ALARM", snap.InAlarm())
		}
	}
	cancel()
	<-done
	if d := svc.Calls()["GetMetricData"] - before; d < 1 {
		t.Fatalf("Run made %d GetMetricData calls", d)
	}
}

func TestMuteShowsInTheSnapshotAndUnmuteClearsIt(t *testing.T) {
	svc, url := cwlocal.StartForTest(t)
	cat := alarms.DefaultCatalog().ForEnv("test")
	if err := svc.ProvisionCatalog(cat); err != nil {
		t.Fatal(err)
	}
	src := newSource(t, url, "arrakis-test-")
	ctx := context.Background()
	const name = "arrakis-test-agent-circuit-breaker-open"
	if err := src.Mute(ctx, name, 90*time.Minute, "loa-finn failover in progress"); err != nil {
		t.Fatal(err)
	}
	rules, err := src.ListMutes(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 || rules[0].Name != alarms.MuteRuleName(name) || rules[0].Status != "ACTIVE" || rules[0].ExpiresAt.IsZero() {
		t.Fatalf("rules = %+v", rules)
	}
	if other, _ := src.ListMutes(ctx, "arrakis-test-agent-p99-latency"); len(other) != 0 {
		t.Fatalf("the rule targets other alarms too: %+v", other)
	}
	p := alarms.NewPoller(src, cat, alarms.PollerOptions{})
	muted := map[string]bool{}
	for _, a := range p.Refresh(ctx).Alarms {
		muted[a.Name] = a.Muted
	}
	if !muted[name] || muted["arrakis-test-agent-p99-latency"] {
		t.Fatalf("muted = %v", muted)
	}
	if err := src.Unmute(ctx, name); err != nil {
		t.Fatal(err)
	}
	for _, a := range p.Refresh(ctx).Alarms {
		if a.Muted {
			t.Fatalf("%s still muted after Unmute", a.Name)
		}
	}
	if err := src.Unmute(ctx, name); err == nil || !strings.Contains(err.Error(), "DeleteAlarmMuteRule "+name) {
		t.Fatalf("unmuting twice: err = %v", err)
	}
}

func TestMuteRejectsBadInputWithoutCalling(t *testing.T) {
	svc, url := cwlocal.StartForTest(t)
	src := newSource(t, url, "")
	cases := []struct {
		alarm  string
		d      time.Duration
		reason string
		want   string
	}{
		{"a1", 30 * time.Second, "r", "must be whole minutes between 1m and 360h"},
		{"a1", 16 * 24 * time.Hour, "r", "must be whole minutes between 1m and 360h"},
		{"a1", 90 * time.Second, "r", "must be whole minutes"},
		{"a1", time.Hour, "  ", "a reason is required"},
		{"", time.Hour, "r", "alarm name is empty"},
	}
	for _, c := range cases {
		err := src.Mute(context.Background(), c.alarm, c.d, c.reason)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Mute(%q, %s, %q) = %v, want %q", c.alarm, c.d, c.reason, err, c.want)
		}
	}
	if n := svc.Calls()["PutAlarmMuteRule"]; n != 0 {
		t.Fatalf("bad input reached CloudWatch %d times", n)
	}
}
