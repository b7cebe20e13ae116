package ops

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gatewayops/gateway"
)

// Runner takes an invocation through plan -> confirm -> apply -> verify and
// journals it. The UI and the headless CLI both use it. Every field is required.
type Runner struct {
	Registry *Registry
	Env      *Env
	Policy   *Policy
	Journal  *Journal
	Operator string
}

// Prepared is a planned invocation waiting for confirmation.
type Prepared struct {
	ID   string
	Spec Spec
	Inv  Invocation
	Plan Plan
	// UndoOf is the journal id of the write this one undoes (UndoStack.Plan sets it).
	UndoOf string
}

// Outcome is what one execution did.
type Outcome struct {
	ID           string        `json:"id"`
	Action       string        `json:"action"`
	Kind         Kind          `json:"kind"`
	Command      string        `json:"command"`
	Plan         Plan          `json:"plan"`
	Result       Result        `json:"result"`
	Verification *Verification `json:"verification,omitempty"`
	// Inverse is the command that undoes this one, when there is one.
	Inverse string `json:"inverse,omitempty"`
	Skipped bool   `json:"skipped,omitempty"` // plan said nothing to change
	// InProgress is a write that was made and whose rollout goes on
	// unfollowed (Ctrl-C detached from it): not a failure, not yet done.
	InProgress bool          `json:"inProgress,omitempty"`
	Duration   time.Duration `json:"duration"`
	Err        error         `json:"-"`
	ErrMessage string        `json:"error,omitempty"`
}

// OK is true when the action ran and (for writes) verified.
func (o Outcome) OK() bool {
	if o.Err != nil || o.Result.Failed {
		return false
	}
	return o.Verification == nil || o.Verification.Pass
}

// Prepare validates nothing further (inv is already valid) and plans. A write
// gets its one idempotency key here.
func (r *Runner) Prepare(ctx context.Context, inv Invocation) (Prepared, error) {
	a, ok := r.Registry.Action(inv.Action)
	if !ok {
		return Prepared{}, r.Registry.unknownAction(inv.Action)
	}
	spec := a.Spec()
	plan, err := a.Plan(ctx, r.Env, inv)
	if err != nil {
		return Prepared{}, fmt.Errorf("%s: plan: %w", spec.Name, err)
	}
	if spec.Kind == Write && plan.IdempotencyKey == "" {
		plan.IdempotencyKey = gateway.NewIdempotencyKey()
	}
	return Prepared{ID: newID(), Spec: spec, Inv: inv, Plan: plan}, nil
}

// Precheck asks the safety policy whether the prepared action may run at
// all now (Policy.Precheck) and journals a refusal. The console's plan
// handler and `gatewayops run` call it before asking for a confirmation, so
// a refusal is journaled whichever front end met it.
func (r *Runner) Precheck(p Prepared) error {
	if r.Policy == nil || r.Journal == nil || r.Env == nil {
		return errors.New("ops.Runner needs Env, Policy and Journal")
	}
	if err := r.Policy.Precheck(p.Spec); err != nil {
		r.journalRefusal(p, err)
		return err
	}
	return nil
}

// Execute checks the safety policy, journals the intent, applies, verifies
// and journals the result. A refusal returns a *RefusedError and changes nothing.
func (r *Runner) Execute(ctx context.Context, p Prepared, c Confirmation) (Outcome, error) {
	if r.Policy == nil || r.Journal == nil || r.Env == nil {
		// Never act without a safety policy and a journal.
		return Outcome{}, errors.New("ops.Runner needs Env, Policy and Journal")
	}
	a, ok := r.Registry.Action(p.Spec.Name)
	if !ok {
		return Outcome{}, r.Registry.unknownAction(p.Spec.Name)
	}
	out := Outcome{ID: p.ID, Action: p.Spec.Name, Kind: p.Spec.Kind, Command: p.Inv.String(), Plan: p.Plan}
	if err := r.Policy.Check(p.Spec, c); err != nil {
		r.journalRefusal(p, err)
		return out, err
	}
	confirm := ""
	if p.Spec.Kind == Write {
		// Only now, after the typed confirmation passed, may the header go out.
		confirm = r.Policy.ConfirmHeader()
	}
	env := r.Env.forExecution(confirm)
	start := r.Env.now()
	intent := r.entry(p, PhaseIntent)
	if err := r.Journal.Append(intent); err != nil {
		// Refusing to act unjournaled is a failure, and --json must say so.
		out.Err = fmt.Errorf("not running %s: cannot journal the intent: %w", p.Spec.Name, err)
		out.ErrMessage = out.Err.Error()
		return out, out.Err
	}
	r.apply(ctx, a, env, p, &out)
	out.Duration = r.Env.now().Sub(start)
	res := r.entry(p, PhaseResult)
	// The write ran under the arming it started with, even when the window
	// ends before the result (a rollout outlives a short window).
	res.ArmedReason = intent.ArmedReason
	fillResult(&res, out)
	if err := r.Journal.Append(res); err != nil && out.Err == nil {
		out.Err = fmt.Errorf("%s ran but its result could not be journaled: %w", p.Spec.Name, err)
	}
	if out.Err != nil {
		out.ErrMessage = out.Err.Error()
	}
	return out, out.Err
}

