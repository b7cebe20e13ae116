package gateway

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// inFlightWatch is a go-redis hook that counts the drain's script calls
// between being sent and answered. Holding, when the second call is sent it pauses
// Redis's writes (CLIENT PAUSE WRITE holds every EVALSHA) until another
// call is sent beside it, so a drain that queues its next batch behind the
// running one shows two in flight however the goroutines are scheduled, and
// one that does not leaves the pause to expire with one.
type inFlightWatch struct {
	scriptCallHook
	admin *redis.Client // not hooked: sends the pause and the unpause
	hold  bool          // pause at the second call (else only count)

	mu                    sync.Mutex
	calls, now, most      int
	paused                bool
	pauseErr, unpauseErrs error
}

// scriptCallHook is the part of a go-redis hook the watches below leave
// alone: dials and pipelines pass through.
type scriptCallHook struct{}

func (scriptCallHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (scriptCallHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (w *inFlightWatch) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() != "evalsha" {
			return next(ctx, cmd)
		}
		w.mu.Lock()
		w.calls++
		w.now++
		w.most = max(w.most, w.now)
		switch {
		case w.hold && w.calls == 2:
			w.paused = true
			w.pauseErr = w.admin.Do(ctx, "CLIENT", "PAUSE", 5000, "WRITE").Err()
		case w.paused && w.now == 2:
			w.paused = false
			time.Sleep(heldFor) // the held batch waits this long, none of it on Redis
			w.unpauseErrs = w.admin.Do(ctx, "CLIENT", "UNPAUSE").Err()
		}
		w.mu.Unlock()
		err := next(ctx, cmd)
		w.mu.Lock()
		w.now--
		w.mu.Unlock()
		return err
	}
}

// heldFor is how long the watch holds the second batch at Redis's door.
const heldFor = 100 * time.Millisecond

func TestLiveDrainKeepsTheNextBatchQueuedBehindTheRunningOne(t *testing.T) {
	f := newFixture(t)
	total := f.reserveExpired(t, "big", 1000, func(i int) int64 { return int64(i%5 + 1) })
	watch := &inFlightWatch{admin: f.rdb, hold: true}
	hooked := redis.NewClient(&redis.Options{Network: "unix", Addr: f.srv.Socket()})
	t.Cleanup(func() { _ = hooked.Close() })
	hooked.AddHook(watch)
	// Every batch takes its full 100 (no clock cut), so the count is exact.
	store := NewStore(hooked, StoreOptions{Now: f.clock.Now, DrainBatchBudget: time.Hour})
	res, err := store.Drain(f.ctx, DrainRequest{BatchSize: 100, Community: "big"})
	if err != nil {
		t.Fatal(err)
	}
	if watch.pauseErr != nil || watch.unpauseErrs != nil {
		t.Fatalf("pause %v, unpause %v", watch.pauseErr, watch.unpauseErrs)
	}
	if watch.most != 2 {
		t.Fatalf("at most %d drain batches were in flight at once, want 2 (the next one queued behind the running one)", watch.most)
	}
	// Ten batches of 100: a second one is sent only while more is left
	// than a batch takes, so none comes back empty.
	cd := res.Communities[0]
	if res.Batches != 10 || cd.Claimed != 1000 || cd.ReclaimedCents != total || cd.Error != "" {
		t.Fatalf("drain %+v, want 10 batches claiming 1000 reservations, %d cents", res, total)
	}
	if cd.ReservedBeforeCents != total || cd.ReservedAfterCents != 0 || f.getInt(t, ReservedKey("big", "2026-03")) != 0 {
		t.Fatalf("reserved before %d after %d (stored %d), want %d then 0",
			cd.ReservedBeforeCents, cd.ReservedAfterCents, f.getInt(t, ReservedKey("big", "2026-03")), total)
	}
	// The longest batch is timed on Redis's clock: the held batch waited
	// heldFor at the door, which another client never waits for.
	if res.LongestBatchMs <= 0 || res.LongestBatchMs >= float64(heldFor.Milliseconds()) {
		t.Fatalf("longest batch %.3f ms: want its time on Redis, above 0 and without the %v it was held", res.LongestBatchMs, heldFor)
	}
	if n := f.rdb.ZCard(f.ctx, ExpiryKey("big", "2026-03")).Val(); n != 0 {
		t.Fatalf("%d expiry members left", n)
	}
}

