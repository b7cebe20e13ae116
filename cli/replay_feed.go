package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"gatewayops/internal/termsafe"
	"gatewayops/ui"
)

// replayFeed is the console's ui.Drill for a replay: the DRILL badge with
// the clock's compression, and a status line saying where the playback is.
// A replay has no signal of its own, so it never writes a report.
type replayFeed struct {
	name   string
	speed  int
	period time.Duration

	mu      sync.Mutex
	version int
	state   string
	changed chan struct{} // closed and replaced on every new state
}

func newReplayFeed(run *replayRun) *replayFeed {
	p := time.Duration(0)
	for _, s := range run.rec.Series {
		if d := time.Duration(s.Period) * time.Second; p == 0 || d < p {
			p = d
		}
	}
	return &replayFeed{name: "REPLAY " + termsafe.String(run.rec.Header.Env), speed: run.speed, period: p, changed: make(chan struct{})}
}

// set publishes a new state line; an unchanged one is not a new version.
func (f *replayFeed) set(state string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if state == f.state {
		return
	}
	f.state = state
	f.version++
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *replayFeed) status() ui.DrillStatus {
	return ui.DrillStatus{Version: f.version, Name: f.name, Speed: f.speed, Period: f.period, Production: "as recorded", State: f.state}
}

// WaitStatus returns the status once its version is above after, or the
// current one when ctx ends.
func (f *replayFeed) WaitStatus(ctx context.Context, after int) ui.DrillStatus {
	for {
		f.mu.Lock()
		st, ch := f.status(), f.changed
		f.mu.Unlock()
		if st.Version > after {
			return st
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return st
		}
	}
}

// RunbookOpened and StepApplied: a replay keeps no drill report; the
// steps are journaled by the runner as every step is.
func (f *replayFeed) RunbookOpened(string)                              {}
func (f *replayFeed) StepApplied(context.Context, string, bool, string) {}

// ManualStep: a replay has no step list, so nothing is manual.
func (f *replayFeed) ManualStep(context.Context) (string, error) {
	return "", errors.New("a replay has no step list: run the runbook's steps")
}

// playing is the state line while the recording plays.
func (run *replayRun) playing(now time.Time) string {
	h := run.rec.Header
	rec := now.Add(-run.shift)
	next := "no takeover: states as recorded"
	if !run.takeAt.IsZero() {
		next = "simulator takes over at " + run.takeAt.Add(-run.shift).Format("15:04")
	}
	if !now.Before(run.end) {
		return fmt.Sprintf("recording of %s-%s UTC played to its end; states stay as recorded · pNN as recorded per period, not samples", h.From.Format("15:04"), h.To.Format("15:04"))
	}
	return fmt.Sprintf("playing %s of %s-%s UTC · pNN as recorded per period, not samples · %s", rec.Format("15:04"), h.From.Format("15:04"), h.To.Format("15:04"), next)
}
