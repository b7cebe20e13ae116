package gateway

import (
	"fmt"
	"testing"
	"time"

	"gatewayops/gateway/redisproc"
)

// redisStall is how long the fault tests freeze redis-server (SIGSTOP):
// longer than go-redis's 3 s read timeout twice over, so the client gives up
// on the stalled command and re-sends it on new connections, and the first
// copy still runs, from its dead connection's buffer, once Redis resumes.
const redisStall = 7 * time.Second

// stall returns a hook freezing Redis when the nth script is sent.
func stall(t *testing.T, f *fixture, n int32) *redisproc.StallHook {
	h := &redisproc.StallHook{T: t, Pid: redisproc.PidForTest(t, f.rdb), N: n, For: redisStall, Match: redisproc.IsScript}
	f.rdb.AddHook(h)
	return h
}

// TestDrainAcrossARedisStallCountsExactly freezes Redis for 7 s as the second
// drain batch is sent. go-redis times out and re-sends it; Redis then runs
// every copy. The drain's answer must still equal what Redis shows drained:
// each batch applies once and its re-sends answer the first run's counts.
func TestDrainAcrossARedisStallCountsExactly(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 1_000_000_000)
	const stale, batch = 1200, 300
	var staleCents int64
	f.clock.Set(base.Add(-5*time.Minute - 30*time.Second)) // expired 30 s ago, inside the hash's lifetime
	for i := range stale {
		cents := int64(1 + i%7)
		f.reserve(t, "c1", "u", fmt.Sprint("s", i), cents)
		staleCents += cents
	}
	f.clock.Set(base)
	f.reserve(t, "c1", "u", "live", 50)
	hook := stall(t, f, 2)
	before := redisproc.ScriptCalls(t, f.srv.Client())

	res, err := f.store.Drain(f.ctx, DrainRequest{Mode: DrainReap, BatchSize: batch})
	if err != nil || res.Communities[0].Error != "" {
		t.Fatalf("drain: %v %+v", err, res)
	}
	if hook.Seen() < 2 {
		t.Fatal("the stall was never injected")
	}
	sent := int64(hook.Seen())
	if ran := redisproc.ScriptCalls(t, f.srv.Client()) - before; ran <= sent {
		t.Fatalf("Redis ran %d scripts for %d sent: the stall caused no re-send, so nothing was tested", ran, sent)
	}
	if res.Claimed != stale || res.ReclaimedCents != staleCents {
		t.Fatalf("drain answered claimed %d, reclaimed %d; Redis drained %d, %d", res.Claimed, res.ReclaimedCents, stale, staleCents)
	}
	if got := f.getInt(t, ReservedKey("c1", "2026-03")); got != 50 {
		t.Fatalf("reserved = %d, want the live 50", got)
	}
	if n := f.rdb.ZCard(f.ctx, ExpiryKey("c1", "2026-03")).Val(); n != 1 {
		t.Fatalf("expiry set holds %d members, want the 1 live", n)
	}
}

// TestFlagWriteAcrossARedisStallAnswersTheRealBefore: a re-sent flag swap
// would read back its own write and answer before == after, unchanged.
func TestFlagWriteAcrossARedisStallAnswersTheRealBefore(t *testing.T) {
	f := newFixture(t)
	hook := stall(t, f, 1)
	ch, err := f.store.SetFlag(f.ctx, "agent_enabled", true)
	if err != nil {
		t.Fatal(err)
	}
	if hook.Seen() < 1 {
		t.Fatal("the stall was never injected")
	}
	if !ch.Changed || ch.Before || !ch.After {
		t.Fatalf("flag change answered %+v, want before false, after true, changed", ch)
	}
	if v := f.rdb.HGet(f.ctx, RuntimeFlagsKey, "agent_enabled").Val(); v != "true" {
		t.Fatalf("Redis holds %q", v)
	}
}

// TestReserveIsNeverReSentBlindly: the gateway-equivalent reserve runs
// without go-redis's retries, so a stall is an error, never a second run
// answering ALREADY_RESERVED for a reservation this call made.
func TestReserveIsNeverReSentBlindly(t *testing.T) {
	f := newFixture(t)
	f.setLimit(t, "c1", 1000)
	f.reserve(t, "c1", "u", "warm", 1) // loads the script: the stalled EVALSHA then finds it
	probe := f.srv.Client()
	defer probe.Close()
	before := redisproc.ScriptCalls(t, probe)
	stall(t, f, 1)
	_, err := f.store.Reserve(f.ctx, ReserveInput{Community: "c1", User: "u", IdempotencyKey: "k", ModelAlias: "cheap", EstimateCents: 5})
	if err == nil {
		t.Fatal("reserve answered across a 7 s stall; want a timeout error")
	}
	// Wait for Redis to resume and run the one copy it was sent.
	deadline := time.Now().Add(30 * time.Second)
	for probe.Exists(f.ctx, ReservationKey("c1", "u", "k")).Val() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Redis never ran the reserve it was sent")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if ran := redisproc.ScriptCalls(t, probe) - before; ran != 1 {
		t.Fatalf("Redis ran the reserve %d times, want exactly 1", ran)
	}
}

// TestRunOnceReSendAnswersTheFirstRun: the same token applies once, and a
// repeat returns the stored reply.
func TestRunOnceReSendAnswersTheFirstRun(t *testing.T) {
	f := newFixture(t)
	sc := NewOnceScript(`return {redis.call('INCR', KEYS[1]), {'a', 'b'}}`)
	for range 3 {
		v, err := RunOnceToken(f.ctx, f.rdb, sc, "tok", []string{"n"}).Slice()
		if err != nil {
			t.Fatal(err)
		}
		if asInt(v[0]) != 1 || len(v[1].([]any)) != 2 {
			t.Fatalf("reply %v", v)
		}
	}
	if got := f.rdb.Get(f.ctx, "n").Val(); got != "1" {
		t.Fatalf("applied %s times", got)
	}
	if ttl := f.rdb.PTTL(f.ctx, OnceKeyPrefix+"tok").Val(); ttl <= 0 || ttl > OnceResultTTL {
		t.Fatalf("token TTL %s", ttl)
	}
}
