package drills

import (
	"context"
	"fmt"
	"sync"
	"time"

	"gatewayops/alarms"
	"gatewayops/gateway"
	"gatewayops/gateway/sim"
	"gatewayops/internal/testclock"
	"gatewayops/stack"
)

// Tick is how far one Rig step moves the clock: the gauges go out every
// tick, so each of the demo catalog's 10 s periods holds two datapoints.
const Tick = 5 * time.Second

// Rig is an embedded stack on a stepped clock: the Store, the admin API,
// the local CloudWatch and the ECS stand-in all read Clock; nothing sleeps.
// Step publishes what the gateway would (a fixed request mix, breaker
// state, the reaper's oldest reservation age) from the real Redis and has cwlocal evaluate its alarms.
type Rig struct {
	Stack  *stack.Stack
	Clock  *testclock.Clock
	Alarms *alarms.Source
	prefix string
	// mismatches is how many requests a tick carry a mismatched pool claim.
	mismatches int
	// finnOpen holds the tasks whose in-process loa-finn breaker is open.
	finnOpen map[string]bool
	// api and worker are the two services' own paths to redis-server,
	// each through a latency proxy (redispath.go); probes numbers the
	// canary requests sent on them, info is the last INFO read.
	api, worker *redisPath
	probes      int
	info        infoSample
	faults      faultState
}

// faultState is what fault hooks and manual steps set and Step reads,
// under its own lock: a console may apply a manual step while its drill
// goroutine steps the rig.
type faultState struct {
	mu sync.Mutex
	// stopLoad ends the ad-hoc load of the redis-degraded drill (nil when
	// none runs).
	stopLoad func()
	// slowPool is the pool whose provider outlives the gateway's loa-finn
	// timeout (latency.go); ensembleCalls is how many calls each ensemble
	// request really makes (estimate.go; 0: as many as it reserved for).
	slowPool      string
	ensembleCalls int
}

