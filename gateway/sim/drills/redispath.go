package drills

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/alarms"
	"gatewayops/gateway"
	"gatewayops/gateway/sim"
	"gatewayops/internal/latencyproxy"
)

// rigCommunity is the community the rig's own traffic runs as.
const rigCommunity = "community-01"

// ElastiCacheNamespace is where ElastiCache publishes its node metrics.
const ElastiCacheNamespace = "AWS/ElastiCache"

// redisPath is one service's own way to redis-server: a latency proxy in
// front of the stack's redis-server and a client through it. The api
// (rate limit, reserve) and the worker (the NATS usage finalizer, with its
// own connection, gateway-domain.md 11) each have one, so a drill can slow
// both (a degraded node) or cut only the worker's.
type redisPath struct {
	proxy  *latencyproxy.Proxy
	client *redis.Client
	store  *gateway.Store
}

// newRedisPath proxies redisURL (unix:// or redis://host:port). The
// client does not retry: go-redis backs off between retries with real
// sleeps, and one failed call must be one failure, as in the gateway's
// fail-open finalize.
func newRedisPath(redisURL string, now func() time.Time) (*redisPath, error) {
	network, addr := "tcp", strings.TrimPrefix(redisURL, "redis://")
	if path, ok := strings.CutPrefix(redisURL, "unix://"); ok {
		network, addr = "unix", path
	}
	px, err := latencyproxy.New(network, addr, latencyproxy.Options{})
	if err != nil {
		return nil, fmt.Errorf("drill redis proxy: %w", err)
	}
	c := redis.NewClient(&redis.Options{Addr: px.Addr(), MaxRetries: -1, PoolSize: 4,
		DialTimeout: 2 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})
	return &redisPath{proxy: px, client: c, store: gateway.NewStore(c, gateway.StoreOptions{Now: now, BreakerResetAfter: time.Hour})}, nil
}

func (p *redisPath) close() {
	_ = p.client.Close()
	_ = p.proxy.Close()
}

func (r *Rig) startRedisPaths(ctx context.Context) error {
	var err error
	if r.api, err = newRedisPath(r.Stack.RedisURL, r.Clock.Now); err != nil {
		return err
	}
	if r.worker, err = newRedisPath(r.Stack.RedisURL, r.Clock.Now); err != nil {
		return err
	}
	if err := r.Stack.Store.SetLimit(ctx, rigCommunity, 10_000_000); err != nil {
		return err
	}
	// The first INFO is the base of the deltas: the first tick has Evictions.
	_, err = r.elastiCacheLine(ctx, r.Clock.Now())
	return err
}

// GatewayRedis is the api's client of redis-server, through its proxy: a
// drill's redis.diagnose sees what the gateway sees.
func (r *Rig) GatewayRedis() redis.UniversalClient { return r.api.client }

// redisLines is one canary request through the gateway's own scripts on
// the two paths, each call timed for real as emitRedisLatency would: the
// reserve on the api's path, the finalize on the worker's. A finalize that
// errors fails open like the gateway's wrapper: FinalizeFailure under the
// worker's default dimensions, and the reservation stays behind. Then the
// node's ElastiCache metrics from INFO on the api's path.
func (r *Rig) redisLines(ctx context.Context, now time.Time) ([][]byte, error) {
	r.probes++
	user, key := "canary", "canary-"+strconv.Itoa(r.probes)
	t0 := time.Now()
	res, err := r.api.store.Reserve(ctx, gateway.ReserveInput{Community: rigCommunity, User: user, IdempotencyKey: key, ModelAlias: "cheap", EstimateCents: 3})
	if err != nil {
		return nil, fmt.Errorf("canary reserve on the api's Redis path: %w", err)
	}
	lines := [][]byte{sim.RedisLatencyLine(now, "reserve", msSince(t0))}
	if res.Status == gateway.StatusReserved {
		t0 = time.Now()
		if _, err := r.worker.store.Finalize(ctx, rigCommunity, user, key, 2); err != nil {
			line, err := finalizeFailureLine(now, r.Stack.Environment)
			if err != nil {
				return nil, err
			}
			lines = append(lines, line)
		} else {
			lines = append(lines, sim.RedisLatencyLine(now, "finalize", msSince(t0)))
		}
	}
	node, err := r.elastiCacheLine(ctx, now)
	if err != nil {
		return nil, err
	}
	return append(lines, node), nil
}

func msSince(t0 time.Time) float64 { return float64(time.Since(t0).Microseconds()) / 1000 }

