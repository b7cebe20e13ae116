package ui

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
	"gatewayops/gateway"
	"gatewayops/gateway/admintest"
	"gatewayops/gateway/redisproc"
	"gatewayops/ops"
	"gatewayops/runbooks"
)

// stack is a real backend set for console tests: a redis-server child, the
// reference admin server over HTTP, the local CloudWatch over HTTP reached
// through the AWS SDK, the embedded runbooks and the real ops runner.
type stack struct {
	env     string
	redis   *redisproc.Server
	store   *gateway.Store
	cw      *cwlocal.Service
	admin   *httptest.Server
	backend Backend
	runner  *ops.Runner
	journal string
}

const testAPIKey = "test-admin-key-0123456789abcdef"

func startStack(t testing.TB, env string, protected bool) *stack {
	t.Helper()
	ctx := context.Background()
	a := admintest.Start(t, admintest.Options{Environment: env, Protected: protected, KeyName: "test", Key: testAPIKey})
	srv, rdb, store, admin := a.Redis, a.RDB, a.Store, a.HTTP

	cw, cwURL := cwlocal.StartForTest(t)
	catalog := alarms.DefaultCatalog().ForEnv(env)
	if err := cw.ProvisionCatalog(catalog); err != nil {
		t.Fatal(err)
	}
	client, err := cwlocal.NewSDKClient(ctx, cwURL)
	if err != nil {
		t.Fatal(err)
	}
	src := alarms.NewSource(client, "arrakis-"+env+"-")
	poller := alarms.NewPoller(src, catalog, alarms.PollerOptions{MaxBackoff: time.Second})

	policy, err := ops.NewPolicy(env, map[bool]string{true: ops.Protected, false: ops.Standard}[protected], nil)
	if err != nil {
		t.Fatal(err)
	}
	jpath := filepath.Join(t.TempDir(), "journal.jsonl")
	journal, err := ops.OpenJournal(jpath, ops.NewRedactor(testAPIKey))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { journal.Close() })
	runner := &ops.Runner{
		Registry: testRegistry(),
		Env: &ops.Env{Name: env, AdminURL: admin.URL, CloudWatch: client, Alarms: src, Inspector: gateway.NewInspector(rdb),
			AdminOptions: gateway.ClientOptions{APIKey: testAPIKey, Operator: "u1-test", MaxRetries: -1}},
		Policy: policy, Journal: journal, Operator: "u1-test",
	}
	lib, err := runbooks.Default()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBackend(Deps{Poller: poller, Runbooks: lib, Runner: runner, Region: "us-east-1", ExportDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return &stack{env: env, redis: srv, store: store, cw: cw, admin: admin, backend: b, runner: runner, journal: jpath}
}

// fireBreakerAlarm opens the kms breaker in Redis the way the gateway does
// (failures past the threshold) and publishes CircuitBreakerState=2 for
// loa-finn, then lets cwlocal evaluate: the circuit-breaker alarm fires.
func (s *stack) fireBreakerAlarm(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	state := ""
	for i := 0; i < 10 && state != gateway.BreakerOpen; i++ {
		time.Sleep(2 * time.Millisecond) // the gateway keys failures by their ms timestamp
		var err error
		if state, err = s.store.BreakerFailure(ctx, "kms"); err != nil {
			t.Fatal(err)
		}
	}
	if state != gateway.BreakerOpen {
		t.Fatalf("kms breaker did not open: %s", state)
	}
	now := time.Now()
	line := fmt.Sprintf(`{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"Arrakis/AgentGateway","Dimensions":[["component"]],"Metrics":[{"Name":"CircuitBreakerState","Unit":"None"}]}]},"component":"loa-finn","CircuitBreakerState":2}`,
		now.Add(-time.Minute).UnixMilli())
	if err := s.cw.IngestEMF([]byte(line)); err != nil {
		t.Fatal(err)
	}
	s.cw.EvaluateAll(now)
}

func (s *stack) breakerState(t testing.TB, component string) string {
	t.Helper()
	b, err := s.store.Breaker(context.Background(), component)
	if err != nil {
		t.Fatal(err)
	}
	return b.State
}

func testRegistry() *ops.Registry { return ops.DefaultRegistry() }

func (s *stack) flag(t testing.TB, name string) bool {
	t.Helper()
	fl, err := s.store.Flags(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fl.Values[name]
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }
