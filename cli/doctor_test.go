package cli

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/smithy-go/encoding/cbor"

	"gatewayops/gateway/redisproc"
)

// accessDeniedProxy sits in front of cwlocal and answers one CloudWatch
// operation with AccessDenied, as IAM does, at the wire (Smithy RPC v2
// CBOR); every other request reaches cwlocal untouched.
func accessDeniedProxy(t *testing.T, target, op string) (string, *atomic.Int32) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	var denied atomic.Int32
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/operation/"+op) {
			denied.Add(1)
			w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
			w.Header().Set("Content-Type", "application/cbor")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write(cbor.Encode(cbor.Map{"__type": cbor.String("AccessDenied"),
				"message": cbor.String("User: arn:aws:iam::123456789012:user/oncall is not authorized to perform: cloudwatch:" + op)}))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &denied
}

func TestDoctorNamesTheMissingIAMAction(t *testing.T) {
	st := startDefaultPathStack(t, "arrakis-staging-agent-")
	raw, err := os.ReadFile(st.path)
	if err != nil {
		t.Fatal(err)
	}
	cwURL := between(string(raw), `cloudwatch_endpoint = "`, `"`)
	proxyURL, denied := accessDeniedProxy(t, cwURL, "DescribeAlarmHistory")
	if err := os.WriteFile(st.path, []byte(strings.Replace(string(raw), cwURL, proxyURL, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI("doctor")
	t.Logf("doctor:\n%s%s", out, errs)
	if code != exitFailed || denied.Load() != 1 {
		t.Fatalf("exit %d, %d denied calls; want 1 and exactly one", code, denied.Load())
	}
	for _, want := range []string{"✗ DescribeAlarmHistory   AccessDenied: the credentials lack the IAM permission cloudwatch:DescribeAlarmHistory",
		"✓ DescribeAlarms", "✓ GetMetricData", "✓ ListMetrics", "✓ ListAlarmMuteRules", "✓ admin api", "1 check(s) failed"} {
		if !strings.Contains(out+errs, want) {
			t.Errorf("doctor output lacks %q", want)
		}
	}
}

func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(rest, to)
	return v
}

// An SSO profile whose cached token expired: doctor says how to renew it,
// without any network call (the SDK checks the cached token first).
func TestDoctorSaysHowToRenewAnExpiredSSOSession(t *testing.T) {
	isolateAWSConfig(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	const startURL = "https://example.awsapps.com/start"
	awsCfg := filepath.Join(home, ".aws", "config")
	if err := os.MkdirAll(filepath.Join(home, ".aws", "sso", "cache"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", awsCfg)
	if err := os.WriteFile(awsCfg, []byte("[profile oncall]\nsso_start_url = "+startURL+"\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = OnCall\nregion = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte(startURL))
	token := `{"accessToken":"expired-token","expiresAt":"2020-01-01T00:00:00Z","region":"us-east-1","startUrl":"` + startURL + `"}`
	if err := os.WriteFile(filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json"), []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	xdg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", xdg)
	cfg := "[environments.staging]\nregion = \"us-east-1\"\nprofile = \"oncall\"\nalarm_prefix = \"arrakis-staging-agent-\"\nadmin_url = \"http://127.0.0.1:1\"\nsafety = \"standard\"\n"
	if err := os.MkdirAll(filepath.Join(xdg, "gatewayops"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(xdg, "gatewayops", "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI("doctor")
	t.Logf("doctor:\n%s%s", out, errs)
	if code != exitFailed || !strings.Contains(out, "✗ aws credentials        credentials expired: run `aws sso login --profile oncall`") {
		t.Fatalf("exit %d; want 1 and the renew command", code)
	}
}

// Doctor PINGs the gateway's Redis with AUTH when redis_url_env is set, and
// a wrong password fails without the password in the output.
func TestDoctorChecksRedisWithAuth(t *testing.T) {
	st := startDefaultPathStack(t, "arrakis-staging-agent-")
	srv, plain := redisproc.ForTest(t)
	const pw = "doctor-SECRET-pw-71f3"
	if err := plain.ConfigSet(context.Background(), "requirepass", pw).Err(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(st.path)
	if err != nil {
		t.Fatal(err)
	}
	withRedis := strings.Replace(string(raw), `safety = "standard"`, "safety = \"standard\"\nredis_url_env = \"GATEWAYOPS_DOCTOR_REDIS_URL\"", 1)
	if err := os.WriteFile(st.path, []byte(withRedis), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GATEWAYOPS_DOCTOR_REDIS_URL", "unix://:"+pw+"@"+srv.Socket())
	code, out, errs := runCLI("doctor")
	if code != exitOK || !strings.Contains(out, "TLS false, AUTH true: PONG") {
		t.Fatalf("exit %d; want 0 and the PONG:\n%s%s", code, out, errs)
	}
	t.Setenv("GATEWAYOPS_DOCTOR_REDIS_URL", "unix://:wrong-"+pw+"@"+srv.Socket())
	code, out, errs = runCLI("doctor")
	if code != exitFailed || !strings.Contains(out, "✗ redis") || strings.Contains(out+errs, pw) {
		t.Fatalf("wrong password: exit %d, want 1, an ✗ and no password:\n%s%s", code, out, errs)
	}
}
