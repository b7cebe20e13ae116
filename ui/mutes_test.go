package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
)

func TestMutesAreMarkedAndTheMutesViewEndsBoth(t *testing.T) {
	s := startStack(t, "staging", false)
	if _, err := s.runner.Env.CloudWatch.DisableAlarmActions(t.Context(), &cloudwatch.DisableAlarmActionsInput{
		AlarmNames: []string{"arrakis-staging-agent-stale-reservations"}}); err != nil {
		t.Fatal(err)
	}
	f := startFlow(t, s)
	f.waitFor("STAGING - standard", "stale-reservations [actions OFF]")
	f.paletteRunAs("alarm.mute alarm=p99-latency for=30m reason=INC-8", "alarm.mute alarm=arrakis-staging-agent-p99-latency for=30m reason=INC-8")
	f.keys("r")
	scr := f.waitFor("p99-latency [muted to ")
	if !regexp.MustCompile(`p99-latency \[muted to \d\d:\d\d:\d\dZ\]`).MatchString(scr) {
		t.Fatalf("muted alarm not marked with its expiry:\n%s", scr)
	}
	f.keys("M")
	f.waitFor("Muted alarms and alarms with actions disabled", "end with: alarm.unmute alarm=arrakis-staging-agent-p99-latency",
		"end with: alarm.enable alarm=arrakis-staging-agent-stale-reservations")
	f.keys("enter")
	f.waitFor("CONFIRM: alarm.unmute alarm=arrakis-staging-agent-p99-latency")
	f.keys("y")
	f.waitUntil("unmute verified", func(scr string) bool {
		return strings.Contains(scr, "Action: alarm.unmute") && strings.Contains(scr, "✔ verified")
	})
	f.keys("r")
	f.waitUntil("the mute mark gone", func(scr string) bool { return !strings.Contains(scr, "[muted to") })
	f.keys("M")
	t.Log(f.waitFor("end with: alarm.enable"))
	f.keys("enter")
	f.waitFor("CONFIRM: alarm.enable alarm=arrakis-staging-agent-stale-reservations")
	f.keys("y")
	f.waitUntil("actions on verified", func(scr string) bool {
		return strings.Contains(scr, "Action: alarm.enable") && strings.Contains(scr, "✔ verified")
	})
	f.keys("r")
	f.waitUntil("the actions mark gone", func(scr string) bool { return !strings.Contains(scr, "[actions OFF]") })
	f.quit()
}
