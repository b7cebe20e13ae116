package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"gatewayops/ops"
)

func runPreflight(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "pool-claims" {
		fmt.Fprintln(stderr, "usage: gatewayops preflight pool-claims [--hours 24] [--env NAME] [--config FILE] [--json]")
		return exitUsage
	}
	var ef envFlags
	var hours int
	var asJSON bool
	fs := flag.NewFlagSet("preflight pool-claims", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ef.register(fs)
	fs.IntVar(&hours, "hours", 24, "window in hours (1..720)")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gatewayops preflight: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if hours < 1 || hours > 720 {
		fmt.Fprintf(stderr, "gatewayops preflight: --hours %d is out of range: want 1..720\n", hours)
		return exitUsage
	}
	_, e, err := ef.load()
	if err != nil {
		fmt.Fprintln(stderr, "gatewayops preflight:", err)
		return exitUsage
	}
	env, closeEnv, err := ops.BuildEnv(ctx, e, "")
	if err != nil {
		fmt.Fprintln(stderr, "gatewayops preflight:", err)
		return exitUsage
	}
	defer closeEnv()
	rep, err := ops.PoolClaimPreflight(ctx, env.CloudWatch, env.Alarms, hours, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "gatewayops preflight: FAIL: cannot read CloudWatch:", err)
		return exitFailed
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		for _, l := range rep.Lines() {
			fmt.Fprintln(stdout, l)
		}
	}
	if !rep.Pass {
		return exitFailed
	}
	return exitOK
}
