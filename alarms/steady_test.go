package alarms_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"gatewayops/alarms"
	"gatewayops/internal/testclock"
)

// steadyWorld drives a scale fixture: state flips, mute rules, new,
// updated and deleted alarms, data points and screen changes, from a seeded
// random source, at the fixture's clock.
type steadyWorld struct {
	t     *testing.T
	f     *scaleFixture
	src   *alarms.Source
	clock *testclock.Clock
	r     *rand.Rand
	made  int
	muted map[string]bool
}

func (w *steadyWorld) step(snap alarms.Snapshot, pollers ...*alarms.Poller) {
	w.t.Helper()
	ctx := context.Background()
	now := w.clock.Now()
	pick := func() string { return snap.Alarms[w.r.IntN(len(snap.Alarms))].Name } // deleted ones are not in it
	for range w.r.IntN(4) {                                                       // off screen or on: any alarm changes state
		st := []string{"OK", "ALARM", "INSUFFICIENT_DATA"}[w.r.IntN(3)]
		if err := w.f.svc.SetAlarmStateAt(pick(), st, "test", "", now); err != nil {
			w.t.Fatal(err)
		}
	}
	switch w.r.IntN(8) {
	case 0: // a mute rule comes or goes (no alarm history says so)
		n := pick()
		if len(w.muted) > 0 && w.r.IntN(2) == 0 {
			for m := range w.muted {
				n = m
			}
		}
		mute := w.src.Mute
		if w.muted[n] {
			mute = func(ctx context.Context, n string, _ time.Duration, _ string) error { return w.src.Unmute(ctx, n) }
		}
		if err := mute(ctx, n, 90*time.Minute, "test"); err != nil {
			w.t.Fatal(err)
		}
		w.muted[n] = !w.muted[n]
		if !w.muted[n] {
			delete(w.muted, n)
		}
	case 1: // a new alarm, or an existing one's period changes
		name := fmt.Sprintf("arrakis-bench-agent-new-%03d", w.made)
		period := int32(60)
		if w.r.IntN(2) == 0 {
			name, period = pick(), 300
		} else {
			w.made++
		}
		if _, err := w.f.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name),
			Namespace: aws.String(gw), MetricName: aws.String("RequestLatency"), Statistic: types.StatisticAverage,
			Dimensions: []types.Dimension{{Name: aws.String("poolId"), Value: aws.String("pool-00001")}},
			Period:     aws.Int32(period), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1000),
			ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold}); err != nil {
			w.t.Fatal(err)
		}
	case 2: // an alarm on screen is deleted (read by name, it does not come back)
		if n := pick(); !w.muted[n] {
			for _, p := range pollers {
				p.SetOnScreen([]string{n}, false)
			}
			if _, err := w.f.cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{n}}); err != nil {
				w.t.Fatal(err)
			}
			return
		}
	case 3: // the operator scrolls: other rows on screen
		var rows []string
		for range 30 {
			rows = append(rows, pick())
		}
		for _, p := range pollers {
			p.SetOnScreen(rows, false)
		}
	}
	for range 10 { // traffic, so the series asked for have points and change
		pool := fmt.Sprintf("pool-%05d", w.r.IntN(40))
		if err := w.f.svc.IngestEMF(emfLine(gw, now.Add(-time.Duration(w.r.IntN(120))*time.Second), [][2]string{{"poolId", pool}}, "Milliseconds",
			map[string]float64{"RequestLatency": float64(w.r.IntN(500))})); err != nil {
			w.t.Fatal(err)
		}
	}
}

