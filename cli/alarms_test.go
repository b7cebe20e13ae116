package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
)

func runAlarmsCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = dispatch(context.Background(), append([]string{"alarms"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// breakerLine is one EMF line of the gateway's CircuitBreakerState gauge.
func breakerLine(at time.Time, state int) []byte {
	return fmt.Appendf(nil, `{"component":"loa-finn","_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"Arrakis/AgentGateway","Dimensions":[["component"]],"Metrics":[{"Name":"CircuitBreakerState","Unit":"None"}]}]},"CircuitBreakerState":%d}`,
		at.UnixMilli(), state)
}

func startProvisioned(t *testing.T, breaker int) (*cwlocal.Service, string) {
	t.Helper()
	svc, url := cwlocal.StartForTest(t)
	if err := svc.ProvisionCatalog(alarms.DefaultCatalog().ForEnv("staging")); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for m := 5; m >= 1; m-- {
		if err := svc.IngestEMF(breakerLine(now.Add(-time.Duration(m)*time.Minute), breaker)); err != nil {
			t.Fatal(err)
		}
	}
	svc.EvaluateAll(now)
	return svc, url
}

func TestAlarmsExitsZeroWhenNothingFires(t *testing.T) {
	_, url := startProvisioned(t, 0)
	code, out, errs := runAlarmsCmd(t, "--endpoint", url, "--region", "us-east-1", "--env", "staging")
	t.Logf("output:\n%s", out)
	// Nothing in ALARM, but alarms without data: WARNING (monitoring-plugin 1).
	if code != checkWarning {
		t.Fatalf("exit = %d, stderr %s", code, errs)
	}
	for _, want := range []string{"arrakis-staging-agent-circuit-breaker-open", "✓ ok", "? no data", "0 in ALARM of 6", "metrics requested"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestAlarmsExitsTwoWhenSomethingFires(t *testing.T) {
	_, url := startProvisioned(t, 2)
	code, out, errs := runAlarmsCmd(t, "--endpoint", url, "--region", "us-east-1", "--env", "staging", "--json")
	if code != 2 {
		t.Fatalf("exit = %d, stderr %s", code, errs)
	}
	var snap alarms.Snapshot
	if err := json.Unmarshal([]byte(out), &snap); err != nil {
		t.Fatalf("--json output is not a snapshot: %v\n%s", err, out)
	}
	if snap.InAlarm() != 1 || len(snap.Alarms) != 6 || len(snap.Panels) != 11 {
		t.Fatalf("snapshot: %d in ALARM, %d alarms, %d panels", snap.InAlarm(), len(snap.Alarms), len(snap.Panels))
	}
}

func TestAlarmsExitsUnknownWhenCloudWatchIsUnreadable(t *testing.T) {
	svc, url := startProvisioned(t, 0)
	svc.SetFailures(100)
	code, _, errs := runAlarmsCmd(t, "--endpoint", url, "--region", "us-east-1")
	if code != checkUnknown || !strings.Contains(errs, "CloudWatch could not be read") || !strings.Contains(errs, "InternalServiceError") {
		t.Fatalf("exit = %d, stderr %q", code, errs)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	code, _, errs = runAlarmsCmd(t, "--endpoint", closed, "--region", "us-east-1")
	if code != checkUnknown || !strings.Contains(errs, "connection refused") {
		t.Fatalf("exit = %d, stderr %q", code, errs)
	}
}

func TestAlarmsTerraformCatalogReportsTheLint(t *testing.T) {
	svc, url := cwlocal.StartForTest(t)
	if err := svc.ProvisionCatalog(alarms.TerraformCatalog().ForEnv("staging")); err != nil {
		t.Fatal(err)
	}
	if err := svc.IngestEMF(breakerLine(time.Now().Add(-time.Minute), 0)); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runAlarmsCmd(t, "--endpoint", url, "--region", "us-east-1", "--catalog", "terraform")
	t.Logf("output:\n%s", out)
	if code != checkWarning {
		t.Fatalf("exit = %d, stderr %s", code, errs)
	}
	if !strings.Contains(out, "alarm arrakis-staging-agent-circuit-breaker-open queries Arrakis/AgentGateway CircuitBreakerState with no dimensions, which is never published; published dimension sets: [component]") {
		t.Fatalf("lint missing:\n%s", out)
	}
}

func TestAlarmsRejectsBadFlags(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: x\nalarms:\n  - name: a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		args []string
		want string
	}{
		"unknown flag":   {[]string{"--bogus"}, "flag provided but not defined: -bogus"},
		"stray argument": {[]string{"now"}, `unexpected argument "now"`},
		"bad endpoint":   {[]string{"--endpoint", "localhost:4566"}, `--endpoint "localhost:4566" is not an http(s) URL`},
		"missing file":   {[]string{"--catalog", "/nonexistent/c.yaml"}, "/nonexistent/c.yaml"},
		"bad catalog":    {[]string{"--catalog", bad}, "severity \"\" is not one of critical, high, medium, low"},
		"no such env":    {[]string{"--config", writeConsoleConfig(t, ""), "--env", "stagin"}, `environment "stagin" is not defined`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			code, out, errs := runAlarmsCmd(t, tc.args...)
			if code != checkUnknown || !strings.Contains(errs, tc.want) || out != "" {
				t.Fatalf("exit = %d, stdout %q, stderr %q; want %d and %q", code, out, errs, checkUnknown, tc.want)
			}
		})
	}
}

// isolateAWSConfig keeps the developer's ~/.aws and environment out of the test.
func isolateAWSConfig(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_CLOUDWATCH": "",
	} {
		t.Setenv(k, v)
	}
}

func TestAlarmsHonoursTheStandardEnvironment(t *testing.T) {
	isolateAWSConfig(t)
	_, url := startProvisioned(t, 2)
	// The SDK itself reads the endpoint, region and (dummy) keys from the environment.
	t.Setenv("AWS_ENDPOINT_URL_CLOUDWATCH", url)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-example-not-a-secret")
	code, out, errs := runAlarmsCmd(t)
	if code != 2 || !strings.Contains(out, "1 in ALARM of 6") {
		t.Fatalf("exit = %d, stdout %s, stderr %s", code, out, errs)
	}
	if strings.Contains(out+errs, "wJalrXUtnFEMI") {
		t.Fatal("the secret key appears in the output")
	}
}

func TestAlarmsNamesAMissingRegionOrProfile(t *testing.T) {
	isolateAWSConfig(t)
	_, url := startProvisioned(t, 0)
	code, _, errs := runAlarmsCmd(t, "--endpoint", url)
	if code != checkUnknown || !strings.Contains(errs, "no AWS region: pass --region or set AWS_REGION") {
		t.Fatalf("exit = %d, stderr %q", code, errs)
	}
	code, _, errs = runAlarmsCmd(t, "--endpoint", url, "--region", "us-east-1", "--profile", "oncall-nope")
	if code != checkUnknown || !strings.Contains(errs, "oncall-nope") {
		t.Fatalf("exit = %d, stderr %q", code, errs)
	}
}
