package ui

import (
	"context"
	"fmt"
	"time"

	"strings"

	tea "charm.land/bubbletea/v2"

	"gatewayops/internal/termsafe"
	"gatewayops/ops"
)

// rolloutTimeout bounds an action that follows an ECS rollout and then
// waits for its effect in the metrics: the follow's own default (15 min)
// plus the effect wait, with room to spare. Other actions keep actionTimeout.
const rolloutTimeout = 20 * time.Minute

// rolloutFeed carries an ECS action's progress from the goroutine that
// applies it to the program: the action reports through ops.WithProgress
// (never blocking: a full channel drops a reading, the next one follows),
// a tea.Cmd waits for the next reading and hands it to Update.
type rolloutFeed struct {
	ch chan rolloutMsg
}

// rolloutMsg is one progress reading of the run with id.
type rolloutMsg struct {
	id int
	p  ops.Progress
}

func newRolloutFeed() *rolloutFeed { return &rolloutFeed{ch: make(chan rolloutMsg, 64)} }

// attach returns the context the action runs with, and its timeout.
func (f *rolloutFeed) attach(ctx context.Context, id int, p Plan) (context.Context, time.Duration) {
	timeout := actionTimeout
	if prep, ok := p.Handle.(ops.Prepared); ok && ops.FollowsRollout(prep) {
		timeout = rolloutTimeout
	}
	return ops.WithProgress(ctx, func(pr ops.Progress) {
		select {
		case f.ch <- rolloutMsg{id: id, p: pr}:
		default:
		}
	}), timeout
}

// next waits for the next reading; re-issued after each one while applying.
func (f *rolloutFeed) next() tea.Cmd {
	return func() tea.Msg { return <-f.ch }
}

// handleRollout keeps the newest reading of the run in flight.
func (m Model) handleRollout(msg rolloutMsg) (tea.Model, tea.Cmd) {
	if msg.id == m.run.id && m.run.phase == phaseApplying {
		p := msg.p
		m.run.progress = &p
	}
	if m.run.phase != phaseApplying {
		return m, nil // the action finished: stop waiting
	}
	return m, m.rollout.next()
}

// rolloutLines draws the rollout as a bar of running / desired tasks and
// one line of state; then the effect check's line.
func rolloutLines(p *ops.Progress, width int) []string {
	if p == nil {
		return nil
	}
	r := p.Rollout
	if p.Phase == ops.PhaseEffect {
		return []string{termsafe.String(p.Message)}
	}
	lines := []string{fmt.Sprintf("%s %d/%d running", taskBar(r.Running, r.Desired, max(10, min(width-18, 40))), r.Running, r.Desired),
		termsafe.String(p.Message)}
	if n := len(r.Events); n > 0 {
		lines = append(lines, "event "+termsafe.String(r.Events[n-1]))
	}
	return lines
}

// taskBar is running/desired as a bar of width cells. (bubbles' progress
// would need the harmonica module, which go.mod does not carry; the bar is
// static anyway: it moves only when ECS reports.)
func taskBar(n, of, width int) string {
	filled := 0
	if of > 0 {
		filled = min(max(n*width/of, 0), width)
	}
	return strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
}