// WorkerDimensions are the EMF library's default dimensions of the worker
// service (arrakis-{env}-worker), which finalizes usage from NATS.
func WorkerDimensions(env string) map[string]any {
	return map[string]any{
		"LogGroup":    "/ecs/arrakis-" + env + "/worker",
		"ServiceName": "arrakis-" + env + "-worker",
		"ServiceType": "AWS::ECS::Container",
	}
}

// finalizeFailureLine is emitFinalizeFailure from the worker: no
// setDimensions, so the library's default set.
func finalizeFailureLine(now time.Time, env string) ([]byte, error) {
	root := WorkerDimensions(env)
	root["communityId"], root["reason"] = rigCommunity, "REDIS_ERROR"
	return sim.EMFLine(now, sim.Namespace, root, []string{"LogGroup", "ServiceName", "ServiceType"},
		[]sim.EMFMetric{{Name: "FinalizeFailure", Unit: "Count"}}, map[string]float64{"FinalizeFailure": 1})
}

// infoSample is the part of the last INFO that later ones are deltas of.
type infoSample struct {
	seen         bool
	cpu, evicted float64
	wall         time.Time
}

// elastiCacheLine is what ElastiCache would publish for the node, measured
// from redis-server's INFO on the api's path: CurrConnections
// (connected_clients), Evictions (evicted_keys since the last tick) and
// EngineCPUUtilization (redis-server's CPU seconds over REAL seconds, the
// clock its counters run on; only over at least a real second, shorter
// windows measure the rig's own burst, not a load).
func (r *Rig) elastiCacheLine(ctx context.Context, now time.Time) ([]byte, error) {
	raw, err := r.api.client.Info(ctx, "clients", "stats", "cpu").Result()
	if err != nil {
		return nil, fmt.Errorf("INFO on the api's Redis path: %w", err)
	}
	f := infoFields(raw)
	wall := time.Now()
	cpu, evicted := f["used_cpu_sys"]+f["used_cpu_user"], f["evicted_keys"]
	metrics := []sim.EMFMetric{{Name: "CurrConnections", Unit: "Count"}}
	values := map[string]float64{"CurrConnections": f["connected_clients"]}
	if r.info.seen {
		metrics = append(metrics, sim.EMFMetric{Name: "Evictions", Unit: "Count"})
		values["Evictions"] = max(evicted-r.info.evicted, 0)
	}
	if el := wall.Sub(r.info.wall).Seconds(); r.info.seen && el >= 1 {
		metrics = append(metrics, sim.EMFMetric{Name: "EngineCPUUtilization", Unit: "Percent"})
		values["EngineCPUUtilization"] = min(max(100*(cpu-r.info.cpu)/el, 0), 100)
		r.info.cpu, r.info.wall = cpu, wall
	}
	if !r.info.seen {
		r.info = infoSample{seen: true, cpu: cpu, wall: wall}
	}
	r.info.evicted = evicted
	root := map[string]any{"ReplicationGroupId": ReplicationGroup(r.Stack.Environment)}
	return sim.EMFLine(now, ElastiCacheNamespace, root, []string{"ReplicationGroupId"}, metrics, values)
}

// ReplicationGroup is the Terraform's ElastiCache replication group id.
func ReplicationGroup(env string) string { return "arrakis-" + env + "-redis" }

// infoFields reads the numeric fields of an INFO reply.
func infoFields(raw string) map[string]float64 {
	out := map[string]float64{}
	for _, line := range strings.Split(raw, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			out[k] = n
		}
	}
	return out
}

// redisAlarms are the drill catalog's Redis alarms: the runbook's three
// ElastiCache alarms on the node's metrics (periods shortened to 10 s; the
// names carry drill-, their ends match the runbook's patterns), and a
// RedisLatency alarm of our own: the Terraform has none, and the
// ElastiCache alarms do not see a slow path.
func redisAlarms(env string) []alarms.AlarmDef {
	node := []alarms.Dimension{{Name: "ReplicationGroupId", Value: ReplicationGroup(env)}}
	ec := func(name, metric, stat string, threshold float64, periods int, desc string) alarms.AlarmDef {
		return alarms.AlarmDef{Name: "arrakis-" + env + "-drill-" + name, Description: "drill: " + desc, Severity: "critical",
			Metric:             &alarms.MetricStat{Namespace: ElastiCacheNamespace, MetricName: metric, Dimensions: node, Stat: stat, Period: 10},
			ComparisonOperator: "GreaterThanThreshold", Threshold: threshold, EvaluationPeriods: periods, TreatMissingData: "missing"}
	}
	return []alarms.AlarmDef{
		ec("agent-redis-cpu-high", "EngineCPUUtilization", "Average", 70, 2, "EngineCPUUtilization Average above 70 for 2 periods of 10 s (Terraform: 2 x 5 min), measured from redis-server's INFO"),
		ec("agent-redis-connections-high", "CurrConnections", "Average", 500, 2, "CurrConnections Average above 500 for 2 periods of 10 s (Terraform: 2 x 5 min), from INFO connected_clients"),
		ec("agent-redis-evictions", "Evictions", "Sum", 0, 1, "Evictions Sum above 0 in 10 s (Terraform: 5 min), from INFO evicted_keys"),
		{
			Name:        "arrakis-" + env + "-drill-agent-redis-latency",
			Description: "drill (ours, no Terraform alarm): RedisLatency (operation=reserve) Minimum above 40 ms in a 10 s period: even the fastest reserve of the period was slow",
			Severity:    "critical",
			Metric: &alarms.MetricStat{Namespace: sim.Namespace, MetricName: "RedisLatency",
				Dimensions: []alarms.Dimension{{Name: "operation", Value: "reserve"}}, Stat: "Minimum", Period: 10, Unit: "Milliseconds"},
			ComparisonOperator: "GreaterThanThreshold", Threshold: RedisLatencyThresholdMs, EvaluationPeriods: 1, TreatMissingData: "missing",
		},
	}
}

