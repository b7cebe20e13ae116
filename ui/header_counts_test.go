package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gatewayops/alarms"
)

// manyAlarms is n alarms, a third each ALARM, INSUFFICIENT_DATA and OK.
func manyAlarms(n int) []alarms.Alarm {
	states := []alarms.State{alarms.StateAlarm, alarms.StateInsufficientData, alarms.StateOK}
	as := make([]alarms.Alarm, n)
	for i := range as {
		as[i] = alarms.Alarm{Name: fmt.Sprintf("arrakis-staging-agent-scale-%04d", i), State: states[i%3], Since: t0}
	}
	return as
}

// At 80 columns the state counts are never cut: the tabs give way first (seen
// on a field run: "✓ 10 …" with every alarm OK).
func TestHeaderCountsAreWholeAt80Columns(t *testing.T) {
	s := startStack(t, "staging", false)
	for _, n := range []int{10, 1000} {
		m := New(s.backend, Options{NoColor: true, Now: func() time.Time { return t0 }})
		m = update(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
		m, _ = feed(t, m, manyAlarms(n))
		alarm, nodata, ok := (n+2)/3, (n+1)/3, n/3
		want := fmt.Sprintf("✗ %d ALARM  ? %d NO DATA  ✓ %d OK", alarm, nodata, ok)
		lines := strings.Split(screen(m), "\n")
		if len(lines) < 3 || !strings.Contains(lines[2], want) {
			t.Fatalf("%d alarms: header line 3 %q lacks %q", n, lines[2], want)
		}
		if !strings.Contains(lines[2], "[1 Alarms]") {
			t.Errorf("%d alarms: the current view lost its name: %q", n, lines[2])
		}
	}
}
