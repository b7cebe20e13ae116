package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"gatewayops/alarms/cwlocal"
)

// An alarm name is a one-line field: a newline in it must not start a line
// of the table that reads as another alarm.
func TestAlarmsTextEscapesNewlinesInNames(t *testing.T) {
	svc, url := cwlocal.StartForTest(t)
	name := "arrakis-staging-agent-x\nFAKE LINE\tOK"
	th := 1.0
	if err := svc.PutMetricAlarm(cwlocal.PutMetricAlarmInput{AlarmName: name, Namespace: gatewayNamespace, MetricName: "CircuitBreakerState",
		Statistic: "Maximum", Period: 60, EvaluationPeriods: 1, Threshold: &th, ComparisonOperator: "GreaterThanThreshold"}); err != nil {
		t.Fatal(err)
	}
	cw, err := cwlocal.NewSDKClient(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cw.SetAlarmState(context.Background(), &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name),
		StateValue: types.StateValueAlarm, StateReason: aws.String("r\nFAKE REASON")}); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runAlarmsCmd(t, "--endpoint", url, "--region", "us-east-1", "--lint=false")
	if code != checkCritical || !strings.Contains(out, `x\nFAKE LINE\tOK`) {
		t.Fatalf("exit %d; the name is not shown escaped:\n%s", code, out)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "FAKE") {
			t.Errorf("a name started a line of its own: %q", l)
		}
	}
}
