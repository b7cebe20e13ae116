package adminserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
)

func TestAuthMissingAndInvalidKeysAreRefusedAndAudited(t *testing.T) {
	f := newFixture(t, nil)
	before := f.snapshot()

	r := f.do(call{method: "GET", path: "/flags", noKey: true})
	if r.status != http.StatusUnauthorized || r.errorBody(t).Error != gateway.CodeUnauthorized {
		t.Fatalf("no key: got %d %s", r.status, r.body)
	}
	if !strings.Contains(r.errorBody(t).Message, "X-API-Key") {
		t.Errorf("401 message does not name the header: %s", r.body)
	}
	wrong := "gwk-wrong-000000000000000000000"
	r = f.do(call{method: "PUT", path: "/enforcement/pool-claims", body: `{"mode":"warn"}`, noKey: true,
		headers: map[string]string{gateway.HeaderAPIKey: wrong, gateway.HeaderOperator: "mallory", gateway.HeaderIdempotencyKey: "k1"}})
	if r.status != http.StatusForbidden || r.errorBody(t).Error != gateway.CodeForbidden {
		t.Fatalf("wrong key: got %d %s", r.status, r.body)
	}
	// Besides the auth audit, nothing changed: no write record, enforcement still the default.
	delete(before, adminserver.AuditKey)
	delete(before, adminserver.AuditSeqKey)
	after := f.snapshot()
	if len(after) != len(before) {
		t.Errorf("refused requests changed Redis: %v", after)
	}
	if n := len(f.auditRecords()); n != 0 {
		t.Errorf("%d write audit records after two refused requests", n)
	}
	recs := f.authRecords()
	if len(recs) != 1 || recs[0].Count != 2 || recs[0].Source != "127.0.0.1" || recs[0].Action != "auth.failed" {
		t.Fatalf("want one auth.failed aggregate of 2 from 127.0.0.1, got %+v", recs)
	}
	rec := recs[0]
	if rec.KeyName != "unknown" || rec.Status == 0 || rec.ID != "1" || !strings.Contains(rec.Detail, "401: 1, 403: 1") {
		t.Errorf("auth.failed record incomplete: %+v", rec)
	}
	raw, _ := json.Marshal(recs)
	if strings.Contains(string(raw), wrong) {
		t.Error("audit record contains the presented key")
	}
}

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	f := newFixture(t, func(c *adminserver.Config) { c.RateLimitPerMinute = 3 })
	for i := range 3 {
		if r := f.do(call{method: "GET", path: "/flags"}); r.status != http.StatusOK {
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
	}
	r := f.do(call{method: "GET", path: "/flags"})
	if r.status != http.StatusTooManyRequests || r.errorBody(t).Error != gateway.CodeRateLimited {
		t.Fatalf("4th request: %d %s", r.status, r.body)
	}
	if got := r.header.Get("Retry-After"); got != "20" {
		t.Errorf("Retry-After = %q, want 20 (3/min refills one token every 20 s)", got)
	}
	if !strings.Contains(r.errorBody(t).Message, "3 requests per minute") {
		t.Errorf("message does not state the limit: %s", r.body)
	}
	// Unauthenticated callers are limited per address in process, separately from the key.
	for range 3 {
		f.do(call{method: "GET", path: "/flags", noKey: true})
	}
	if r := f.do(call{method: "GET", path: "/flags", noKey: true}); r.status != http.StatusTooManyRequests {
		t.Errorf("4th unauthenticated request: %d, want 429", r.status)
	}
	f.clock.Advance(20 * time.Second)
	if r := f.do(call{method: "GET", path: "/flags", noKey: true}); r.status != http.StatusUnauthorized {
		t.Errorf("unauthenticated after Retry-After elapsed: %d %s, want 401", r.status, r.body)
	}
}