func (r *Runner) apply(ctx context.Context, a Action, env *Env, p Prepared, out *Outcome) {
	if p.Spec.Kind == Write && p.Plan.NoChange {
		out.Skipped = true
		// The plan's data goes along: Verify reads what "already" means from it.
		out.Result = Result{Lines: []string{"nothing to change: " + p.Plan.Text()}, Data: p.Plan.Data}
	} else {
		res, err := a.Apply(ctx, env, p.Inv, p.Plan)
		res.Status = responseStatus(env, err)
		res.RequestID = responseRequestID(env, err)
		out.Result = res
		if err != nil {
			out.Err = fmt.Errorf("%s: %w", p.Spec.Name, err)
			out.InProgress = errors.Is(err, ErrInProgress)
			if out.InProgress {
				// The write was made and ECS goes on with it: it can be
				// undone like a finished one (a rollback to the revision
				// it replaced), so the undo is offered now, not lost.
				out.Inverse = inverseOf(a, p)
			}
			return
		}
	}
	if p.Spec.Kind != Write {
		return
	}
	v, err := a.Verify(ctx, env, p.Inv, out.Result)
	if err != nil {
		v = Verification{Pass: false, Detail: "could not read the result back: " + err.Error()}
	}
	out.Verification = &v
	if !out.Skipped {
		out.Inverse = inverseOf(a, p)
	}
}

// inverseOf is the command that undoes p's write, "" when it has none.
func inverseOf(a Action, p Prepared) string {
	if inv, ok := a.Inverse(p.Inv, p.Plan); ok {
		return inv.String()
	}
	return ""
}

// responseStatus is the HTTP status the admin API answered to the write
// (0 when the action made no HTTP write, e.g. CloudWatch mutes).
func responseStatus(env *Env, err error) int {
	var apiErr *gateway.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Status
	}
	return env.writes.last()
}

// responseRequestID is the admin API's X-Request-Id of the write ("" when
// there was no HTTP write or the answer carried none).
func responseRequestID(env *Env, err error) string {
	var apiErr *gateway.APIError
	if errors.As(err, &apiErr) && apiErr.RequestID != "" {
		return apiErr.RequestID
	}
	return env.writes.lastRequestID()
}

func fillResult(e *Entry, out Outcome) {
	e.Status, e.RequestID = out.Result.Status, out.Result.RequestID
	e.Verification = out.Verification
	e.DurationMs = float64(out.Duration.Microseconds()) / 1000
	e.Result = out.Result.Text()
	switch {
	case out.InProgress:
		e.Outcome, e.Error = OutcomeInProgress, out.Err.Error()
	case out.Err != nil:
		e.Outcome, e.Error = "failed", out.Err.Error()
	case !out.OK():
		e.Outcome = "failed"
	case out.Skipped:
		e.Outcome = "no change"
	default:
		e.Outcome = "ok"
	}
}

func (r *Runner) entry(p Prepared, phase string) Entry {
	var reason string
	if armed, _, why := r.Policy.Armed(); armed && p.Spec.Kind == Write {
		reason = why
	}
	return Entry{ArmedReason: reason,
		Time: r.Env.now().UTC(), ID: p.ID, Phase: phase, Operator: r.Operator, Environment: r.Env.Name,
		Action: p.Spec.Name, Kind: string(p.Spec.Kind), Params: p.Inv.Params(), Plan: p.Plan.Text(),
		IdempotencyKey: p.Plan.IdempotencyKey, UndoOf: p.UndoOf,
	}
}

// JournalNoChange records a write attempt whose plan found nothing to
// change, as one result line with outcome "no change": every attempt is in
// the journal, even the ones that sent nothing.
func (r *Runner) JournalNoChange(p Prepared) error {
	e := r.entry(p, PhaseResult)
	e.Outcome = "no change"
	return r.Journal.Append(e)
}

// journalRefusal records a refused write as one result line: nothing ran, so
// there is no intent left open.
func (r *Runner) journalRefusal(p Prepared, err error) {
	e := r.entry(p, PhaseResult)
	e.Outcome, e.Error = "refused", err.Error()
	_ = r.Journal.Append(e) // the refusal itself already reaches the operator
}

// Run parses, plans and executes one command line in one go (headless use).
func (r *Runner) Run(ctx context.Context, line string, c Confirmation) (Outcome, error) {
	inv, err := r.Registry.Parse(line)
	if err != nil {
		return Outcome{}, err
	}
	p, err := r.Prepare(ctx, inv)
	if err != nil {
		return Outcome{}, err
	}
	return r.Execute(ctx, p, c)
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
