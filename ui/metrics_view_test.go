package ui

import (
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
