package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gatewayops/internal/termsafe"
	"gatewayops/ops"
)

const preflightSynopsis = "gatewayops preflight pool-claims [--hours 24] [--env NAME] [--config FILE] [--json]"

// runPreflight is a check-style command: 0 PASS, 2 FAIL (CRITICAL),
// 3 UNKNOWN (CloudWatch unreadable, usage).
func runPreflight(ctx context.Context, args []string, std stdio) error {
	if len(args) > 0 && isHelpArg(args[0]) {
		fmt.Fprintln(std.Out, "usage: "+preflightSynopsis)
		fmt.Fprintln(std.Out, "exit: 0 PASS, 2 FAIL, 3 UNKNOWN (CloudWatch unreadable or usage error)")
		return nil
	}
	if len(args) == 0 || args[0] != "pool-claims" {
		return usagef("want a check name: %s", preflightSynopsis)
	}
	var ef envFlags
	var hours int
	var asJSON bool
	fs := newFlagSet("preflight pool-claims", preflightSynopsis, std.Out,
		"exit: 0 PASS, 2 FAIL, 3 UNKNOWN (CloudWatch unreadable or usage error)")
	ef.register(fs)
	fs.IntVar(&hours, "hours", 24, "window in hours (1..720)")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	if err := parseFlags(fs, args[1:]); err != nil {
		return helpOrErr(err)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if hours < 1 || hours > 720 {
		return usagef("--hours %d is out of range: want 1..720", hours)
	}
	t, err := ef.resolve()
	if err != nil {
		return err
	}
	if err := t.configured(); err != nil {
		return err
	}
	env, closeEnv, err := ops.BuildEnv(ctx, t.Env, "")
	if err != nil {
		return unknownErr(err)
	}
	defer closeEnv()
	rep, err := ops.PoolClaimPreflight(ctx, env.CloudWatch, env.Alarms, hours, time.Now())
	if err != nil {
		return unknownErr(fmt.Errorf("UNKNOWN: cannot read CloudWatch: %w", err))
	}
	if asJSON {
		enc := json.NewEncoder(std.Out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		for _, l := range rep.Lines() {
			fmt.Fprintln(std.Out, termsafe.String(l))
		}
	}
	if !rep.Pass {
		return silent(kindCritical)
	}
	return nil
}
