package cwlocal

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"gatewayops/alarms"
	"gatewayops/internal/testclock"
	"gatewayops/ops"
)

// debianCLI is the AWS CLI that Debian ships (package awscli, 2.9): it
// speaks the AWS Query protocol. The pip-installed CLI on PATH speaks JSON
// 1.0 and proves nothing about Query, so the path is fixed.
const debianCLI = "/usr/bin/aws"

// requireDebianCLI fails (never skips) when the Debian CLI is missing or is
// not 2.9: `make test` installs it (apt-get install awscli).
func requireDebianCLI(t *testing.T) {
	t.Helper()
	out, err := exec.Command(debianCLI, "--version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "aws-cli/2.9.") {
		t.Fatalf("%s --version: %q, %v: install Debian's CLI with `apt-get install -y awscli`", debianCLI, out, err)
	}
}

// awsCLI runs `aws cloudwatch ARGS` against url with no configuration of
// the machine's (config and credentials files are /dev/null, dummy keys),
// a short connect timeout and no retries. It returns stdout, stderr and the exit code.
func awsCLI(t *testing.T, url string, args ...string) (string, string, int) {
	t.Helper()
	full := append([]string{"cloudwatch", "--endpoint-url", url, "--region", "us-east-1",
		"--cli-connect-timeout", "2", "--cli-read-timeout", "20", "--no-cli-pager"}, args...)
	cmd := exec.Command(debianCLI, full...)
	cmd.Env = []string{
		"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(),
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID=AKIDLOCALTEST", "AWS_SECRET_ACCESS_KEY=local-test-not-a-secret",
		"AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard", "AWS_EC2_METADATA_DISABLED=true",
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("aws %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), code
}

// awsJSON runs the CLI and decodes its JSON output, failing on any error.
func awsJSON(t *testing.T, url string, into any, args ...string) {
	t.Helper()
	out, errOut, code := awsCLI(t, url, append(args, "--output", "json")...)
	if code != 0 {
		t.Fatalf("aws %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	if into != nil && json.Unmarshal([]byte(out), into) != nil {
		t.Fatalf("aws %s: not JSON: %q", strings.Join(args, " "), out)
	}
}

// The unmodified Debian CLI drives every operation the runbooks use over
// the Query protocol.
func TestDebianAWSCLIOverTheQueryProtocol(t *testing.T) {
	requireDebianCLI(t)
	now := time.Now().UTC().Truncate(time.Minute)
	clock := testclock.New(now)
	s, url := serve(t, New(Config{Now: clock.Now}))
	for _, name := range []string{"cli-a", "cli-b", "cli-c", "other"} {
		awsJSON(t, url, nil, "put-metric-alarm", "--alarm-name", name, "--namespace", "N", "--metric-name", "M",
			"--statistic", "Sum", "--period", "60", "--evaluation-periods", "1", "--threshold", "5",
			"--comparison-operator", "GreaterThanThreshold", "--dimensions", "Name=feature,Value=baseline",
			"--tags", "Key=Severity,Value=high")
	}
	at := now.Add(-30 * time.Second).Format(time.RFC3339)
	awsJSON(t, url, nil, "put-metric-data", "--namespace", "N", "--metric-data",
		fmt.Sprintf(`[{"MetricName":"M","Dimensions":[{"Name":"feature","Value":"baseline"}],"Timestamp":%q,"Values":[2,7],"Counts":[3,1],"Unit":"Count"}]`, at))
	s.EvaluateAll(now)
	clock.Advance(time.Second)
	awsJSON(t, url, nil, "set-alarm-state", "--alarm-name", "cli-c", "--state-value", "OK", "--state-reason", "operator check")

	var alarms struct {
		MetricAlarms []struct{ AlarmName, StateValue string }
	}
	awsJSON(t, url, &alarms, "describe-alarms", "--alarm-name-prefix", "cli-", "--state-value", "ALARM")
	if len(alarms.MetricAlarms) != 2 || alarms.MetricAlarms[0].AlarmName != "cli-a" || alarms.MetricAlarms[1].StateValue != "ALARM" {
		t.Fatalf("describe-alarms ALARM under cli-: %+v", alarms)
	}
	before := s.Calls()["DescribeAlarms"]
	awsJSON(t, url, &alarms, "describe-alarms", "--page-size", "1")
	if len(alarms.MetricAlarms) != 4 || s.Calls()["DescribeAlarms"]-before != 4 {
		t.Fatalf("paged describe-alarms: %d alarms in %d calls", len(alarms.MetricAlarms), s.Calls()["DescribeAlarms"]-before)
	}

	var hist struct {
		AlarmHistoryItems []struct{ HistoryItemType, HistorySummary string }
	}
	awsJSON(t, url, &hist, "describe-alarm-history", "--alarm-name", "cli-c", "--history-item-type", "StateUpdate")
	if len(hist.AlarmHistoryItems) != 2 || hist.AlarmHistoryItems[0].HistorySummary != "Alarm updated from ALARM to OK" {
		t.Fatalf("history: %+v", hist)
	}

	var metrics struct {
		Metrics []struct{ Namespace, MetricName string }
	}
	awsJSON(t, url, &metrics, "list-metrics", "--namespace", "N", "--dimensions", "Name=feature")
	if len(metrics.Metrics) != 1 || metrics.Metrics[0].MetricName != "M" {
		t.Fatalf("list-metrics: %+v", metrics)
	}

	window := []string{"--start-time", now.Add(-10 * time.Minute).Format(time.RFC3339), "--end-time", now.Format(time.RFC3339)}
	var data struct {
		MetricDataResults []struct {
			Id     string
			Values []float64
		}
	}
	awsJSON(t, url, &data, append([]string{"get-metric-data", "--metric-data-queries",
		`[{"Id":"m","MetricStat":{"Metric":{"Namespace":"N","MetricName":"M","Dimensions":[{"Name":"feature","Value":"baseline"}]},"Period":60,"Stat":"Sum"}},{"Id":"e","Expression":"m * 2"}]`}, window...)...)
	if len(data.MetricDataResults) != 2 || len(data.MetricDataResults[0].Values) != 1 || data.MetricDataResults[0].Values[0] != 13 || data.MetricDataResults[1].Values[0] != 26 {
		t.Fatalf("get-metric-data: %+v", data)
	}

	var st struct {
		Label      string
		Datapoints []struct {
			SampleCount, Sum   float64
			ExtendedStatistics map[string]float64
		}
	}
	awsJSON(t, url, &st, append([]string{"get-metric-statistics", "--namespace", "N", "--metric-name", "M",
		"--dimensions", "Name=feature,Value=baseline", "--period", "300", "--statistics", "Sum", "SampleCount"}, window...)...)
	if len(st.Datapoints) != 1 || st.Datapoints[0].Sum != 13 || st.Datapoints[0].SampleCount != 4 {
		t.Fatalf("get-metric-statistics: %+v", st)
	}
	awsJSON(t, url, &st, append([]string{"get-metric-statistics", "--namespace", "N", "--metric-name", "M",
		"--dimensions", "Name=feature,Value=baseline", "--period", "300", "--extended-statistics", "p50", "p99"}, window...)...)
	if len(st.Datapoints) != 1 || st.Datapoints[0].ExtendedStatistics["p50"] != 2 || st.Datapoints[0].ExtendedStatistics["p99"] != 7 {
		t.Fatalf("get-metric-statistics percentiles: %+v", st)
	}

	awsJSON(t, url, nil, "delete-alarms", "--alarm-names", "cli-a", "cli-b")
	awsJSON(t, url, &alarms, "describe-alarms", "--alarm-name-prefix", "cli-")
	if len(alarms.MetricAlarms) != 1 || alarms.MetricAlarms[0].AlarmName != "cli-c" {
		t.Fatalf("after delete-alarms: %+v", alarms)
	}

	_, errOut, code := awsCLI(t, url, "put-metric-alarm", "--alarm-name", "bad", "--namespace", "N", "--metric-name", "M",
		"--statistic", "Sum", "--period", "60", "--evaluation-periods", "1", "--threshold", "5", "--comparison-operator", "Bogus")
	if code == 0 || !strings.Contains(errOut, "(InvalidParameterValue) when calling the PutMetricAlarm operation") ||
		!strings.Contains(errOut, `ComparisonOperator "Bogus" is not supported`) {
		t.Fatalf("a bad parameter: exit %d, %q", code, errOut)
	}
	_, errOut, code = awsCLI(t, url, "set-alarm-state", "--alarm-name", "none", "--state-value", "OK", "--state-reason", "r")
	if code == 0 || !strings.Contains(errOut, "(ResourceNotFound)") {
		t.Fatalf("an unknown alarm: exit %d, %q", code, errOut)
	}
}

// The gateway's pool-claim-preflight.sh asks for PoolClaimMismatch with no
// dimensions while the emitter always sets pool_id: on gateway-shaped data
// with three mismatches the script's exact query prints None (its PASS, the
// defect reproduced faithfully), while `gatewayops preflight pool-claims`
// (ops.PoolClaimPreflight) fails on the same data.
func TestSeedScriptQueryPrintsNoneWhilePreflightFails(t *testing.T) {
	requireDebianCLI(t)
	now := time.Now().UTC()
	s, url := serve(t, New(Config{Now: func() time.Time { return now }}))
	for i, pool := range []string{"cheap", "fast-code", "cheap"} {
		line := fmt.Sprintf(`{"pool_id":%q,"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"Arrakis/AgentGateway","Dimensions":[["pool_id"]],"Metrics":[{"Name":"PoolClaimMismatch","Unit":"Count"}]}]},"PoolClaimMismatch":1}`,
			pool, now.Add(-time.Duration(i+1)*time.Hour).UnixMilli())
		if err := s.IngestEMF([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	const hours = 24
	out, errOut, code := awsCLI(t, url, "get-metric-statistics", "--namespace", "Arrakis/AgentGateway", "--metric-name", "PoolClaimMismatch",
		"--start-time", now.Add(-hours*time.Hour).Format("2006-01-02T15:04:05Z"), "--end-time", now.Format("2006-01-02T15:04:05Z"),
		"--period", fmt.Sprint(hours*3600), "--statistics", "Sum", "--query", "Datapoints[0].Sum", "--output", "text")
	if code != 0 || strings.TrimSpace(out) != "None" {
		t.Fatalf("the seed script's query: exit %d, stdout %q, stderr %q (want None)", code, out, errOut)
	}
	cw, err := NewSDKClient(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ops.PoolClaimPreflight(context.Background(), cw, alarms.NewSource(cw, ""), hours, now)
	if err != nil || rep.Pass || rep.Mismatch.Sum != 3 {
		t.Fatalf("preflight on the same data: pass=%v sum=%v err=%v %v", rep.Pass, rep.Mismatch.Sum, err, rep.Reasons)
	}
}
