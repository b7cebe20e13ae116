package gateway

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"time"
)

// reapBatches runs drain_batch.lua until a batch says nothing is left. Each
// call reads at most BatchSize members and returns after about the Store's
// drain budget of server time, whichever comes first. It sets
// cd.ReservedBeforeCents from the batch that ran first on Redis and returns
// reserved after the one that ran last.
//
// A live drain keeps its next batch queued at Redis behind the running one
// (decisions.md 178): a live batch starts at the lowest rank left, so it
// needs nothing from the reply before it, and Redis then goes from one batch
// to the next without waiting for a round trip (120-180 µs a batch on this
// 2-core machine, up to a fifth of the batch). A dry run writes nothing and
// pages by offset, so its batches go one after another.
func (s *Store) reapBatches(ctx context.Context, p drainPlan, t monthKey, stale int64, cd *CommunityDrain, res *DrainResult) (int64, error) {
	q := newBatchQueue(func(offset int64) batchReply { return s.drainBatch(ctx, p, t, offset) })
	// Before any reply only the lookup's count can ask for a second batch:
	// when more are stale than one batch may take, it goes a stagger behind
	// the first without waiting for its reply.
	want := 1
	if !p.DryRun && stale > int64(p.BatchSize) {
		want = 2
	}
	q.refill(want, 0)
	// Replies on two connections may come back in either order: the batch
	// that ran first on Redis saw the counter as it was before the drain,
	// the one that ran last saw it after.
	var earliest, latest batchReply
	var failed error
	for replied := false; q.inFlight > 0; {
		r, ok := q.next()
		if !ok { // the stagger passed: send the second batch if still wanted
			if failed = cmp.Or(failed, ctx.Err()); failed == nil && want > q.inFlight {
				q.send(latest.offset)
			}
			continue
		}
		recordBatch(res, r.onRedis)
		if r.err != nil {
			// Both batches in flight may fail (a Redis killed mid-drain):
			// each error names its own once-token to read its outcome by.
			failed = errors.Join(failed, r.err)
			continue // what is in flight still comes back before the error is returned
		}
		cd.add(r)
		if !replied || r.ranAt < earliest.ranAt {
			earliest = r
		}
		if !replied || r.ranAt > latest.ranAt {
			latest = r
		}
		replied = true
		if failed = cmp.Or(failed, ctx.Err()); failed == nil {
			want = batchesWanted(p.DryRun, latest)
			q.refill(want, latest.offset)
		}
	}
	if failed != nil {
		return 0, failed
	}
	cd.ReservedBeforeCents = earliest.before
	return latest.after, nil
}

// staleUnknown is the stale count of a drain target nobody counted (an
// index from a keyspace walk): its first batch goes alone.
const staleUnknown = -1

// batchStagger is how long after one batch a second is sent beside it: long
// enough for Redis to have woken and started the first (a round trip to an
// idle redis-server took 60-140 µs here), short against a batch's budget.
const batchStagger = 200 * time.Microsecond

// batchQueue sends drain batches on their own goroutines (so on their own
// connections) and staggers a second one behind the first.
//
// Redis writes its replies only after it has run every command that was
// ready when it woke, so two batches that arrive together run back to back
// and both answer at the end: the first one's reply waits a whole batch, the
// next pair starts a round trip later, and another client waits two batches.
// A second batch is therefore sent a stagger (batchStagger) after the first,
// once the first is running; after that each reply sends the
// batch after next while the next one runs. The stagger is waited by
// yielding, not by a timer: Go's timers here fire after about 1 ms whatever
// shorter time they are set for (the runtime's poller sleeps in whole
// milliseconds), longer than a batch.
type batchQueue struct {
	run      func(offset int64) batchReply
	replies  chan batchReply
	inFlight int
	lastSent time.Time
	second   time.Time // when a wanted second batch may be sent; zero when none waits
}

func newBatchQueue(run func(offset int64) batchReply) *batchQueue {
	return &batchQueue{run: run, replies: make(chan batchReply)}
}

func (q *batchQueue) send(offset int64) {
	q.inFlight++
	q.lastSent = time.Now()
	go func() { q.replies <- q.run(offset) }()
}

// next waits for a reply (ok) or, while a second batch waits for its
// stagger, for the stagger to pass (!ok).
func (q *batchQueue) next() (batchReply, bool) {
	for !q.second.IsZero() && time.Now().Before(q.second) {
		select {
		case r := <-q.replies:
			q.inFlight--
			return r, true
		default:
			runtime.Gosched()
		}
	}
	if !q.second.IsZero() {
		q.second = time.Time{}
		return batchReply{}, false
	}
	r := <-q.replies
	q.inFlight--
	return r, true
}

