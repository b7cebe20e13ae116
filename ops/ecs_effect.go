package ops

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// Effect checking: how long to wait for the metrics to show a change, how
// far back "before" looks, and the metric period (the gateway's metrics are
// standard resolution).
const (
	EffectWait   = 3 * time.Minute
	effectPoll   = 15 * time.Second
	effectBefore = 10 * time.Minute
	effectPeriod = time.Minute
)

// expectation is what a change should do to the gateway's metrics: the sum of
// the metrics drops to zero (a feature turned off) or becomes positive.
type expectation struct {
	what    string
	metric  string
	dim     string
	values  []string
	toZero  bool
	because string
}

var allPools = []string{"cheap", "fast-code", "reviewer", "reasoning", "architect"}

// expect maps a variable change to its visible effect.
func expect(variable, value string) (expectation, bool) {
	off := value != "true"
	feature := func(f, why string) expectation {
		return expectation{what: "RequestCount{feature=" + f + "}", metric: "RequestCount", dim: "feature", values: []string{f}, toZero: off, because: why}
	}
	switch variable {
	case "ENSEMBLE_ENABLED":
		return feature("ensemble", "ensemble requests answer 400 ENSEMBLE_DISABLED before they reach loa-finn"), true
	case "BYOK_ENABLED":
		return feature("byok", "BYOK requests stop routing through BYOK"), true
	case "AGENT_ENABLED":
		e := feature("baseline", "agent routes answer 503 SERVICE_UNAVAILABLE")
		e.values, e.what = []string{"baseline", "ensemble", "byok"}, "RequestCount (all features)"
		return e, true
	case EnforcementVariable:
		if value == "warn" {
			return expectation{what: "PoolClaimReject (all pools)", metric: "PoolClaimReject", dim: "pool_id", values: allPools, toZero: true,
				because: "warn accepts mismatching reports instead of rejecting them"}, true
		}
		return expectation{what: "PoolClaimMismatch (all pools)", metric: "PoolClaimMismatch", dim: "pool_id", values: allPools, toZero: true,
			because: "reject refuses mismatching reports instead of accepting them"}, true
	}
	return expectation{}, false
}

// observeEffect waits (on the action's clock) until the metrics show the
// change, they cannot, or EffectWait passes.
func observeEffect(ctx context.Context, env *Env, data *ecsPlan) (bool, string) {
	ex, ok := expect(data.Variable, data.To)
	switch {
	case !ok:
		return false, "NOT OBSERVED: no metric is known to move with " + data.Variable
	case env.CloudWatch == nil:
		return false, "NOT OBSERVED: CloudWatch is not configured for " + env.Name
	}
	report := progressOf(ctx)
	deadline := env.now().Add(EffectWait)
	for {
		done, pass, text := effectOnce(ctx, env, ex, data)
		if done || !env.now().Before(deadline) {
			report(Progress{Phase: PhaseEffect, Message: "effect: " + text, Finished: true})
			return pass, text
		}
		report(Progress{Phase: PhaseEffect, Message: "effect: waiting: " + text})
		if err := sleepOf(env)(ctx, effectPoll); err != nil {
			return false, "NOT OBSERVED: stopped waiting (" + err.Error() + ")"
		}
	}
}

func sleepOf(env *Env) func(context.Context, time.Duration) error {
	if env.ECSFollow.Sleep != nil {
		return env.ECSFollow.Sleep
	}
	return func(ctx context.Context, d time.Duration) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	}
}

// effectOnce reads the sums before the change and in the full minutes after
// the rollout completed. done says whether waiting longer could change the answer.
func effectOnce(ctx context.Context, env *Env, ex expectation, data *ecsPlan) (done, pass bool, text string) {
	now := env.now()
	changeAt := data.AppliedAt
	settled := data.CompletedAt.Truncate(effectPeriod).Add(effectPeriod) // first full minute after completion
	before, after, err := sums(ctx, env.CloudWatch, ex, changeAt.Add(-effectBefore), now, changeAt, settled)
	if err != nil {
		return true, false, "NOT OBSERVED: CloudWatch: " + err.Error()
	}
	window := fmt.Sprintf("%s: %g in the %s before the change", ex.what, before, formatDuration(effectBefore))
	if ex.toZero {
		switch {
		case before == 0:
			return true, false, "NOT OBSERVABLE: " + window + ", so a drop cannot show (the real gateway's emitter is not wired: gateway-domain.md 0)"
		case after > 0:
			return true, false, fmt.Sprintf("NOT OBSERVED: %s, still %g since %s (%s)", window, after, clock(settled), ex.because)
		case now.Before(settled.Add(effectPeriod)):
			return false, false, fmt.Sprintf("%s; waiting for a full minute after %s", window, clock(settled))
		}
		return true, true, fmt.Sprintf("OBSERVED: %s, 0 since %s (%s)", window, clock(settled), ex.because)
	}
	if after > 0 {
		return true, true, fmt.Sprintf("OBSERVED: %s, %g since %s", window, after, clock(settled))
	}
	if before == 0 {
		// Nothing before either: is there any traffic that could show it?
		all := expectation{metric: "RequestCount", dim: "feature", values: []string{"baseline", "ensemble", "byok"}}
		traffic, _, err := sums(ctx, env.CloudWatch, all, changeAt.Add(-effectBefore), now, changeAt, settled)
		if err == nil && traffic == 0 {
			return true, false, "NOT OBSERVABLE: no RequestCount at all in the " + formatDuration(effectBefore) + " before the change (the real gateway's emitter is not wired: gateway-domain.md 0)"
		}
	}
	return false, false, fmt.Sprintf("NOT OBSERVED: %s, none since %s", window, clock(settled))
}

// sums adds the metric's Sum over [start, changeAt) and [settled, end), in
// ONE GetMetricData call with a query per dimension value.
func sums(ctx context.Context, cw *cloudwatch.Client, ex expectation, start, end, changeAt, settled time.Time) (before, after float64, err error) {
	start = start.Truncate(effectPeriod)
	end = end.Truncate(effectPeriod).Add(effectPeriod)
	var qs []cwtypes.MetricDataQuery
	for i, v := range ex.values {
		qs = append(qs, cwtypes.MetricDataQuery{Id: aws.String(fmt.Sprintf("m%d", i)), ReturnData: aws.Bool(true),
			MetricStat: &cwtypes.MetricStat{Period: aws.Int32(int32(effectPeriod.Seconds())), Stat: aws.String("Sum"),
				Metric: &cwtypes.Metric{Namespace: aws.String("Arrakis/AgentGateway"), MetricName: aws.String(ex.metric),
					Dimensions: []cwtypes.Dimension{{Name: aws.String(ex.dim), Value: aws.String(v)}}}}})
	}
	out, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(start), EndTime: aws.Time(end), MetricDataQueries: qs})
	if err != nil {
		return 0, 0, err
	}
	for _, r := range out.MetricDataResults {
		for i, ts := range r.Timestamps {
			switch {
			case ts.Before(changeAt):
				// up to and including the minute of the change: traffic as it was
				before += r.Values[i]
			case ts.Before(settled):
				// the rollout's minutes: old and new tasks both served
			default:
				after += r.Values[i]
			}
		}
	}
	return before, after, nil
}
