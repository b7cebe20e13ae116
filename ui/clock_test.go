package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gatewayops/alarms"
	"gatewayops/internal/testclock"
)

func TestDataAgeTicksEverySecondAndTheBodyIsNotReRendered(t *testing.T) {
	s := startStack(t, "staging", false)
	clk := testclock.New(t0)
	m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true, Now: clk.Now})
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
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
	s := startStack(t, "production", true)
	clk := testclock.New(t0)
	m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true, Now: clk.Now})
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
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
