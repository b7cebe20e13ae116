// Package cli holds gatewayops's subcommands, a file each: flags, config
// resolution and wiring. main.go only calls Main.
//
// Main picks the subcommand, and each subcommand parses its own flags, builds
// its dependencies and hands over.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// version is set at build time with -ldflags "-X gatewayops/cli.version=...";
// it is never written at run time.
var version = "dev"

// subcommand is one entry of the command table.
type subcommand struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() map[string]subcommand {
	return map[string]subcommand{
		"console":          {"open the console (the default when no subcommand is given)", runConsole},
		"demo":             {"open the console on the embedded stack (no AWS, no servers to set up)", runDemo},
		"alarms":           {"print the alarm snapshot; exit 0 all OK, 2 something in ALARM, 1 unreadable", runAlarms},
		"run":              {"run one action headless: gatewayops run ACTION [key=value ...]", runAction},
		"runbook":          {"list, show or check the embedded runbooks", runRunbook},
		"preflight":        {"preflight checks: gatewayops preflight pool-claims [--hours 24]", runPreflight},
		"journal":          {"the action journal: gatewayops journal export --since 2h", runJournal},
		"admin-server":     {"serve the Gateway Admin API v1 over the gateway's Redis", runAdminServer},
		"cloudwatch-local": {"serve the local CloudWatch-compatible service", runCloudWatchLocal},
		"version":          {"print the version", runVersion},
	}
}

// Main runs the command line of this process and returns its exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	return dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

// dispatch runs the subcommand named by args[0]; flags alone mean the console.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	name := "console"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return 0
	}
	cmd, ok := commands()[name]
	if !ok {
		fmt.Fprintf(stderr, "gatewayops: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	return cmd.run(ctx, args, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: gatewayops [command] [flags]")
	fmt.Fprintln(w, "\ncommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-17s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'gatewayops COMMAND -h' for the flags of one command.")
}

func runVersion(_ context.Context, _ []string, stdout, _ io.Writer) int {
	fmt.Fprintf(stdout, "gatewayops %s\n", version)
	return 0
}
