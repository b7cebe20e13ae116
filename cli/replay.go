package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"gatewayops/alarms"
	"gatewayops/alarms/replay"
	"gatewayops/gateway/sim/drills"
	"gatewayops/internal/logsink"
	"gatewayops/internal/termsafe"
	"gatewayops/ops"
	"gatewayops/ui"
)

const replayUsage = "gatewayops drill --replay FILE [--speed N] [--takeover AT] [--accessible]"

type replayFlags struct {
	path       string
	speed      int
	takeover   time.Duration
	hasTake    bool
	accessible bool
}

func parseReplayFlags(args []string, std stdio) (replayFlags, error) {
	var f replayFlags
	fs := newFlagSet("drill --replay", replayUsage, std.Out,
		"Plays a `gatewayops record` file back on a compressed clock into a private embedded stack and opens the console:",
		"datapoints exact (SampleCount, Sum, Minimum, Maximum), alarm states at their recorded times, percentiles as recorded.",
		"From --takeover AT (time into the recording, e.g. 45m) the simulator takes the incident over, so steps have an effect.")
	fs.StringVar(&f.path, "replay", "", "the recording to play")
	fs.IntVar(&f.speed, "speed", 0, "clock compression: recorded seconds per wall second (default: the window in about 4 minutes)")
	fs.Func("takeover", "time into the recording at which the simulator takes over (e.g. 45m)", func(s string) error {
		d, err := time.ParseDuration(s)
		f.takeover, f.hasTake = d, true
		return err
	})
	fs.BoolVar(&f.accessible, "accessible", false, "linear mode: plain lines and prompts, no full-screen UI")
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if err := noArgs(fs); err != nil {
		return f, err
	}
	switch {
	case f.path == "":
		return f, usagef("--replay FILE is required\nusage: %s", replayUsage)
	case f.speed < 0 || f.speed > 3600:
		return f, usagef("--speed %d: must be between 1 and 3600", f.speed)
	}
	return f, nil
}

// autoSpeed plays the window in about four minutes, at a round compression.
func autoSpeed(window time.Duration) int {
	want := window / (4 * time.Minute)
	for _, s := range []int{1, 2, 5, 10, 15, 30, 60, 120, 300, 600} {
		if time.Duration(s) >= want {
			return s
		}
	}
	return 600
}

// drillReplay plays a recording into a private embedded stack (a drill Rig:
// no scenario traffic, nothing evaluates until a takeover) and opens the
// console on it. Nothing reaches the recorded environment: the recording
// is a file and the stack's endpoints are loopback listeners it started.
func drillReplay(ctx context.Context, args []string, std stdio) error {
	f, err := parseReplayFlags(args, std)
	if err != nil {
		return helpOrErr(err)
	}
	rec, err := replay.ReadFile(f.path)
	if err != nil {
		return usageErr(err)
	}
	h := rec.Header
	if f.hasTake && (f.takeover < 0 || f.takeover >= h.To.Sub(h.From)) {
		return usagef("--takeover %s: must be within the recording's %s", f.takeover, h.To.Sub(h.From))
	}
	if f.speed == 0 {
		f.speed = autoSpeed(h.To.Sub(h.From))
	}
	r, err := drills.StartRig(ctx)
	if err != nil {
		return failedErr(fmt.Errorf("starting the embedded stack: %w", err))
	}
	defer r.Close()
	run, err := newReplayRun(r, rec, f)
	if err != nil {
		return failedErr(err)
	}
	return run.console(ctx, f, std)
}

// console opens the console on the replay while the playback runs.
func (run *replayRun) console(ctx context.Context, f replayFlags, std stdio) error {
	deps, sink, closeDeps, err := replayDeps(ctx, run)
	if err != nil {
		return failedErr(err)
	}
	defer closeDeps()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go run.loop(ctx, sink)
	b, err := ui.NewBackend(deps)
	if err != nil {
		return failedErr(err)
	}
	opts := ui.RunOptions{Accessible: f.accessible, Options: ui.Options{
		RefreshEvery: 2 * time.Second, NoColor: os.Getenv("NO_COLOR") != "", Now: run.rig.Clock.Now, Notice: run.notice(), Drill: run.feed,
	}}
	opts.In, opts.Out = terminal(std)
	opts.Log, opts.LogPath = logLines(sink), sink.Path()
	if f.accessible { // linear mode shows no status line: say what this is first
		fmt.Fprintln(std.Out, run.notice())
	}
	return failedErr(ui.Run(ctx, b, opts))
}

// notice is the console's line under the header: what plays and how fast
// first (80 columns keep that), then the takeover and that percentiles are
// only what was recorded.
func (run *replayRun) notice() string {
	h := run.rec.Header
	take := "no takeover (states as recorded)"
	if !run.takeAt.IsZero() {
		take = "simulator takes over at " + run.takeAt.Add(-run.shift).Format("15:04") + " (recording time, as the status line)"
	}
	return fmt.Sprintf("REPLAY %dx of %s %s-%s UTC (clock %s-%s) · pNN as recorded per period, not samples · %s · loopback only",
		run.speed, termsafe.String(h.Env), h.From.Format("15:04"), h.To.Format("15:04"),
		h.From.Add(run.shift).Format("15:04"), h.To.Add(run.shift).Format("15:04"), take)
}

// replayDeps points a console at the rig as the demo does (its secrets
// reach the console through variables set only inside this process), with
// the replay's catalog and clock.
func replayDeps(ctx context.Context, run *replayRun) (ui.Deps, *logsink.Sink, func(), error) {
	st := run.rig.Stack
	const keyVar, redisVar = "GATEWAYOPS_REPLAY_ADMIN_KEY", "GATEWAYOPS_REPLAY_REDIS_URL"
	for name, value := range map[string]string{keyVar: st.AdminKey(), redisVar: st.RedisURL, "XDG_STATE_HOME": st.Dir(),
		"AWS_ENDPOINT_URL_ECS": st.ECSURL} {
		if err := os.Setenv(name, value); err != nil {
			return ui.Deps{}, nil, nil, err
		}
	}
	env := ops.Environment{
		Name: st.Environment, Region: "us-east-1", AlarmPrefix: run.prefix, Catalog: "default",
		CloudWatchEndpoint: st.CloudWatchURL, AdminURL: st.AdminURL, AdminKeyEnv: keyVar, RedisURLEnv: redisVar,
		Safety: ops.Standard, FlagsBackend: ops.BackendECS,
	}
	catalog := run.rec.Catalog(run.rename)
	sink, closeLog, err := openConsoleLog(env)
	if err != nil {
		return ui.Deps{}, nil, nil, err
	}
	window := min(max(run.rec.Header.To.Sub(run.rec.Header.From), 15*time.Minute), 3*time.Hour)
	deps, closeDeps, err := consoleDeps(ctx, ops.Config{}, env, consoleTuning{catalog: &catalog, log: sink,
		poll: alarms.PollerOptions{Lint: true, AlarmInterval: 2 * time.Second, QuietInterval: 2 * time.Second, Window: window, Now: run.rig.Clock.Now}})
	if err != nil {
		closeLog()
		return ui.Deps{}, nil, nil, err
	}
	deps.Now = run.rig.Clock.Now // data ages and history windows on the replay's clock
	return deps, sink, func() { closeDeps(); closeLog() }, nil
}
