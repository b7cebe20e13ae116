// Package cli holds gatewayops's subcommands, a file each: flags, config
// resolution and wiring. main.go only calls Main.
//
// Main picks the subcommand; each subcommand parses its own flags, resolves
// its config through envFlags.resolve, builds its dependencies and hands
// over. A subcommand returns an error that carries how it ended (exit.go);
// dispatch prints it once and turns it into the exit code.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/agext/levenshtein"
)

// version is set at build time with -ldflags "-X gatewayops/cli.version=...";
// it is never written at run time.
var version = "dev"

// stdio is a command's terminal: In is only read by the accessible console.
type stdio struct {
	In       io.Reader
	Out, Err io.Writer
}

// subcommand is one entry of the command table.
type subcommand struct {
	summary string
	class   class
	run     func(ctx context.Context, args []string, std stdio) error
}

func commands() map[string]subcommand {
	return map[string]subcommand{
		"console":          {"open the console (the default when no subcommand is given)", classAction, runConsole},
		"demo":             {"open the console on the embedded stack (no AWS, no servers to set up)", classAction, runDemo},
		"alarms":           {"print the alarm snapshot (a monitoring check: see exit codes)", classCheck, runAlarms},
		"run":              {"run one action headless: gatewayops run ACTION [key=value ...]", classAction, runAction},
		"runbook":          {"list, show or check the embedded runbooks", classAction, runRunbook},
		"drill":            {"list the drills, open the console on one (DRILL badge, report at the end), show or prove it: gatewayops drill [NAME [--speed N] [--show|--prove]] | --replay FILE", classAction, runDrill},
		"record":           {"save, read-only, an environment's alarms, history and metric data for drill --replay", classAction, runRecord},
		"preflight":        {"preflight checks: gatewayops preflight pool-claims [--hours 24] (a monitoring check)", classCheck, runPreflight},
		"journal":          {"the action journal: gatewayops journal export --since 2h", classAction, runJournal},
		"doctor":           {"check, read-only, that every backend of an environment is reachable and permitted", classAction, runDoctor},
		"admin-server":     {"serve the Gateway Admin API v1 over the gateway's Redis", classAction, adminServerCmd},
		"cloudwatch-local": {"serve the local CloudWatch-compatible service", classAction, cloudWatchLocalCmd},
		"version":          {"print the version", classAction, runVersion},
	}
}

// Main runs the command line of this process and returns its exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	return run(ctx, os.Args[1:], stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
}

// dispatch runs a command line with no terminal input (tests, scripts).
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return run(ctx, args, stdio{In: strings.NewReader(""), Out: stdout, Err: stderr})
}

// run picks the subcommand named by args[0] (flags alone mean the console),
// runs it, prints its error once and returns the exit code of its class.
func run(ctx context.Context, args []string, std stdio) int {
	if len(args) > 0 && isHelpArg(args[0]) {
		return help(args[1:], ctx, std)
	}
	name := "console"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	cmd, ok := commands()[name]
	if !ok {
		fmt.Fprintf(std.Err, "gatewayops: unknown command %q%s\nRun 'gatewayops help' for the list of commands.\n", name, suggest(name))
		return exitUsage
	}
	err := cmd.run(ctx, args, std)
	if msg := message(err); msg != "" {
		prefix := "gatewayops " + name
		if name == "console" {
			prefix = "gatewayops"
		}
		fmt.Fprintf(std.Err, "%s: %s\n", prefix, msg)
	}
	return exitCode(cmd.class, err)
}

// help prints the command list and exit table, or one command's flags
// (`gatewayops help alarms` is `gatewayops alarms -h`).
func help(args []string, ctx context.Context, std stdio) int {
	if len(args) > 0 {
		if _, ok := commands()[args[0]]; ok {
			return run(ctx, []string{args[0], "-h"}, std)
		}
		fmt.Fprintf(std.Err, "gatewayops help: unknown command %q%s\n", args[0], suggest(args[0]))
		return exitUsage
	}
	usage(std.Out)
	return exitOK
}

// suggest proposes the closest command name to a typo, or nothing:
// at most a third of its length (and two) edits away, or a command the
// typed word begins.
func suggest(name string) string {
	best, bestDist := "", max(2, len(name)/3+1)+1 // strictly below this
	for _, n := range commandNames() {
		d := levenshtein.Distance(name, n, nil)
		if len(name) >= 2 && strings.HasPrefix(n, name) {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

func commandNames() []string {
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: gatewayops [command] [flags]")
	fmt.Fprintln(w, "\ncommands:")
	cmds := commands()
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-17s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "  help [COMMAND]    this list, or the flags of one command")
	fmt.Fprintln(w, "\nconfig: $XDG_CONFIG_HOME/gatewayops/config.toml (else ~/.config/gatewayops/config.toml), or --config FILE;")
	fmt.Fprintln(w, "environment: --env NAME, else $GATEWAYOPS_ENV, else the file's default_environment.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, exitTable)
	fmt.Fprintln(w, "\nRun 'gatewayops COMMAND -h' for the flags of one command.")
}

func runVersion(_ context.Context, args []string, std stdio) error {
	fs := newFlagSet("version", "gatewayops version", std.Out)
	if err := parseFlags(fs, args); err != nil {
		return helpOrErr(err)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	fmt.Fprintf(std.Out, "gatewayops %s\n", version)
	return nil
}
