package ops

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gatewayops/gateway"
	"gatewayops/internal/numfmt"
)

// readAction is an action that only reads: its plan says so, it verifies trivially.
type readAction struct {
	spec Spec
	run  func(ctx context.Context, env *Env, inv Invocation) (Result, error)
}

func (a readAction) Spec() Spec { return a.spec }

func (a readAction) Plan(_ context.Context, _ *Env, inv Invocation) (Plan, error) {
	return Plan{Lines: []string{"read only: " + inv.String() + " changes nothing"}}, nil
}

func (a readAction) Apply(ctx context.Context, env *Env, inv Invocation, _ Plan) (Result, error) {
	return a.run(ctx, env, inv)
}

func (a readAction) Verify(context.Context, *Env, Invocation, Result) (Verification, error) {
	return Verification{Pass: true, Detail: "read only"}, nil
}

func (a readAction) Inverse(Invocation, Plan) (Invocation, bool) { return Invocation{}, false }

func statusAction() Action {
	return readAction{
		spec: Spec{Name: "gateway.status", Kind: Read, Summary: "breakers, flags, enforcement, Redis health and reservation totals"},
		run: func(ctx context.Context, env *Env, _ Invocation) (Result, error) {
			c, err := env.Admin()
			if err != nil {
				return Result{}, err
			}
			st, err := c.Status(ctx)
			if err != nil {
				return Result{}, err
			}
			redis := fmt.Sprintf("redis: ok (%.1f ms)", st.Redis.LatencyMs)
			if !st.Redis.OK {
				redis = "redis: DOWN: " + st.Redis.Error
			}
			lines := []string{fmt.Sprintf("environment %s (protected: %t) at %s", st.Environment, st.Protected, st.ServerTime.UTC().Format("2006-01-02 15:04:05Z")), redis}
			lines = append(lines, breakerLines(st.Breakers)...)
			lines = append(lines, flagLines(st.Flags)...)
			lines = append(lines, "pool-claim enforcement: "+st.Enforcement.Mode+" ("+st.Enforcement.Source+")")
			lines = append(lines, reservationCountLines(st.Reservations)...)
			return Result{Lines: lines, Data: st}, nil
		},
	}
}

func breakerLines(bs []gateway.Breaker) []string {
	var out []string
	for _, b := range bs {
		out = append(out, "breaker "+describeBreaker(b))
	}
	return out
}

func describeBreaker(b gateway.Breaker) string {
	s := fmt.Sprintf("%s: %s", b.Component, b.State)
	if b.OpenedAt != nil {
		s += " since " + clock(*b.OpenedAt)
	}
	s += fmt.Sprintf(" (%d %s)", b.RecentFailures, plural(int64(b.RecentFailures), "failure", "failures"))
	if !b.Resettable && b.Note != "" {
		s += "; " + b.Note
	}
	return s
}

func flagLines(f gateway.Flags) []string {
	names := make([]string, 0, len(f.Values))
	for n := range f.Values {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		out = append(out, fmt.Sprintf("flag %s = %t (%s)", n, f.Values[n], f.Source[n]))
	}
	return out
}

func breakerListAction() Action {
	return readAction{
		spec: Spec{Name: "breaker.list", Kind: Read, Summary: "list the circuit breakers and their states"},
		run: func(ctx context.Context, env *Env, _ Invocation) (Result, error) {
			c, err := env.Admin()
			if err != nil {
				return Result{}, err
			}
			l, err := c.Breakers(ctx)
			if err != nil {
				return Result{}, err
			}
			return Result{Lines: breakerLines(l.Breakers), Data: l}, nil
		},
	}
}

func flagsShowAction() Action {
	return readAction{
		spec: Spec{Name: "flags.show", Kind: Read, Summary: "show the runtime feature flags"},
		run: func(ctx context.Context, env *Env, _ Invocation) (Result, error) {
			c, err := env.Admin()
			if err != nil {
				return Result{}, err
			}
			f, err := c.Flags(ctx)
			if err != nil {
				return Result{}, err
			}
			return Result{Lines: flagLines(f), Data: f}, nil
		},
	}
}

func poolClaimsShowAction() Action {
	return readAction{
		spec: Spec{Name: "poolclaims.show", Kind: Read, Summary: "show the pool-claim enforcement mode"},
		run: func(ctx context.Context, env *Env, _ Invocation) (Result, error) {
			c, err := env.Admin()
			if err != nil {
				return Result{}, err
			}
			e, err := c.Enforcement(ctx)
			if err != nil {
				return Result{}, err
			}
			return Result{Lines: []string{"pool-claim enforcement: " + e.Mode + " (" + e.Source + ")"}, Data: e}, nil
		},
	}
}

