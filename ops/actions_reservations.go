package ops

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gatewayops/gateway"
	"gatewayops/internal/numfmt"
)

func reservationsInspectAction() Action {
	return readAction{
		spec: Spec{Name: "reservations.inspect", Kind: Read, Summary: "reservation state per community: live, expired, orphaned, drift",
			Params: []Param{
				{Name: "community", Type: TypeString, Help: "one community id (all when absent)"},
				{Name: "limit", Type: TypeInt, Min: 1, Max: 500, Default: "20", Help: "how many communities or reservations to list"},
			}},
		run: inspectReservations,
	}
}

func inspectReservations(ctx context.Context, env *Env, inv Invocation) (Result, error) {
	c, err := env.Admin()
	if err != nil {
		return Result{}, err
	}
	community, limit := inv.Str("community"), int(inv.Int("limit"))
	sum, err := c.ReservationSummary(ctx, community)
	if err != nil {
		return Result{}, err
	}
	t := sum.Totals
	lines := []string{fmt.Sprintf("%s: %s live, %s expired, %s orphaned, %s from earlier months in %s; reserved %s, drift %s",
		sum.Month, thousands(int64(t.Live)), thousands(int64(t.Expired)), thousands(int64(t.Orphaned)),
		thousands(int64(t.PreviousMonth)), numfmt.Count(int64(t.Communities), "community", "communities"),
		cents(t.ReservedCents), cents(t.DriftCents))}
	if t.OldestExpiredAgeMs > 0 {
		lines = append(lines, "oldest expired reservation: "+ago(time.Duration(t.OldestExpiredAgeMs)*time.Millisecond)+" old")
	}
	for i, cr := range sum.Communities {
		if i == limit {
			more := numfmt.Count(int64(len(sum.Communities)-limit), "community", "communities")
			lines = append(lines, fmt.Sprintf("... %s more (raise limit=)", more))
			break
		}
		lines = append(lines, fmt.Sprintf("  %s: %s live, %s expired (%s), %s orphaned, drift %s",
			cr.Community, thousands(int64(cr.Live)), thousands(int64(cr.Expired)), cents(cr.ExpiredEstimateCents),
			thousands(int64(cr.Orphaned)), cents(cr.DriftCents)))
	}
	data := map[string]any{"summary": sum}
	if community != "" {
		page, err := c.Reservations(ctx, community, "", limit)
		if err != nil {
			return Result{}, err
		}
		for _, r := range page.Items {
			lines = append(lines, fmt.Sprintf("  %s %s %s, age %s, estimate %s", r.State, r.Member, r.ModelAlias,
				ago(time.Duration(r.AgeMs)*time.Millisecond), cents(r.EstimateCents)))
		}
		data["reservations"] = page
	}
	return Result{Lines: lines, Data: data}, nil
}

func budgetShowAction() Action {
	return readAction{
		spec: Spec{Name: "budget.show", Kind: Read, Summary: "budget counters (committed, reserved, limit) per community and month",
			Params: []Param{
				{Name: "community", Type: TypeString, Help: "one community id (all when absent)"},
				{Name: "month", Type: TypeString, Check: checkMonth, Help: "UTC month YYYY-MM (current when absent)"},
			}},
		run: func(ctx context.Context, env *Env, inv Invocation) (Result, error) {
			c, err := env.Admin()
			if err != nil {
				return Result{}, err
			}
			l, err := c.Budget(ctx, inv.Str("community"), inv.Str("month"))
			if err != nil {
				return Result{}, err
			}
			lines := []string{fmt.Sprintf("budget %s: %s", l.Month, numfmt.Count(int64(len(l.Communities)), "community", "communities"))}
			for _, b := range l.Communities {
				warn := ""
				if b.Warning {
					warn = "  WARNING >= 80% used"
				}
				lines = append(lines, fmt.Sprintf("  %s: %d%% used; committed %s, reserved %s, limit %s, remaining %s%s",
					b.Community, b.PercentUsed, cents(b.CommittedCents), cents(b.ReservedCents), cents(b.LimitCents), cents(b.RemainingCents), warn))
			}
			return Result{Lines: lines, Data: l}, nil
		},
	}
}

// reservationsDrain claims stale reservations through the admin API's drain.
type reservationsDrain struct{}

func (reservationsDrain) Spec() Spec {
	return Spec{Name: "reservations.drain", Kind: Write, Summary: "claim expired reservations (reap) and optionally recompute reserved (reconcile), in bounded batches",
		Params: []Param{
			{Name: "older", Type: TypeDuration, Default: "5m", MinDuration: 5 * time.Minute, Help: "drain reservations older than this (never below the 5m TTL)"},
			{Name: "mode", Type: TypeEnum, Enum: []string{gateway.DrainReap, gateway.DrainReconcile}, Default: gateway.DrainReap, Help: "reap claims expired members; reconcile also recomputes reserved"},
			{Name: "community", Type: TypeString, Help: "one community id (all when absent)"},
			{Name: "batch", Type: TypeInt, Min: 1, Max: 1000, Default: "500", Help: "members per Redis call"},
		}}
}

func drainRequest(inv Invocation, dry bool) gateway.DrainRequest {
	return gateway.DrainRequest{DryRun: dry, OlderThan: formatDuration(inv.Duration("older")), Mode: inv.Str("mode"),
		Community: inv.Str("community"), BatchSize: int(inv.Int("batch"))}
}

