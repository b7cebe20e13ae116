package ui

import (
	"strings"
	"testing"
	"time"
)

// An expired SSO session mid-session: the header says how to renew it and
// the alarms stay on screen, stale.
func TestHeaderSaysCredentialsExpiredAndKeepsTheData(t *testing.T) {
	m := newTestModel(t, startStack(t, "staging", false))
	m, _ = feed(t, m, sampleAlarms())
	snap := Snapshot{TakenAt: t0, Alarms: sampleAlarms(), Health: []Health{{Name: "cloudwatch", LastSuccess: t0.Add(-time.Minute),
		StaleSince: t0.Add(-30 * time.Second), LastError: "operation error CloudWatch: DescribeAlarms, https response error StatusCode: 403, api error ExpiredToken: The security token included in the request is expired"}}}
	explainExpired(&snap, "oncall")
	m.refreshID++
	m = update(t, m, snapshotMsg{id: m.refreshID, snap: snap})
	scr := screen(m)
	if !strings.Contains(scr, "credentials expired, run `aws sso login --profile oncall`") {
		t.Fatalf("header lacks the renew command:\n%s", scr)
	}
	if !strings.Contains(scr, "latency-p99") {
		t.Fatalf("the alarms left the screen:\n%s", scr)
	}
}