// The steady refresh edits the last snapshot's list and looks only at what
// it read, what moved on or off screen, the due series and the mute rules'
// alarms (docs/decisions.md 145); a poller that sweeps every refresh
// builds each list anew and derives every alarm. Run in lockstep over the
// same changes for 15 simulated minutes (two sweeps of the steady one,
// period boundaries, new, updated and deleted alarms, mutes, scrolling),
// both must hand out the same alarms, series included, every refresh, and
// a snapshot handed out must never change afterwards.
func TestSteadyRefreshGivesWhatAFullRebuildGives(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 5, 0, time.UTC)
	clock := testclock.New(t0.Add(-5 * time.Minute))
	f := newScaleFixture(t, 300, clock.Now)
	clock.Set(t0)
	opts := alarms.PollerOptions{ScreenRows: 60, Now: clock.Now, FiringInterval: 2 * time.Minute, SlowInterval: 3 * time.Minute}
	steady := alarms.NewPoller(alarms.NewSource(f.cw, "arrakis-bench-"), f.cat, opts)
	opts.SweepInterval = time.Nanosecond
	full := alarms.NewPoller(alarms.NewSource(f.cw, "arrakis-bench-"), f.cat, opts)
	w := &steadyWorld{t: t, f: f, src: alarms.NewSource(f.cw, "arrakis-bench-"), clock: clock, r: rand.New(rand.NewPCG(5, 6)), muted: map[string]bool{}}
	var held []alarms.Snapshot
	var heldJSON [][]byte
	copies := 0
	for i := range 90 {
		a, b := steady.Refresh(context.Background()), full.Refresh(context.Background())
		for _, s := range []alarms.Snapshot{a, b} {
			if h := s.Health[alarms.BackendCloudWatch]; h.Stale {
				t.Fatalf("refresh %d failed: %s", i, h.LastError)
			}
		}
		if len(a.Alarms) != len(b.Alarms) {
			t.Fatalf("refresh %d: %d alarms, a full rebuild has %d", i, len(a.Alarms), len(b.Alarms))
		}
		for k := range a.Alarms {
			if !reflect.DeepEqual(a.Alarms[k], b.Alarms[k]) {
				t.Fatalf("refresh %d: alarm %d differs:\nsteady %+v\nfull   %+v", i, k, a.Alarms[k], b.Alarms[k])
			}
		}
		if len(held) > 0 && len(a.Alarms) > 0 && len(held[len(held)-1].Alarms) == len(a.Alarms) && &held[len(held)-1].Alarms[0] != &a.Alarms[0] {
			copies++
		}
		js, err := json.Marshal(a.Alarms)
		if err != nil {
			t.Fatal(err)
		}
		held, heldJSON = append(held, a), append(heldJSON, js)
		for k, s := range held {
			if js, _ := json.Marshal(s.Alarms); string(js) != string(heldJSON[k]) {
				t.Fatalf("snapshot %d changed after it was handed out (seen after refresh %d)", k, i)
			}
		}
		w.step(a, steady, full)
		clock.Advance(10 * time.Second)
	}
	if copies == 0 || copies == len(held)-1 {
		t.Fatalf("%d of %d refreshes copied the list: the test did not exercise both paths", copies, len(held)-1)
	}
	t.Logf("%d of %d steady refreshes copied the list", copies, len(held)-1)
}

// The UI reads each snapshot from its own goroutine while the poller
// refreshes again (under -race: any write to a list handed out is a race);
// every snapshot read reads the same afterwards.
func TestSnapshotsStayUnchangedWhileThePollerRuns(t *testing.T) {
	f := newScaleFixture(t, 300, time.Now)
	p := alarms.NewPoller(f.src, f.cat, alarms.PollerOptions{ScreenRows: 60, AlarmInterval: time.Millisecond, QuietInterval: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan alarms.Snapshot)
	var wg sync.WaitGroup
	wg.Go(func() { p.Run(ctx, out) })
	wg.Go(func() { // changes while it runs: states flip, on screen and off
		r := rand.New(rand.NewPCG(7, 8))
		for ctx.Err() == nil {
			st := []string{"OK", "ALARM"}[r.IntN(2)]
			if err := f.svc.SetAlarmStateAt(f.cat.Alarms[r.IntN(300)].Name, st, "test", "", time.Now()); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
	var held []alarms.Snapshot
	var heldJSON [][]byte
	for range 40 {
		s := <-out
		js, err := json.Marshal(s.Alarms) // reads every field while the poller refreshes
		if err != nil {
			t.Fatal(err)
		}
		held, heldJSON = append(held, s), append(heldJSON, js)
		p.SetOnScreen([]string{s.Alarms[len(held)%len(s.Alarms)].Name}, false)
	}
	cancel()
	wg.Wait()
	for k, s := range held {
		if js, _ := json.Marshal(s.Alarms); string(js) != string(heldJSON[k]) {
			t.Fatalf("snapshot %d changed after it was handed out", k)
		}
	}
}
