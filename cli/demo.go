package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"gatewayops/alarms"
	"gatewayops/gateway/sim"
	"gatewayops/internal/logsink"
	"gatewayops/ops"
	"gatewayops/stack"
	"gatewayops/ui"
)

type demoFlags struct {
	accessible    bool
	incidentAfter time.Duration
	exportDir     string
}

func parseDemoFlags(args []string, std stdio) (demoFlags, error) {
	var f demoFlags
	fs := newFlagSet("demo", "gatewayops demo [--accessible] [--incident-after 15s] [--export-dir DIR]", std.Out)
	fs.BoolVar(&f.accessible, "accessible", false, "linear mode: plain lines and prompts, no full-screen UI")
	fs.DurationVar(&f.incidentAfter, "incident-after", 15*time.Second, "when the scripted incident starts")
	fs.StringVar(&f.exportDir, "export-dir", ".", "where the journal export (incident timeline) is written")
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if err := noArgs(fs); err != nil {
		return f, err
	}
	if f.incidentAfter < time.Second {
		return f, usagef("--incident-after %s: must be at least 1s", f.incidentAfter)
	}
	return f, nil
}

// runDemo starts the embedded stack and opens the console on it through the
// same code path as a configured environment (consoleDeps).
func runDemo(ctx context.Context, args []string, std stdio) error {
	f, err := parseDemoFlags(args, std)
	if err != nil {
		return helpOrErr(err)
	}
	st, err := stack.Start(ctx, stack.Options{Scenario: simConfig(f)})
	if err != nil {
		return failedErr(fmt.Errorf("starting the embedded stack: %w", err))
	}
	defer st.Close()
	deps, sink, closeDeps, err := demoDeps(ctx, st)
	if err != nil {
		return failedErr(err)
	}
	defer closeDeps()
	deps.ExportDir = f.exportDir
	b, err := ui.NewBackend(deps)
	if err != nil {
		return failedErr(err)
	}
	opts := ui.RunOptions{Accessible: f.accessible, Options: ui.Options{
		RefreshEvery: 5 * time.Second, NoColor: os.Getenv("NO_COLOR") != "",
		Notice: fmt.Sprintf("DEMO: embedded stack (%s); alarms use %d s periods so the incident unfolds in about a minute",
			st.RedisKind, stack.DemoPeriod),
	}}
	opts.In, opts.Out = terminal(std)
	opts.Log, opts.LogPath = logLines(sink), sink.Path()
	return failedErr(ui.Run(ctx, b, opts))
}

// demoDeps points the demo environment at the stack. The secrets reach the
// console the way a configured environment's do: through environment
// variables named in the environment, set only inside this process.
func demoDeps(ctx context.Context, st *stack.Stack) (ui.Deps, *logsink.Sink, func(), error) {
	const keyVar, redisVar = "GATEWAYOPS_DEMO_ADMIN_KEY", "GATEWAYOPS_DEMO_REDIS_URL"
	for name, value := range map[string]string{keyVar: st.AdminKey(), redisVar: st.RedisURL, "XDG_STATE_HOME": st.Dir(),
		"AWS_ENDPOINT_URL_ECS": st.ECSURL} {
		if err := os.Setenv(name, value); err != nil {
			return ui.Deps{}, nil, nil, err
		}
	}
	env := ops.Environment{
		Name: st.Environment, Region: "us-east-1", AlarmPrefix: "arrakis-" + st.Environment + "-",
		Catalog: "default", CloudWatchEndpoint: st.CloudWatchURL, AdminURL: st.AdminURL,
		AdminKeyEnv: keyVar, RedisURLEnv: redisVar, Safety: ops.Standard,
		// The demo's gateway takes its flags from its ECS task definition, as the real one does.
		FlagsBackend: ops.BackendECS,
	}
	catalog := stack.DemoCatalog(st.Environment)
	sink, closeLog, err := openConsoleLog(env) // after XDG_STATE_HOME: the log lives in the stack's dir
	if err != nil {
		return ui.Deps{}, nil, nil, err
	}
	deps, closeDeps, err := consoleDeps(ctx, ops.Config{}, env, consoleTuning{catalog: &catalog, log: sink,
		poll: alarms.PollerOptions{Lint: true, AlarmInterval: 5 * time.Second, QuietInterval: 10 * time.Second, Window: 15 * time.Minute}})
	if err != nil {
		closeLog()
		return ui.Deps{}, nil, nil, err
	}
	return deps, sink, func() { closeDeps(); closeLog() }, nil
}

func simConfig(f demoFlags) sim.ScenarioConfig {
	return sim.ScenarioConfig{IncidentAfter: f.incidentAfter, LoaFinnOutage: true}
}
