package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"gatewayops/gateway"
)

// ScenarioConfig shapes the demo: steady traffic with EMF out, and one
// scripted incident. Zero values take the defaults noted.
type ScenarioConfig struct {
	// Env names the environment in EMF default dimensions (default "demo").
	Env string
	// RequestsPerSecond of simulated agent requests (default 8).
	RequestsPerSecond float64
	// IncidentAfter is when the incident starts (default 15s).
	IncidentAfter time.Duration
	// OutageFor is how long the KMS dependency fails (default 20s). The kms
	// breaker opens during it and, with the demo's long reset time, stays
	// open until someone resets it.
	OutageFor time.Duration
	// LeakedReservations a crashed worker leaves behind (default 1,243), of
	// which OrphanShare (default 0.1) have already lost their hash.
	LeakedReservations int
	OrphanShare        float64
	// LeakCommunities spreads the leak over this many communities (default 12).
	LeakCommunities int
	// EmitEvery paces the gauges: breaker state and reservation age (default 5s).
	EmitEvery time.Duration
	Seed      int64
	// Tasks, when set, are the gateway's running tasks: each request is
	// served by one of them, with the flags of its environment (an ensemble
	// request to a task with ENSEMBLE_ENABLED != "true" answers 400
	// ENSEMBLE_DISABLED) and its own in-process loa-finn breaker.
	Tasks TaskSource
	// LoaFinnOutage makes loa-finn fail during the incident too, so the
	// tasks' loa-finn breakers open; only new tasks (service.restart) start closed.
	LoaFinnOutage bool
}

func (c ScenarioConfig) withDefaults() ScenarioConfig {
	if c.Env == "" {
		c.Env = "demo"
	}
	if c.RequestsPerSecond == 0 {
		c.RequestsPerSecond = 8
	}
	if c.IncidentAfter == 0 {
		c.IncidentAfter = 15 * time.Second
	}
	if c.OutageFor == 0 {
		c.OutageFor = 20 * time.Second
	}
	if c.LeakedReservations == 0 {
		c.LeakedReservations = 1243
	}
	if c.OrphanShare == 0 {
		c.OrphanShare = 0.1
	}
	if c.LeakCommunities == 0 {
		c.LeakCommunities = 12
	}
	if c.EmitEvery == 0 {
		c.EmitEvery = 5 * time.Second
	}
	return c
}

// Event is one thing the scenario did, for the demo's log.
type Event struct {
	At   time.Time `json:"at"`
	What string    `json:"what"`
}

// Scenario runs the demo traffic and incident against a Store and hands every
// EMF line to emit (cwlocal's ingest in the demo).
type Scenario struct {
	store   *gateway.Store
	traffic *Sim
	emit    func([]byte) error
	cfg     ScenarioConfig

	fleet *fleet

	mu     sync.Mutex
	noted  map[string]bool
	rng    *rand.Rand
	start  time.Time
	leaked bool
	events []Event
}

// NewScenario builds a scenario; traffic runs through its own Sim.
func NewScenario(store *gateway.Store, emit func([]byte) error, cfg ScenarioConfig) *Scenario {
	cfg = cfg.withDefaults()
	traffic := New(store, Config{Communities: []string{"community-a", "community-b", "community-c"}, Users: 25, Seed: cfg.Seed})
	sc := &Scenario{
		store: store, traffic: traffic, emit: emit, cfg: cfg, noted: map[string]bool{},
		rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0xdead)),
	}
	if cfg.Tasks != nil {
		sc.fleet = newFleet(cfg.Tasks)
	}
	return sc
}

// Events returns what happened so far.
func (sc *Scenario) Events() []Event {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return append([]Event(nil), sc.events...)
}

func (sc *Scenario) note(format string, args ...any) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.events = append(sc.events, Event{At: time.Now(), What: fmt.Sprintf(format, args...)})
}

