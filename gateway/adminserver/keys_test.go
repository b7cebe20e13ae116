package adminserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
)

func TestParseKeysRefusesMalformedEntriesWithoutEchoingThem(t *testing.T) {
	secret := "s3cr3t-value-that-must-not-leak"
	cases := []struct {
		env, wantIndex, mentions string
	}{
		{"", "", "GATEWAYOPS_ADMIN_KEYS"},
		{"ops:" + secret + "," + secret, "entry 2", "name:key"},
		{"ops:" + secret + ",:" + secret, "entry 2", "name:key"},
		{"ops:short", "entry 1", "shorter than 16"},
		{"bad name:" + secret, "entry 1", "key name"},
		{"ops:" + secret + ",ops:" + secret + "x", "entry 2", "duplicate"},
		{"ops:$2b$10$notarealhash" + secret, "entry 1", "bcrypt"},
	}
	for _, tc := range cases {
		_, err := adminserver.ParseKeys(tc.env)
		if err == nil {
			t.Errorf("ParseKeys(entry with %q) accepted", tc.mentions)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.wantIndex) || !strings.Contains(msg, tc.mentions) {
			t.Errorf("error %q does not name %q and %q", msg, tc.wantIndex, tc.mentions)
		}
		if strings.Contains(msg, secret) {
			t.Errorf("error echoes the key: %q", msg)
		}
	}
	keys, err := adminserver.ParseKeys(" a:" + secret + " , b-2:" + secret + "-2:with-colon ")
	if err != nil || len(keys) != 2 || keys[0].Name != "a" || keys[1].Name != "b-2" {
		t.Fatalf("valid keys: %+v %v", keys, err)
	}
}

func TestBcryptKeysAuthenticate(t *testing.T) {
	secret := "bcrypt-protected-key-123456"
	hash, err := bcrypt.GenerateFromPassword([]byte(secret), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, func(c *adminserver.Config) {
		keys, err := adminserver.ParseKeys("ci:" + string(hash) + "," + testKeyName + ":" + testKey)
		if err != nil {
			t.Fatal(err)
		}
		c.Keys = keys
	})
	for i := range 2 { // the second call is served from the verification cache
		h := writeHeaders("bc-" + string(rune('a'+i)))
		h[gateway.HeaderAPIKey] = secret
		r := f.do(call{method: "PUT", path: "/flags/byok_enabled", body: `{"enabled":true}`, noKey: true, headers: h})
		if r.status != http.StatusOK {
			t.Fatalf("bcrypt key, call %d: %d %s", i, r.status, r.body)
		}
	}
	recs := f.auditRecords()
	if len(recs) != 2 || recs[0].KeyName != "ci" {
		t.Errorf("audit names the bcrypt key's name: %+v", recs)
	}
	h := map[string]string{gateway.HeaderAPIKey: secret + "x"}
	if r := f.do(call{method: "GET", path: "/flags", noKey: true, headers: h}); r.status != http.StatusForbidden {
		t.Errorf("near-miss of a bcrypt key: %d", r.status)
	}
}

// TestKeyNeverLeaks drives successes and failures with the valid key and a
// wrong one, then searches every response, log line and audit record.
func TestKeyNeverLeaks(t *testing.T) {
	f := newFixture(t, func(c *adminserver.Config) { c.RateLimitPerMinute = 6 })
	wrong := "gwk-live-9f8e7d6c5b4a39281706f5e5" // one character from the real key
	var seen strings.Builder
	record := func(r reply) {
		seen.Write(r.body)
		for k, v := range r.header {
			seen.WriteString(k + ": " + strings.Join(v, ",") + "\n")
		}
	}
	record(f.do(call{method: "GET", path: "/status"}))
	record(f.do(call{method: "PUT", path: "/flags/agent_enabled", body: `{"enabled":true}`, headers: writeHeaders("leak-1")}))
	record(f.do(call{method: "PUT", path: "/flags/agent_enabled", body: `{"enabled":true}`, headers: writeHeaders("leak-1")}))
	record(f.do(call{method: "PUT", path: "/flags/agent_enabled", body: `{"enabled":`, headers: writeHeaders("leak-2")}))
	record(f.do(call{method: "GET", path: "/flags", noKey: true, headers: map[string]string{gateway.HeaderAPIKey: wrong}}))
	record(f.do(call{method: "GET", path: "/flags", noKey: true}))
	authRaw, _ := json.Marshal(f.authRecords())
	if !strings.Contains(string(authRaw), "auth.failed") {
		t.Fatalf("no auth.failed aggregate: %s", authRaw)
	}
	for range 4 { // into the rate limit
		record(f.do(call{method: "GET", path: "/audit"}))
	}
	raw, err := f.rdb.LRange(context.Background(), adminserver.AuditKey, 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < 1 {
		t.Fatalf("expected an audit record for the write, got %d", len(raw))
	}
	raw = append(raw, string(authRaw))
	logs := f.logs.String()
	if !strings.Contains(logs, `"requestId"`) || !json.Valid([]byte(strings.SplitN(logs, "\n", 2)[0])) {
		t.Fatalf("no structured logs captured: %q", logs)
	}
	for what, text := range map[string]string{"responses": seen.String(), "logs": logs, "audit": strings.Join(raw, "\n")} {
		for _, k := range []string{testKey, wrong} {
			if strings.Contains(text, k) {
				t.Errorf("%s contain an API key", what)
			}
		}
	}
	if !strings.Contains(seen.String(), gateway.CodeRateLimited) {
		t.Error("the rate-limited path was not exercised")
	}
}
