package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
	"gatewayops/ops"
)

// hostileText holds each kind of terminal escape an outside string could
// carry: CSI erase-line + carriage return (overwrites another row), OSC
// (window title), BEL, an 8-bit CSI.
const hostileText = "evil\x1b[K\r\x1b]0;pwned\x07\u009b2J"

// emitsControl reports a control character a terminal would act on
// (newline and tab aside).
func emitsControl(s string) bool {
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}

func TestAlarmsTextEscapesOutsideStringsAndJSONStaysExact(t *testing.T) {
	svc, url := cwlocal.StartForTest(t)
	name := "arrakis-staging-agent-" + hostileText
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
		StateValue: types.StateValueAlarm, StateReason: aws.String(hostileText)}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runAlarmsCmd(t, "--endpoint", url, "--region", "us-east-1", "--lint=false")
	if code != checkCritical || emitsControl(out+errs) || !strings.Contains(out, `evil\x1b[K\r\x1b]0;pwned\a\u009b2J`) {
		t.Fatalf("exit %d; text output emits a control character or lacks the escaped name:\n%q", code, out+errs)
	}
	code, out, _ = runAlarmsCmd(t, "--endpoint", url, "--region", "us-east-1", "--lint=false", "--json")
	var snap alarms.Snapshot
	if err := json.Unmarshal([]byte(out), &snap); err != nil || code != checkCritical {
		t.Fatalf("--json: exit %d, %v", code, err)
	}
	if len(snap.Alarms) != 1 || snap.Alarms[0].Name != name || snap.Alarms[0].Reason != hostileText {
		t.Fatalf("--json is not byte-exact: %+v", snap.Alarms)
	}
}

func TestJournalExportEscapesOutsideStrings(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	j, err := ops.OpenJournal(filepath.Join(state, "gatewayops", "journal.jsonl"), nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for _, phase := range []string{ops.PhaseIntent, ops.PhaseResult} {
		if err := j.Append(ops.Entry{Time: now, ID: "x1", Phase: phase, Environment: "staging", Operator: "op\x1b[31m",
			Action: "flags.show", Kind: "read", Params: map[string]string{"note": hostileText}, Plan: hostileText,
			Outcome: "ok", Result: "line\r" + hostileText}); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	code, out, errs := runCLI("journal", "export", "--since", "1h")
	if code != exitOK || emitsControl(out) || !strings.Contains(out, `\x1b[K\r`) {
		t.Fatalf("exit %d (%s); the Markdown emits a control character or lost the text:\n%q", code, errs, out)
	}
}
