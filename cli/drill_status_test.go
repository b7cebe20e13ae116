package cli

import (
	"regexp"
	"testing"
	"time"

	"gatewayops/gateway/sim/drills"
)

// The drill's status line follows the one time rule (issue 9 item 8): every
// time of day it shows is UTC, marked Z.
func TestDrillStatusTimesAreUTCMarkedZ(t *testing.T) {
	sc, err := drills.Lookup("kms-breaker-open")
	if err != nil {
		t.Fatal(err)
	}
	d := &drillFeed{sc: sc}
	since := time.Date(2026, 12, 1, 14, 59, 20, 0, time.FixedZone("CET", 3600))
	for _, phase := range []drills.Phase{drills.PhaseRaising, drills.PhaseOn} {
		st := d.status(drills.Status{Phase: phase, Since: since})
		if !regexp.MustCompile(`\b13:59:20Z\b`).MatchString(st.State) {
			t.Errorf("phase %v: status %q does not give the time as 13:59:20Z", phase, st.State)
		}
	}
}
