package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"gatewayops/alarms/cwlocal"
)

// Names and reasons are one-line fields in accessible mode: a "\n" or "\t"
// from CloudWatch is shown escaped, so it cannot start a line a screen
// reader would read as the console's own.
func TestAccessibleEscapesNewlinesInOutsideStrings(t *testing.T) {
	s := startStack(t, "staging", false)
	name := "arrakis-staging-agent-x\nFAKE LINE\tOK"
	th := 1.0
	if err := s.cw.PutMetricAlarm(cwlocal.PutMetricAlarmInput{AlarmName: name, Namespace: "Arrakis/AgentGateway", MetricName: "CircuitBreakerState",
		Statistic: "Maximum", Period: 60, EvaluationPeriods: 1, Threshold: &th, ComparisonOperator: "GreaterThanThreshold"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.runner.Env.CloudWatch.SetAlarmState(context.Background(), &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name),
		StateValue: types.StateValueAlarm, StateReason: aws.String("r\nFAKE REASON")}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	in := strings.NewReader("list\nshow 1\nhelp\nquit\n")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := runAccessible(ctx, s.backend, in, &out, Options{RefreshEvery: time.Hour, NoColor: true}.withDefaults()); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{`x\nFAKE LINE\tOK`, `reason: r\nFAKE REASON`, "\n  list "} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if strings.HasPrefix(l, "FAKE") {
			t.Errorf("an outside string started a line of its own: %q", l)
		}
	}
}
