package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
	"gatewayops/gateway/admintest"
)

// defaultPathStack is an engineer's own staging as the README describes
// it: separately started servers (a real admin server on a real
// redis-server, a cwlocal) and a config file only at the default path
// $XDG_CONFIG_HOME/gatewayops/config.toml. No command gets --config.
type defaultPathStack struct {
	cw   *cwlocal.Service
	path string
}

func startDefaultPathStack(t *testing.T, prefix string) defaultPathStack {
	t.Helper()
	isolateAWSConfig(t)
	admin := admintest.Start(t, admintest.Options{Environment: "staging", KeyName: "cli", Key: cliAdminKey})
	cw, cwURL := cwlocal.StartForTest(t)
	if err := cw.ProvisionCatalog(alarms.DefaultCatalog().ForEnv("staging")); err != nil {
		t.Fatal(err)
	}
	xdg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", xdg)
	t.Setenv("XDG_STATE_HOME", filepath.Join(xdg, "state"))
	t.Setenv("GATEWAYOPS_TEST_ADMIN_KEY", cliAdminKey)
	path := filepath.Join(xdg, "gatewayops", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`operator = "default-path-test"
default_environment = "staging"
[environments.staging]
region = "us-east-1"
alarm_prefix = %q
cloudwatch_endpoint = %q
admin_url = %q
admin_key_env = "GATEWAYOPS_TEST_ADMIN_KEY"
safety = "standard"
`, prefix, cwURL, admin.HTTP.URL)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return defaultPathStack{cw: cw, path: path}
}

// Issue 9 item 1: every subcommand that reads a config finds it at the
// default path (the console used to ignore it; alarms asked for --region).
func TestEverySubcommandReadsTheDefaultPathConfig(t *testing.T) {
	startDefaultPathStack(t, "arrakis-staging-agent-")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "gateway.status"}, exitOK, "environment staging"},
		{[]string{"run", "flags.set", "byok_enabled=true", "--yes"}, exitOK, "verify: PASS"},
		{[]string{"alarms", "--lint=false"}, checkWarning, "0 in ALARM of 6"},
		{[]string{"preflight", "pool-claims"}, checkCritical, "cannot prove zero mismatches"},
		{[]string{"journal", "export", "--since", "1h"}, exitOK, "flags.set"},
		{[]string{"console", "--accessible"}, exitOK, "staging"},
		{[]string{"--env", "staging", "--accessible"}, exitOK, "staging"},
		{[]string{"doctor"}, exitOK, "config"},
	}
	for _, c := range cases {
		code, out, errs := runCLI(c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("gatewayops %v: exit %d, want %d and %q; stdout %q stderr %q", c.args, code, c.code, c.want, out, errs)
		}
	}
}

// A prefix or environment that matches no alarm is UNKNOWN, not OK: a
// scripted check with a typo must not pass.
func TestAlarmsMatchingNothingIsUnknown(t *testing.T) {
	startDefaultPathStack(t, "arrakis-stagign-agent-")
	code, out, errs := runCLI("alarms", "--lint=false")
	if code != checkUnknown || !strings.Contains(errs, "no alarm is named arrakis-stagign-agent-*") || !strings.Contains(out, "0 in ALARM of 0") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, _, errs = runCLI("alarms", "--env", "stagin")
	if code != checkUnknown || !strings.Contains(errs, `environment "stagin" is not defined; defined: demo, staging`) || !strings.Contains(errs, "config.toml") {
		t.Fatalf("--env typo: exit %d, stderr %q", code, errs)
	}
}

// Every config error names the file; with no file the message says where
// to add one.
func TestConfigErrorsNameTheFile(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", xdg)
	path := filepath.Join(xdg, "gatewayops", "config.toml")
	for _, args := range [][]string{{"console"}, {"run", "gateway.status"}, {"preflight", "pool-claims"}, {"doctor"}} {
		code, out, errs := runCLI(args...)
		if code == 0 || !strings.Contains(out+errs, "or add one to "+path) {
			t.Errorf("%v without a config: exit %d, stderr %q; want the path %s", args, code, errs, path)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	// A file that was silently ignored until now is parsed strictly.
	if err := os.WriteFile(path, []byte("[environments.staging]\nregoin = \"us-east-1\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"console"}, {"run", "gateway.status"}, {"alarms"}, {"preflight", "pool-claims"}, {"doctor"}} {
		code, out, errs := runCLI(args...)
		if code == 0 || !strings.Contains(out+errs, "config "+path+": unknown key environments.staging.regoin") {
			t.Errorf("%v with a typo in the file: exit %d, stderr %q", args, code, errs)
		}
	}
}
