package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"gatewayops/ops"
	"gatewayops/runbooks"
)

const runbookUsage = "gatewayops runbook list | show NAME | check"

func runRunbook(_ context.Context, args []string, std stdio) error {
	if len(args) == 0 {
		return usagef("want a subcommand: %s", runbookUsage)
	}
	switch sub := args[0]; {
	case sub == "list" && len(args) == 1:
		return runbookList(std.Out)
	case sub == "show" && len(args) == 2:
		return runbookShow(args[1], std.Out)
	case sub == "check" && len(args) == 1:
		return runbookCheck(std)
	case isHelpArg(sub):
		fmt.Fprintln(std.Out, "usage: "+runbookUsage)
		return nil
	default:
		return usagef("unexpected %q\nusage: %s", strings.Join(args, " "), runbookUsage)
	}
}

func runbookList(stdout io.Writer) error {
	all, err := runbooks.All()
	if err != nil {
		return failedErr(err)
	}
	for _, rb := range all {
		fmt.Fprintf(stdout, "%-32s %-8s %2d steps  %s\n", rb.Name, rb.Severity, len(rb.Steps), rb.Title)
	}
	return nil
}

func runbookShow(name string, stdout io.Writer) error {
	rb, err := runbooks.Get(strings.TrimSuffix(name, ".md"))
	if err != nil {
		return usageErr(err)
	}
	fmt.Fprintf(stdout, "# %s (%s)\n\n", rb.Title, rb.Severity)
	if _, err := stdout.Write(rb.Source); err != nil {
		return failedErr(err)
	}
	fmt.Fprintln(stdout, "\nsteps:")
	for i, st := range rb.Steps {
		fmt.Fprintf(stdout, "  %d. [%s] %s\n     gatewayops run %s\n", i+1, st.Section, st.Title, st.Command)
	}
	return nil
}

// runbookCheck parses and validates every ops step of every embedded runbook.
func runbookCheck(std stdio) error {
	all, err := runbooks.All()
	if err != nil {
		return failedErr(err)
	}
	steps, problems := ops.CheckRunbooks(ops.DefaultRegistry(), all)
	for _, p := range problems {
		fmt.Fprintln(std.Err, p.String())
	}
	drillCoverage(std.Out, all)
	fmt.Fprintf(std.Out, "%d runbooks, %d steps checked, %d problems\n", len(all), steps, len(problems))
	if len(problems) > 0 {
		return failedErr(errors.New("runbook check failed"))
	}
	return nil
}