func TestSprayingKeysIsLimitedPerAddress(t *testing.T) {
	f := newFixture(t, func(c *adminserver.Config) { c.RateLimitPerMinute = 3 })
	guess := func(i int) reply {
		h := map[string]string{gateway.HeaderAPIKey: "guess-" + strings.Repeat("x", i+1)}
		return f.do(call{method: "GET", path: "/flags", noKey: true, headers: h})
	}
	for i := range 3 { // each guess has its own per-key bucket...
		if r := guess(i); r.status != http.StatusForbidden {
			t.Fatalf("guess %d: %d", i, r.status)
		}
	}
	// ...but failures are counted per address too.
	r := guess(3)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("4th wrong key from one address: %d %s", r.status, r.body)
	}
	// The valid key on the same address is never refused for those failures.
	if r := f.do(call{method: "GET", path: "/flags"}); r.status != http.StatusOK {
		t.Errorf("valid key while its address is over the unauthenticated limit: %d %s", r.status, r.body)
	}
	if n := authCount(f.authRecords()); n != 3 {
		t.Errorf("auth failures counted = %d, want 3 (the refused 4th never reached auth)", n)
	}
}

func TestBadInputIsRefusedClearlyAndChangesNothing(t *testing.T) {
	f := newFixture(t, func(c *adminserver.Config) { c.MaxBodyBytes = 1024 })
	cases := []struct {
		name, method, path, body string
		headers                  map[string]string
		status                   int
		code                     string
		mentions                 []string
	}{
		{"malformed JSON", "PUT", "/enforcement/pool-claims", `{"mode":`, writeHeaders("b1"), 400, gateway.CodeInvalidRequest, []string{"malformed JSON"}},
		{"syntax error", "PUT", "/enforcement/pool-claims", `{mode: warn}`, writeHeaders("b2"), 400, gateway.CodeInvalidRequest, []string{"malformed JSON", "byte"}},
		{"unknown field", "PUT", "/enforcement/pool-claims", `{"mode":"warn","force":true}`, writeHeaders("b3"), 400, gateway.CodeInvalidRequest, []string{`"force"`}},
		{"bad enum", "PUT", "/enforcement/pool-claims", `{"mode":"block"}`, writeHeaders("b4"), 400, gateway.CodeInvalidRequest, []string{`"block"`, "warn", "reject"}},
		{"bad drain mode", "POST", "/reservations/drain", `{"mode":"purge"}`, writeHeaders("b5"), 400, gateway.CodeInvalidRequest, []string{`"purge"`, "reap", "reconcile"}},
		{"wrong type", "PUT", "/flags/agent_enabled", `{"enabled":"yes"}`, writeHeaders("b6"), 400, gateway.CodeInvalidRequest, []string{`"enabled"`, "boolean"}},
		{"missing field", "PUT", "/flags/agent_enabled", `{}`, writeHeaders("b7"), 400, gateway.CodeInvalidRequest, []string{`"enabled"`, "required"}},
		{"missing body", "PUT", "/flags/agent_enabled", ``, writeHeaders("b8"), 400, gateway.CodeInvalidRequest, []string{"body is required"}},
		{"trailing data", "PUT", "/flags/agent_enabled", `{"enabled":true} {}`, writeHeaders("b9"), 400, gateway.CodeInvalidRequest, []string{"after the JSON object"}},
		{"body on reset", "POST", "/breakers/kms/reset", `{"now":true}`, writeHeaders("b10"), 400, gateway.CodeInvalidRequest, []string{"takes no request body"}},
		{"oversized body", "POST", "/reservations/drain", `{"community":"` + strings.Repeat("x", 2000) + `"}`, writeHeaders("b11"), 413, gateway.CodeBodyTooLarge, []string{"1024 bytes"}},
		{"no operator", "PUT", "/flags/agent_enabled", `{"enabled":true}`, map[string]string{gateway.HeaderIdempotencyKey: "b12"}, 400, gateway.CodeInvalidRequest, []string{"X-Operator"}},
		{"no idempotency key", "PUT", "/flags/agent_enabled", `{"enabled":true}`, map[string]string{gateway.HeaderOperator: "alice"}, 400, gateway.CodeInvalidRequest, []string{"Idempotency-Key"}},
		{"idempotency key too long", "PUT", "/flags/agent_enabled", `{"enabled":true}`, writeHeaders(strings.Repeat("k", 129)), 400, gateway.CodeInvalidRequest, []string{"Idempotency-Key", "128"}},
		{"unknown flag", "PUT", "/flags/turbo_enabled", `{"enabled":true}`, writeHeaders("b13"), 404, gateway.CodeNotFound, []string{"turbo_enabled", "agent_enabled", "ensemble_enabled", "byok_enabled"}},
		{"unknown breaker", "POST", "/breakers/nope/reset", ``, writeHeaders("b14"), 404, gateway.CodeNotFound, []string{"nope"}},
		{"process breaker", "POST", "/breakers/loa-finn/reset", ``, writeHeaders("b15"), 409, gateway.CodeConflict, []string{"process memory"}},
		{"drain below TTL", "POST", "/reservations/drain", `{"olderThan":"1m"}`, writeHeaders("b16"), 400, gateway.CodeInvalidRequest, []string{"olderThan"}},
		{"bad limit", "GET", "/reservations?limit=9999", ``, nil, 400, gateway.CodeInvalidRequest, []string{"limit", "1 to 500"}},
		{"bad month", "GET", "/budget?month=March", ``, nil, 400, gateway.CodeInvalidRequest, []string{"March", "YYYY-MM"}},
		{"bad audit cursor", "GET", "/audit?cursor=abc", ``, nil, 400, gateway.CodeInvalidRequest, []string{"cursor"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.snapshot()
			r := f.do(call{method: tc.method, path: tc.path, body: tc.body, headers: tc.headers})
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			e := r.errorBody(t)
			if e.Error != tc.code || e.RequestID != r.header.Get(gateway.HeaderRequestID) {
				t.Errorf("error body %+v (request id header %q)", e, r.header.Get(gateway.HeaderRequestID))
			}
			for _, m := range tc.mentions {
				if !strings.Contains(e.Message, m) {
					t.Errorf("message %q does not mention %q", e.Message, m)
				}
			}
			f.assertUnchanged(before, tc.name)
		})
	}
}

