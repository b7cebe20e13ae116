package adminserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
	"gatewayops/gateway/redisproc"
	"gatewayops/internal/testclock"
)

// onKey matches a script whose first key starts with prefix.
func onKey(prefix string) func(redis.Cmder) bool {
	return func(cmd redis.Cmder) bool {
		a := cmd.Args()
		if !redisproc.IsScript(cmd) || len(a) < 4 {
			return false
		}
		k, _ := a[3].(string)
		return strings.HasPrefix(k, prefix)
	}
}

// TestFlagWriteAcrossARedisStallAgreesEverywhere freezes redis-server for 7 s
// (SIGSTOP) at each Redis step of a flag write: the idempotency claim, the
// flag swap and the audit append. go-redis re-sends the stalled script and
// Redis then runs every copy. The answer, the audit record and Redis must
// agree exactly: applied once, before false, after true, one audit record,
// and the key's response stored for replay.
func TestFlagWriteAcrossARedisStallAgreesEverywhere(t *testing.T) {
	for name, prefix := range map[string]string{
		"claim": adminserver.IdemKeyPrefix, "flag swap": gateway.RuntimeFlagsKey, "audit append": adminserver.AuditKey,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil)
			// Load every script first: a stalled EVALSHA of an unknown script
			// would only come back NOSCRIPT, never run twice.
			warm := f.do(call{method: "PUT", path: "/flags/ensemble_enabled", body: `{"enabled":true}`, headers: writeHeaders("warm")})
			if warm.status != http.StatusOK {
				t.Fatalf("warm-up write: %d %s", warm.status, warm.body)
			}
			hook := &redisproc.StallHook{T: t, Pid: redisproc.PidForTest(t, f.rdb), N: 1, For: 7 * time.Second, Match: onKey(prefix)}
			f.rdb.AddHook(hook)
			put := call{method: "PUT", path: "/flags/agent_enabled", body: `{"enabled":true}`, headers: writeHeaders("stall-1")}
			r := f.do(put)
			if hook.Seen() < 1 {
				t.Fatal("the stall was never injected")
			}
			if r.status != http.StatusOK {
				t.Fatalf("answer %d %s", r.status, r.body)
			}
			var ch gateway.FlagChange
			if err := json.Unmarshal(r.body, &ch); err != nil {
				t.Fatal(err)
			}
			if ch.Before || !ch.After || !ch.Changed {
				t.Fatalf("answer %+v, want before false, after true", ch)
			}
			if v := f.rdb.HGet(context.Background(), gateway.RuntimeFlagsKey, "agent_enabled").Val(); v != "true" {
				t.Fatalf("Redis holds %q", v)
			}
			assertOneFlagRecord(t, f, ch)
			again := f.do(put)
			if again.status != http.StatusOK || again.header.Get(gateway.HeaderReplayed) != "true" || string(again.body) != string(r.body) {
				t.Fatalf("repeat: %d replayed=%q %s", again.status, again.header.Get(gateway.HeaderReplayed), again.body)
			}
			assertOneFlagRecord(t, f, ch)
		})
	}
}

func assertOneFlagRecord(t *testing.T, f *fixture, ch gateway.FlagChange) {
	t.Helper()
	n := 0
	for _, rec := range f.auditRecords() {
		before, _ := rec.Before.(map[string]any)
		after, _ := rec.After.(map[string]any)
		if rec.Action != "flags.set" || before["agent_enabled"] == nil {
			continue
		}
		n++
		if before["agent_enabled"] != ch.Before || after["agent_enabled"] != ch.After {
			t.Fatalf("audit record before %v after %v; the answer said %+v", rec.Before, rec.After, ch)
		}
	}
	if n != 1 {
		t.Fatalf("%d flags.set audit records of agent_enabled, want 1", n)
	}
}

// TestClientOutwaitsAClaimWhoseRequestDied: a pending claim left by a
// request that died holds its key at most PendingLease; the client keeps
// retrying 409 IDEMPOTENCY_KEY_IN_PROGRESS for longer than that, so the same
// key applies once the claim is gone. The clock is the client's: each
// backoff advances it a second; the lease's end is stood in for by deleting
// the claim at 15 s (its TTL is checked in the internal test).
func TestClientOutwaitsAClaimWhoseRequestDied(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	key := adminserver.IdemRedisKey(testKeyName, "died-1")
	if err := f.rdb.Set(ctx, key, `{"state":"pending","fingerprint":"x","owner":"dead"}`, adminserver.PendingLease).Err(); err != nil {
		t.Fatal(err)
	}
	clk := testclock.New(time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC))
	waits := 0
	c := gateway.NewClient(f.ts.URL, gateway.ClientOptions{APIKey: testKey, Operator: "alice", Now: clk.Now,
		Backoff: func(int) time.Duration {
			waits++
			clk.Advance(time.Second)
			if clk.Now().Sub(time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)) == adminserver.PendingLease {
				f.rdb.Del(ctx, key)
			}
			return 0
		}})
	ch, err := c.SetFlag(ctx, "agent_enabled", true, "died-1")
	if err != nil {
		t.Fatalf("after %d waits: %v", waits, err)
	}
	if !ch.Changed || waits != int(adminserver.PendingLease/time.Second) {
		t.Fatalf("change %+v after %d waits", ch, waits)
	}
	if n := countAction(f.auditRecords(), "flags.set"); n != 1 {
		t.Fatalf("%d flags.set records", n)
	}
}
