package alarms

import (
	"math"
	"testing"
	"time"
)

// TestCostRateIsUnknownUntilItSpansFiveMinutes: the console's start asks
// for the 60 on-screen series 10 ms after its first refresh; projected over
// a day from those 10 ms the header read hundreds of dollars a day. The
// rate is not known (0: the header shows none) until the samples span
// costSettle, and then it is the metrics over the span.
func TestCostRateIsUnknownUntilItSpansFiveMinutes(t *testing.T) {
	var c costMeter
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	if r := c.add(t0, 0); r != 0 { // FastStart: no series
		t.Fatalf("rate after the first refresh: %v", r)
	}
	if r := c.add(t0.Add(10*time.Millisecond), 60); r != 0 {
		t.Fatalf("rate 10 ms after start: $%.2f/day, want unknown (0)", r)
	}
	for at := 10 * time.Second; at < costSettle; at += 10 * time.Second {
		if r := c.add(t0.Add(at), 0); r != 0 {
			t.Fatalf("rate %v after start: $%.2f/day, want unknown (0)", at, r)
		}
	}
	r := c.add(t0.Add(costSettle), 60)
	want := 120 * CostPerMetricUSD * float64(24*time.Hour) / float64(costSettle)
	if math.Abs(r-want) > 1e-9 {
		t.Fatalf("rate at %v: $%.4f/day, want $%.4f (120 metrics over the span)", costSettle, r, want)
	}
	if CostPerDayText(0) != "" {
		t.Fatal("an unknown rate is printed")
	}
}
