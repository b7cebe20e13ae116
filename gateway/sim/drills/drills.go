// Package drills is the scenario library of issue 14: each scenario is one
// incident the embedded stack can really produce, the runbook and branch
// that fix it, the exact ops step list of that branch, and the signal that
// says whether the incident is on (an alarm evaluated by the local
// CloudWatch, or an explicit predicate for what no alarm watches). The
// library is data plus small hooks, declared in this one file; the Rig runs
// a scenario on an injected clock and Prove shows its steps clear it.
package drills

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gatewayops/gateway"
)

// Signal says whether a scenario's incident is on. Exactly one of Alarm or
// Predicate is set.
type Signal struct {
	// Alarm is the alarm's short name (without the arrakis-{env}- prefix);
	// Metric and Threshold are what it watches, for the listing.
	Alarm     string
	Metric    string
	Threshold float64
	// Predicate describes the success condition of a runbook with
	// `alarms: []` (or an incident no emitted metric shows); Cleared checks it.
	Predicate string
	Cleared   func(ctx context.Context, r *Rig) (bool, error)
}

// String is the signal as the drill listing shows it.
func (s Signal) String() string {
	if s.Alarm != "" {
		return fmt.Sprintf("alarm %s (%s > %g)", s.Alarm, s.Metric, s.Threshold)
	}
	return "predicate: " + s.Predicate
}

// Scenario is one rehearsable incident.
type Scenario struct {
	Name string
	// Runbook is the runbook's file name without .md; Branch the section
	// heading of the Resolution it exercises.
	Runbook, Branch string
	Summary         string
	Signal          Signal
	// Manual are the steps of Branch no ops command performs, applied
	// before Steps (nil for most scenarios).
	Manual []Manual
	// Steps is the exact step list that fixes the incident, in the ops
	// command grammar; every line is a step of Branch.
	Steps []string
	// Fault makes the incident on the real stack (Redis through the
	// gateway's schema; expiry-dependent state backdated, not waited for).
	Fault func(ctx context.Context, r *Rig) error
}

// Manual is a step of a Branch that no ops command performs: an
// escalation, or a fix made outside the console (stopping someone's shell
// loop, restoring a network path). Text quotes the runbook under Branch
// (" ... " joins quoted fragments); Apply is what the step does to the
// drill's stack; it may be called while another goroutine steps the rig
// (a console applying it during a live drill). Every branch with such a
// step has it before its ops steps, so manual steps run first.
type Manual struct {
	Text  string
	Apply func(ctx context.Context, r *Rig) error
}

// StepList is every step of the fix in order, manual ones marked.
func (sc Scenario) StepList() []string {
	out := make([]string, 0, len(sc.Manual)+len(sc.Steps))
	for _, m := range sc.Manual {
		out = append(out, "(runbook step, no ops command) "+m.Text)
	}
	return append(out, sc.Steps...)
}