// breakerReset resets one fleet-wide breaker to closed.
type breakerReset struct{}

func (breakerReset) Spec() Spec {
	return Spec{Name: "breaker.reset", Kind: Write, Summary: "reset a circuit breaker to closed and clear its failures",
		Params: []Param{{Name: "component", Type: TypeString, Required: true, Help: "breaker component, e.g. kms"}}}
}

func findBreaker(ctx context.Context, env *Env, component string) (gateway.Breaker, error) {
	c, err := env.Admin()
	if err != nil {
		return gateway.Breaker{}, err
	}
	l, err := c.Breakers(ctx)
	if err != nil {
		return gateway.Breaker{}, err
	}
	var names []string
	for _, b := range l.Breakers {
		if b.Component == component {
			return b, nil
		}
		names = append(names, b.Component)
	}
	return gateway.Breaker{}, fmt.Errorf("no breaker %q; known breakers: %s", component, strings.Join(names, ", "))
}

func (breakerReset) Plan(ctx context.Context, env *Env, inv Invocation) (Plan, error) {
	b, err := findBreaker(ctx, env, inv.Str("component"))
	if err != nil {
		return Plan{}, err
	}
	if !b.Resettable {
		return Plan{}, fmt.Errorf("breaker %s cannot be reset through the admin API (%s store): %s", b.Component, b.Store, b.Note)
	}
	before := map[string]string{"state": b.State}
	if b.State == gateway.BreakerClosed && b.RecentFailures == 0 {
		return Plan{Lines: []string{"breaker " + b.Component + " is already closed with 0 failures: nothing to reset"}, NoChange: true, Before: before, Data: b}, nil
	}
	return Plan{Lines: []string{"reset breaker " + describeBreaker(b) + " -> closed"}, Before: before, Data: b}, nil
}

func (breakerReset) Apply(ctx context.Context, env *Env, inv Invocation, plan Plan) (Result, error) {
	c, err := env.Admin()
	if err != nil {
		return Result{}, err
	}
	r, err := c.ResetBreaker(ctx, inv.Str("component"), plan.IdempotencyKey)
	if err != nil {
		return Result{}, err
	}
	line := fmt.Sprintf("breaker %s: %s -> %s", r.Component, r.Before.State, r.After.State)
	if !r.Changed {
		line += " (no change)"
	}
	return Result{Lines: []string{line}, Data: r}, nil
}

func (breakerReset) Verify(ctx context.Context, env *Env, inv Invocation, _ Result) (Verification, error) {
	b, err := findBreaker(ctx, env, inv.Str("component"))
	if err != nil {
		return Verification{}, err
	}
	pass := b.State == gateway.BreakerClosed
	return Verification{Pass: pass, Detail: "breaker " + describeBreaker(b)}, nil
}

// Inverse: re-opening a breaker by hand is never a remedy, so there is none.
func (breakerReset) Inverse(Invocation, Plan) (Invocation, bool) { return Invocation{}, false }

// flagsSet sets one runtime flag.
type flagsSet struct{}

func (flagsSet) Spec() Spec {
	var params []Param
	for _, n := range gateway.FlagNames() {
		params = append(params, Param{Name: n, Type: TypeBool, Help: "new value of " + n})
	}
	return Spec{Name: "flags.set", Kind: Write, Summary: "set one runtime feature flag", Params: params,
		ExactlyOneOf: append([]string(nil), gateway.FlagNames()...), Inverse: "flags.set"}
}

func flagOf(inv Invocation) (name string, value bool) {
	for _, n := range gateway.FlagNames() {
		if v, ok := inv.Bool(n); ok {
			return n, v
		}
	}
	return "", false
}

func (flagsSet) Plan(ctx context.Context, env *Env, inv Invocation) (Plan, error) {
	c, err := env.Admin()
	if err != nil {
		return Plan{}, err
	}
	f, err := c.Flags(ctx)
	if err != nil {
		return Plan{}, err
	}
	name, want := flagOf(inv)
	cur := f.Values[name]
	before := map[string]string{name: fmt.Sprint(cur)}
	if cur == want {
		return Plan{Lines: []string{fmt.Sprintf("%s is already %t: nothing to change", name, cur)}, NoChange: true, Before: before}, nil
	}
	return Plan{Lines: []string{fmt.Sprintf("set %s %t -> %t", name, cur, want)}, Before: before}, nil
}

func (flagsSet) Apply(ctx context.Context, env *Env, inv Invocation, plan Plan) (Result, error) {
	c, err := env.Admin()
	if err != nil {
		return Result{}, err
	}
	name, want := flagOf(inv)
	ch, err := c.SetFlag(ctx, name, want, plan.IdempotencyKey)
	if err != nil {
		return Result{}, err
	}
	return Result{Lines: []string{fmt.Sprintf("%s: %t -> %t", ch.Name, ch.Before, ch.After)}, Data: ch}, nil
}

