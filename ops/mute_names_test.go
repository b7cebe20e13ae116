package ops

import (
	"strings"
	"testing"

	"gatewayops/alarms/cwlocal"
)

func TestAlarmMuteTakesTheConsoleNameAndRefusesUnknownOnes(t *testing.T) {
	s := newStack(t, "staging", Standard)
	th := 10000.0
	full := "arrakis-staging-agent-p99-latency"
	if err := s.cw.PutMetricAlarm(cwlocal.PutMetricAlarmInput{AlarmName: full, Namespace: GatewayNamespace, MetricName: "AgentLatency",
		Statistic: "Maximum", Period: 60, EvaluationPeriods: 1, Threshold: &th, ComparisonOperator: "GreaterThanThreshold"}); err != nil {
		t.Fatal(err)
	}
	out := s.run(`alarm.mute alarm=p99-latency for=30m reason="INC-8 latency known"`, standardYes)
	if !out.OK() || out.Command != `alarm.mute alarm=`+full+` for=30m reason="INC-8 latency known"` {
		t.Fatalf("short name: command %q ok %v err %v", out.Command, out.OK(), out.Err)
	}
	if !strings.Contains(out.Verification.Detail, "gatewayops-mute-"+full+" present") {
		t.Fatalf("verification = %+v", out.Verification)
	}
	if out.Inverse != "alarm.unmute alarm="+full {
		t.Fatalf("inverse = %q", out.Inverse)
	}

	_, err := s.runner.Run(t.Context(), `alarm.mute alarm=p99-latncy for=30m reason=x`, standardYes)
	if err == nil || !strings.Contains(err.Error(), `unknown alarm "p99-latncy" (did you mean p99-latency?)`) {
		t.Fatalf("unknown alarm: %v", err)
	}
	rules, err := s.env.Alarms.ListMutes(t.Context(), "")
	if err != nil || len(rules) != 1 {
		t.Fatalf("mute rules after one good and one unknown mute: %v %v", rules, err)
	}
}