// with runs f on the state under its lock.
func (f *faultState) with(fn func(*faultState)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// stopOwnLoad ends the ad-hoc load, if one runs, and waits for it.
func (f *faultState) stopOwnLoad() {
	var stop func()
	f.with(func(f *faultState) { stop, f.stopLoad = f.stopLoad, nil })
	if stop != nil {
		stop()
	}
}

// StartRig starts the stack with no simulator traffic and no evaluation
// loop, its clock at the start of a 10 s period (alarm periods are
// epoch-aligned, so every run sees the same period boundaries).
func StartRig(ctx context.Context) (*Rig, error) {
	clk := testclock.New(time.Now().UTC().Truncate(stack.DemoPeriod * time.Second))
	st, err := stack.Start(ctx, stack.Options{NoScenario: true, EvaluateEvery: -1, Now: clk.Now, ECSStartDelay: Tick})
	if err != nil {
		return nil, err
	}
	cw, err := alarms.NewClient(ctx, alarms.ClientOptions{Region: "us-east-1", Endpoint: st.CloudWatchURL, Anonymous: true, RetryMaxAttempts: 1})
	if err != nil {
		st.Close()
		return nil, err
	}
	if err := st.CloudWatch.ProvisionCatalog(DrillAlarms(st.Environment)); err != nil {
		st.Close()
		return nil, fmt.Errorf("provision drill alarms: %w", err)
	}
	prefix := "arrakis-" + st.Environment + "-"
	r := &Rig{Stack: st, Clock: clk, Alarms: alarms.NewSource(cw, prefix), prefix: prefix, finnOpen: map[string]bool{}}
	if err := r.startRedisPaths(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Close stops the drill's own load and Redis paths, then the stack.
func (r *Rig) Close() {
	r.faults.stopOwnLoad()
	for _, p := range []*redisPath{r.worker, r.api} {
		if p != nil {
			p.close()
		}
	}
	r.api, r.worker = nil, nil
	r.Stack.Close()
}

// Step moves the clock one Tick, publishes the gauges at the new time and
// evaluates every alarm there.
func (r *Rig) Step(ctx context.Context) error {
	r.Clock.Advance(Tick)
	now := r.Clock.Now()
	b, err := r.Stack.Store.Breaker(ctx, gateway.KMSBreaker)
	if err != nil {
		return err
	}
	sum, err := r.Stack.Store.ReservationSummary(ctx, "", 1000)
	if err != nil {
		return err
	}
	lines, err := r.traffic(ctx, now)
	if err != nil {
		return err
	}
	claims, err := r.poolClaimLines(ctx, now)
	if err != nil {
		return err
	}
	lines = append(lines, claims...)
	finn, err := r.loaFinnLines(now)
	if err != nil {
		return err
	}
	lines = append(lines, finn...)
	redisLines, err := r.redisLines(ctx, now)
	if err != nil {
		return err
	}
	lines = append(lines, redisLines...)
	lines = append(lines,
		sim.BreakerStateLine(now, gateway.KMSBreaker, sim.BreakerStateValue(b.State)),
		sim.ReservationAgeLine(now, r.Stack.Environment, float64(sum.Totals.OldestExpiredAgeMs)))
	for _, line := range lines {
		if err := r.Stack.CloudWatch.IngestEMF(line); err != nil {
			return fmt.Errorf("drill gauge rejected by cwlocal: %w", err)
		}
	}
	r.Stack.CloudWatch.EvaluateAll(now)
	return nil
}

// requestMix is one feature's requests per tick on one pool.
type requestMix struct {
	feature, pool string
	n             int
}

// trafficPerTick is a fixed mix of requests each tick (so every run sees the
// same counts): 6 baseline (one of them on the reasoning pool), 1
// ensemble, 3 BYOK.
func trafficPerTick() []requestMix {
	return []requestMix{{"baseline", "cheap", 5}, {"baseline", "reasoning", 1}, {"ensemble", "cheap", 1}, {"byok", "cheap", 3}}
}

// traffic is one tick of agent requests as RequestComplete EMF lines. BYOK
// requests pass the real kms breaker as the gateway's BYOK manager does:
// refused with 503 while it is open; ensemble requests read the runtime
// flag store (400 ENSEMBLE_DISABLED while ensemble_enabled is false);
// the others take their pool's provider time (latency.go).
func (r *Rig) traffic(ctx context.Context, now time.Time) ([][]byte, error) {
	flags, err := r.Stack.Store.Flags(ctx)
	if err != nil {
		return nil, err
	}
	var lines [][]byte
	for _, t := range trafficPerTick() {
		for range t.n {
			var req [][]byte
			var err error
			switch t.feature {
			case "byok":
				req, err = r.byokRequest(ctx, now)
			case "ensemble":
				req, err = r.ensembleRequest(ctx, now, flags.Values["ensemble_enabled"])
			default:
				req, err = r.providerRequest(ctx, now, t.feature, t.pool)
			}
			if err != nil {
				return nil, err
			}
			lines = append(lines, req...)
		}
	}
	return lines, nil
}

// byokRequest passes the kms breaker as the gateway's BYOK manager does.
func (r *Rig) byokRequest(ctx context.Context, now time.Time) ([][]byte, error) {
	status := 200
	allowed, _, err := r.Stack.Store.BreakerCheck(ctx, gateway.KMSBreaker)
	switch {
	case err != nil:
		return nil, err
	case !allowed:
		status = 503
	default:
		if err := r.Stack.Store.BreakerSuccess(ctx, gateway.KMSBreaker); err != nil {
			return nil, err
		}
	}
	return [][]byte{sim.RequestCompleteLine(now, "byok", 900, status, rigCommunity, "cheap")}, nil
}

// State reads a signal: on is true while the incident shows (the alarm is
// in ALARM, the predicate fails); cleared is true once it is over (the
// alarm is OK, the predicate holds). An alarm in INSUFFICIENT_DATA is
// neither. The alarm is read through the SDK, as the console reads it.
func (r *Rig) State(ctx context.Context, s Signal) (on, cleared bool, err error) {
	if s.Alarm == "" {
		ok, err := s.Cleared(ctx, r)
		return !ok, ok, err
	}
	list, err := r.Alarms.AlarmsNamed(ctx, []string{r.prefix + s.Alarm})
	if err != nil {
		return false, false, err
	}
	if len(list) != 1 {
		return false, false, fmt.Errorf("alarm %s%s is not provisioned in the drill catalog", r.prefix, s.Alarm)
	}
	st := list[0].State
	return st == alarms.StateAlarm, st == alarms.StateOK, nil
}

// Leak writes what a worker that crashed mid-request leaves behind, dated
// so that it expired 20 s ago: n reservations through the real reserve
// script (sim.WriteLeak), of which the first orphans have already lost
// their hash, spread over four communities.
func (r *Rig) Leak(ctx context.Context, n, orphans int) error {
	return sim.WriteLeak(ctx, r.Stack.Store, sim.Leak{Now: r.Clock.Now(), N: n, Orphans: orphans,
		Communities: 4, Users: 10, ClaimableAge: 20 * time.Second, OrphanAge: 20 * time.Second, KeyPrefix: "crashed"})
}
