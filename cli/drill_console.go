package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"gatewayops/alarms"
	"gatewayops/gateway"
	"gatewayops/gateway/ecsdeploy"
	"gatewayops/gateway/sim/drills"
	"gatewayops/ops"
	"gatewayops/stack"
	"gatewayops/ui"
)

// drillWatch is how long FaultAlarms watches the fault alone on its twin
// stack for the incident's own alarms.
const drillWatch = 3 * time.Minute

// drillConsole opens the console on a private embedded stack running sc's
// incident: the rig's stack (loopback only), its clock stepped by a live
// driver from a wall-clock ticker, the console reading the same clock, and
// every step and milestone journaled as this drill's.
func drillConsole(ctx context.Context, sc drills.Scenario, f drillFlags, std stdio) error {
	r, err := drills.StartRig(ctx)
	if err != nil {
		return failedErr(fmt.Errorf("starting the drill's embedded stack: %w", err))
	}
	defer r.Close()
	incident, err := drills.FaultAlarms(ctx, sc, drillWatch)
	if err != nil {
		return failedErr(err)
	}
	deps, closeDeps, err := drillDeps(ctx, r, sc)
	if err != nil {
		return failedErr(err)
	}
	defer closeDeps()
	feed := &drillFeed{sc: sc, journal: deps.Runner.Journal, env: r.Stack.Environment, now: r.Clock.Now}
	feed.live = drills.NewLive(r, sc, f.speed, incident, feed.event)
	if err := feed.live.Start(ctx); err != nil {
		return failedErr(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	ticker := time.NewTicker(feed.live.Interval())
	defer ticker.Stop()
	driverDone := make(chan struct{})
	go func() { defer close(driverDone); feed.live.Run(runCtx, ticker.C) }()
	// The driver stops before the rig closes (deferred above): a tick must
	// never step a stack being taken down.
	defer func() { stop(); <-driverDone }()

	b, err := ui.NewBackend(deps)
	if err != nil {
		return failedErr(err)
	}
	opts := ui.RunOptions{Options: ui.Options{RefreshEvery: 5 * time.Second, NoColor: os.Getenv("NO_COLOR") != "",
		Now: r.Clock.Now, Drill: feed}}
	opts.In, opts.Out = terminal(std)
	runErr := ui.Run(ctx, b, opts)
	stop()
	<-driverDone
	feed.ended(std)
	return failedErr(runErr)
}

// drillDeps points a standard-safety environment at the rig's stack, the
// way the demo points one at its own: secrets through variables set only
// in this process, the journal at the default path (marked as this drill),
// the poller and runner on the drill clock, the ECS stand-in attached for
// service.* while the flags stay on the runtime store the scenarios use.
func drillDeps(ctx context.Context, r *drills.Rig, sc drills.Scenario) (ui.Deps, func(), error) {
	st := r.Stack
	const keyVar, redisVar = "GATEWAYOPS_DRILL_ADMIN_KEY", "GATEWAYOPS_DRILL_REDIS_URL"
	for name, value := range map[string]string{keyVar: st.AdminKey(), redisVar: st.RedisURL} {
		if err := os.Setenv(name, value); err != nil {
			return ui.Deps{}, nil, err
		}
	}
	env := ops.Environment{
		Name: st.Environment, Region: "us-east-1", AlarmPrefix: "arrakis-" + st.Environment + "-",
		Catalog: "default", CloudWatchEndpoint: st.CloudWatchURL, AdminURL: st.AdminURL,
		AdminKeyEnv: keyVar, RedisURLEnv: redisVar, Safety: ops.Standard,
	}
	catalog := stack.DemoCatalog(st.Environment)
	catalog.Alarms = append(catalog.Alarms, drills.DrillAlarms(st.Environment).Alarms...)
	sink, closeLog, err := openConsoleLog(env)
	if err != nil {
		return ui.Deps{}, nil, err
	}
	deps, closeDeps, err := consoleDeps(ctx, ops.Config{}, env, consoleTuning{catalog: &catalog, log: sink,
		poll: alarms.PollerOptions{Lint: true, AlarmInterval: 5 * time.Second, QuietInterval: 10 * time.Second,
			Window: 15 * time.Minute, Now: r.Clock.Now}})
	if err != nil {
		closeLog()
		return ui.Deps{}, nil, err
	}
	closeAll := func() { closeDeps(); closeLog() }
	if err := attachDrillECS(ctx, deps.Runner.Env, r); err != nil {
		closeAll()
		return ui.Deps{}, nil, err
	}
	deps.Runner.Env.Now, deps.Now = r.Clock.Now, r.Clock.Now
	// Redis is read through the api's own path (its latency proxy), so a
	// degraded path shows in redis.diagnose and the Redis view as the
	// gateway feels it.
	deps.Runner.Env.Inspector = gateway.NewInspector(r.GatewayRedis())
	deps.Runner.Journal.MarkDrill(sc.Name)
	return deps, closeAll, nil
}

// attachDrillECS gives the env the stack's ECS stand-in, its endpoint
// passed directly; rollouts are followed in wall time, read on the drill
// clock (which the live driver moves).
func attachDrillECS(ctx context.Context, e *ops.Env, r *drills.Rig) error {
	api, err := ecsdeploy.NewSDKClient(ctx, ecsdeploy.Options{Region: "us-east-1", Endpoint: r.Stack.ECSURL, Anonymous: true})
	if err != nil {
		return err
	}
	e.ECS = ecsdeploy.New(api, ecsdeploy.DefaultTarget(r.Stack.Environment))
	e.ECSFollow = ecsdeploy.FollowOptions{Poll: time.Second, Now: r.Clock.Now}
	return nil
}

// drillFeed is the console's view of the live drill (ui.Drill) and the
// journal's scribe of its milestones.
type drillFeed struct {
	sc      drills.Scenario
	live    *drills.Live
	journal *ops.Journal
	env     string
	now     func() time.Time // the drill clock
}

func (d *drillFeed) WaitStatus(ctx context.Context, after int) ui.DrillStatus {
	return d.status(d.live.Wait(ctx, after))
}

func (d *drillFeed) RunbookOpened(id string) { d.live.RunbookOpened(id) }

func (d *drillFeed) StepApplied(ctx context.Context, command string, write bool, outcome string) {
	d.live.StepApplied(ctx, command, write, outcome)
}

// ManualStep does the list's next manual step and journals it (no ops
// action journals it: it is done outside the console in a real incident).
func (d *drillFeed) ManualStep(ctx context.Context) (string, error) {
	text, err := d.live.ManualStep(ctx)
	if err == nil {
		d.append(d.now(), "drill.manual", "manual step (no ops command), done in the drill: "+text)
	}
	return text, err
}

// signalAlarm is the full name of the scenario's signal alarm on the drill
// stack ("" for a predicate signal).
func (d *drillFeed) signalAlarm() string {
	if d.sc.Signal.Alarm == "" {
		return ""
	}
	return "arrakis-" + d.env + "-" + d.sc.Signal.Alarm
}

func (d *drillFeed) status(st drills.Status) ui.DrillStatus {
	out := ui.DrillStatus{Version: st.Version, Name: d.sc.Name, Speed: st.Report.Speed, NextManual: st.NextManual,
		Period: stack.DemoPeriod * time.Second, Production: "1-15 min", Alarm: d.signalAlarm()}
	at := st.Since.UTC().Format("15:04:05Z")
	switch st.Phase {
	case drills.PhaseRaising:
		out.State = fmt.Sprintf("fault made %s, waiting for the signal (%s)", at, d.sc.Signal)
	case drills.PhaseOn:
		out.State = fmt.Sprintf("signal ON since %s (%s): runbook %s, %s", at, d.sc.Signal, d.sc.Runbook, d.sc.Branch)
	default:
		out.State = fmt.Sprintf("CLEARED %s: %s; the report is in the journal (journal export)", at, st.Report.Summary())
		out.Report = st.Report.Markdown()
	}
	if st.Err != "" {
		out.State += " · drill tick failed: " + st.Err
	}
	return out
}

// event journals a milestone; at "cleared" the report follows it.
func (d *drillFeed) event(e drills.Event) {
	d.append(e.At, "drill."+e.Kind, e.Text)
	if e.Kind == "cleared" {
		d.append(e.At, "drill.report", d.live.Status().Report.Markdown())
	}
}

func (d *drillFeed) append(at time.Time, action, text string) {
	// A journal that cannot be written shows in the console log; the drill goes on.
	_ = d.journal.Append(ops.Entry{Time: at.UTC(), ID: drillEntryID(), Phase: ops.PhaseDrill, Operator: "drill",
		Environment: d.env, Action: action, Result: text})
}

// ended journals a drill left before its signal cleared and prints the
// outcome once the console has given the terminal back.
func (d *drillFeed) ended(std stdio) {
	st := d.live.Status()
	if st.Phase == drills.PhaseCleared {
		fmt.Fprintln(std.Out, st.Report.Title())
		fmt.Fprintln(std.Out, "the report is in the journal: gatewayops journal export --since 2h")
		return
	}
	d.append(d.now(), "drill.ended", fmt.Sprintf("drill %s ended by the operator before the signal cleared (phase %s)", d.sc.Name, st.Phase))
	fmt.Fprintf(std.Out, "DRILL %s ended before the signal cleared (phase %s); nothing was reported\n", d.sc.Name, st.Phase)
}

func drillEntryID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "drill-" + hex.EncodeToString(b)
}
