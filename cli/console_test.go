package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConsoleConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConsoleRejectsBadInvocationsWithReasons(t *testing.T) {
	cfg := writeConsoleConfig(t, `
[environments.staging]
region = "us-east-1"
alarm_prefix = "arrakis-staging-"
admin_url = "http://127.0.0.1:1"
admin_key_env = "U1_TEST_UNSET_ADMIN_KEY"
safety = "standard"
`)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--refresh", "10ms"}, 2, "--refresh 10ms: must be at least 1s"},
		{[]string{"extra"}, 2, `unknown command "extra"`},
		{[]string{"console", "extra"}, 2, "the console takes flags only"},
		{[]string{"--config", cfg, "--env", "prod"}, 2, `environment "prod" is not defined; defined: demo, staging`},
		{[]string{"--config", filepath.Join(t.TempDir(), "missing.toml")}, 2, "missing.toml"},
		{[]string{"--config", writeConsoleConfig(t, "[environments.x]\nsafety = \"yolo\"\n")}, 2, "yolo"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := dispatch(context.Background(), c.args, &out, &errb)
		if code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("gatewayops %v = %d, stderr %q; want %d and %q", c.args, code, errb.String(), c.code, c.want)
		}
	}
}

func TestConsoleWithoutEnvironmentPointsToDemo(t *testing.T) {
	cfg := writeConsoleConfig(t, "")
	var out, errb bytes.Buffer
	if code := dispatch(context.Background(), []string{"--config", cfg}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "gatewayops demo") {
		t.Fatalf("code %d, stderr %q", code, errb.String())
	}
}
