package ops

import (
	"context"
	"strings"
	"testing"
	"time"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
	"gatewayops/gateway/redisproc"
)

func TestBuildEnvReachesCloudWatchAndRedisWithoutAnAdminKey(t *testing.T) {
	_, cwURL := cwlocal.StartForTest(t)
	srv, _ := redisproc.ForTest(t)
	t.Setenv("GWO_TEST_REDIS", srv.URL())
	t.Setenv("GWO_TEST_KEY", "")
	e := Environment{Name: "staging", Region: "us-east-1", AdminURL: "http://127.0.0.1:1", Safety: Standard,
		CloudWatchEndpoint: cwURL, AdminKeyEnv: "GWO_TEST_KEY", RedisURLEnv: "GWO_TEST_REDIS"}
	env, closeEnv, err := BuildEnv(context.Background(), e, "alice")
	if err != nil {
		t.Fatal(err)
	}
	defer closeEnv()
	if _, err := env.Admin(); err == nil || !strings.Contains(err.Error(), "GWO_TEST_KEY (admin_key_env) is empty or unset") {
		t.Errorf("Admin() without a key: %v", err)
	}
	// CloudWatch-only work still runs: through the SDK, unsigned for a loopback endpoint.
	rep, err := PoolClaimPreflight(context.Background(), env.CloudWatch, env.Alarms, 24, time.Now())
	if err != nil || rep.Pass {
		t.Errorf("preflight: %+v %v", rep, err)
	}
	d, err := env.Inspector.Diagnose(context.Background())
	if err != nil || d.Server.Version == "" {
		t.Errorf("diagnose: %+v %v", d.Server, err)
	}
}

func TestBuildEnvNeverEchoesARedisURL(t *testing.T) {
	t.Setenv("GWO_TEST_REDIS", "redis://default:s3cret-pass@[bad")
	e := Environment{Name: "staging", Region: "us-east-1", AdminURL: "http://127.0.0.1:1", Safety: Standard, RedisURLEnv: "GWO_TEST_REDIS"}
	_, _, err := BuildEnv(context.Background(), e, "alice")
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "GWO_TEST_REDIS does not hold a valid") {
		t.Errorf("err = %v", err)
	}
	if got := NewRedactor(e.Secrets()...).String("dialing redis://default:s3cret-pass@[bad"); strings.Contains(got, "s3cret") {
		t.Errorf("redactor kept the secret: %s", got)
	}
}

func TestBuildEnvRefusesTheDemoEnvironmentOutsideTheDemo(t *testing.T) {
	_, _, err := BuildEnv(context.Background(), demoEnvironment(), "alice")
	if err == nil || !strings.Contains(err.Error(), "only inside `gatewayops demo`") {
		t.Errorf("err = %v", err)
	}
}

func TestIsLoopback(t *testing.T) {
	for ep, want := range map[string]bool{"http://127.0.0.1:4582": true, "http://localhost:1": true, "http://[::1]:9": true,
		"https://monitoring.us-east-1.amazonaws.com": false, "": false} {
		if alarms.IsLocalEndpoint(ep) != want {
			t.Errorf("IsLocalEndpoint(%q) = %t", ep, !want)
		}
	}
}
