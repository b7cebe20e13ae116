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

const drillUsage = "gatewayops drill [NAME [--speed N] [--show | --prove]] | gatewayops drill --replay FILE"

// drillFlags are the options after the drill's name.
type drillFlags struct {
	speed       int
	show, prove bool
	// env and config exist to be refused: a drill has no environment.
	env, config string
}

func parseDrillFlags(args []string, std stdio) (drillFlags, error) {
	var f drillFlags
	fs := newFlagSet("drill", drillUsage, std.Out,
		"A drill runs on a private embedded stack it starts itself (loopback listeners only): nothing it does can reach a real environment.")
	fs.IntVar(&f.speed, "speed", 1, "drill clock compression: 1 runs at wall time, N runs N drill seconds a second (1-10)")
	fs.BoolVar(&f.show, "show", false, "print the scenario (incident, runbook, branch, signal, steps) and exit")
	fs.BoolVar(&f.prove, "prove", false, "prove the scenario headless both ways on a stepped clock and exit")
	fs.StringVar(&f.env, "env", "", "refused: a drill never uses a configured environment")
	fs.StringVar(&f.config, "config", "", "refused: a drill never reads a config file")
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if err := noArgs(fs); err != nil {
		return f, err
	}
	switch {
	case f.env != "" || f.config != "":
		return f, usagef("drill refuses --env and --config: it runs only on its own embedded stack, so nothing can reach a real environment")
	case f.speed < 1 || f.speed > 10:
		return f, usagef("--speed %d: must be 1 to 10", f.speed)
	case f.show && f.prove:
		return f, usagef("--show and --prove exclude each other")
	}
	return f, nil
}

// runDrill lists the drill scenarios, opens the console on one, shows or
// proves it (nothing can reach a real environment: the stack's endpoints
// are loopback listeners it started itself).
func runDrill(ctx context.Context, args []string, std stdio) error {
	switch {
	case len(args) == 0:
		return drillList(std.Out)
	case isHelpArg(args[0]):
		fmt.Fprintln(std.Out, "usage: "+drillUsage)
		return nil
	case strings.HasPrefix(args[0], "--replay"): // cli/replay.go
		return drillReplay(ctx, args, std)
	case strings.HasPrefix(args[0], "-"):
		return usagef("want a drill name before %s (gatewayops drill lists them)\nusage: %s", args[0], drillUsage)
	}
	sc, err := drills.Lookup(args[0])
	if err != nil {
		return usageErr(err)
	}
	f, err := parseDrillFlags(args[1:], std)
	if err != nil {
		return helpOrErr(err)
	}
	switch {
	case f.prove:
		return drillProve(ctx, sc, std.Out)
	case f.show:
		drillShow(sc, std.Out)
		return nil
	}
	return drillConsole(ctx, sc, f, std)
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
	for i, s := range sc.StepList() {
		fmt.Fprintf(w, "  %d. %s\n", i+1, s)
	}
	fmt.Fprintf(w, "\n`gatewayops drill %s` opens the console on it; `--prove` runs it headless.\n", sc.Name)
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
	if len(missing) == 0 {
		fmt.Fprintf(w, "%d of %d runbooks have a proving drill\n", len(all), len(all))
		return
	}
	fmt.Fprintf(w, "%d of %d runbooks have a proving drill; none yet: %s\n", len(all)-len(missing), len(all), strings.Join(missing, ", "))
}
