package sim

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/redisproc"
)

func taskStore(t *testing.T) *gateway.Store {
	_, rdb := redisproc.ForTest(t)
	return gateway.NewStore(rdb, gateway.StoreOptions{})
}

// taskSet is a TaskSource the test edits, as a deployment would.
type taskSet struct {
	mu    sync.Mutex
	tasks []Task
}

func (s *taskSet) set(tasks ...Task) { s.mu.Lock(); s.tasks = tasks; s.mu.Unlock() }

func (s *taskSet) list() ([]Task, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Task(nil), s.tasks...), nil
}

type lines struct {
	mu  sync.Mutex
	all []string
}

func (l *lines) emit(b []byte) error {
	l.mu.Lock()
	l.all = append(l.all, string(b))
	l.mu.Unlock()
	return nil
}

func (l *lines) count(sub string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.all {
		if strings.Contains(s, sub) {
			n++
		}
	}
	return n
}

func TestTasksWithEnsembleOffAnswerEnsembleDisabled(t *testing.T) {
	ts := &taskSet{}
	ts.set(Task{ID: "t1", Env: map[string]string{"ENSEMBLE_ENABLED": "true"}})
	out := &lines{}
	sc := NewScenario(taskStore(t), out.emit, ScenarioConfig{Tasks: ts.list, Seed: 7})
	ctx := context.Background()
	now := time.Now()
	sc.start = now.Add(-time.Hour) // the incident is long over
	for i := 0; i < 200; i++ {
		sc.request(ctx, now)
	}
	on := out.count(`"feature":"ensemble"`)
	if on == 0 || sc.EnsembleDisabled() != 0 {
		t.Fatalf("ensemble on: %d ensemble lines, %d disabled", on, sc.EnsembleDisabled())
	}
	ts.set(Task{ID: "t2", Env: map[string]string{"ENSEMBLE_ENABLED": "false"}})
	for i := 0; i < 200; i++ {
		sc.request(ctx, now)
	}
	if out.count(`"feature":"ensemble"`) != on || sc.EnsembleDisabled() == 0 {
		t.Fatalf("ensemble off: %d ensemble lines (was %d), %d disabled", out.count(`"feature":"ensemble"`), on, sc.EnsembleDisabled())
	}
}

func TestLoaFinnBreakerStaysOpenUntilTheTaskIsReplaced(t *testing.T) {
	ts := &taskSet{}
	ts.set(Task{ID: "old", Env: map[string]string{"ENSEMBLE_ENABLED": "true"}})
	out := &lines{}
	sc := NewScenario(taskStore(t), out.emit, ScenarioConfig{Tasks: ts.list, LoaFinnOutage: true, OutageFor: 20 * time.Second, IncidentAfter: time.Second, Seed: 3})
	ctx := context.Background()
	sc.start = time.Now().Add(-5 * time.Second) // inside the outage
	for i := 0; i < 20; i++ {
		sc.request(ctx, time.Now())
	}
	if open, tasks := sc.LoaFinnBreakers(); open != 1 || tasks != 1 {
		t.Fatalf("during the outage: %d of %d breakers open", open, tasks)
	}
	sc.start = time.Now().Add(-time.Hour) // outage over: the breaker stays open
	sc.request(ctx, time.Now())
	sc.emitGauges(ctx, time.Now())
	if open, _ := sc.LoaFinnBreakers(); open != 1 || out.count(`"component":"loa-finn"`) != 1 || out.count(`"CircuitBreakerState":2`) < 1 {
		t.Fatalf("after the outage: open %d, lines %v", open, out.all[len(out.all)-2:])
	}
	ts.set(Task{ID: "new", Env: map[string]string{"ENSEMBLE_ENABLED": "true"}}) // service.restart
	sc.request(ctx, time.Now())
	if open, tasks := sc.LoaFinnBreakers(); open != 0 || tasks != 1 {
		t.Fatalf("after the restart: %d of %d open", open, tasks)
	}
}
