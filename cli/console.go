package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gatewayops/alarms"
	"gatewayops/internal/future"
	"gatewayops/internal/logsink"
	"gatewayops/ops"
	"gatewayops/runbooks"
	"gatewayops/ui"
)

type consoleFlags struct {
	envFlags
	accessible bool
	refresh    time.Duration
}

func parseConsoleFlags(args []string, std stdio) (consoleFlags, error) {
	var f consoleFlags
	fs := newFlagSet("console", "gatewayops [console] [--env NAME] [--config FILE] [--accessible] [--refresh 15s]", std.Out)
	f.register(fs)
	fs.BoolVar(&f.accessible, "accessible", false, "linear mode: plain lines and prompts, no full-screen UI")
	fs.DurationVar(&f.refresh, "refresh", 15*time.Second, "how often to poll CloudWatch and the admin API")
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, usagef("unexpected arguments %q: the console takes flags only", fs.Args())
	}
	if f.refresh < time.Second {
		return f, usagef("--refresh %s: must be at least 1s", f.refresh)
	}
	return f, nil
}

func runConsole(ctx context.Context, args []string, std stdio) error {
	f, err := parseConsoleFlags(args, std)
	if err != nil {
		return helpOrErr(err)
	}
	if !f.accessible {
		ui.StartUp() // no collections until the first frames are drawn
	}
	t, err := f.resolve()
	if err != nil {
		return err
	}
	if err := t.configured(); err != nil {
		return err
	}
	for _, w := range t.Env.Warnings() {
		fmt.Fprintln(std.Err, w)
	}
	sink, closeLog, err := openConsoleLog(t.Env)
	if err != nil {
		return failedErr(err)
	}
	defer closeLog()
	deps, closeDeps, err := consoleDeps(ctx, t.Config, t.Env, consoleTuning{poll: pollOptions(f.refresh), log: sink})
	if err != nil {
		return failedErr(err)
	}
	defer closeDeps()
	b, err := ui.NewBackend(deps)
	if err != nil {
		return failedErr(err)
	}
	opts := consoleRunOptions(f, t.Env)
	opts.In, opts.Out = terminal(std)
	opts.Log, opts.LogPath = logLines(sink), sink.Path()
	return failedErr(ui.Run(ctx, b, opts))
}

// terminal is the console's input and output: nil (the process's own
// terminal, as Bubble Tea opens it) unless the caller gave others (tests).
func terminal(std stdio) (io.Reader, io.Writer) {
	var in io.Reader = std.In
	var out io.Writer = std.Out
	if f, ok := in.(*os.File); ok && f == os.Stdin {
		in = nil
	}
	if f, ok := out.(*os.File); ok && f == os.Stdout {
		out = nil
	}
	return in, out
}

// logLines feeds the console's log view (L) from the sink.
func logLines(sink *logsink.Sink) func() []string {
	return func() []string {
		lines := sink.Lines()
		out := make([]string, len(lines))
		for i, l := range lines {
			out[i] = l.String()
		}
		return out
	}
}

// consoleRunOptions: the config's warnings (insecure_skip_verify) also go
// on the console's status line, since the full-screen UI hides whatever was
// printed to stderr before it opened.
func consoleRunOptions(f consoleFlags, env ops.Environment) ui.RunOptions {
	return ui.RunOptions{Options: ui.Options{RefreshEvery: f.refresh, NoColor: os.Getenv("NO_COLOR") != "",
		Notice: strings.Join(env.Warnings(), "; ")}, Accessible: f.accessible}
}

// consoleDeps builds the real dependencies of one environment: the session
// (backends, safety policy, journal), the alarm poller and the runbooks.
func consoleDeps(ctx context.Context, cfg ops.Config, env ops.Environment, tune consoleTuning) (ui.Deps, func(), error) {
	// The catalog (its cached parse: 1-2 ms at 1,000 alarms) and the
	// runbooks (1 ms) load beside the session: the first poll needs the
	// session and the catalog, and the runbooks only the first alarm list's
	// selected row, so the console starts without waiting for them.
	catalog := future.Start(func() (alarms.Catalog, error) { return tune.catalogFor(env) })
	library := future.Start(func() (*runbooks.Library, error) {
		lib, err := runbooks.Default()
		if err != nil {
			return nil, fmt.Errorf("runbooks: %w", err)
		}
		return lib, nil
	})
	var build ops.BuildOptions
	if tune.log != nil {
		build.AWSLogger = tune.log.AWS()
	}
	s, err := openSession(ctx, cfg, env, build)
	cat, catErr := catalog.Wait()
	var poller *alarms.Poller
	if err == nil && catErr == nil {
		// The first poll needs the session and the catalog, not the
		// runbooks: it starts now, beside their parse.
		poller = alarms.NewPoller(s.runner.Env.Alarms, cat, tune.poll)
		poller.Prefetch(ctx, firstPollTimeout)
	}
	if err == nil && catErr != nil {
		s.close()
	}
	switch {
	case catErr != nil: // the catalog's error names the file; it is the one to fix first
		return ui.Deps{}, nil, catErr
	case err != nil:
		return ui.Deps{}, nil, err
	}
	// The runbooks are not waited for: the first lookup (the first alarm
	// list's selected row) waits, by when they are parsed.
	deps := ui.Deps{Poller: poller, LoadingRunbooks: library, Runner: s.runner, Region: env.Region}
	return deps, s.close, nil
}

// firstPollTimeout bounds the console's first poll as the console bounds
// every refresh (ui's refreshTimeout).
const firstPollTimeout = 20 * time.Second

// consoleTuning adjusts what consoleDeps builds: the poll cadence, and the
// catalog when the caller brings its own (the demo does).
type consoleTuning struct {
	poll    alarms.PollerOptions
	catalog *alarms.Catalog // nil: the environment's catalog setting
	log     *logsink.Sink   // where library logs go while the console runs (nil: unchanged)
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
