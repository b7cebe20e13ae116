package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/alarms/cwlocal"
	"gatewayops/gateway"
	"gatewayops/gateway/admintest"
	"gatewayops/gateway/redisproc"
	"gatewayops/ops"
	"github.com/aws/smithy-go/logging"
	"log"
)

// Known secret values: the test fails if any of them shows up anywhere.
const (
	secretAdminKey  = "gwk-SECRET-admin-7c1f9e0d2b4a6853"
	secretWrongKey  = "gwk-SECRET-wrong-0a1b2c3d4e5f6a7b"
	secretRedisPW   = "SECRET-redis-pw-5d8e1a"
	secretWrongPW   = "SECRET-wrong-redis-pw-9f3c"
	secretAWSKey    = "SECRET-aws-wJalrXUtnFEMI-K7MDENG"
	secretsEnvAdmin = "GATEWAYOPS_SECRETS_TEST_ADMIN_KEY"
	secretsEnvRedis = "GATEWAYOPS_SECRETS_TEST_REDIS_URL"
)

// secretsStack is redis-server with a password, the real admin-server
// command in front of it, a cwlocal, and a config file naming them.
type secretsStack struct {
	t         *testing.T
	redis     *redisproc.Server
	rdb       *redis.Client
	redisURL  string
	socket    string
	adminAddr string
	cwURL     string
	config    string
	state     string
	serverLog *lockedBuffer
	seen      bytes.Buffer // everything any command printed
}