func TestProtectedEnvironmentNeedsConfirmation(t *testing.T) {
	f := newFixture(t, func(c *adminserver.Config) { c.Environment, c.Protected = "production", true })
	body := `{"mode":"warn"}`
	before := f.snapshot()
	r := f.do(call{method: "PUT", path: "/enforcement/pool-claims", body: body, headers: writeHeaders("p1")})
	if r.status != http.StatusPreconditionFailed || r.errorBody(t).Error != gateway.CodeConfirmRequired {
		t.Fatalf("no confirmation: %d %s", r.status, r.body)
	}
	if msg := r.errorBody(t).Message; !strings.Contains(msg, "X-Confirm-Environment: production") {
		t.Errorf("message does not say which header and value: %q", msg)
	}
	h := writeHeaders("p2")
	h[gateway.HeaderConfirmEnv] = "staging"
	if r := f.do(call{method: "PUT", path: "/enforcement/pool-claims", body: body, headers: h}); r.status != http.StatusForbidden || r.errorBody(t).Error != gateway.CodeConfirmRequired {
		t.Fatalf("wrong confirmation: %d %s", r.status, r.body)
	}
	f.assertUnchanged(before, "unconfirmed writes")
	// Reads need no confirmation.
	if r := f.do(call{method: "GET", path: "/enforcement/pool-claims"}); r.status != http.StatusOK {
		t.Fatalf("read on protected: %d %s", r.status, r.body)
	}
	h = writeHeaders("p3")
	h[gateway.HeaderConfirmEnv] = "production"
	r = f.do(call{method: "PUT", path: "/enforcement/pool-claims", body: body, headers: h})
	if r.status != http.StatusOK {
		t.Fatalf("confirmed write: %d %s", r.status, r.body)
	}
	if e, _ := f.store.Enforcement(context.Background()); e.Mode != gateway.EnforcementWarn {
		t.Errorf("enforcement after confirmed write = %+v", e)
	}
}