// Library returns every scenario, in listing order.
func Library() []Scenario {
	return []Scenario{
		{
			Name: "kms-breaker-open", Runbook: "agent-circuit-breaker-open",
			Branch:  "Resolution A: Reset the Redis-backed kms breaker",
			Summary: "KMS failed three times within the breaker window; circuit:kms is open and stays open (demo reset time 1 h)",
			Signal:  Signal{Alarm: "agent-circuit-breaker-open", Metric: "CircuitBreakerState{component=kms} Maximum", Threshold: 0},
			Steps:   []string{"breaker.reset component=kms"},
			Fault:   openKMSBreaker,
		},
		{
			Name: "loa-finn-breaker-stuck", Runbook: "agent-circuit-breaker-open",
			Branch:  "Resolution C: Replace a task whose breaker stays open",
			Summary: "both gateway tasks' in-process loa-finn breakers are open and stay open; only new tasks start closed",
			Signal:  Signal{Alarm: "drill-loa-finn-breaker-open", Metric: "CircuitBreakerState{component=loa-finn} Maximum (drill catalog)", Threshold: 0},
			Steps:   []string{"service.restart"},
			Fault:   stuckLoaFinn,
		},
		{
			Name: "byok-error-rate", Runbook: "agent-error-rate-high",
			Branch:  "Resolution B: BYOK requests failing",
			Summary: "the kms breaker is open, so every BYOK request (3 in 10) answers 503: the 5xx rate is 30%",
			Signal:  Signal{Alarm: "agent-error5xx-rate", Metric: "Error5xxCount/RequestCount % (math)", Threshold: 5},
			Steps:   []string{"breaker.reset component=kms"},
			Fault:   openKMSBreaker,
		},
		{
			Name: "stale-reservations", Runbook: "agent-stale-reservations",
			Branch:  "Resolution A: Reap expired reservations",
			Summary: "a crashed worker left 120 reservations that expired 20 s ago (24 already without hash)",
			Signal:  Signal{Alarm: "agent-stale-reservations", Metric: "ReservationAge Maximum", Threshold: 100000},
			Steps:   []string{"reservations.drain older=5m mode=reap"},
			Fault:   func(ctx context.Context, r *Rig) error { return r.Leak(ctx, 120, 24) },
		},
		{
			Name: "budget-drift", Runbook: "agent-budget-drift-high",
			Branch:  "Resolution A: Reconcile leaked reservations",
			Summary: "60 orphaned reservations (hash gone) still hold their estimates in reserved: driftCents > 0",
			Signal: Signal{
				// CommittedReportedDelta, which the catalog's alarm watches, is
				// never emitted by the gateway (gateway-domain.md 1.1): the
				// runbook's own verification is the signal.
				Predicate: "reservations.inspect shows driftCents 0 and orphaned 0 in every community",
				Cleared:   noDrift,
			},
			Steps: []string{"reservations.drain older=5m mode=reconcile"},
			Fault: func(ctx context.Context, r *Rig) error { return r.Leak(ctx, 60, 60) },
		},
		{
			Name: "pool-claims-graduated-early", Runbook: "pool-claim-graduation",
			Branch:  "Resolution B: Roll back to warn",
			Summary: "enforcement went to reject while requests still carry mismatched pool claims: they are rejected",
			Signal:  Signal{Alarm: "drill-pool-claim-rejects", Metric: "PoolClaimReject{pool_id=reasoning} Sum (drill catalog)", Threshold: 0},
			Steps:   []string{"poolclaims.enforce mode=warn"},
			Fault:   graduateEarly,
		},
		{
			Name: "staging-flag-left-on", Runbook: "feature-flags-staging",
			Branch:  "Resolution A: Disable a feature in staging",
			Summary: "ensemble_enabled was switched on in the runtime flag store for a test and left on",
			Signal: Signal{
				Predicate: "flags.show reads ensemble_enabled false (its value before the test)",
				Cleared:   flagIs("ensemble_enabled", false),
			},
			Steps: []string{"flags.set ensemble_enabled=false"},
			Fault: func(ctx context.Context, r *Rig) error {
				_, err := r.Stack.Store.SetFlag(ctx, "ensemble_enabled", true)
				return err
			},
		},
		{
			Name: "redis-degraded", Runbook: "agent-redis-degraded",
			Branch: "Resolution B: CPU or connections high",
			Summary: "someone's ad-hoc `KEYS agent:budget:*` loop saturates the gateway's Redis: a latency proxy in front of " +
				"redis-server adds 80 ms to every command of the api and the worker, so even the fastest reserve takes 80 ms",
			Signal: Signal{Alarm: "drill-agent-redis-latency", Metric: "RedisLatency{operation=reserve} Minimum (drill catalog, ours: no Terraform alarm)", Threshold: RedisLatencyThresholdMs},
			Manual: []Manual{{Text: "Stop our own load first: ... and any ad-hoc `KEYS` or unbounded `SCAN` in someone's shell.", Apply: stopOwnLoad}},
			Steps:  []string{"redis.diagnose"},
			Fault:  degradeRedis,
		},
		{
			Name: "p99-provider-slow", Runbook: "agent-latency-p99-high",
			Branch: "Resolution A: Provider or loa-finn slow",
			Summary: "Anthropic slows past the gateway's 30 s loa-finn timeout: every reasoning request (1 baseline request in 6) " +
				"takes 30,000 ms and fails with 500, leaving its reservation behind",
			Signal: Signal{Alarm: "agent-p99-latency", Metric: "RequestLatency{feature=baseline} p99", Threshold: 10000},
			// The provider recovers when its owners act: the wait the runbook
			// prescribes is the step (docs/decisions.md 101).
			Manual: []Manual{{Text: "Escalate to the loa-finn owners through L2 with the pool, provider and timings.", Apply: providerRecovers}},
			Steps:  []string{"reservations.drain older=5m mode=reap"},
			Fault:  slowProvider,
		},
		{
			Name: "finalize-fail-open", Runbook: "agent-finalize-failures",
			Branch: "Resolution A: Finalize failing open on Redis errors",
			Summary: "the worker's path to Redis is cut (a proxy in front of redis-server resets its connections): every usage " +
				"finalize errors and fails open, leaving its reservation, while the api still reserves",
			Signal: Signal{Alarm: "drill-worker-agent-finalize-failures", Metric: "FinalizeFailure{ServiceName=arrakis-{env}-worker} Sum (drill catalog)", Threshold: 0},
			Manual: []Manual{{Text: "Restore Redis first: follow `agent-redis-degraded`.", Apply: restoreWorkerRedis}},
			Steps:  []string{"reservations.drain older=5m mode=reconcile"},
			Fault:  cutWorkerRedis,
		},
		{
			Name: "estimate-drift-ensemble", Runbook: "agent-estimate-drift",
			Branch: "Resolution B: Ensemble overrun",
			Summary: "DRILL-ONLY METRIC: the real gateway never emits TokenEstimateDrift (its estimator only logs token_estimate_drift); " +
				"this drill publishes it. ensemble_enabled is on in staging for a test and consensus requests make 6 calls on a " +
				"reservation for 2: each commits 3x its estimate (drift 200 %)",
			Signal: Signal{Alarm: "drill-agent-token-estimate-drift", Metric: "TokenEstimateDrift Average (drill-published: the real gateway never emits it)", Threshold: 100},
			Steps:  []string{"flags.set ensemble_enabled=false"},
			Fault:  ensembleOverrun,
		},
	}
}

