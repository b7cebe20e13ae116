package adminserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
	"gatewayops/gateway/admintest"
	"gatewayops/gateway/redisproc"
	"gatewayops/internal/testclock"
)

// testKey is the one valid API key; tests assert it never leaks.
const (
	testKeyName = "oncall"
	testKey     = "gwk-live-9f8e7d6c5b4a39281706f5e4"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type fixture struct {
	t     *testing.T
	redis *redisproc.Server
	rdb   *redis.Client
	store *gateway.Store
	clock *testclock.Clock
	logs  *syncBuffer
	srv   *adminserver.Server
	ts    *httptest.Server
}

// newFixture starts a real redis-server, the admin server over it and an
// HTTP server around its Handler. mutate may adjust the Config.
func newFixture(t *testing.T, mutate func(*adminserver.Config)) *fixture {
	t.Helper()
	clk := testclock.New(time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC))
	logs := &syncBuffer{}
	s := admintest.Start(t, admintest.Options{KeyName: testKeyName, Key: testKey, RateLimitPerMinute: 1000, Now: clk.Now,
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Config: mutate})
	// Every exchange through the fixture is checked against openapi.yaml.
	hc := s.HTTP.Client()
	hc.Transport = newValidating(t, s.HTTP.URL, hc.Transport)
	return &fixture{t: t, redis: s.Redis, rdb: s.RDB, store: s.Store, clock: clk, logs: logs, srv: s.Admin, ts: s.HTTP}
}

// call is one raw HTTP request; headers holds extra headers ("" values are skipped).
type call struct {
	method, path, body string
	headers            map[string]string
	noKey              bool
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) errorBody(t *testing.T) gateway.ErrorBody {
	t.Helper()
	var e gateway.ErrorBody
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, r.body)
	}
	return e
}

// writeHeaders are the headers a well-formed write carries.
func writeHeaders(idemKey string) map[string]string {
	return map[string]string{gateway.HeaderOperator: "alice", gateway.HeaderIdempotencyKey: idemKey}
}

func (f *fixture) do(c call) reply {
	f.t.Helper()
	req, err := http.NewRequest(c.method, f.ts.URL+gateway.APIPrefix+c.path, strings.NewReader(c.body))
	if err != nil {
		f.t.Fatal(err)
	}
	if !c.noKey {
		req.Header.Set(gateway.HeaderAPIKey, testKey)
	}
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json") // as gateway.Client sends it
	}
	for k, v := range c.headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := f.ts.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	if resp.Header.Get(gateway.HeaderRequestID) == "" {
		f.t.Errorf("%s %s: response without %s", c.method, c.path, gateway.HeaderRequestID)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: body}
}

// snapshot captures every key of Redis (type, serialized value) so a test
// can show that a rejected request changed nothing at all.
func (f *fixture) snapshot() map[string]string {
	f.t.Helper()
	ctx := context.Background()
	keys, err := f.rdb.Keys(ctx, "*").Result()
	if err != nil {
		f.t.Fatal(err)
	}
	sort.Strings(keys)
	out := map[string]string{}
	for _, k := range keys {
		if strings.HasPrefix(k, "rate:") { // the per-key limiter's state, not data
			continue
		}
		v, err := f.rdb.Dump(ctx, k).Result()
		if err != nil {
			f.t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

func (f *fixture) assertUnchanged(before map[string]string, what string) {
	f.t.Helper()
	after := f.snapshot()
	if len(before) != len(after) {
		f.t.Errorf("%s changed Redis: %d keys before, %d after", what, len(before), len(after))
	}
	for k, v := range before {
		if after[k] != v {
			f.t.Errorf("%s changed Redis key %s", what, k)
		}
	}
}

// auditRecords reads the raw audit list, newest first.
func (f *fixture) auditRecords() []gateway.AuditRecord {
	f.t.Helper()
	raw, err := f.rdb.LRange(context.Background(), adminserver.AuditKey, 0, -1).Result()
	if err != nil {
		f.t.Fatal(err)
	}
	out := make([]gateway.AuditRecord, len(raw))
	for i, s := range raw {
		if err := json.Unmarshal([]byte(s), &out[i]); err != nil {
			f.t.Fatalf("audit record %d: %v", i, err)
		}
	}
	return out
}

// authRecords reads the aggregated auth.failed records through GET /audit?kind=auth.
func (f *fixture) authRecords() []gateway.AuditRecord {
	f.t.Helper()
	r := f.do(call{method: "GET", path: "/audit?kind=auth&limit=500"})
	if r.status != http.StatusOK {
		f.t.Fatalf("GET /audit?kind=auth: %d %s", r.status, r.body)
	}
	var list gateway.AuditList
	if err := json.Unmarshal(r.body, &list); err != nil {
		f.t.Fatal(err)
	}
	return list.Records
}

// authCount sums the counts of the auth.failed records.
func authCount(recs []gateway.AuditRecord) int {
	n := 0
	for _, r := range recs {
		n += r.Count
	}
	return n
}

func countAction(recs []gateway.AuditRecord, action string) int {
	n := 0
	for _, r := range recs {
		if r.Action == action {
			n++
		}
	}
	return n
}
