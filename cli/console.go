package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gatewayops/alarms"
	"gatewayops/ops"
	"gatewayops/runbooks"
	"gatewayops/ui"
)

type consoleFlags struct {
	env, config string
	accessible  bool
	refresh     time.Duration
}

func parseConsoleFlags(args []string, stderr io.Writer) (consoleFlags, error) {
	var f consoleFlags
	fs := flag.NewFlagSet("gatewayops", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.env, "env", "", "environment from the config file (default: default_environment)")
	fs.StringVar(&f.config, "config", "", "config file (default: $XDG_CONFIG_HOME/gatewayops/config.toml)")
	fs.BoolVar(&f.accessible, "accessible", false, "linear mode: plain lines and prompts, no full-screen UI")
	fs.DurationVar(&f.refresh, "refresh", 15*time.Second, "how often to poll CloudWatch and the admin API")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gatewayops [--env NAME] [--config FILE] [--accessible] [--refresh 15s]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected arguments %q: the console takes flags only", fs.Args())
	}
	if f.refresh < time.Second {
		return f, fmt.Errorf("--refresh %s: must be at least 1s", f.refresh)
	}
	return f, nil
}

func runConsole(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseConsoleFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "gatewayops: %v\n", err)
		return 2
	}
	cfg, err := ops.LoadConfig(f.config, f.config != "")
	if err != nil {
		fmt.Fprintf(stderr, "gatewayops: %v\n", err)
		return 2
	}
	env, err := cfg.Select(f.env)
	if err != nil {
		fmt.Fprintf(stderr, "gatewayops: %v\n", err)
		return 2
	}
	if env.Name == ops.DemoEnvironment {
		fmt.Fprintln(stderr, "gatewayops: no environment configured; run 'gatewayops demo' for the embedded stack, or add one to", cfg.Path)
		return 2
	}
	for _, w := range env.Warnings() {
		fmt.Fprintln(stderr, w)
	}
	deps, closeDeps, err := consoleDeps(ctx, cfg, env, consoleTuning{poll: pollOptions(f.refresh)})
	if err != nil {
		fmt.Fprintf(stderr, "gatewayops: %v\n", err)
		return 1
	}
	defer closeDeps()
	b, err := ui.NewBackend(deps)
	if err != nil {
		fmt.Fprintf(stderr, "gatewayops: %v\n", err)
		return 1
	}
	opts := consoleRunOptions(f, env)
	if err := ui.Run(ctx, b, opts); err != nil {
		fmt.Fprintf(stderr, "gatewayops: %v\n", err)
		return 1
	}
	return 0
}

// consoleRunOptions: the config's warnings (insecure_skip_verify) also go
// on the console's status line, since the full-screen UI hides whatever was
// printed to stderr before it opened.
func consoleRunOptions(f consoleFlags, env ops.Environment) ui.RunOptions {
	return ui.RunOptions{Options: ui.Options{RefreshEvery: f.refresh, NoColor: os.Getenv("NO_COLOR") != "",
		Notice: strings.Join(env.Warnings(), "; ")}, Accessible: f.accessible}
}

// consoleDeps builds the real dependencies of one environment: the backends
// (ops.BuildEnv: CloudWatch through the SDK config chain, admin API client
// settings, the Redis inspector when redis_url_env is set), the alarm
// poller, the runbooks, the safety policy and the journal.
func consoleDeps(ctx context.Context, cfg ops.Config, env ops.Environment, tune consoleTuning) (ui.Deps, func(), error) {
	operator := cfg.OperatorName()
	e, closeEnv, err := ops.BuildEnv(ctx, env, operator)
	if err != nil {
		return ui.Deps{}, nil, err
	}
	cat, err := tune.catalogFor(env)
	if err != nil {
		closeEnv()
		return ui.Deps{}, nil, err
	}
	runner, closeRunner, err := consoleRunner(env, e, operator)
	if err != nil {
		closeEnv()
		return ui.Deps{}, nil, err
	}
	lib, err := runbooks.Default()
	if err != nil {
		closeRunner()
		closeEnv()
		return ui.Deps{}, nil, fmt.Errorf("runbooks: %w", err)
	}
	deps := ui.Deps{
		Poller:   alarms.NewPoller(e.Alarms, cat, tune.poll),
		Runbooks: lib, Runner: runner, Region: env.Region,
	}
	return deps, func() { closeRunner(); closeEnv() }, nil
}

// consoleTuning adjusts what consoleDeps builds: the poll cadence, and the
// catalog when the caller brings its own (the demo does).
type consoleTuning struct {
	poll    alarms.PollerOptions
	catalog *alarms.Catalog // nil: the environment's catalog setting
}

// pollOptions turns --refresh into the poller's cadence: the quiet interval,
// and at most 10 s while anything is in ALARM.
func pollOptions(refresh time.Duration) alarms.PollerOptions {
	return alarms.PollerOptions{Lint: true, FastStart: true, ScreenRows: alarms.DefaultScreenRows, QuietInterval: refresh, AlarmInterval: min(refresh, 10*time.Second)}
}

func (t consoleTuning) catalogFor(env ops.Environment) (alarms.Catalog, error) {
	if t.catalog != nil {
		return *t.catalog, nil
	}
	name := env.Catalog
	if name == "" {
		name = "default"
	}
	cat, err := loadCatalogFlag(name)
	if err != nil {
		return alarms.Catalog{}, fmt.Errorf("environment %s: catalog: %w", env.Name, err)
	}
	return cat.ForEnv(env.Name), nil
}

// consoleRunner builds the action runner: registry, policy, journal.
func consoleRunner(env ops.Environment, e *ops.Env, operator string) (*ops.Runner, func(), error) {
	profile := env.Safety
	if profile == "" {
		profile = ops.Protected // an environment that does not say is treated as production
	}
	policy, err := ops.NewPolicy(env.Name, profile, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("environment %s: %w", env.Name, err)
	}
	jpath, err := ops.DefaultJournalPath()
	if err != nil {
		return nil, nil, err
	}
	journal, err := ops.OpenJournal(jpath, ops.NewRedactor(env.Secrets()...))
	if err != nil {
		return nil, nil, err
	}
	runner := &ops.Runner{Registry: ops.DefaultRegistry(), Policy: policy, Journal: journal, Operator: operator, Env: e}
	return runner, func() { _ = journal.Close() }, nil
}