func TestIdempotentReplayAppliesOnce(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	put := func(key, mode string) reply {
		return f.do(call{method: "PUT", path: "/enforcement/pool-claims", body: `{"mode":"` + mode + `"}`, headers: writeHeaders(key)})
	}
	first := put("same-key", "warn")
	if first.status != http.StatusOK || first.header.Get(gateway.HeaderReplayed) != "" {
		t.Fatalf("first: %d %v %s", first.status, first.header, first.body)
	}
	var ch gateway.EnforcementChange
	if err := json.Unmarshal(first.body, &ch); err != nil || !ch.Changed || ch.After != "warn" {
		t.Fatalf("first result %s (%v)", first.body, err)
	}
	// Someone else switches back to reject; replaying the first key must not re-apply warn.
	if r := put("other-key", "reject"); r.status != http.StatusOK {
		t.Fatalf("other key: %d %s", r.status, r.body)
	}
	second := put("same-key", "warn")
	if second.status != http.StatusOK || second.header.Get(gateway.HeaderReplayed) != "true" {
		t.Fatalf("replay: %d replayed=%q", second.status, second.header.Get(gateway.HeaderReplayed))
	}
	if string(second.body) != string(first.body) {
		t.Errorf("replay body differs:\nfirst  %s\nsecond %s", first.body, second.body)
	}
	if e, _ := f.store.Enforcement(ctx); e.Mode != gateway.EnforcementReject {
		t.Errorf("replay re-applied the write: mode %s", e.Mode)
	}
	recs := f.auditRecords()
	if n := countAction(recs, "enforcement.set"); n != 3 || !recs[0].Replayed || recs[0].Before != nil || recs[0].Operator != "alice" {
		t.Errorf("enforcement.set audit records = %d (newest %+v), want 3: first, other-key, and the replay marked replayed with no change", n, recs[0])
	}
	if recs[1].Replayed || recs[2].Replayed {
		t.Errorf("an applied write is marked replayed: %+v", recs[1:])
	}
	before := f.snapshot()
	r := put("same-key", "reject")
	if r.status != http.StatusUnprocessableEntity || r.errorBody(t).Error != gateway.CodeIdempotencyReuse {
		t.Fatalf("same key, other body: %d %s", r.status, r.body)
	}
	f.assertUnchanged(before, "reused idempotency key")
}

func TestIdempotencyKeyInProgressAnswers409(t *testing.T) {
	f := newFixture(t, nil)
	// A first request with this key is mid-flight (claimed, not finished).
	key := adminserver.IdemRedisKey(testKeyName, "busy-key")
	if err := f.rdb.Set(context.Background(), key, `{"state":"pending","fingerprint":"x"}`, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	before := f.snapshot()
	r := f.do(call{method: "POST", path: "/breakers/kms/reset", headers: writeHeaders("busy-key")})
	if r.status != http.StatusConflict || r.errorBody(t).Error != gateway.CodeIdempotencyPending {
		t.Fatalf("in progress: %d %s", r.status, r.body)
	}
	f.assertUnchanged(before, "request while the key is in progress")
}

func TestRedisDownAnswers503AndServerRecovers(t *testing.T) {
	f := newFixture(t, nil)
	f.redis.Kill()
	for _, c := range []call{
		{method: "GET", path: "/flags"},
		{method: "GET", path: "/status"},
		{method: "PUT", path: "/flags/agent_enabled", body: `{"enabled":true}`, headers: writeHeaders("down-1")},
	} {
		r := f.do(c)
		if r.status != http.StatusServiceUnavailable || r.errorBody(t).Error != gateway.CodeRedisUnavailable {
			t.Errorf("%s %s with Redis down: %d %s", c.method, c.path, r.status, r.body)
		}
	}
	if err := f.redis.Restart(); err != nil {
		t.Fatal(err)
	}
	// go-redis's pool re-dials in the background after a run of dial
	// errors; a load balancer waits for /readyz, and so does this test.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if status, _, _ := getHealth(t, f, gateway.ReadyzPath); status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("/readyz never answered 200 after the restart")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r := f.do(call{method: "GET", path: "/flags"}); r.status != http.StatusOK {
		t.Errorf("after Redis restart: %d %s", r.status, r.body)
	}
	r := f.do(call{method: "PUT", path: "/flags/agent_enabled", body: `{"enabled":true}`, headers: writeHeaders("down-1")})
	if r.status != http.StatusOK || r.header.Get(gateway.HeaderReplayed) != "" {
		t.Errorf("retry of the failed write with the same key: %d replayed=%q %s", r.status, r.header.Get(gateway.HeaderReplayed), r.body)
	}
}

