package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gatewayops/alarms"
	"gatewayops/internal/testclock"
)

// clockedModel is a console on its own stack, sized w x h, reading the
// returned test clock (at t0), refreshing only when told to.
func clockedModel(t *testing.T, env string, protected bool, w, h int) (Model, *testclock.Clock) {
	t.Helper()
	s := startStack(t, env, protected)
	clk := testclock.New(t0)
	m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true, Now: clk.Now})
	return update(t, m, tea.WindowSizeMsg{Width: w, Height: h}), clk
}

func TestDataAgeTicksEverySecondAndTheBodyIsNotReRendered(t *testing.T) {
	m, clk := clockedModel(t, "staging", false, 120, 30)
	as := sampleAlarms()
	for i := range as {
		as[i].Since = t0.Add(-3 * time.Hour) // ages in hours: the body changes by the minute
	}
	next, cmd := m.Update(snapshotMsg{id: m.refreshID, snap: Snapshot{TakenAt: t0, Alarms: as,
		Health: []Health{{Name: "cloudwatch", LastSuccess: t0}}}})
	m = next.(Model)
	if cmd == nil || !m.clockOn {
		t.Fatal("data on screen that ages, but no clock tick was started")
	}
	_ = m.View()
	renders := m.cache.renders
	for sec := 1; sec <= 15; sec++ {
		clk.Advance(time.Second)
		next, cmd = m.Update(clockTickMsg{gen: m.clockGen})
		m = next.(Model)
		if cmd == nil {
			t.Fatalf("the clock chain stopped at %ds", sec)
		}
		_ = m.View()
	}
	if scr := screen(m); !strings.Contains(scr, "cloudwatch 15s") {
		t.Fatalf("data age after 15 ticks is not 15s:\n%s", strings.Split(scr, "\n")[1])
	}
	if got := m.cache.renders - renders; got > 1 {
		t.Fatalf("15 clock ticks rendered the body %d times; want at most 1 (a minute boundary)", got)
	}
}

func TestArmedCountdownTicksAndTheClockStopsWhenNothingAges(t *testing.T) {
	m, clk := clockedModel(t, "production", true, 120, 30)
	next, _ := m.Update(snapshotMsg{id: m.refreshID, snap: Snapshot{TakenAt: t0, Alarms: []alarms.Alarm{}}})
	m = next.(Model)
	if m.clockOn {
		t.Fatal("nothing on screen ages, yet the clock ticks")
	}
	m.safety.ArmedUntil = t0.Add(2 * time.Minute)
	next, cmd := m.Update(statusMsg{text: "armed"})
	m = next.(Model)
	if cmd == nil || !m.clockOn {
		t.Fatal("armed countdown on screen, no clock tick started")
	}
	clk.Advance(5 * time.Second)
	m = update(t, m, clockTickMsg{gen: m.clockGen})
	if scr := screen(m); !strings.Contains(scr, "ARMED 1:55 left") {
		t.Fatalf("countdown did not move:\n%s", strings.Split(scr, "\n")[0])
	}
	clk.Advance(3 * time.Minute) // expired: nothing ages any more
	next, cmd = m.Update(clockTickMsg{gen: m.clockGen})
	if cmd != nil || next.(Model).clockOn {
		t.Fatal("the clock keeps ticking after the arming expired")
	}
}

// The list's SINCE column shows whole minutes past an alarm's first minute
// (listAge), and each row's minute turns at that alarm's own second, not
// at the wall clock's: over two minutes of one-second ticks every row on
// screen reads its true age after every tick, and the body is rendered
// only when one of them turned (each of the three rows twice: 6 times),
// not every second (120).
func TestListAgesTurnAtEachAlarmsOwnMinuteAndOnlyThenReRender(t *testing.T) {
	m, clk := clockedModel(t, "staging", false, 120, 30)
	as := sampleAlarms()
	ago := []time.Duration{3*time.Minute + 20*time.Second, 10*time.Minute + 40*time.Second, 2 * time.Hour}
	for i := range as {
		as[i].Since = t0.Add(-ago[i])
	}
	next, _ := m.Update(snapshotMsg{id: m.refreshID, snap: Snapshot{TakenAt: t0, Alarms: as,
		Health: []Health{{Name: "cloudwatch", LastSuccess: t0}}}})
	m = next.(Model)
	_ = m.View()
	renders := m.cache.renders
	for sec := 1; sec <= 120; sec++ {
		clk.Advance(time.Second)
		m = update(t, m, clockTickMsg{gen: m.clockGen})
		scr := screen(m)
		for i, a := range as {
			name := strings.TrimPrefix(a.Name, "arrakis-staging-agent-")
			want := listAge(ago[i] + time.Duration(sec)*time.Second)
			if !rowShows(scr, name, want) {
				t.Fatalf("at +%ds the row of %s does not read %q:\n%s", sec, name, want, scr)
			}
		}
	}
	if got := m.cache.renders - renders; got != 6 {
		t.Fatalf("120 one-second ticks rendered the body %d times; want 6 (each row's minute turning twice)", got)
	}
}

// rowShows is true when the screen's line naming name has since as a word.
func rowShows(scr, name, since string) bool {
	for _, line := range strings.Split(scr, "\n") {
		if strings.Contains(line, " "+name+" ") && strings.Contains(line, " "+since+" ") {
			return true
		}
	}
	return false
}