// Run drives traffic, the incident and the gauges until ctx ends.
func (sc *Scenario) Run(ctx context.Context) error {
	if sc.cfg.RequestsPerSecond < 0 || sc.cfg.OrphanShare < 0 || sc.cfg.OrphanShare > 1 {
		return fmt.Errorf("sim: scenario RequestsPerSecond %v must be >= 0 and OrphanShare %v within 0..1",
			sc.cfg.RequestsPerSecond, sc.cfg.OrphanShare)
	}
	sc.start = time.Now()
	requests, stopR := ticker(sc.cfg.RequestsPerSecond)
	defer stopR()
	gauges := time.NewTicker(sc.cfg.EmitEvery)
	defer gauges.Stop()
	incident := time.NewTimer(sc.cfg.IncidentAfter)
	defer incident.Stop()
	sc.note("traffic starts: %.0f requests/s; incident in %s", sc.cfg.RequestsPerSecond, sc.cfg.IncidentAfter)
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-requests:
			sc.request(ctx, now)
		case now := <-gauges.C:
			sc.emitGauges(ctx, now)
		case <-incident.C:
			sc.startIncident(ctx)
		}
	}
}

// inOutage says whether the KMS dependency is failing at t.
func (sc *Scenario) inOutage(t time.Time) bool {
	begin := sc.start.Add(sc.cfg.IncidentAfter)
	return !t.Before(begin) && t.Before(begin.Add(sc.cfg.OutageFor))
}

// startIncident leaks the crashed worker's reservations; the KMS outage
// itself is time-based (inOutage).
func (sc *Scenario) startIncident(ctx context.Context) {
	sc.note("incident: KMS starts failing for %s; a crashed worker leaves %d reservations behind",
		sc.cfg.OutageFor, sc.cfg.LeakedReservations)
	if err := sc.leak(ctx, time.Now()); err != nil {
		sc.note("leak failed: %v", err)
	}
}

func (sc *Scenario) drawFeature() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	switch x := sc.rng.Float64(); {
	case x < 0.6:
		return "baseline"
	case x < 0.7:
		return "ensemble"
	default:
		return "byok"
	}
}

func (sc *Scenario) chance(p float64) bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.rng.Float64() < p
}

func (sc *Scenario) latency(meanMs float64) float64 {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return math.Round(meanMs * math.Exp(sc.rng.NormFloat64()*0.35))
}

// request simulates one agent request. BYOK requests go through the kms
// breaker as the gateway's BYOK manager does: refused (503) while it is open,
// failing (and counted as breaker failures) during the KMS outage.
func (sc *Scenario) request(ctx context.Context, now time.Time) {
	feature := sc.drawFeature()
	task, onTask := sc.fleet.pick()
	if onTask && feature == "ensemble" && task.Env["ENSEMBLE_ENABLED"] != "true" {
		sc.ensembleDisabled(task)
		return
	}
	if onTask && feature != "byok" {
		if status, done := sc.finnGate(task, now); done {
			sc.send(RequestCompleteLine(now, feature, sc.latency(30), status, "community-a", "cheap"))
			return
		}
	}
	if feature == "byok" {
		if status, done := sc.kmsGate(ctx, now); done {
			sc.send(RequestCompleteLine(now, feature, sc.latency(40), status, "community-a", "reasoning"))
			return
		}
	}
	began := time.Now()
	err := sc.traffic.Step(ctx)
	redisMs := float64(time.Since(began).Microseconds()) / 1000
	status := 200
	switch {
	case err != nil:
		status = 500
	case sc.chance(0.01): // loa-finn's background rate of 502s after retries
		status = 502
	}
	sc.send(RedisLatencyLine(now, "reserve", redisMs))
	sc.send(RequestCompleteLine(now, feature, sc.latency(900), status, "community-a", "cheap"))
}

