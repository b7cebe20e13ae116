package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"gatewayops/ops"
	"gatewayops/runbooks"
)

const runbookUsage = "usage: gatewayops runbook list | show NAME | check"

func runRunbook(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, runbookUsage)
		return exitUsage
	}
	switch sub := args[0]; {
	case sub == "list" && len(args) == 1:
		return runbookList(stdout, stderr)
	case sub == "show" && len(args) == 2:
		return runbookShow(args[1], stdout, stderr)
	case sub == "check" && len(args) == 1:
		return runbookCheck(stdout, stderr)
	case sub == "-h" || sub == "--help" || sub == "help":
		fmt.Fprintln(stdout, runbookUsage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "gatewayops runbook: unexpected %q\n%s\n", strings.Join(args, " "), runbookUsage)
		return exitUsage
	}
}

func runbookList(stdout, stderr io.Writer) int {
	all, err := runbooks.All()
	if err != nil {
		fmt.Fprintln(stderr, "gatewayops runbook:", err)
		return exitFailed
	}
	for _, rb := range all {
		fmt.Fprintf(stdout, "%-32s %-8s %2d steps  %s\n", rb.Name, rb.Severity, len(rb.Steps), rb.Title)
	}
	return exitOK
}

func runbookShow(name string, stdout, stderr io.Writer) int {
	rb, err := runbooks.Get(strings.TrimSuffix(name, ".md"))
	if err != nil {
		fmt.Fprintln(stderr, "gatewayops runbook:", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "# %s (%s)\n\n", rb.Title, rb.Severity)
	if _, err := stdout.Write(rb.Source); err != nil {
		return exitFailed
	}
	fmt.Fprintln(stdout, "\nsteps:")
	for i, st := range rb.Steps {
		fmt.Fprintf(stdout, "  %d. [%s] %s\n     gatewayops run %s\n", i+1, st.Section, st.Title, st.Command)
	}
	return exitOK
}

// runbookCheck parses and validates every ops step of every embedded runbook.
func runbookCheck(stdout, stderr io.Writer) int {
	all, err := runbooks.All()
	if err != nil {
		fmt.Fprintln(stderr, "gatewayops runbook check:", err)
		return exitFailed
	}
	steps, problems := ops.CheckRunbooks(ops.DefaultRegistry(), all)
	for _, p := range problems {
		fmt.Fprintln(stderr, p.String())
	}
	fmt.Fprintf(stdout, "%d runbooks, %d steps checked, %d problems\n", len(all), steps, len(problems))
	if len(problems) > 0 {
		return exitFailed
	}
	return exitOK
}
