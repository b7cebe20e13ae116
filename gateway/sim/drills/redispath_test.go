package drills

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"gatewayops/alarms"
)

func testRig(t *testing.T) *Rig {
	t.Helper()
	r, err := StartRig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

func steps(t *testing.T, r *Rig, n int) {
	t.Helper()
	for range n {
		if err := r.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// alarmState reads one drill alarm through the SDK.
func alarmState(t *testing.T, r *Rig, short string) alarms.State {
	t.Helper()
	list, err := r.Alarms.AlarmsNamed(context.Background(), []string{r.prefix + short})
	if err != nil || len(list) != 1 {
		t.Fatalf("alarm %s: %v (%d found)", short, err, len(list))
	}
	return list[0].State
}

// info reads one numeric INFO field of the rig's redis-server directly.
func info(t *testing.T, r *Rig, section, field string) float64 {
	t.Helper()
	raw, err := r.Stack.Store.Redis().Info(context.Background(), section).Result()
	if err != nil {
		t.Fatal(err)
	}
	return infoFields(raw)[field]
}

// The redis-degraded fault is real: both paths' proxies delay the
// commands the rig sends, the ad-hoc KEYS loop reaches redis-server, and
// stopping it leaves no delay and no loop. The node's ElastiCache metrics
// arrive (their alarms are OK, not INSUFFICIENT_DATA).
func TestRedisDegradedIsReal(t *testing.T) {
	r := testRig(t)
	steps(t, r, 2)
	for _, a := range []string{"drill-agent-redis-connections-high", "drill-agent-redis-evictions", "drill-agent-redis-latency"} {
		if st := alarmState(t, r, a); st != alarms.StateOK {
			t.Errorf("healthy: %s is %s, want OK", a, st)
		}
	}
	keysBefore := commandCalls(t, r, "keys")
	if err := degradeRedis(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	// Four ticks: the last complete period then holds degraded ticks only
	// (the fault came right after the tick that opened the previous one).
	steps(t, r, 4)
	if d := r.api.proxy.Stats().Delayed; d < 4 {
		t.Errorf("api path delayed %d chunks over two ticks (canary reserve, INFO each tick, the loop)", d)
	}
	if d := r.worker.proxy.Stats().Delayed; d < 2 {
		t.Errorf("worker path delayed %d chunks over two ticks (a canary finalize each)", d)
	}
	if st := alarmState(t, r, "drill-agent-redis-latency"); st != alarms.StateAlarm {
		t.Errorf("degraded: latency alarm %s", st)
	}
	// The runbook's point: a slow path shows in no ElastiCache alarm.
	for _, a := range []string{"drill-agent-redis-connections-high", "drill-agent-redis-evictions"} {
		if st := alarmState(t, r, a); st != alarms.StateOK {
			t.Errorf("degraded: %s is %s, want OK", a, st)
		}
	}
	if err := stopOwnLoad(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if calls := commandCalls(t, r, "keys"); calls <= keysBefore {
		t.Errorf("KEYS calls on redis-server %d before the fault, %d after: the ad-hoc loop never ran", keysBefore, calls)
	}
	var running bool
	r.faults.with(func(f *faultState) { running = f.stopLoad != nil })
	if running || r.api.proxy.Delay() != 0 || r.worker.proxy.Delay() != 0 {
		t.Errorf("after stopping our own load: loop %v, delays %s %s", running, r.api.proxy.Delay(), r.worker.proxy.Delay())
	}
}

// commandCalls is INFO commandstats' call count of one command.
func commandCalls(t *testing.T, r *Rig, cmd string) int {
	t.Helper()
	raw, err := r.Stack.Store.Redis().Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(raw, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_"+cmd+":calls="); ok {
			var n int
			fmt.Sscanf(rest, "%d", &n)
			return n
		}
	}
	return 0
}

// The ElastiCache line carries what INFO says: connected_clients, the
// evictions since the last read, and CPU once a real second has passed.
func TestElastiCacheLineFromInfo(t *testing.T) {
	r := testRig(t)
	ctx := context.Background()
	if _, err := r.elastiCacheLine(ctx, r.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	r.info.wall = r.info.wall.Add(-2 * time.Second) // as if read two real seconds ago
	line, err := r.elastiCacheLine(ctx, r.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(line, &doc); err != nil {
		t.Fatal(err)
	}
	conns := info(t, r, "clients", "connected_clients")
	if got, _ := doc["CurrConnections"].(float64); got < 1 || got > conns+5 {
		t.Errorf("CurrConnections %v, INFO now says %v", doc["CurrConnections"], conns)
	}
	if cpu, ok := doc["EngineCPUUtilization"].(float64); !ok || cpu < 0 || cpu > 100 {
		t.Errorf("EngineCPUUtilization %v", doc["EngineCPUUtilization"])
	}
	if ev, ok := doc["Evictions"].(float64); !ok || ev != 0 {
		t.Errorf("Evictions %v on a server with no maxmemory", doc["Evictions"])
	}
	if doc["ReplicationGroupId"] != "arrakis-demo-redis" || !strings.Contains(string(line), `"Namespace":"AWS/ElastiCache"`) {
		t.Errorf("line %s", line)
	}
}

// Real evictions on redis-server (a maxmemory below what it holds) show
// as ElastiCache Evictions and fire the runbook's evictions alarm.
func TestRealEvictionsFireTheEvictionsAlarm(t *testing.T) {
	r := testRig(t)
	ctx := context.Background()
	rdb := r.Stack.Store.Redis()
	steps(t, r, 1)
	filler := strings.Repeat("x", 10_000)
	for i := range 100 {
		if err := rdb.Set(ctx, fmt.Sprintf("drill:filler:%d", i), filler, time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
	}
	used := info(t, r, "memory", "used_memory")
	if err := rdb.ConfigSet(ctx, "maxmemory-policy", "volatile-random").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.ConfigSet(ctx, "maxmemory", fmt.Sprint(int64(used))).Err(); err != nil {
		t.Fatal(err)
	}
	for i := 100; i < 150; i++ {
		_ = rdb.Set(ctx, fmt.Sprintf("drill:filler:%d", i), filler, time.Hour).Err()
	}
	if ev := info(t, r, "stats", "evicted_keys"); ev == 0 {
		t.Fatal("redis-server evicted nothing")
	}
	if err := rdb.ConfigSet(ctx, "maxmemory", "0").Err(); err != nil {
		t.Fatal(err)
	}
	// The tick after the evictions counts them; the period holding it is
	// evaluated at the latest two ticks on.
	steps(t, r, 3)
	if st := alarmState(t, r, "drill-agent-redis-evictions"); st != alarms.StateAlarm {
		t.Fatalf("evictions alarm %s after real evictions", st)
	}
}

// The finalize-fail-open fault is real: the worker's connections are
// refused, its finalizes fail, and each canary's reservation stays live
// (the fail-open leak); once restored, finalizes succeed again.
func TestWorkerCutLeavesReservations(t *testing.T) {
	r := testRig(t)
	ctx := context.Background()
	if err := cutWorkerRedis(ctx, r); err != nil {
		t.Fatal(err)
	}
	steps(t, r, 3)
	sum, err := r.Stack.Store.ReservationSummary(ctx, rigCommunity, 10)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Totals.Live != 3 {
		t.Errorf("%d live reservations after 3 failed finalizes, want 3", sum.Totals.Live)
	}
	if r.worker.proxy.Stats().Refused < 3 {
		t.Errorf("worker proxy refused %d connections, want one per finalize", r.worker.proxy.Stats().Refused)
	}
	if err := restoreWorkerRedis(ctx, r); err != nil {
		t.Fatal(err)
	}
	steps(t, r, 2)
	sum, err = r.Stack.Store.ReservationSummary(ctx, rigCommunity, 10)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Totals.Live != 3 {
		t.Errorf("%d live reservations after the path came back, want the 3 leaked only", sum.Totals.Live)
	}
}

// A manual step may be applied while another goroutine steps the rig (a
// console during a live drill): run under -race, this shares no unguarded
// state.
func TestManualStepsWhileStepping(t *testing.T) {
	r := testRig(t)
	ctx := context.Background()
	for _, name := range []string{"redis-degraded", "p99-provider-slow", "finalize-fail-open"} {
		sc, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := sc.Fault(ctx, r); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- r.Step(ctx) }()
		for _, m := range sc.Manual {
			if err := m.Apply(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
