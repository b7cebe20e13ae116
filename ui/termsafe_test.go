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

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
)

// hostileUI is each kind of escape an alarm name or StateReason could carry.
const hostileUI = "\x1b[K\r\x1b]0;pwned\x07\u009b2J"

// rawEscapes are sequences a terminal would act on; NoColor output has no
// styling escapes, so none of these may appear.
var rawEscapes = []string{"\x1b[K", "\r", "\x07", "\x1b]0;", "\u009b"}

func assertNoRawEscape(t *testing.T, where, out string) {
	t.Helper()
	for _, e := range rawEscapes {
		if strings.Contains(out, e) {
			t.Errorf("%s emits %q raw", where, e)
		}
	}
	if !strings.Contains(out, `\x1b[K\r`) {
		t.Errorf("%s does not show the escaped text", where)
	}
}

func TestFullScreenEscapesOutsideStrings(t *testing.T) {
	m := newTestModel(t, startStack(t, "staging", false))
	as := sampleAlarms()
	as[1].Name += hostileUI
	as[1].State = alarms.StateAlarm
	as[1].Reason = "Threshold crossed " + hostileUI
	as[1].EvaluationState = "PARTIAL_DATA" + hostileUI
	m, _ = feed(t, m, as)
	// the list row and the detail of the selected (firing, so first) alarm
	assertNoRawEscape(t, "list and detail", m.render())
	m.setStatus("export failed: "+hostileUI, true)
	assertNoRawEscape(t, "status line", m.render())
}

func TestAccessibleEscapesOutsideStrings(t *testing.T) {
	s := startStack(t, "staging", false)
	name := "arrakis-staging-agent-evil" + hostileUI
	th := 1.0
	if err := s.cw.PutMetricAlarm(cwlocal.PutMetricAlarmInput{AlarmName: name, Namespace: "Arrakis/AgentGateway", MetricName: "CircuitBreakerState",
		Statistic: "Maximum", Period: 60, EvaluationPeriods: 1, Threshold: &th, ComparisonOperator: "GreaterThanThreshold"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.runner.Env.CloudWatch.SetAlarmState(context.Background(), &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name),
		StateValue: types.StateValueAlarm, StateReason: aws.String("reason " + hostileUI)}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	in := strings.NewReader("list\nshow 1\nquit\n")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := runAccessible(ctx, s.backend, in, &out, Options{RefreshEvery: time.Hour, NoColor: true}.withDefaults()); err != nil {
		t.Fatal(err)
	}
	assertNoRawEscape(t, "accessible mode", out.String())
	if !strings.Contains(out.String(), `reason: reason \x1b[K\r`) {
		t.Errorf("the escaped reason is not shown:\n%s", out.String())
	}
}
