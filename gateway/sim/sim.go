// Package sim drives traffic through the gateway's real Redis key schema:
// reservations that are finalized or leaked (never finalized, so stale and
// orphaned reservations accumulate exactly as in production), breaker
// failures, and fast preloading of large reservation sets for benchmarks.
package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"gatewayops/gateway"
)

// Config shapes the simulated traffic. Zero values take the defaults noted.
type Config struct {
	Communities []string // default ["community-a"]
	Users       int      // default 10
	// ReservesPerSecond paces Run; 0 means no reservations.
	ReservesPerSecond float64
	// LeakShare is the share of reservations never finalized (0..1).
	LeakShare         float64
	MeanEstimateCents int64 // default 50
	// BreakerFailuresPerSecond paces breaker failures in Run; 0 means none.
	BreakerFailuresPerSecond float64
	BreakerComponent         string // default "kms"
	Seed                     int64
	// LimitCents is the monthly limit set for every community before the
	// first reservation; default 100,000,000 (so nothing is rejected).
	LimitCents int64
}

// Stats counts what the simulator did.
type Stats struct {
	Reserved        int64 `json:"reserved"`
	Finalized       int64 `json:"finalized"`
	Leaked          int64 `json:"leaked"`
	Rejected        int64 `json:"rejected"`
	BreakerFailures int64 `json:"breakerFailures"`
	Errors          int64 `json:"errors"`
	// LastError is the most recent Redis error (Run keeps going after one).
	LastError string `json:"lastError,omitempty"`
}

// Sim is one simulator; safe for concurrent use.
type Sim struct {
	store *gateway.Store
	cfg   Config

	mu        sync.Mutex
	rng       *rand.Rand
	seq       int64
	stats     Stats
	limitsSet bool
}

// New returns a simulator over store; Config is checked on first use.
func New(store *gateway.Store, cfg Config) *Sim {
	if len(cfg.Communities) == 0 {
		cfg.Communities = []string{"community-a"}
	}
	if cfg.Users == 0 {
		cfg.Users = 10
	}
	if cfg.MeanEstimateCents == 0 {
		cfg.MeanEstimateCents = 50
	}
	if cfg.BreakerComponent == "" {
		cfg.BreakerComponent = gateway.KMSBreaker
	}
	if cfg.LimitCents == 0 {
		cfg.LimitCents = 100_000_000
	}
	return &Sim{store: store, cfg: cfg, rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed))}
}

// Validate reports the first bad Config field.
func (c Config) Validate() error {
	switch {
	case c.Users < 1:
		return fmt.Errorf("sim: Users is %d; it must be at least 1", c.Users)
	case c.ReservesPerSecond < 0:
		return fmt.Errorf("sim: ReservesPerSecond is %v; it must be 0 or more", c.ReservesPerSecond)
	case c.BreakerFailuresPerSecond < 0:
		return fmt.Errorf("sim: BreakerFailuresPerSecond is %v; it must be 0 or more", c.BreakerFailuresPerSecond)
	case c.LeakShare < 0 || c.LeakShare > 1:
		return fmt.Errorf("sim: LeakShare is %v; it must be within 0..1", c.LeakShare)
	case c.MeanEstimateCents < 1:
		return fmt.Errorf("sim: MeanEstimateCents is %d; it must be at least 1", c.MeanEstimateCents)
	case c.LimitCents < 0:
		return fmt.Errorf("sim: LimitCents is %d; it must be 0 or more", c.LimitCents)
	}
	return nil
}

// Stats returns a copy of the counters.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// ensureLimits validates the config and sets each community's limit once;
// a Redis failure is counted and retried on the next call.
func (s *Sim) ensureLimits(ctx context.Context) error {
	if err := s.cfg.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	done := s.limitsSet
	s.mu.Unlock()
	if done {
		return nil
	}
	for _, c := range s.cfg.Communities {
		if err := s.store.SetLimit(ctx, c, s.cfg.LimitCents); err != nil {
			return s.failed(err)
		}
	}
	s.mu.Lock()
	s.limitsSet = true
	s.mu.Unlock()
	return nil
}

// request is one drawn reservation.
type request struct {
	in          gateway.ReserveInput
	leak        bool
	actualCents int64
}

func (s *Sim) draw() request {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	est := 1 + s.rng.Int64N(2*s.cfg.MeanEstimateCents)
	return request{
		in: gateway.ReserveInput{
			Community:      s.cfg.Communities[s.rng.IntN(len(s.cfg.Communities))],
			User:           fmt.Sprintf("user-%d", s.rng.IntN(s.cfg.Users)),
			IdempotencyKey: fmt.Sprintf("sim-%d-%d", s.cfg.Seed, s.seq),
			ModelAlias:     "cheap",
			EstimateCents:  est,
		},
		leak:        s.rng.Float64() < s.cfg.LeakShare,
		actualCents: est * int64(50+s.rng.IntN(70)) / 100, // 50%..119% of the estimate
	}
}

func (s *Sim) count(f func(*Stats)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.stats)
}

// Step makes one reservation and, unless it leaks, finalizes it.
func (s *Sim) Step(ctx context.Context) error {
	if err := s.ensureLimits(ctx); err != nil {
		return err
	}
	r := s.draw()
	res, err := s.store.Reserve(ctx, r.in)
	if err != nil {
		return s.failed(err)
	}
	if res.Status != gateway.StatusReserved {
		s.count(func(st *Stats) { st.Rejected++ })
		return nil
	}
	s.count(func(st *Stats) { st.Reserved++ })
	if r.leak {
		s.count(func(st *Stats) { st.Leaked++ })
		return nil
	}
	fin, err := s.store.Finalize(ctx, r.in.Community, r.in.User, r.in.IdempotencyKey, r.actualCents)
	if err != nil {
		return s.failed(err)
	}
	if fin.Status == gateway.StatusFinalized {
		s.count(func(st *Stats) { st.Finalized++ })
	}
	return nil
}

// BreakerStep records one failure of the configured breaker component.
func (s *Sim) BreakerStep(ctx context.Context) error {
	if _, err := s.store.BreakerFailure(ctx, s.cfg.BreakerComponent); err != nil {
		return s.failed(err)
	}
	s.count(func(st *Stats) { st.BreakerFailures++ })
	return nil
}

func (s *Sim) failed(err error) error {
	s.count(func(st *Stats) { st.Errors++; st.LastError = err.Error() })
	return err
}

// Run paces Step and BreakerStep until ctx ends, then returns nil. Redis
// errors are counted in Stats and the traffic continues (an incident is
// exactly when the simulator must keep running); bad Config returns at once.
func (s *Sim) Run(ctx context.Context) error {
	if err := s.cfg.Validate(); err != nil {
		return err
	}
	reserves, stopR := ticker(s.cfg.ReservesPerSecond)
	defer stopR()
	failures, stopF := ticker(s.cfg.BreakerFailuresPerSecond)
	defer stopF()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-reserves:
			_ = s.Step(ctx) // counted in Stats
		case <-failures:
			_ = s.BreakerStep(ctx)
		}
	}
}

// ticker returns a channel firing perSecond times a second (nil: never).
func ticker(perSecond float64) (<-chan time.Time, func()) {
	if perSecond <= 0 {
		return nil, func() {}
	}
	t := time.NewTicker(time.Duration(float64(time.Second) / perSecond))
	return t.C, t.Stop
}
