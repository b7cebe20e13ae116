package ops

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// DefaultRegistry is the whole action catalogue: the names runbooks, the
// palette and `gatewayops run` share.
func DefaultRegistry() *Registry {
	return NewRegistry(
		statusAction(),
		breakerListAction(),
		breakerReset{},
		reservationsInspectAction(),
		reservationsDrain{},
		budgetShowAction(),
		showBackends(flagsShowAction()),
		flagsSetBackends(),
		showBackends(poolClaimsShowAction()),
		enforceBackends(),
		serviceStatusAction(),
		serviceRestart{},
		serviceRollback{},
		preflightAction(),
		redisDiagnoseAction(),
		alarmHistoryAction(),
		alarmMute{},
		alarmUnmute{},
		alarmActionsOn{},
	)
}

func redisDiagnoseAction() Action {
	return readAction{
		spec: Spec{Name: "redis.diagnose", Kind: Read, Summary: "read-only health of the gateway's Redis: latency, memory, clients, slowlog"},
		run: func(ctx context.Context, env *Env, _ Invocation) (Result, error) {
			if env.Inspector == nil {
				return Result{}, errors.New("environment " + env.Name + ": no Redis configured (set redis_url_env): " + ErrNoBackend.Error())
			}
			d, err := env.Inspector.Diagnose(ctx)
			if err != nil {
				return Result{}, err
			}
			if d.Ping.Error != "" {
				return Result{Failed: true, Data: d, Lines: []string{"redis unreachable: " + d.Ping.Error}}, nil
			}
			// The round trip comes first: it is what a degraded Redis shows
			// before any INFO field does.
			lines := []string{"redis at " + clock(d.At),
				fmt.Sprintf("  ping: %d samples, min %.2f ms, avg %.2f ms, max %.2f ms", len(d.Ping.SamplesMs), d.Ping.MinMs, d.Ping.AvgMs, d.Ping.MaxMs)}
			for _, section := range sortedKeys(d.Info) {
				if section != "server" && section != "memory" && section != "clients" {
					continue
				}
				fields := d.Info[section]
				for _, k := range sortedKeys(fields) {
					if interestingInfo(k) {
						lines = append(lines, fmt.Sprintf("  %s.%s = %s", section, k, fields[k]))
					}
				}
			}
			lines = append(lines, fmt.Sprintf("  slowlog: %d entries; latency events: %d", len(d.Slowlog), len(d.Latency)))
			for _, e := range []string{d.SlowlogErr, d.LatencyErr} {
				if e != "" {
					lines = append(lines, "  note: "+e)
				}
			}
			return Result{Lines: lines, Data: d}, nil
		},
	}
}

func interestingInfo(k string) bool {
	switch k {
	case "redis_version", "uptime_in_seconds", "used_memory_human", "maxmemory_human", "maxmemory_policy",
		"mem_fragmentation_ratio", "connected_clients", "blocked_clients":
		return true
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