func TestDryRunBatchesGoOneAfterAnother(t *testing.T) {
	f := newFixture(t)
	f.reserveExpired(t, "big", 500, func(int) int64 { return 1 })
	watch := &inFlightWatch{admin: f.rdb}
	hooked := redis.NewClient(&redis.Options{Network: "unix", Addr: f.srv.Socket()})
	t.Cleanup(func() { _ = hooked.Close() })
	hooked.AddHook(watch)
	store := NewStore(hooked, StoreOptions{Now: f.clock.Now, DrainBatchBudget: time.Hour})
	res, err := store.Drain(f.ctx, DrainRequest{BatchSize: 100, Community: "big", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if watch.most != 1 || res.Batches != 5 || res.Claimed != 500 {
		t.Fatalf("dry run: %d in flight at most, %+v; want 1 (each batch pages from the last one's offset), 5 batches, 500 claimed",
			watch.most, res)
	}
}

// firstReplyHold is a go-redis hook that keeps the drain's first script
// reply from its caller until a second call has been sent and answered (or
// 5 s have passed): a drain that sends its second batch only after the
// first reply shows one call sent in that time, and the second reply reaches
// the drain before the first.
type firstReplyHold struct {
	scriptCallHook
	mu                   sync.Mutex
	calls                int
	secondAnswered       chan struct{}
	sentBeforeFirstReply int
}

func (h *firstReplyHold) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() != "evalsha" {
			return next(ctx, cmd)
		}
		h.mu.Lock()
		h.calls++
		call := h.calls
		h.mu.Unlock()
		err := next(ctx, cmd)
		switch call {
		case 1:
			select {
			case <-h.secondAnswered:
			case <-time.After(5 * time.Second):
			}
			h.mu.Lock()
			h.sentBeforeFirstReply = h.calls - 1
			h.mu.Unlock()
		case 2:
			close(h.secondAnswered)
		}
		return err
	}
}

func TestLiveDrainSendsItsSecondBatchBeforeTheFirstReplyWhenTheLookupCountedMore(t *testing.T) {
	f := newFixture(t)
	total := f.reserveExpired(t, "big", 1000, func(i int) int64 { return int64(i%7 + 1) })
	hold := &firstReplyHold{secondAnswered: make(chan struct{})}
	hooked := redis.NewClient(&redis.Options{Network: "unix", Addr: f.srv.Socket()})
	t.Cleanup(func() { _ = hooked.Close() })
	hooked.AddHook(hold)
	store := NewStore(hooked, StoreOptions{Now: f.clock.Now, DrainBatchBudget: time.Hour})
	res, err := store.Drain(f.ctx, DrainRequest{BatchSize: 100, Community: "big"})
	if err != nil {
		t.Fatal(err)
	}
	if hold.sentBeforeFirstReply < 1 {
		t.Fatalf("no batch was sent before the first one's reply came back; the lookup counted 1,000 stale members, more than a batch of 100 takes")
	}
	// The second reply reached the drain first: the counter before the
	// drain is the one the batch that ran first on Redis saw.
	cd := res.Communities[0]
	if cd.Claimed != 1000 || cd.ReclaimedCents != total || cd.ReservedBeforeCents != total || cd.ReservedAfterCents != 0 || cd.Error != "" {
		t.Fatalf("drain %+v: want 1000 claimed, %d cents, reserved %d before and 0 after", cd, total, total)
	}
}

func TestLiveDrainSendsOneBatchFirstWhenTheLookupCountedNoMoreThanABatch(t *testing.T) {
	f := newFixture(t)
	f.reserveExpired(t, "small", 100, func(int) int64 { return 1 })
	watch := &inFlightWatch{admin: f.rdb}
	hooked := redis.NewClient(&redis.Options{Network: "unix", Addr: f.srv.Socket()})
	t.Cleanup(func() { _ = hooked.Close() })
	hooked.AddHook(watch)
	store := NewStore(hooked, StoreOptions{Now: f.clock.Now, DrainBatchBudget: time.Hour})
	res, err := store.Drain(f.ctx, DrainRequest{BatchSize: 100, Community: "small"})
	if err != nil {
		t.Fatal(err)
	}
	if watch.calls != 1 || res.Batches != 1 || res.Claimed != 100 {
		t.Fatalf("%d script calls, %+v: want one batch taking all 100 (the lookup counted no more than a batch)", watch.calls, res)
	}
}