// RedisLatencyThresholdMs is the drill latency alarm's threshold;
// RedisDegradedDelay is what the redis-degraded drill's proxies add to
// every command, twice the threshold so the floor clears it with room.
const (
	RedisLatencyThresholdMs = 40
	RedisDegradedDelay      = 80 * time.Millisecond
)

// degradeRedis is the redis-degraded fault: someone's ad-hoc `KEYS
// agent:budget:*` loop runs on the gateway's path, and both services'
// paths pay RedisDegradedDelay on every command (the saturation such a
// loop causes on a cache.t3.micro; a private redis-server with a few
// hundred keys cannot be saturated in a test, so the proxy stands for it).
func degradeRedis(_ context.Context, r *Rig) error {
	r.api.proxy.SetDelay(RedisDegradedDelay)
	r.worker.proxy.SetDelay(RedisDegradedDelay)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	c := redis.NewClient(&redis.Options{Addr: r.api.proxy.Addr(), MaxRetries: -1, PoolSize: 1})
	go func() {
		defer close(done)
		defer c.Close()
		// Each KEYS waits for the delay, so the loop is as heavy as the
		// path lets it be; it ends on the first error (a closed rig).
		for ctx.Err() == nil && c.Keys(ctx, "agent:budget:*").Err() == nil {
		}
	}()
	r.faults.with(func(f *faultState) { f.stopLoad = func() { cancel(); <-done } })
	return nil
}

// stopOwnLoad is Resolution B's step 2: the ad-hoc loop is stopped and the
// path is fast again.
func stopOwnLoad(_ context.Context, r *Rig) error {
	r.faults.stopOwnLoad()
	r.api.proxy.SetDelay(0)
	r.worker.proxy.SetDelay(0)
	return nil
}

// cutWorkerRedis is the finalize-failures fault: the worker's path to
// Redis is cut (its connections reset), the api's is not, so requests
// still reserve while every usage finalize fails open.
func cutWorkerRedis(_ context.Context, r *Rig) error {
	r.worker.proxy.Cut()
	return nil
}

// restoreWorkerRedis is Resolution A's step 1 (restore Redis first, from
// agent-redis-degraded: the network path of Resolution A step 4).
func restoreWorkerRedis(_ context.Context, r *Rig) error {
	r.worker.proxy.Restore()
	return nil
}

// workerFinalizeAlarm watches FinalizeFailure as the worker publishes it:
// under the worker's default dimensions, which neither the Terraform alarm
// (no dimensions) nor the demo catalog's (the api's) sees. Sum above 0 in
// 10 s (Terraform: in each of 10 minutes); no data is no failure.
func workerFinalizeAlarm(env string) alarms.AlarmDef {
	dims := []alarms.Dimension{}
	for _, k := range []string{"LogGroup", "ServiceName", "ServiceType"} {
		dims = append(dims, alarms.Dimension{Name: k, Value: fmt.Sprint(WorkerDimensions(env)[k])})
	}
	return alarms.AlarmDef{
		Name:               "arrakis-" + env + "-drill-worker-agent-finalize-failures",
		Description:        "drill: FinalizeFailure of the worker (ServiceName arrakis-" + env + "-worker) Sum above 0 in a 10 s period: usage finalizes failing open",
		Severity:           "critical",
		Metric:             &alarms.MetricStat{Namespace: sim.Namespace, MetricName: "FinalizeFailure", Dimensions: dims, Stat: "Sum", Period: 10},
		ComparisonOperator: "GreaterThanThreshold", Threshold: 0, EvaluationPeriods: 1, TreatMissingData: "notBreaching",
	}
}
