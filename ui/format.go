package ui

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"gatewayops/alarms"
	"github.com/charmbracelet/x/ansi"
)

// age renders a duration the way an operator reads it at a glance:
// "4s", "2m13s", "3h05m", "2d04h". Negative durations (clock skew) read "0s".
func age(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Truncate(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
	}
}

// listAge renders an alarm's time in its state in the list's SINCE column:
// seconds for its first minute, whole minutes for its first hour, then as
// age does ("42s", "3m", "3h05m", "2d04h"). The column is on every row: in
// seconds past the first minute it changed every row of the list every
// second, most of an idle console's CPU and of the bytes an ssh link
// carries, for a digit nobody reads at a glance (karma and Alertmanager
// show "3 minutes ago" too). The detail pane keeps the exact time and age.
func listAge(d time.Duration) string {
	if d >= time.Minute && d < time.Hour {
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return age(d)
}

// sparkBlocks are the eight heights of a sparkline cell.
var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the last width values scaled between their min and max
// (and the threshold, when given, so a flat line under the threshold stays low).
// NaN values are gaps drawn as spaces.
func sparkline(values []float64, width int, threshold *float64) string {
	if width <= 0 || len(values) == 0 {
		return strings.Repeat(" ", max(width, 0))
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if threshold != nil {
		lo, hi = math.Min(lo, *threshold), math.Max(hi, *threshold)
	}
	var b strings.Builder
	b.Grow(width * 3)
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(lo, 0) {
			b.WriteByte(' ')
			continue
		}
		idx := 0
		if hi > lo {
			idx = int((v - lo) / (hi - lo) * float64(len(sparkBlocks)-1))
		}
		b.WriteRune(sparkBlocks[idx])
	}
	if pad := width - len(values); pad > 0 {
		return strings.Repeat(" ", pad) + b.String()
	}
	return b.String()
}

// fit truncates s (which may contain ANSI styles) to exactly width cells,
// padding with spaces, so columns stay aligned.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	w := cellWidth(s)
	if w > width {
		// A wide character at the cut leaves a cell short: pad it, so a
		// fitted line is always exactly width cells (the join relies on it).
		s = ansi.Truncate(s, width, "…")
		if w = cellWidth(s); w >= width {
			return s
		}
	}
	return s + strings.Repeat(" ", width-w)
}

// clampLines keeps at most n lines of s and pads to exactly n lines, so a
// panel never pushes the layout around.
func clampLines(s string, n int) string {
	if n <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// fmtValue formats a metric value in its unit.
func fmtValue(v float64, unit string) string { return alarms.FormatValue(v, unit) }

func sortStrings(s []string) { sort.Strings(s) }

// cellWidth is lipgloss.Width: the cells s takes on screen. Printable ASCII
// (most of what the console draws: names, values, ages, key help) takes one
// cell a byte, so it is counted without the grapheme walk that made width
// measurement half a frame's cost.
func cellWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return lipgloss.Width(s)
		}
	}
	return len(s)
}