func TestBreakerResetClosesAndAudits(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	for range 3 {
		f.clock.Advance(time.Second) // failures are zset members keyed by their ms timestamp
		if _, err := f.store.BreakerFailure(ctx, gateway.KMSBreaker); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := f.store.Breaker(ctx, gateway.KMSBreaker); b.State != gateway.BreakerOpen {
		t.Fatalf("precondition: kms breaker %s, want open", b.State)
	}
	r := f.do(call{method: "POST", path: "/breakers/kms/reset", headers: writeHeaders("reset-1")})
	if r.status != http.StatusOK {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	var res gateway.BreakerReset
	if err := json.Unmarshal(r.body, &res); err != nil || !res.Changed || res.Before.State != gateway.BreakerOpen || res.After.State != gateway.BreakerClosed {
		t.Fatalf("reset result %s (%v)", r.body, err)
	}
	if b, _ := f.store.Breaker(ctx, gateway.KMSBreaker); b.State != gateway.BreakerClosed {
		t.Errorf("breaker after reset: %s", b.State)
	}
	recs := f.auditRecords()
	if len(recs) != 1 {
		t.Fatalf("audit records: %+v", recs)
	}
	rec := recs[0]
	if rec.Action != "breaker.reset" || rec.Operator != "alice" || rec.KeyName != testKeyName ||
		rec.IdempotencyKey != "reset-1" || rec.Status != 200 || rec.Environment != "staging" ||
		rec.RequestID != r.header.Get(gateway.HeaderRequestID) || rec.Before == nil || rec.After == nil || !rec.At.Equal(f.clock.Now()) {
		t.Errorf("audit record incomplete: %+v", rec)
	}
}

func TestAuditListPagesNewestFirst(t *testing.T) {
	f := newFixture(t, nil)
	for i, flag := range []string{"agent_enabled", "ensemble_enabled", "byok_enabled", "agent_enabled", "ensemble_enabled"} {
		body := `{"enabled":` + map[bool]string{true: "true", false: "false"}[i%2 == 0] + `}`
		if r := f.do(call{method: "PUT", path: "/flags/" + flag, body: body, headers: writeHeaders("a" + string(rune('0'+i)))}); r.status != http.StatusOK {
			t.Fatalf("write %d: %d %s", i, r.status, r.body)
		}
	}
	var ids []string
	cursor := ""
	for page := 0; ; page++ {
		path := "/audit?limit=2"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		r := f.do(call{method: "GET", path: path})
		var list gateway.AuditList
		if err := json.Unmarshal(r.body, &list); err != nil || r.status != http.StatusOK {
			t.Fatalf("page %d: %d %s", page, r.status, r.body)
		}
		for _, rec := range list.Records {
			ids = append(ids, rec.ID)
		}
		if list.NextCursor == "" {
			break
		}
		cursor = list.NextCursor
		if page > 5 {
			t.Fatal("paging does not end")
		}
	}
	if got := strings.Join(ids, ","); got != "5,4,3,2,1" {
		t.Errorf("audit ids over pages = %s, want 5,4,3,2,1", got)
	}
}

func TestUnknownRoutesAnswerInTheErrorShape(t *testing.T) {
	f := newFixture(t, nil)
	r := f.do(call{method: "GET", path: "/nothing"})
	if r.status != http.StatusNotFound || r.errorBody(t).Error != gateway.CodeNotFound {
		t.Errorf("unknown path: %d %s", r.status, r.body)
	}
	r = f.do(call{method: "DELETE", path: "/flags"})
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET" || r.errorBody(t).Error != gateway.CodeMethodNotAllowed {
		t.Errorf("wrong method: %d Allow=%q %s", r.status, r.header.Get("Allow"), r.body)
	}
	// The mux's redirect of an unclean path: X-Request-Id (checked by f.do) and the error shape.
	f.ts.Client().CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r = f.do(call{method: "GET", path: "//flags"})
	if r.status < 300 || r.status > 399 || r.errorBody(t).Error != gateway.CodeRedirect || r.errorBody(t).RequestID != r.header.Get(gateway.HeaderRequestID) {
		t.Errorf("redirect: %d %s", r.status, r.body)
	}
}