func startSecretsStack(t *testing.T) *secretsStack {
	t.Helper()
	srv, plain := redisproc.ForTest(t)
	if err := plain.ConfigSet(context.Background(), "requirepass", secretRedisPW).Err(); err != nil {
		t.Fatal(err)
	}
	s := &secretsStack{t: t, redis: srv, socket: srv.Socket(), serverLog: &lockedBuffer{},
		redisURL: "unix://:" + secretRedisPW + "@" + srv.Socket()}
	s.rdb = redis.NewClient(&redis.Options{Network: "unix", Addr: srv.Socket(), Password: secretRedisPW})
	t.Cleanup(func() { s.rdb.Close() })
	s.adminAddr = freeAddr(t)
	s.startAdminServer()
	cw, cwURL := cwlocal.StartForTest(t)
	s.cwURL = cwURL
	th := 1.0
	if err := cw.PutMetricAlarm(cwlocal.PutMetricAlarmInput{AlarmName: "arrakis-staging-agent-circuit-breaker-open",
		Namespace: "Arrakis/AgentGateway", MetricName: "CircuitBreakerState", Statistic: "Maximum", Period: 60,
		EvaluationPeriods: 1, Threshold: &th, ComparisonOperator: "GreaterThanThreshold"}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s.config, s.state = filepath.Join(dir, "config.toml"), filepath.Join(dir, "state")
	cfg := fmt.Sprintf(`operator = "secrets-test"
[environments.staging]
region = "us-east-1"
alarm_prefix = "arrakis-staging-agent-"
cloudwatch_endpoint = %q
admin_url = "http://%s"
admin_key_env = %q
redis_url_env = %q
safety = "standard"
`, cwURL, s.adminAddr, secretsEnvAdmin, secretsEnvRedis)
	if err := os.WriteFile(s.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(secretsEnvAdmin, secretAdminKey)
	t.Setenv(secretsEnvRedis, s.redisURL)
	t.Setenv("XDG_STATE_HOME", s.state)
	isolateAWSConfig(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDSECRETSTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", secretAWSKey)
	t.Setenv("AWS_REGION", "us-east-1")
	return s
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startAdminServer runs the real admin-server command until the test ends
// and waits until it answers.
func (s *secretsStack) startAdminServer() {
	s.t.Setenv("GATEWAYOPS_ADMIN_KEYS", "ops:"+secretAdminKey)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- runAdminServer(ctx, []string{"--listen", s.adminAddr, "--redis", s.redisURL}, &bytes.Buffer{}, s.serverLog)
	}()
	s.t.Cleanup(func() { cancel(); <-done })
	c := gateway.NewClient("http://"+s.adminAddr, gateway.ClientOptions{APIKey: secretAdminKey,
		MaxRetries: 50, Backoff: func(int) time.Duration { return 50 * time.Millisecond }})
	if st, err := c.Status(ctx); err != nil || !st.Redis.OK {
		s.t.Fatalf("admin-server with a password URL: %+v %v; log %s", st, err, s.serverLog.String())
	}
}

// run runs one gatewayops command, records what it printed and checks the exit code.
func (s *secretsStack) run(wantCode int, args ...string) string {
	s.t.Helper()
	var out, errb bytes.Buffer
	code := dispatch(context.Background(), args, &out, &errb)
	fmt.Fprintf(&s.seen, "$ gatewayops %s\n%s%s", strings.Join(args, " "), out.String(), errb.String())
	if code != wantCode {
		s.t.Fatalf("gatewayops %v: exit %d, want %d; stdout %q stderr %q", args, code, wantCode, out.String(), errb.String())
	}
	return out.String() + errb.String()
}

// TestNoCommandPrintsOrStoresASecret drives every command with known secret
// values (admin key, a Redis URL with a password, an AWS secret key),
// successes and failures, then searches everything they printed, the
// admin-server log, the journal and every record the server keeps in Redis.
func TestNoCommandPrintsOrStoresASecret(t *testing.T) {
	s := startSecretsStack(t)
	cfg := []string{"--config", s.config}
	s.run(exitOK, append([]string{"run", "gateway.status"}, cfg...)...)
	if out := s.run(exitOK, append([]string{"run", "redis.diagnose"}, cfg...)...); !strings.Contains(out, "redis_version") {
		t.Fatalf("redis.diagnose did not reach the password-protected Redis: %s", out)
	}
	s.run(exitOK, append([]string{"run", "flags.set", "byok_enabled=true", "--yes"}, cfg...)...)
	s.run(exitOK, append([]string{"run", "reservations.drain", "mode=reconcile", "--yes"}, cfg...)...)
	s.run(exitOK, append([]string{"run", "alarm.mute", "alarm=arrakis-staging-agent-circuit-breaker-open",
		"for=30m", "reason=secrets test", "--yes"}, cfg...)...)
	s.run(exitUsage, append([]string{"run", "flags.set", "byok_enabled=maybe"}, cfg...)...)
	s.run(exitOK, append([]string{"journal", "export", "--since", "1h", "--env", "staging"}, cfg...)...)
	s.run(checkCritical, append([]string{"preflight", "pool-claims"}, cfg...)...)
	s.run(exitOK, "runbook", "check")
	s.run(checkWarning, "alarms", "--endpoint", s.cwURL, "--lint=false") // insufficient data: WARNING

	// Failures: a wrong admin key, a wrong Redis password, a dead Redis
	// socket, a Redis URL that does not parse: each error names the
	// problem without the value.
	t.Setenv(secretsEnvAdmin, secretWrongKey)
	if out := s.run(exitFailed, append([]string{"run", "gateway.status"}, cfg...)...); !strings.Contains(out, "invalid API key") {
		t.Errorf("a wrong admin key is not reported as such: %s", out)
	}
	t.Setenv(secretsEnvAdmin, secretAdminKey)
	badURLs := []struct{ url, cause string }{
		{"unix://:" + secretWrongPW + "@" + s.socket, "WRONGPASS"},
		{"redis://:" + secretWrongPW + "@host:notaport", "does not hold a valid redis"},
	}
	for _, b := range badURLs {
		t.Setenv(secretsEnvRedis, b.url)
		var out, errb bytes.Buffer
		dispatch(context.Background(), append([]string{"run", "redis.diagnose"}, cfg...), &out, &errb)
		fmt.Fprintf(&s.seen, "$ gatewayops run redis.diagnose (bad Redis URL)\n%s%s", out.String(), errb.String())
		if !strings.Contains(out.String()+errb.String(), b.cause) {
			t.Errorf("redis.diagnose with a bad Redis URL does not say %q: %s%s", b.cause, out.String(), errb.String())
		}
	}
	t.Setenv(secretsEnvRedis, s.redisURL)
	s.adminServerStartupErrors()
	s.probeHealth(http.StatusOK, http.StatusOK)
	s.assertNoSecretAnywhere()
	// /readyz while Redis is gone: its answer and the server's log of the
	// failed ping name neither the password nor the key.
	s.redis.Kill()
	s.probeHealth(http.StatusOK, http.StatusServiceUnavailable)
	s.assertNoSecretIn(map[string]string{"command output": s.seen.String(), "admin-server log": s.serverLog.String()})
}

// probeHealth asks /healthz and /readyz with no key and with the admin key
// presented, and records status, headers and body of every answer.
func (s *secretsStack) probeHealth(wantHealthz, wantReadyz int) {
	s.t.Helper()
	for _, p := range []struct {
		path string
		want int
	}{{gateway.HealthzPath, wantHealthz}, {gateway.ReadyzPath, wantReadyz}} {
		for _, key := range []string{"", secretAdminKey} {
			req, err := http.NewRequest(http.MethodGet, "http://"+s.adminAddr+p.path, nil)
			if err != nil {
				s.t.Fatal(err)
			}
			if key != "" {
				req.Header.Set(gateway.HeaderAPIKey, key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				s.t.Fatalf("GET %s: %v", p.path, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var head strings.Builder
			_ = resp.Header.Write(&head)
			fmt.Fprintf(&s.seen, "$ GET %s (key presented: %t)\n%d\n%s%s\n", p.path, key != "", resp.StatusCode, head.String(), body)
			if resp.StatusCode != p.want {
				s.t.Errorf("GET %s (key presented: %t): %d, want %d: %s", p.path, key != "", resp.StatusCode, p.want, body)
			}
		}
	}
}

// adminServerStartupErrors: the admin-server command refusing to start
// with a secret in its key list, its Redis URL or both.
func (s *secretsStack) adminServerStartupErrors() {
	s.t.Helper()
	cases := []struct {
		keys string
		args []string
	}{
		{"ops:" + secretAdminKey + ",ops:" + secretAdminKey, []string{"--listen", "127.0.0.1:0", "--redis", s.redisURL}},
		{"ops " + secretAdminKey, []string{"--listen", "127.0.0.1:0", "--redis", s.redisURL}},
		{"ops:" + secretAdminKey, []string{"--listen", "127.0.0.1:0", "--redis", "redis://:" + secretRedisPW + "@host:notaport"}},
		{"ops:" + secretAdminKey, []string{"--listen", "127.0.0.1:0", "--redis", s.redisURL,
			"--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem"}},
		{"ops:" + secretAdminKey, []string{"--listen", s.adminAddr, "--redis", s.redisURL}}, // already in use
	}
	for i, c := range cases {
		s.t.Setenv("GATEWAYOPS_ADMIN_KEYS", c.keys)
		var out, errb bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		code := runAdminServer(ctx, c.args, &out, &errb)
		cancel()
		// The case's own arguments hold the secrets: only its number is recorded.
		fmt.Fprintf(&s.seen, "$ gatewayops admin-server (start-up case %d)\n%s%s", i, out.String(), errb.String())
		if code == 0 || errb.Len() == 0 {
			s.t.Errorf("admin-server start-up case %d started or failed silently: exit %d", i, code)
		}
	}
}

// assertNoSecretAnywhere searches command output, the server log, every
// file under the state directory (journal) and every string, list and hash
// value the server wrote to Redis (audit, idempotency records).
func (s *secretsStack) assertNoSecretAnywhere() {
	s.t.Helper()
	places := map[string]string{"command output": s.seen.String(), "admin-server log": s.serverLog.String()}
	files := 0
	_ = filepath.Walk(s.state, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(path)
			places[path] = string(b)
			files++
		}
		return nil
	})
	if files == 0 {
		s.t.Fatal("no journal was written: nothing to search")
	}
	places["redis"] = s.redisDump()
	if !strings.Contains(places["redis"], `"action":"flags.set"`) {
		s.t.Fatalf("the audit trail holds no flags.set record: nothing to search")
	}
	s.assertNoSecretIn(places)
}

// assertNoSecretIn fails for every known secret found in places.
func (s *secretsStack) assertNoSecretIn(places map[string]string) {
	s.t.Helper()
	for where, text := range places {
		for _, secret := range []string{secretAdminKey, secretWrongKey, secretRedisPW, secretWrongPW, secretAWSKey} {
			if strings.Contains(text, secret) {
				s.t.Errorf("%s contains the secret %q:\n%s", where, secret, text)
			}
		}
	}
}

func (s *secretsStack) redisDump() string {
	ctx := context.Background()
	var b strings.Builder
	iter := s.rdb.Scan(ctx, 0, "*", 100).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		switch s.rdb.Type(ctx, k).Val() {
		case "string":
			fmt.Fprintln(&b, k, s.rdb.Get(ctx, k).Val())
		case "list":
			fmt.Fprintln(&b, k, s.rdb.LRange(ctx, k, 0, -1).Val())
		case "hash":
			fmt.Fprintln(&b, k, s.rdb.HGetAll(ctx, k).Val())
		case "zset":
			fmt.Fprintln(&b, k, s.rdb.ZRange(ctx, k, 0, -1).Val())
		}
	}
	if err := iter.Err(); err != nil {
		s.t.Fatal(err)
	}
	return b.String()
}

// TestAdminCertificateIsVerifiedUnlessTheConfigSaysNot serves the admin API
// over TLS with a self-signed certificate (admin-server --tls-cert/--tls-key):
// `gatewayops run` refuses it by default; with insecure_skip_verify = true it
// connects, and both the CLI and the console's status line warn loudly.
func TestAdminCertificateIsVerifiedUnlessTheConfigSaysNot(t *testing.T) {
	rs, _ := redisproc.ForTest(t)
	dir := t.TempDir()
	cert, key := admintest.SelfSignedCert(t, dir)
	addr := freeAddr(t)
	t.Setenv("GATEWAYOPS_ADMIN_KEYS", "ops:"+secretAdminKey)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	serverLog := &lockedBuffer{}
	go func() {
		done <- runAdminServer(ctx, []string{"--listen", addr, "--redis", rs.URL(), "--tls-cert", cert, "--tls-key", key},
			&bytes.Buffer{}, serverLog)
	}()
	defer func() { cancel(); <-done }()
	probe := gateway.NewClient("https://"+addr, gateway.ClientOptions{APIKey: secretAdminKey, InsecureSkipVerify: true,
		MaxRetries: 50, Backoff: func(int) time.Duration { return 50 * time.Millisecond }})
	if _, err := probe.Status(ctx); err != nil {
		t.Fatalf("admin-server over TLS: %v; log %s", err, serverLog.String())
	}
	t.Setenv(secretsEnvAdmin, secretAdminKey)
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	for _, insecure := range []bool{false, true} {
		path := filepath.Join(dir, fmt.Sprintf("config-%v.toml", insecure))
		body := fmt.Sprintf("[environments.staging]\nregion = \"us-east-1\"\nalarm_prefix = \"arrakis-staging-agent-\"\n"+
			"cloudwatch_endpoint = \"http://127.0.0.1:1\"\nadmin_url = \"https://%s\"\nadmin_key_env = %q\nsafety = \"standard\"\n"+
			"insecure_skip_verify = %v\n", addr, secretsEnvAdmin, insecure)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		code := dispatch(context.Background(), []string{"run", "gateway.status", "--config", path}, &out, &errb)
		all := out.String() + errb.String()
		warned := strings.Contains(errb.String(), "WARNING") && strings.Contains(errb.String(), "NOT checked")
		switch {
		case !insecure && (code != exitFailed || !strings.Contains(all, "certificate") || warned):
			t.Errorf("verification on: exit %d, output %q; want a certificate error and no warning", code, all)
		case insecure && (code != exitOK || !warned):
			t.Errorf("insecure_skip_verify: exit %d, output %q; want success with a loud warning", code, all)
		case strings.Contains(all, secretAdminKey):
			t.Errorf("the admin key appears in the output: %q", all)
		}
		cfg, err := ops.LoadConfig(path, true)
		if err != nil {
			t.Fatal(err)
		}
		env, err := cfg.Select("staging")
		if err != nil {
			t.Fatal(err)
		}
		notice := consoleRunOptions(consoleFlags{refresh: 15 * time.Second}, env).Notice
		if strings.Contains(notice, "NOT checked") != insecure {
			t.Errorf("insecure_skip_verify = %v: console status line notice %q", insecure, notice)
		}
	}
}

// The console log (library log lines while the console runs) passes the
// journal's redaction: configured secrets and credential-looking text.
func TestConsoleLogHoldsNoSecret(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	redisURL := "redis://:" + secretRedisPW + "@10.0.0.7:6379/0"
	t.Setenv(secretsEnvAdmin, secretAdminKey)
	t.Setenv(secretsEnvRedis, redisURL)
	env := ops.Environment{Name: "staging", AdminKeyEnv: secretsEnvAdmin, RedisURLEnv: secretsEnvRedis}
	sink, restore, err := openConsoleLog(env)
	if err != nil {
		t.Fatal(err)
	}
	log.Printf("admin call with X-API-Key %s failed", secretAdminKey)
	sink.Redis().Printf(context.Background(), "redis: dial %s: connection refused", redisURL)
	sink.AWS().Logf(logging.Warn, "request with password=%s", secretRedisPW)
	restore()
	raw, err := os.ReadFile(filepath.Join(state, "gatewayops", consoleLogName))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(raw), "\n"); n != 3 {
		t.Fatalf("console log has %d lines, want 3:\n%s", n, raw)
	}
	for _, s := range []string{secretAdminKey, secretRedisPW} {
		if strings.Contains(string(raw), s) {
			t.Errorf("the console log holds a secret:\n%s", raw)
		}
	}
}