// Lookup finds a scenario by name; the error lists the known names.
func Lookup(name string) (Scenario, error) {
	lib := Library()
	i := slices.IndexFunc(lib, func(s Scenario) bool { return s.Name == name })
	if i < 0 {
		names := make([]string, len(lib))
		for k, s := range lib {
			names[k] = s.Name
		}
		return Scenario{}, fmt.Errorf("no drill %q; known drills: %s", name, strings.Join(names, ", "))
	}
	return lib[i], nil
}

// openKMSBreaker records the breaker threshold's failures through the
// gateway's own breaker script, as BYOK requests do during a KMS outage:
// 100 ms apart, since the script keys each failure by its time.
func openKMSBreaker(ctx context.Context, r *Rig) error {
	for range 3 {
		r.Clock.Advance(100 * time.Millisecond)
		if _, err := r.Stack.Store.BreakerFailure(ctx, gateway.KMSBreaker); err != nil {
			return err
		}
	}
	b, err := r.Stack.Store.Breaker(ctx, gateway.KMSBreaker)
	if err == nil && b.State != "open" {
		err = fmt.Errorf("kms breaker is %q after 3 failures, want open", b.State)
	}
	return err
}

func noDrift(ctx context.Context, r *Rig) (bool, error) {
	sum, err := r.Stack.Store.ReservationSummary(ctx, "", 1000)
	if err != nil {
		return false, err
	}
	return sum.Totals.DriftCents == 0 && sum.Totals.Orphaned == 0, nil
}

func flagIs(name string, want bool) func(context.Context, *Rig) (bool, error) {
	return func(ctx context.Context, r *Rig) (bool, error) {
		f, err := r.Stack.Store.Flags(ctx)
		if err != nil {
			return false, err
		}
		return f.Values[name] == want, nil
	}
}
