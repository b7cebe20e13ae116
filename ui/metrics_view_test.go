package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"gatewayops/alarms"
)

// A panel with several series shows each, so the failing feature is visible
// even when the first series is healthy.
func TestMetricsViewShowsEverySeriesOfAPanel(t *testing.T) {
	st := NewStyles(true, true)
	panels := []Panel{{
		Title: "Error Rate %", Unit: "Percent",
		Thresholds: []alarms.Annotation{{Value: 5, Label: "Alarm 5%"}},
		Lines: []PanelLine{
			{Label: "baseline %", Series: []alarms.Point{{Value: 0}, {Value: 1}}},
			{Label: "byok %", Series: []alarms.Point{{Value: 2}, {Value: 35}}},
		},
	}, {Title: "Finalize Failures"}}
	out := ansi.Strip(metricsView(&st, panels, true, 160, 40))
	for _, want := range []string{"Error Rate %", "  baseline %", "  byok %", "✗ ≥ Alarm 5%", "Finalize Failures", "no data"} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics view lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "baseline") && strings.Contains(line, "✗") {
			t.Errorf("the healthy series is marked over the threshold: %q", line)
		}
	}
}

// Every refresh lists every panel of the catalog, so no panels after a
// refresh is a catalog without any: saying "waiting for the first refresh"
// then sent an on-call engineer waiting for nothing.
func TestMetricsViewSaysWhenTheCatalogHasNoPanels(t *testing.T) {
	st := NewStyles(true, true)
	if out := ansi.Strip(metricsView(&st, nil, false, 80, 20)); !strings.Contains(out, "waiting for the first refresh") {
		t.Errorf("before the first refresh: %q", out)
	}
	if out := ansi.Strip(metricsView(&st, nil, true, 80, 20)); !strings.Contains(out, "catalog defines none") || strings.Contains(out, "waiting") {
		t.Errorf("after a refresh of a catalog without panels: %q", out)
	}
}

// The metrics view does not scroll: the default catalog's eleven panels
// take 45 lines, and at 80x24 the view stopped at the fourth panel
// without a word. A cut view now says how much a taller pane shows.
func TestMetricsViewSaysWhatAShortPaneCuts(t *testing.T) {
	st := NewStyles(true, true)
	var panels []Panel
	for i := range 11 {
		panels = append(panels, Panel{Title: fmt.Sprintf("panel %d", i), Lines: []PanelLine{{Label: "a"}, {Label: "b"}, {Label: "c"}}})
	}
	lines := strings.Split(ansi.Strip(metricsView(&st, panels, true, 80, 20)), "\n")
	if len(lines) != 20 || !strings.Contains(lines[19], "… 26 more lines (a taller pane shows them)") {
		t.Errorf("a cut metrics view does not say so (%d lines), last: %q", len(lines), lines[len(lines)-1])
	}
	if out := ansi.Strip(metricsView(&st, panels[:1], true, 80, 20)); strings.Contains(out, "more line") {
		t.Errorf("a view that fits says it is cut:\n%s", out)
	}
}

func TestHighestReachedAnnotation(t *testing.T) {
	as := []alarms.Annotation{{Value: 2, Label: "OPEN"}, {Value: 1, Label: "HALF-OPEN"}}
	for _, tc := range []struct {
		v    float64
		want string
	}{{2, "OPEN"}, {1, "HALF-OPEN"}, {1.5, "HALF-OPEN"}, {0, ""}} {
		a, ok := highestReached(as, tc.v)
		if got := map[bool]string{true: a.Label}[ok]; got != tc.want {
			t.Errorf("highestReached(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
