// Package ecslocal is a small stand-in for Amazon ECS, for tests and the
// demo: it speaks AWS JSON 1.1 (what the Go SDK's ECS client sends) for the
// operations gatewayops uses — DescribeServices, DescribeTaskDefinition,
// RegisterTaskDefinition, UpdateService (incl. forceNewDeployment),
// ListTasks and DescribeTasks — and simulates a rolling deployment on an
// injected clock: tasks start after StartDelay, old tasks drain within the
// minimum-healthy / maximum percent bounds, a bad revision's tasks fail, and
// the deployment circuit breaker marks the rollout FAILED and rolls back.
// Nothing sleeps: every request first advances the simulation to Now().
package ecslocal

import (
	"fmt"
	"sync"
	"time"
)

// Config shapes the stand-in. Zero values take the defaults noted.
type Config struct {
	// Now is the clock (default time.Now); tests pass a testclock.
	Now func() time.Time
	// Region and Account appear in ARNs (default us-east-1, 000000000000).
	Region, Account string
	// Tick is the simulation step (default 5s).
	Tick time.Duration
	// StartDelay is how long a new task takes to pass its health checks (default 30s).
	StartDelay time.Duration
	// Failure, when set, decides whether tasks of a revision fail to start:
	// a non-empty answer is the stopped reason. Tests and drills inject it;
	// FailRevisions is the shortcut.
	Failure func(family string, revision int, td map[string]any) string
}

func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Account == "" {
		c.Account = "000000000000"
	}
	if c.Tick <= 0 {
		c.Tick = 5 * time.Second
	}
	if c.StartDelay <= 0 {
		c.StartDelay = 30 * time.Second
	}
	return c
}

// Service is the stand-in's whole state; safe for concurrent use.
type Service struct {
	cfg Config

	mu       sync.Mutex
	families map[string][]*taskDef // family -> revisions, index = revision-1
	services map[string]*service   // cluster + "/" + name
	lastStep time.Time
	seq      int
	calls    map[string]int
	faults   faults
	badFrom  map[string]badRevision
}

type badRevision struct {
	from   int
	reason string
}

// New returns an empty stand-in.
func New(cfg Config) *Service {
	cfg = cfg.withDefaults()
	return &Service{cfg: cfg, families: map[string][]*taskDef{}, services: map[string]*service{},
		calls: map[string]int{}, badFrom: map[string]badRevision{}, lastStep: cfg.Now()}
}

// FailRevisions makes every task of family's revisions >= from fail to start
// with reason (a bad image or config, as a real broken revision would).
func (s *Service) FailRevisions(family string, from int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.badFrom[family] = badRevision{from: from, reason: reason}
}

// Calls counts the operations served, by name (including refused ones).
func (s *Service) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

func (s *Service) nextID() string {
	s.seq++
	return fmt.Sprintf("%032x", s.seq)
}

func (s *Service) arn(kind, rest string) string {
	return fmt.Sprintf("arn:aws:ecs:%s:%s:%s/%s", s.cfg.Region, s.cfg.Account, kind, rest)
}

func (s *Service) failureOf(td *taskDef) string {
	if b, ok := s.badFrom[td.family]; ok && td.revision >= b.from {
		return b.reason
	}
	if s.cfg.Failure != nil {
		return s.cfg.Failure(td.family, td.revision, td.body)
	}
	return ""
}
