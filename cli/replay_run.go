package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gatewayops/alarms"
	"gatewayops/alarms/replay"
	"gatewayops/gateway/sim/drills"
	"gatewayops/internal/logsink"
	"gatewayops/stack"
)

// replayRun is one playback: the rig it plays into, the player, and the
// mapping of recorded time onto the rig's clock (shifted by shift, so it
// never goes back, and run speed times faster than wall time).
type replayRun struct {
	rig    *drills.Rig
	rec    *replay.Recording
	player *replay.Player
	prefix string
	rename func(string) string
	speed  int
	shift  time.Duration
	takeAt time.Time // on the rig's clock; zero: no takeover
	end    time.Time // the recording's end on the rig's clock
	feed   *replayFeed
}

// newReplayRun moves the rig's clock to the recording's start (shifted past
// the rig's own start by a multiple of every period) and loads the alarms.
func newReplayRun(r *drills.Rig, rec *replay.Recording, f replayFlags) (*replayRun, error) {
	h := rec.Header
	step := time.Duration(periodLCM(rec)) * time.Second
	shift := r.Clock.Now().Sub(h.From)
	if rem := shift % step; rem != 0 {
		shift += step - rem
	}
	run := &replayRun{rig: r, rec: rec, prefix: "arrakis-" + r.Stack.Environment + "-", speed: f.speed, shift: shift,
		end: h.To.Add(shift)}
	run.rename = replay.Renamer(rec, run.prefix)
	if f.hasTake {
		run.takeAt = h.From.Add(shift + f.takeover)
	}
	r.Clock.Set(h.From.Add(shift))
	run.feed = newReplayFeed(run)
	run.feed.set(run.playing(r.Clock.Now()))
	p, err := replay.NewPlayer(r.Stack.CloudWatch, rec, replay.PlayOptions{Rename: run.rename, Shift: shift})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", "replaying the recording", err)
	}
	run.player = p
	return run, nil
}

// periodLCM is the least common multiple of every recorded period, so a
// shift by a multiple of it keeps every period epoch-aligned.
func periodLCM(rec *replay.Recording) int {
	l := 60
	add := func(p int) {
		if p > 0 {
			l = l / gcd(l, p) * p
		}
	}
	for _, s := range rec.Series {
		add(s.Period)
	}
	for _, a := range rec.Alarms {
		for _, s := range a.Stats() {
			add(s.Period)
		}
	}
	return l
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// loop plays the recording as wall time passes (speed recorded seconds a
// second) up to the takeover, then steps the simulator; without a takeover
// the clock stops at the recording's end and the states stay as recorded.
func (run *replayRun) loop(ctx context.Context, log *logsink.Sink) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	wall0, clk0 := time.Now(), run.rig.Clock.Now()
	taken := false
	var lastStep time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if taken {
				if now.Sub(lastStep)*time.Duration(run.speed) >= drills.Tick {
					lastStep = now
					if err := run.rig.Step(ctx); err != nil && ctx.Err() == nil {
						log.Add("replay", "simulator step: "+err.Error())
					}
				}
				continue
			}
			target := clk0.Add(now.Sub(wall0) * time.Duration(run.speed))
			var err error
			taken, err = run.advance(ctx, target, log)
			if err != nil {
				log.Add("replay", err.Error())
				run.feed.set(err.Error())
				return
			}
			lastStep = now
		}
	}
}

// advance moves the clock to target (no further than the takeover or the
// end) and plays what is due; at the takeover it hands over and says so.
func (run *replayRun) advance(ctx context.Context, target time.Time, log *logsink.Sink) (taken bool, err error) {
	limit := run.end
	if !run.takeAt.IsZero() {
		limit = run.takeAt
	}
	if target.After(limit) {
		target = limit
	}
	if target.After(run.rig.Clock.Now()) {
		run.rig.Clock.Set(target)
	}
	if _, err := run.player.AdvanceTo(target); err != nil {
		return false, fmt.Errorf("replay stopped: %w", err)
	}
	if run.takeAt.IsZero() || target.Before(run.takeAt) {
		run.feed.set(run.playing(target))
		return false, nil
	}
	what, err := run.takeover(ctx)
	if err != nil {
		return false, fmt.Errorf("takeover: %w", err)
	}
	log.Add("replay", "takeover at "+target.UTC().Format("15:04:05Z")+": "+what)
	run.feed.set("simulator took over at " + target.Add(-run.shift).UTC().Format("15:04Z") + " (recording time), steps act on the stack: " + what)
	return true, nil
}

// takeover gives the recorded alarms the simulator can drive its
// definitions (same names: they keep their recorded states, as an update
// does in CloudWatch) and makes real, on the stack, the fault of each drill
// whose alarm is in ALARM. It says what it did.
func (run *replayRun) takeover(ctx context.Context) (string, error) {
	env := run.rig.Stack.Environment
	recorded := map[string]bool{}
	for _, a := range run.rec.Alarms {
		recorded[run.rename(a.Name)] = true
	}
	sim := stack.DemoCatalog(env)
	sim.Alarms = append(sim.Alarms, drills.DrillAlarms(env).Alarms...)
	sim.Alarms = slices.DeleteFunc(sim.Alarms, func(a alarms.AlarmDef) bool { return !recorded[a.Name] })
	if err := run.rig.Stack.CloudWatch.ProvisionCatalog(sim); err != nil {
		return "", err
	}
	firing, err := run.firing(ctx)
	if err != nil {
		return "", err
	}
	var made, none []string
	for _, name := range firing {
		sc, ok := drillFor(strings.TrimPrefix(name, run.prefix))
		if !ok {
			none = append(none, name)
			continue
		}
		if err := sc.Fault(ctx, run.rig); err != nil {
			return "", fmt.Errorf("drill %s: %w", sc.Name, err)
		}
		made = append(made, sc.Name)
	}
	return fmt.Sprintf("%d alarms now evaluate on the simulator; faults made: %s; in ALARM with no simulator fault (they evaluate on its data): %s",
		len(sim.Alarms), orNone(made), orNone(none)), nil
}

// firing is the replayed alarms in ALARM, read as the console reads them.
func (run *replayRun) firing(ctx context.Context) ([]string, error) {
	list, err := run.rig.Alarms.Alarms(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range list {
		if a.State == alarms.StateAlarm {
			out = append(out, a.Name)
		}
	}
	return out, nil
}

// drillFor is the first drill scenario whose signal is that alarm.
func drillFor(short string) (drills.Scenario, bool) {
	for _, sc := range drills.Library() {
		if sc.Signal.Alarm == short && sc.Fault != nil {
			return sc, true
		}
	}
	return drills.Scenario{}, false
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
