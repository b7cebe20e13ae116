package ops

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"gatewayops/gateway"
)

// UndoEntry is one applied write that has an inverse.
type UndoEntry struct {
	// ID is the journal id of the write; the undo is journaled with UndoOf = ID.
	ID      string    `json:"id"`
	Command string    `json:"command"`
	Inverse string    `json:"inverse"`
	At      time.Time `json:"at"`
	// Left is the state the write left, read back by planning its inverse
	// right after it verified (the inverse's Plan.Before).
	Left map[string]string `json:"left,omitempty"`
	// IdempotencyKey is the write's own, so its audit record is not taken
	// for a later change.
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
	// Done is set once the undo ran; the entry stays listed, marked.
	Done bool `json:"done,omitempty"`
}

// UndoStack holds the writes applied since the console started, newest
// first. A write stays undoable only while the state still equals the state
// it left: Plan reads the state again and refuses, saying what changed, when
// it differs. The stack lives beside the runner, not in any one screen, so a
// later read, a "Verify fix" step or a dismissed dialog do not lose it.
type UndoStack struct {
	mu      sync.Mutex
	entries []UndoEntry
}

// UndoRefusedError says why an undo would be wrong now.
type UndoRefusedError struct {
	Entry   UndoEntry
	Changes []string // "ensemble_enabled: your write left true, now false"
	By      string   // who changed it, when known ("flags.set at 10:31:02Z by u2 (key ops)")
}

func (e *UndoRefusedError) Error() string {
	msg := fmt.Sprintf("not undoing %s: the state changed since it ran at %s (%s)", e.Entry.Command, clock(e.Entry.At), strings.Join(e.Changes, "; "))
	if e.By != "" {
		msg += "; changed by " + e.By
	}
	return msg + "; plan a new step instead"
}

// Record pushes a verified (or still rolling out) write that has an inverse, reading back the
// state it left by planning the inverse (a dry run, nothing is sent).
func (s *UndoStack) Record(ctx context.Context, r *Runner, out Outcome, at time.Time) error {
	// A detached rollout (in progress) was written and is undoable as well.
	if out.Inverse == "" || (!out.OK() && !out.InProgress) || out.Skipped {
		return nil
	}
	left, err := undoState(ctx, r, out.Inverse)
	if err != nil {
		return fmt.Errorf("%s is not undoable: its state could not be read back: %w", out.Command, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = append(s.entries, UndoEntry{ID: out.ID, Command: out.Command, Inverse: out.Inverse, At: at.UTC(), Left: left, IdempotencyKey: out.Plan.IdempotencyKey})
	return nil
}

// List is the stack, newest first.
func (s *UndoStack) List() []UndoEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]UndoEntry, len(s.entries))
	for i, e := range s.entries {
		out[len(s.entries)-1-i] = e
	}
	return out
}

// MarkDone records that the undo of id ran.
func (s *UndoStack) MarkDone(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.entries {
		if s.entries[i].ID == id {
			s.entries[i].Done = true
		}
	}
}

// Find is the stack's entry for the write id.
func (s *UndoStack) Find(id string) (UndoEntry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries {
		if e.ID == id {
			return e, true
		}
	}
	return UndoEntry{}, false
}

// Plan prepares the undo of the write id: it plans the inverse, which reads
// the current state, and refuses with an *UndoRefusedError when that state is
// no longer the one the write left. The Prepared carries UndoOf, so the
// journal records it as the undo of its original.
func (s *UndoStack) Plan(ctx context.Context, r *Runner, id string) (Prepared, error) {
	e, ok := s.Find(id)
	if !ok {
		return Prepared{}, fmt.Errorf("no undoable write %s in this session", id)
	}
	if e.Done {
		return Prepared{}, fmt.Errorf("%s was already undone", e.Command)
	}
	inv, err := r.Registry.Parse(e.Inverse)
	if err != nil {
		return Prepared{}, err
	}
	p, err := r.Prepare(ctx, inv)
	if err != nil {
		return Prepared{}, err
	}
	if changes := diffState(e.Left, p.Plan.Before); len(changes) > 0 {
		return Prepared{}, &UndoRefusedError{Entry: e, Changes: changes, By: r.changedBy(ctx, e)}
	}
	p.UndoOf = e.ID
	return p, nil
}

func undoState(ctx context.Context, r *Runner, inverse string) (map[string]string, error) {
	inv, err := r.Registry.Parse(inverse)
	if err != nil {
		return nil, err
	}
	p, err := r.Prepare(ctx, inv)
	if err != nil {
		return nil, err
	}
	return p.Plan.Before, nil
}

// diffState lists the keys whose value differs between what the write left
// and what is there now.
func diffState(left, now map[string]string) []string {
	keys := map[string]bool{}
	for k := range left {
		keys[k] = true
	}
	for k := range now {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		if left[k] != now[k] {
			out = append(out, fmt.Sprintf("%s: your write left %s, now %s", k, orNone(left[k]), orNone(now[k])))
		}
	}
	sort.Strings(out)
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// changedBy names the newest later write of the same action: first from the
// journal (this machine's console and CLI), else from the admin API's audit
// list (anyone). Empty when neither says.
func (r *Runner) changedBy(ctx context.Context, e UndoEntry) string {
	action, _, _ := strings.Cut(e.Command, " ")
	if entries, err := ReadJournal(r.Journal.Path()); err == nil {
		for i := len(entries) - 1; i >= 0; i-- {
			j := entries[i]
			if j.Phase == PhaseResult && j.ID != e.ID && j.Action == action && j.Time.After(e.At) && j.Outcome == "ok" {
				return fmt.Sprintf("%s at %s by %s (journal)", strings.TrimSpace(j.Action+" "+paramsLine(j.Params)), clock(j.Time), orNone(j.Operator))
			}
		}
	}
	client, err := r.Env.Admin()
	if err != nil {
		return ""
	}
	list, err := client.Audit(ctx, 100, "")
	if err != nil {
		return ""
	}
	var newest *gateway.AuditRecord
	for i, a := range list.Records {
		if a.Action == action && a.At.After(e.At) && a.IdempotencyKey != e.IdempotencyKey && (newest == nil || a.At.After(newest.At)) {
			newest = &list.Records[i]
		}
	}
	if a := newest; a != nil {
		{
			who := a.Operator
			if a.KeyName != "" {
				who += " (key " + a.KeyName + ")"
			}
			return fmt.Sprintf("%s at %s by %s (admin audit)", a.Action, clock(a.At), orNone(who))
		}
	}
	return ""
}

func paramsLine(p map[string]string) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + p[k]
	}
	return strings.Join(parts, " ")
}
