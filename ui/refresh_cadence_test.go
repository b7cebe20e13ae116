package ui

import (
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"

	"gatewayops/alarms"
	"gatewayops/runbooks"
)

// The poll chain follows the source's cadence (faster while in ALARM, backed
// off after errors) and falls back to Options.RefreshEvery without one.
func TestTickFollowsSnapshotCadence(t *testing.T) {
	for _, tc := range []struct {
		name string
		next time.Duration
		want time.Duration
	}{
		{"source cadence", 7 * time.Second, 7 * time.Second},
		{"fallback", 0, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := Model{opts: Options{}.withDefaults()}
				m.snap.NextRefresh = tc.next
				start := time.Now()
				if _, ok := m.tick()().(refreshTickMsg); !ok {
					t.Fatal("tick did not yield a refreshTickMsg")
				}
				if got := time.Since(start); got != tc.want {
					t.Fatalf("tick fired after %s, want %s", got, tc.want)
				}
			})
		})
	}
}

// tickDelay applies msg to m on synctest's fake clock (tea.Tick starts its
// timer when the command is made), runs the commands it returns (flattening
// batches) and returns the model and after how long they yield its poll tick.
func tickDelay(t *testing.T, m Model, msg tea.Msg) (Model, time.Duration, bool) {
	t.Helper()
	var d time.Duration
	found := false
	synctest.Test(t, func(t *testing.T) {
		next, cmd := m.Update(msg)
		m = next.(Model)
		var walk func(c tea.Cmd)
		walk = func(c tea.Cmd) {
			if c == nil || found {
				return
			}
			start := time.Now()
			msg := c()
			if b, ok := msg.(tea.BatchMsg); ok {
				for _, c := range b {
					walk(c)
				}
				return
			}
			if tick, ok := msg.(refreshTickMsg); ok && tick.gen == m.tickGen {
				d, found = time.Since(start), true
			}
		}
		walk(cmd)
	})
	return m, d, found
}

// The console's first refresh is a FastStart one (states only, no series);
// its answer re-arms the poll chain with the poller's follow-up delay, so
// the sparklines come one follow-up after the first frame instead of a
// whole refresh interval later; the follow-up's answer re-arms it with the
// ordinary cadence. Real poller, SDK and cwlocal; the delays are read on
// synctest's clock.
func TestFastStartFollowUpIsRearmedAtOnce(t *testing.T) {
	s := startStack(t, "staging", false)
	s.fireBreakerAlarm(t) // a datapoint, so a sparkline has something to draw
	catalog := alarms.DefaultCatalog().ForEnv(s.env)
	p := alarms.NewPoller(s.runner.Env.Alarms, catalog, alarms.PollerOptions{FastStart: true, ScreenRows: alarms.DefaultScreenRows,
		QuietInterval: 30 * time.Second, AlarmInterval: 10 * time.Second})
	lib, err := runbooks.Default()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBackend(Deps{Poller: p, Runbooks: lib, Runner: s.runner})
	if err != nil {
		t.Fatal(err)
	}
	m := New(b, Options{RefreshEvery: time.Hour, NoColor: true})
	m = update(t, m, tea.WindowSizeMsg{Width: 200, Height: 60})
	next, cmd := poll(t, m)
	m, d, ok := tickDelay(t, next, cmd()) // the first frame: states, no series
	if len(m.snap.Alarms) == 0 || withSeries(m.snap.Alarms) != 0 {
		t.Fatalf("first refresh: %d alarms, %d with series; want states only", len(m.snap.Alarms), withSeries(m.snap.Alarms))
	}
	if !ok || d != m.snap.NextRefresh || d > 100*time.Millisecond {
		t.Fatalf("after the first frame the next poll is in %v (found %v), want the follow-up %v", d, ok, m.snap.NextRefresh)
	}
	next, cmd = poll(t, m)
	m, d, ok = tickDelay(t, next, cmd())
	if withSeries(m.snap.Alarms) == 0 {
		t.Fatal("the follow-up refresh brought no sparkline")
	}
	if !ok || d != 10*time.Second {
		t.Fatalf("after the follow-up the next poll is in %v (found %v), want the alarm interval 10s", d, ok)
	}
}

func withSeries(as []alarms.Alarm) int {
	n := 0
	for _, a := range as {
		if len(a.Series) > 0 {
			n++
		}
	}
	return n
}

// poll is the next refresh as the running console issues it: the first is
// Init's (New minted its request id), every later one a tick's.
func poll(t *testing.T, m Model) (Model, tea.Cmd) {
	t.Helper()
	if !m.hasSnap && m.refreshing {
		return m, m.refreshCmd()
	}
	next, cmd := m.Update(refreshTickMsg{gen: m.tickGen})
	return next.(Model), cmd
}

// The first refresh is Init's own command: its snapshot answers the id New
// minted without waiting for a tick's turn, and a tick before it answers
// issues no second refresh.
func TestInitIssuesTheFirstRefresh(t *testing.T) {
	s := startStack(t, "staging", false)
	m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true})
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	if next, cmd := m.Update(refreshTickMsg{gen: m.tickGen}); cmd != nil || !next.(Model).refreshing {
		t.Fatal("a tick before the first refresh answered issued another")
	}
	msg := awaitMsg(t, m.Init(), func(msg tea.Msg) bool { _, ok := msg.(snapshotMsg); return ok })
	if snap := msg.(snapshotMsg); snap.id != m.refreshID || snap.err != nil {
		t.Fatalf("Init's refresh answered id %d (err %v); want the minted id %d", snap.id, snap.err, m.refreshID)
	}
	m = update(t, m, msg)
	if !m.hasSnap || m.refreshing || len(m.snap.Alarms) == 0 {
		t.Fatalf("Init's snapshot was not applied: hasSnap %v refreshing %v alarms %d", m.hasSnap, m.refreshing, len(m.snap.Alarms))
	}
}
