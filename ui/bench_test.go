package ui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gatewayops/alarms"
)

// syntheticAlarms makes n alarms with 60-point series, a third in ALARM.
func syntheticAlarms(n int, now time.Time) []alarms.Alarm {
	out := make([]alarms.Alarm, n)
	states := []alarms.State{alarms.StateAlarm, alarms.StateOK, alarms.StateInsufficientData}
	for i := range out {
		series := make([]alarms.Point, 60)
		for j := range series {
			series[j] = alarms.Point{Time: now.Add(time.Duration(j-60) * time.Minute), Value: float64((i*7 + j*13) % 100)}
		}
		out[i] = alarms.Alarm{Name: fmt.Sprintf("arrakis-bench-agent-alarm-%04d", i), State: states[i%3], Since: now.Add(-time.Duration(i) * time.Minute),
			Threshold: 50, HasThreshold: true, Comparison: "GreaterThanThreshold", Unit: "Percent", Series: series,
			Recent: []alarms.Datapoint{{Value: 60}}, Severity: "high"}
	}
	return out
}

// BenchmarkView measures one full-screen View at 200x60 (the runbook is
// rendered by Glamour once and cached, as in the running console).
func BenchmarkView(b *testing.B) {
	s := startStack(b, "bench", false)
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("alarms=%d", n), func(b *testing.B) {
			now := time.Now()
			var tm tea.Model = New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true})
			tm, _ = tm.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
			tm, _ = tm.Update(snapshotMsg{id: 0, snap: Snapshot{TakenAt: now, Alarms: syntheticAlarms(n, now)}})
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = tm.View()
			}
		})
	}
}

// BenchmarkViewChanged is View after a change (the body cache misses every
// time): the cost of a frame after a key press or a refresh.
func BenchmarkViewChanged(b *testing.B) {
	s := startStack(b, "bench", false)
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("alarms=%d", n), func(b *testing.B) {
			now := time.Now()
			m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true})
			next, _ := m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
			next, _ = next.Update(snapshotMsg{id: 0, snap: Snapshot{TakenAt: now, Alarms: syntheticAlarms(n, now)}})
			m = next.(Model)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				m.gen++
				_ = m.View()
			}
		})
	}
}
