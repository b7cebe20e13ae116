package sim

import (
	"sync"
	"time"
)

// Task is one running gateway task as the simulated traffic sees it: its id
// and the plain environment of its container (the flags it read at start).
type Task struct {
	ID  string
	Env map[string]string
}

// TaskSource lists the running tasks (the ECS stand-in's, in the demo).
type TaskSource func() ([]Task, error)

// finnBreaker is one task's in-process loa-finn breaker (opossum's rules:
// open at >= 50% failures over >= 5 requests in a 10 s window). Like the
// kms breaker in the demo it stays open (resetAfter is long): in the real
// gateway only a new task, i.e. a forced new deployment, starts closed.
type finnBreaker struct {
	open     bool
	openedAt time.Time
	window   []finnCall
}

type finnCall struct {
	at time.Time
	ok bool
}

const (
	finnWindow    = 10 * time.Second
	finnVolume    = 5
	finnResetDemo = time.Hour
)

// allow says whether invoke() may call loa-finn.
func (b *finnBreaker) allow(now time.Time) bool {
	if b.open && now.Sub(b.openedAt) >= finnResetDemo {
		b.open = false // half-open probe; a failure re-opens
	}
	return !b.open
}

func (b *finnBreaker) record(now time.Time, ok bool) {
	b.window = append(b.window, finnCall{now, ok})
	i := 0
	for i < len(b.window) && now.Sub(b.window[i].at) > finnWindow {
		i++
	}
	b.window = b.window[i:]
	failed := 0
	for _, c := range b.window {
		if !c.ok {
			failed++
		}
	}
	if len(b.window) >= finnVolume && failed*2 >= len(b.window) {
		b.open, b.openedAt = true, now
	}
}

// fleet keeps the per-task state the simulated gateway holds in memory.
type fleet struct {
	mu       sync.Mutex
	source   TaskSource
	next     int
	breakers map[string]*finnBreaker
	disabled int64 // ENSEMBLE_DISABLED answers
}

func newFleet(src TaskSource) *fleet {
	return &fleet{source: src, breakers: map[string]*finnBreaker{}}
}

// pick returns the task serving the next request (round robin), or false
// when no source is set or no task runs.
func (f *fleet) pick() (Task, bool) {
	if f == nil || f.source == nil {
		return Task{}, false
	}
	tasks, err := f.source()
	if err != nil || len(tasks) == 0 {
		return Task{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	live := map[string]bool{}
	for _, t := range tasks {
		live[t.ID] = true
	}
	for id := range f.breakers {
		if !live[id] { // a stopped task's memory is gone
			delete(f.breakers, id)
		}
	}
	return tasks[f.next%len(tasks)], true
}

func (f *fleet) breaker(task string) *finnBreaker {
	b, ok := f.breakers[task]
	if !ok {
		b = &finnBreaker{}
		f.breakers[task] = b
	}
	return b
}

// openBreakers counts the tasks whose loa-finn breaker is open.
func (f *fleet) openBreakers() (open, tasks int) {
	if f == nil {
		return 0, 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range f.breakers {
		if b.open {
			open++
		}
	}
	return open, len(f.breakers)
}