func (reservationsDrain) Plan(ctx context.Context, env *Env, inv Invocation) (Plan, error) {
	c, err := env.Admin()
	if err != nil {
		return Plan{}, err
	}
	// A dry run is its own intended request, so it gets its own key.
	dry, err := c.Drain(ctx, drainRequest(inv, true), gateway.NewIdempotencyKey())
	var apiErr *gateway.APIError
	if errors.As(err, &apiErr) && apiErr.Code == gateway.CodeConfirmRequired {
		return drainPlanFromSummary(ctx, c, inv)
	}
	if err != nil {
		return Plan{}, err
	}
	p := Plan{Lines: []string{describeDrain(dry, true)}, Data: dry}
	p.NoChange = dry.Claimed == 0 && dry.Orphans == 0 && dry.ReconcileDeltaCents == 0
	return p, nil
}

// drainPlanFromSummary plans from the read-only summary when the server
// treats even a dry run as a write (protected environments, before the
// typed confirmation): the counts are an upper bound when older > 5m.
func drainPlanFromSummary(ctx context.Context, c *gateway.Client, inv Invocation) (Plan, error) {
	sum, err := c.ReservationSummary(ctx, inv.Str("community"))
	if err != nil {
		return Plan{}, err
	}
	var claim, orphans, communities int
	var reclaim int64
	for _, cr := range sum.Communities {
		claim += cr.Expired
		orphans += cr.Orphaned
		reclaim += cr.ExpiredEstimateCents
		if cr.Expired+cr.Orphaned > 0 {
			communities++
		}
	}
	line := fmt.Sprintf("drain up to %s expired %s of %d %s, reclaim up to %s; remove up to %s orphans (mode %s, older than %s)",
		thousands(int64(claim)), plural(int64(claim), "reservation", "reservations"), communities, plural(int64(communities), "community", "communities"),
		cents(reclaim), thousands(int64(orphans)), inv.Str("mode"), formatDuration(inv.Duration("older")))
	note := "from the reservation summary: this protected environment answers a dry run only after confirmation"
	return Plan{Lines: []string{line, note}, NoChange: claim == 0 && orphans == 0 && inv.Str("mode") == gateway.DrainReap, Data: sum}, nil
}

func describeDrain(r gateway.DrainResult, dry bool) string {
	touched := 0
	for _, cd := range r.Communities {
		if cd.Claimed+cd.Orphans > 0 || cd.ReconcileDeltaCents != 0 {
			touched++
		}
	}
	verb, reclaim, remove := "drained", "reclaimed", "removed"
	if dry {
		verb, reclaim, remove = "drain", "reclaim", "remove"
	}
	s := fmt.Sprintf("%s %s expired %s of %d %s, %s %s; %s %s %s",
		verb, thousands(int64(r.Claimed)), plural(int64(r.Claimed), "reservation", "reservations"),
		touched, plural(int64(touched), "community", "communities"), reclaim, cents(r.ReclaimedCents),
		remove, thousands(int64(r.Orphans)), plural(int64(r.Orphans), "orphan", "orphans"))
	if r.Mode == gateway.DrainReconcile {
		s += "; reconcile reserved by " + cents(r.ReconcileDeltaCents)
	}
	for _, cd := range r.Communities {
		if cd.Error != "" {
			s += fmt.Sprintf("; community %s failed: %s", cd.Community, cd.Error)
		}
	}
	return s
}

func (reservationsDrain) Apply(ctx context.Context, env *Env, inv Invocation, plan Plan) (Result, error) {
	c, err := env.Admin()
	if err != nil {
		return Result{}, err
	}
	r, err := c.Drain(ctx, drainRequest(inv, false), plan.IdempotencyKey)
	if err != nil {
		return Result{}, err
	}
	line := describeDrain(r, false) + fmt.Sprintf(" in %d %s", r.Batches, plural(int64(r.Batches), "batch", "batches"))
	return Result{Lines: []string{line}, Data: r}, nil
}

// Verify runs the same selection as a dry run: nothing may be left to claim.
// It judges staleness at the instant the drain did (its StaleAsOfMs): under
// traffic, reservations go past olderThan every second, and those the drain
// was never asked to take are no failure of it.
func (reservationsDrain) Verify(ctx context.Context, env *Env, inv Invocation, r Result) (Verification, error) {
	c, err := env.Admin()
	if err != nil {
		return Verification{}, err
	}
	req := drainRequest(inv, true)
	if applied, ok := r.Data.(gateway.DrainResult); ok {
		req.StaleAsOfMs = applied.StaleAsOfMs
	}
	dry, err := c.Drain(ctx, req, gateway.NewIdempotencyKey())
	if err != nil {
		return Verification{}, err
	}
	pass := dry.Claimed == 0 && dry.Orphans == 0
	detail := fmt.Sprintf("a dry run of the same drain finds %s expired and %s orphans left",
		thousands(int64(dry.Claimed)), thousands(int64(dry.Orphans)))
	if inv.Str("mode") == gateway.DrainReconcile {
		// Reconcile promises reserved == the sum of live estimates; a dry
		// reconcile computes that atomically per community, so any delta left
		// is a real mismatch, not a race with traffic.
		pass = pass && dry.ReconcileDeltaCents == 0
		detail += fmt.Sprintf(", and reserved differs from the live estimates by %s", cents(dry.ReconcileDeltaCents))
	}
	return Verification{Pass: pass, Detail: detail}, nil
}

// Inverse: claimed reservations are gone, like the gateway's own reaper's.
func (reservationsDrain) Inverse(Invocation, Plan) (Invocation, bool) { return Invocation{}, false }
