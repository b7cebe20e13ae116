package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/alarms"
	"gatewayops/gateway"
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
	deps, closeDeps, err := consoleDeps(ctx, cfg, env)
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
	opts := ui.RunOptions{Options: ui.Options{RefreshEvery: f.refresh, NoColor: os.Getenv("NO_COLOR") != ""},
		Accessible: f.accessible}
	if err := ui.Run(ctx, b, opts); err != nil {
		fmt.Fprintf(stderr, "gatewayops: %v\n", err)
		return 1
	}
	return 0
}

// consoleDeps builds the real dependencies of one environment: CloudWatch
// through the SDK config chain, the admin API client settings, the Redis
// inspector when redis_url_env is set, the safety policy and the journal.
func consoleDeps(ctx context.Context, cfg ops.Config, env ops.Environment) (ui.Deps, func(), error) {
	none := func() {}
	cw, err := alarms.NewClient(ctx, alarms.ClientOptions{Region: env.Region, Profile: env.Profile,
		Endpoint: env.CloudWatchEndpoint, Anonymous: isLoopback(env.CloudWatchEndpoint), RetryMaxAttempts: 1})
	if err != nil {
		return ui.Deps{}, none, fmt.Errorf("environment %s: CloudWatch: %w", env.Name, err)
	}
	catName := env.Catalog
	if catName == "" {
		catName = "default"
	}
	cat, err := loadCatalogFlag(catName)
	if err != nil {
		return ui.Deps{}, none, fmt.Errorf("environment %s: catalog: %w", env.Name, err)
	}
	cat = cat.ForEnv(env.Name)
	src := alarms.NewSource(cw, strings.ReplaceAll(env.AlarmPrefix, "{env}", env.Name))
	key, err := env.AdminKey()
	if err != nil {
		return ui.Deps{}, none, err
	}
	runner, closeRunner, err := consoleRunner(cfg, env, key)
	if err != nil {
		return ui.Deps{}, none, err
	}
	runner.Env.CloudWatch, runner.Env.Alarms = cw, src
	closeRedis, err := attachInspector(env, runner.Env)
	if err != nil {
		closeRunner()
		return ui.Deps{}, none, err
	}
	lib, err := runbooks.Default()
	if err != nil {
		closeRedis()
		closeRunner()
		return ui.Deps{}, none, fmt.Errorf("runbooks: %w", err)
	}
	deps := ui.Deps{
		Poller:   alarms.NewPoller(src, cat, alarms.PollerOptions{Lint: true}),
		Runbooks: lib, Runner: runner, Region: env.Region,
	}
	return deps, func() { closeRedis(); closeRunner() }, nil
}

// consoleRunner builds the action runner: registry, policy, journal.
func consoleRunner(cfg ops.Config, env ops.Environment, adminKey string) (*ops.Runner, func(), error) {
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
	journal, err := ops.OpenJournal(jpath, ops.NewRedactor(adminKey))
	if err != nil {
		return nil, nil, err
	}
	operator := cfg.Operator
	if operator == "" {
		operator = os.Getenv("USER")
	}
	runner := &ops.Runner{
		Registry: ops.DefaultRegistry(), Policy: policy, Journal: journal, Operator: operator,
		Env: &ops.Env{Name: env.Name, Config: env, AdminURL: env.AdminURL,
			AdminOptions: gateway.ClientOptions{APIKey: adminKey, Operator: operator, InsecureSkipVerify: env.InsecureSkipVerify}},
	}
	return runner, func() { _ = journal.Close() }, nil
}

// attachInspector connects the read-only Redis inspector when the
// environment names a Redis URL variable.
func attachInspector(env ops.Environment, e *ops.Env) (func(), error) {
	raw, err := env.RedisURL()
	if err != nil || raw == "" {
		return func() {}, err
	}
	opt, err := redis.ParseURL(raw)
	if err != nil {
		// The URL may hold a password: name the variable, never the value.
		return nil, fmt.Errorf("environment %s: %s does not hold a valid redis:// or rediss:// URL", env.Name, env.RedisURLEnv)
	}
	rdb := redis.NewClient(opt)
	e.Inspector = gateway.NewInspector(rdb)
	return func() { _ = rdb.Close() }, nil
}