// batchesWanted is how many batches should be in flight after the latest reply:
// none once it found nothing left, two in a live drain while more is left
// than the batch in flight will likely take, else one. That batch reads
// about as many hashes as the latest one did in the same time box, and
// removes the older members by rank at little cost on top; a batch that
// read none (only removed by rank) is likely followed by another like it.
func batchesWanted(dry bool, latest batchReply) int {
	take := latest.read
	if take == 0 {
		take = latest.seen
	}
	switch {
	case latest.done:
		return 0
	case !dry && latest.left > int64(take):
		return 2
	default:
		return 1
	}
}

// refill brings the batches in flight up to want: the first at once, a
// second once the stagger has passed since the one before it was sent.
func (q *batchQueue) refill(want int, offset int64) {
	q.second = time.Time{}
	if q.inFlight == 0 && want > 0 {
		q.send(offset)
	}
	if q.inFlight != 1 || want < 2 {
		return
	}
	if at := q.lastSent.Add(batchStagger); time.Now().Before(at) {
		q.second = at
		return
	}
	q.send(offset)
}

// batchReply is one drain_batch.lua call's reply (see the script's header).
type batchReply struct {
	seen, claimed, orphans int
	reclaimed              int64
	sample                 []string
	done                   bool
	offset                 int64 // a dry run's next offset
	before, after          int64 // the reserved counter around the batch
	left                   int64 // members at or below the cutoff still to visit
	ranAt                  int64 // the batch's start on Redis's clock, µs
	read                   int   // members whose hash the batch read
	// onRedis is how long the batch ran on Redis's clock (what another
	// client may wait for it); a failed call has the client's time instead
	// (with a batch queued beside it, the client's time includes the wait
	// behind the other).
	onRedis time.Duration
	err     error
}

// add counts a batch's work into the community's drain.
func (cd *CommunityDrain) add(r batchReply) {
	cd.Claimed += r.claimed
	cd.ReclaimedCents += r.reclaimed
	cd.Orphans += r.orphans
	for _, o := range r.sample {
		if len(cd.OrphanSample) < maxOrphanSample {
			cd.OrphanSample = append(cd.OrphanSample, o)
		}
	}
}

// drainBatch runs one drain_batch.lua call (a dry run from offset).
func (s *Store) drainBatch(ctx context.Context, p drainPlan, t monthKey, offset int64) batchReply {
	keys := []string{ReservedKey(t.community, t.month), ExpiryKey(t.community, t.month)}
	dry, check := "0", "1"
	if p.DryRun {
		dry = "1"
	}
	if t.month == p.ownMonth {
		check = "0"
	}
	start := time.Now()
	vals, err := s.runDrainScript(ctx, p.DryRun, s.scripts.drainBatch, s.scripts.drainBatchOnce, keys,
		p.cutoff, p.BatchSize, ReservationKeyPrefix(t.community), dry, ms(counterTTL), offset, ms(s.opts.ReservationTTL),
		s.drainBudget().Microseconds(), p.hashEdge, check).Slice()
	if err != nil {
		return batchReply{onRedis: time.Since(start), err: fmt.Errorf("drain batch: %w", err)}
	}
	r, err := parseBatchReply(keys[0], vals)
	if err != nil {
		r.onRedis = time.Since(start)
	}
	r.err = err
	return r
}

func parseBatchReply(reservedKey string, vals []any) (batchReply, error) {
	if len(vals) != 13 {
		return batchReply{}, fmt.Errorf("drain batch: unexpected reply %v", vals)
	}
	before, err := counterValue(reservedKey, vals[7])
	if err != nil {
		return batchReply{}, err // the script changed nothing
	}
	after, err := counterValue(reservedKey, vals[8])
	if err != nil {
		return batchReply{}, err
	}
	ranAt, err := strconv.ParseInt(asString(vals[10]), 10, 64)
	if err != nil {
		return batchReply{}, fmt.Errorf("drain batch: start time %q: %w", asString(vals[10]), err)
	}
	r := batchReply{seen: int(asInt(vals[0])), claimed: int(asInt(vals[1])), reclaimed: asInt(vals[2]),
		orphans: int(asInt(vals[3])), done: asInt(vals[5]) == 1, offset: asInt(vals[6]),
		before: before, after: after, left: asInt(vals[9]), ranAt: ranAt, read: int(asInt(vals[11])),
		onRedis: time.Duration(asInt(vals[12])) * time.Microsecond}
	sample, _ := vals[4].([]any)
	for _, o := range sample {
		r.sample = append(r.sample, asString(o))
	}
	return r, nil
}
