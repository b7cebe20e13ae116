package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"gatewayops/gateway/sim/drills"
	"gatewayops/gateway/sim/drills/drillops"
	"gatewayops/runbooks"
)

const drillUsage = "gatewayops drill [NAME [--prove]]"

// runDrill lists the drill scenarios, shows one, or proves one headless on
// a private embedded stack (nothing can reach a real environment: the
// stack's endpoints are loopback listeners it started itself).
func runDrill(ctx context.Context, args []string, std stdio) error {
	switch {
	case len(args) == 0:
		return drillList(std.Out)
	case isHelpArg(args[0]):
		fmt.Fprintln(std.Out, "usage: "+drillUsage)
		return nil
	case len(args) > 2 || (len(args) == 2 && args[1] != "--prove"):
		return usagef("unexpected %q\nusage: %s", strings.Join(args, " "), drillUsage)
	}
	sc, err := drills.Lookup(args[0])
	if err != nil {
		return usageErr(err)
	}
	if len(args) == 2 {
		return drillProve(ctx, sc, std.Out)
	}
	drillShow(sc, std.Out)
	return nil
}

func drillList(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DRILL\tRUNBOOK\tSIGNAL")
	for _, sc := range drills.Library() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", sc.Name, sc.Runbook, sc.Signal)
	}
	return tw.Flush()
}

func drillShow(sc drills.Scenario, w io.Writer) {
	fmt.Fprintf(w, "drill %s\n  incident: %s\n  runbook:  %s\n  branch:   %s\n  signal:   %s\nsteps that clear it:\n",
		sc.Name, sc.Summary, sc.Runbook, sc.Branch, sc.Signal)
	for i, s := range sc.Steps {
		fmt.Fprintf(w, "  %d. %s\n", i+1, s)
	}
	fmt.Fprintf(w, "\nThe console on a drill is not built yet; `gatewayops drill %s --prove` runs it headless.\n", sc.Name)
}

// drillProve runs the scenario both ways on fresh embedded stacks with a
// stepped clock: its steps through the ops runner clear the signal, and
// with no action the signal stays on for 3x the fixed run (at least 1 min).
func drillProve(ctx context.Context, sc drills.Scenario, w io.Writer) error {
	fixed, err := proveFixed(ctx, sc)
	if err != nil {
		return failedErr(err)
	}
	fmt.Fprintf(w, "DRILL %s (drill clock, stepped %s at a time)\n  signal on %s after the fault\n  %d step(s) through the ops runner: cleared %s after the first\n",
		sc.Name, drills.Tick, fixed.Raised, len(sc.Steps), fixed.Recovered)
	watch := max(3*(fixed.Raised+fixed.Recovered), time.Minute)
	r, err := drills.StartRig(ctx)
	if err != nil {
		return failedErr(err)
	}
	defer r.Close()
	if err := drills.Unfixed(ctx, r, sc, watch); err != nil {
		return failedErr(err)
	}
	fmt.Fprintf(w, "  no action: still on after %s\nPROVEN\n", watch)
	return nil
}

func proveFixed(ctx context.Context, sc drills.Scenario) (drills.Fixed, error) {
	r, err := drills.StartRig(ctx)
	if err != nil {
		return drills.Fixed{}, err
	}
	defer r.Close()
	_, step, closeRun, err := drillops.Runner(ctx, r, filepath.Join(r.Stack.Dir(), "journal.jsonl"))
	if err != nil {
		return drills.Fixed{}, err
	}
	defer closeRun()
	return drills.Fix(ctx, r, sc, step)
}

// drillCoverage prints, for `runbook check`, which runbooks have a drill
// scenario (each one proven both ways by gateway/sim/drills in make test)
// and which have none yet.
func drillCoverage(w io.Writer, all []runbooks.Runbook) {
	by := map[string][]string{}
	for _, sc := range drills.Library() {
		by[sc.Runbook] = append(by[sc.Runbook], sc.Name)
	}
	var missing []string
	for _, rb := range all {
		if names := by[rb.Name]; len(names) > 0 {
			fmt.Fprintf(w, "drill  %-32s %s\n", rb.Name, strings.Join(names, ", "))
		} else {
			missing = append(missing, rb.Name)
		}
	}
	fmt.Fprintf(w, "%d of %d runbooks have a proving drill; none yet: %s\n", len(all)-len(missing), len(all), strings.Join(missing, ", "))
}
