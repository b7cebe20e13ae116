package alarms_test

import (
	"context"
	"testing"
	"time"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
)

// TestBackoffGrowsAcrossConsecutiveThrottlesAndResetsOnRecovery throttles
// CloudWatch for several refreshes in a row: each keeps the last good
// snapshot, counts one more failure, and the next delay's floor (half of the
// doubled interval; the other half is jitter) grows until MaxBackoff caps
// it; one good refresh resets the backoff and clears the stale mark.
func TestBackoffGrowsAcrossConsecutiveThrottlesAndResetsOnRecovery(t *testing.T) {
	svc, url := cwlocal.StartForTest(t)
	cat := alarms.DefaultCatalog().ForEnv("test")
	if err := svc.ProvisionCatalog(cat); err != nil {
		t.Fatal(err)
	}
	const quiet, maxBackoff = 30 * time.Second, 4 * time.Minute
	p := alarms.NewPoller(newSource(t, url, "arrakis-test-"), cat,
		alarms.PollerOptions{QuietInterval: quiet, MaxBackoff: maxBackoff})
	good := p.Refresh(context.Background())
	if good.Health[alarms.BackendCloudWatch].Stale || p.NextDelay(good) != quiet {
		t.Fatalf("first refresh: health %+v, next %s", good.Health, p.NextDelay(good))
	}
	for i := 1; i <= 5; i++ {
		svc.SetThrottle(1000)
		snap := p.Refresh(context.Background())
		h := snap.Health[alarms.BackendCloudWatch]
		if !h.Stale || !h.Throttled || !snap.TakenAt.Equal(good.TakenAt) || len(snap.Alarms) != len(good.Alarms) {
			t.Fatalf("throttle %d: health %+v, %d alarms taken %s (want the last good ones)", i, h, len(snap.Alarms), snap.TakenAt)
		}
		if p.Failures() != i {
			t.Fatalf("throttle %d: Failures() = %d", i, p.Failures())
		}
		backoff := min(quiet<<i, maxBackoff)
		for range 20 { // jitter: every draw stays within [backoff/2, backoff]
			if d := p.NextDelay(snap); d < backoff/2 || d > backoff {
				t.Fatalf("throttle %d: next delay %s outside [%s, %s]", i, d, backoff/2, backoff)
			}
		}
	}
	svc.SetThrottle(0)
	if snap := p.Refresh(context.Background()); snap.Health[alarms.BackendCloudWatch].Stale || p.Failures() != 0 ||
		p.NextDelay(snap) != quiet || !snap.TakenAt.After(good.TakenAt) {
		t.Fatalf("recovery: health %+v, failures %d, next %s", snap.Health, p.Failures(), p.NextDelay(snap))
	}
}