func (flagsSet) Verify(ctx context.Context, env *Env, inv Invocation, _ Result) (Verification, error) {
	c, err := env.Admin()
	if err != nil {
		return Verification{}, err
	}
	f, err := c.Flags(ctx)
	if err != nil {
		return Verification{}, err
	}
	name, want := flagOf(inv)
	got := f.Values[name]
	return Verification{Pass: got == want, Detail: fmt.Sprintf("%s reads %t (want %t)", name, got, want)}, nil
}

func (flagsSet) Inverse(inv Invocation, plan Plan) (Invocation, bool) {
	name, _ := flagOf(inv)
	old, ok := plan.Before[name]
	if !ok {
		return Invocation{}, false
	}
	return Invocation{Action: "flags.set", Values: map[string]any{name: old == "true"}, Given: []string{name}}, true
}

// poolClaimsEnforce switches pool-claim enforcement between warn and reject.
type poolClaimsEnforce struct{}

func (poolClaimsEnforce) Spec() Spec {
	return Spec{Name: "poolclaims.enforce", Kind: Write, Summary: "switch pool-claim enforcement (warn accepts mismatching reports, reject refuses them)",
		Params:  []Param{{Name: "mode", Type: TypeEnum, Enum: []string{gateway.EnforcementWarn, gateway.EnforcementReject}, Required: true, Help: "enforcement mode"}},
		Inverse: "poolclaims.enforce"}
}

func (poolClaimsEnforce) Plan(ctx context.Context, env *Env, inv Invocation) (Plan, error) {
	c, err := env.Admin()
	if err != nil {
		return Plan{}, err
	}
	e, err := c.Enforcement(ctx)
	if err != nil {
		return Plan{}, err
	}
	want := inv.Str("mode")
	before := map[string]string{"mode": e.Mode}
	if e.Mode == want {
		return Plan{Lines: []string{"pool-claim enforcement is already " + want + ": nothing to change"}, NoChange: true, Before: before}, nil
	}
	return Plan{Lines: []string{"pool-claim enforcement " + e.Mode + " -> " + want}, Before: before}, nil
}

func (poolClaimsEnforce) Apply(ctx context.Context, env *Env, inv Invocation, plan Plan) (Result, error) {
	c, err := env.Admin()
	if err != nil {
		return Result{}, err
	}
	ch, err := c.SetEnforcement(ctx, inv.Str("mode"), plan.IdempotencyKey)
	if err != nil {
		return Result{}, err
	}
	return Result{Lines: []string{"pool-claim enforcement " + ch.Before + " -> " + ch.After}, Data: ch}, nil
}

func (poolClaimsEnforce) Verify(ctx context.Context, env *Env, inv Invocation, _ Result) (Verification, error) {
	c, err := env.Admin()
	if err != nil {
		return Verification{}, err
	}
	e, err := c.Enforcement(ctx)
	if err != nil {
		return Verification{}, err
	}
	want := inv.Str("mode")
	return Verification{Pass: e.Mode == want, Detail: "pool-claim enforcement reads " + e.Mode + " (want " + want + ")"}, nil
}

func (poolClaimsEnforce) Inverse(_ Invocation, plan Plan) (Invocation, bool) {
	old := plan.Before["mode"]
	if old == "" {
		return Invocation{}, false
	}
	return Invocation{Action: "poolclaims.enforce", Values: map[string]any{"mode": old}, Given: []string{"mode"}}, true
}

// reservationCountLines shows status's counts (by expiry score, read now)
// and the background summary's drift with its age.
func reservationCountLines(t gateway.ReservationCounts) []string {
	lines := []string{fmt.Sprintf("reservations: %s live, %s expired, %s orphaned in %s (by expiry time); reserved %s",
		thousands(int64(t.Live)), thousands(int64(t.Expired)), thousands(int64(t.Orphaned)),
		numfmt.Count(int64(t.Communities), "community", "communities"), cents(t.ReservedCents))}
	switch s := t.Summary; {
	case s == nil:
		lines = append(lines, "drift: the first background summary is still running")
	default:
		line := fmt.Sprintf("drift %s (reserved vs live estimates %s), summary %s old",
			cents(s.Totals.DriftCents), cents(s.Totals.LiveEstimateCents), ago(time.Duration(s.AgeMs)*time.Millisecond))
		if s.Error != "" {
			line += "; the latest summary failed: " + s.Error
		}
		lines = append(lines, line)
	}
	return lines
}