// kmsGate returns the status of a BYOK request stopped at the kms breaker,
// and false when the request may proceed.
func (sc *Scenario) kmsGate(ctx context.Context, now time.Time) (int, bool) {
	allowed, _, err := sc.store.BreakerCheck(ctx, gateway.KMSBreaker)
	switch {
	case err != nil:
		return 503, true // the gateway fails closed: BYOK_SERVICE_UNAVAILABLE
	case !allowed:
		return 503, true // KMS_CIRCUIT_OPEN
	case sc.inOutage(now):
		_, _ = sc.store.BreakerFailure(ctx, gateway.KMSBreaker)
		return 503, true
	}
	_ = sc.store.BreakerSuccess(ctx, gateway.KMSBreaker)
	return 0, false
}

func (sc *Scenario) send(line []byte) {
	if line != nil {
		_ = sc.emit(line) // a rejected line is cwlocal's to report; traffic goes on
	}
}

// emitGauges publishes the kms breaker state and the oldest stale
// reservation's age, as the gateway's reaper would if it were scheduled.
func (sc *Scenario) emitGauges(ctx context.Context, now time.Time) {
	if open, tasks := sc.fleet.openBreakers(); tasks > 0 {
		state := 0.0
		if open > 0 {
			state = 2
		}
		sc.send(BreakerStateLine(now, gateway.LoaFinnBreaker, state))
	}
	if b, err := sc.store.Breaker(ctx, gateway.KMSBreaker); err == nil {
		sc.send(BreakerStateLine(now, gateway.KMSBreaker, BreakerStateValue(b.State)))
	}
	if sum, err := sc.store.ReservationSummary(ctx, "", 1000); err == nil {
		sc.send(ReservationAgeLine(now, sc.cfg.Env, float64(sum.Totals.OldestExpiredAgeMs)))
	}
}

// ensembleDisabled is the gateway's answer to an ensemble request when the
// task runs with ENSEMBLE_ENABLED off: 400 ENSEMBLE_DISABLED at validation,
// before emitRequestComplete, so RequestCount{feature=ensemble} stops.
func (sc *Scenario) ensembleDisabled(task Task) {
	sc.fleet.mu.Lock()
	sc.fleet.disabled++
	sc.fleet.mu.Unlock()
	sc.noteOnce("ensemble-off-"+task.ID, "task %s answers ensemble requests 400 ENSEMBLE_DISABLED (ENSEMBLE_ENABLED=%q)", shortTask(task.ID), task.Env["ENSEMBLE_ENABLED"])
}

// finnGate runs one loa-finn call through the task's in-process breaker:
// refused at once while it is open (500 INTERNAL_ERROR), failing during the
// loa-finn outage. The real breaker guards only invoke(); the demo sends
// every non-BYOK request through it so the incident shows.
func (sc *Scenario) finnGate(task Task, now time.Time) (int, bool) {
	sc.fleet.mu.Lock()
	b := sc.fleet.breaker(task.ID)
	allowed := b.allow(now)
	failing := sc.cfg.LoaFinnOutage && sc.inOutage(now)
	if allowed {
		b.record(now, !failing)
	}
	opened := b.open
	sc.fleet.mu.Unlock()
	switch {
	case !allowed:
		return 500, true
	case failing:
		if opened {
			sc.noteOnce("finn-open-"+task.ID, "task %s: loa-finn circuit breaker OPEN (in-process: only a new task starts closed)", shortTask(task.ID))
		}
		return 502, true
	}
	return 0, false
}

func (sc *Scenario) noteOnce(key, format string, args ...any) {
	sc.mu.Lock()
	seen := sc.noted[key]
	sc.noted[key] = true
	sc.mu.Unlock()
	if !seen {
		sc.note(format, args...)
	}
}

func shortTask(id string) string {
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}

// EnsembleDisabled counts the ENSEMBLE_DISABLED answers so far.
func (sc *Scenario) EnsembleDisabled() int64 {
	if sc.fleet == nil {
		return 0
	}
	sc.fleet.mu.Lock()
	defer sc.fleet.mu.Unlock()
	return sc.fleet.disabled
}

// LoaFinnBreakers counts the running tasks whose loa-finn breaker is open.
func (sc *Scenario) LoaFinnBreakers() (open, tasks int) { return sc.fleet.openBreakers() }
