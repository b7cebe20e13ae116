package adminserver

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"

	"gatewayops/gateway"
)

// Background summary cadence.
const (
	// summaryMaxAge is how old the key index and the reservation summary
	// may get before a status call starts a new background round. The
	// console polls status every 10-15 s, so a summary is at most about
	// summaryMaxAge plus one round old while anyone is watching, and nobody
	// pays for rounds while nobody is.
	summaryMaxAge = 30 * time.Second
	// summaryTimeout bounds one background round (discovery + summary).
	summaryTimeout = 2 * time.Minute
)

// summarizer keeps the last key index (a keyspace walk) and reservation
// summary (every live hash), both computed in the background, so that status
// costs O(communities): it counts through the index and serves the summary
// with its age. One round runs at a time; a round starts when a reader finds
// the last one older than summaryMaxAge (no goroutine runs while nobody asks).
type summarizer struct {
	store *gateway.Store
	now   func() time.Time
	// cache keeps the every-community summary warm through Redis's
	// invalidations (decision 160): a round re-reads only what changed.
	cache *gateway.SummaryCache

	mu       sync.Mutex
	running  bool
	idx      *gateway.KeyIndex
	breakers []string // components with a circuit:* hash, found with idx
	summary  *gateway.BackgroundSummary
	lastErr  string
	// round is closed when the running round ends; discovered when its key
	// discovery has (the index is set, or lastErr says why not).
	round, discovered chan struct{}
}

func newSummarizer(store *gateway.Store, now func() time.Time) *summarizer {
	z := &summarizer{store: store, now: now, cache: store.NewSummaryCache(gateway.SummaryCacheOptions{})}
	// A Server used only as a Handler is never shut down: its invalidation
	// connection goes with it.
	runtime.AddCleanup(z, func(c *gateway.SummaryCache) { _ = c.Close() }, z.cache)
	return z
}

// close releases the cache's invalidation connection (the server shut down).
func (z *summarizer) close() { _ = z.cache.Close() }

// summaryOf is the every-community summary over idx, warm where it can be.
func (z *summarizer) summaryOf(ctx context.Context, idx gateway.KeyIndex, maxCommunities int) (gateway.ReservationSummary, error) {
	return z.cache.SummaryOf(ctx, idx, maxCommunities)
}

// view is what status reads from the summarizer.
type view struct {
	idx      gateway.KeyIndex
	breakers []string
	summary  *gateway.BackgroundSummary
}

// current returns the last index and summary, starting a background round
// when they are stale. Only before the first index exists does it wait, for
// the round's discovery (bounded by ctx), not for its summary: at 10^6
// reservations the summary's first fill took 4-6 s, and the console's first
// status timed out waiting for it (5 s) where discovery took 0.7-1.4 s.
func (z *summarizer) current(ctx context.Context) (view, error) {
	z.mu.Lock()
	z.startIfStale()
	discovered := z.discovered
	v, ok := z.view()
	z.mu.Unlock()
	if ok {
		return v, nil
	}
	select {
	case <-discovered:
	case <-ctx.Done():
		return view{}, ctx.Err()
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if v, ok = z.view(); !ok {
		return view{}, errors.New("discovering the communities failed: " + z.lastErr)
	}
	return v, nil
}

// fresh is current, but waits for a new round when the index is older than
// maxAge (a drain must not miss a community for long).
func (z *summarizer) fresh(ctx context.Context, maxAge time.Duration) (view, error) {
	v, err := z.current(ctx)
	if err != nil || z.now().Sub(v.idx.At) <= maxAge {
		return v, err
	}
	if err := z.refresh(ctx); err != nil {
		return view{}, err
	}
	return z.current(ctx)
}

// index is the last key index if it is at most maxAge old; it starts nothing.
func (z *summarizer) index(maxAge time.Duration) (gateway.KeyIndex, bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.idx == nil || z.now().Sub(z.idx.At) > maxAge {
		return gateway.KeyIndex{}, false
	}
	return *z.idx, true
}

// view copies the current state; ok is false before the first index. z.mu is held.
func (z *summarizer) view() (view, bool) {
	if z.idx == nil {
		return view{}, false
	}
	return view{idx: *z.idx, breakers: z.breakers, summary: z.copySummary()}, true
}

// refresh runs one round now and waits for it (tests, and GET
// /reservations/summary's explicit request for fresh figures).
func (z *summarizer) refresh(ctx context.Context) error {
	z.mu.Lock()
	if !z.running {
		z.begin()
	}
	round := z.round
	z.mu.Unlock()
	select {
	case <-round:
	case <-ctx.Done():
		return ctx.Err()
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.lastErr != "" {
		return errors.New(z.lastErr)
	}
	return nil
}

// startIfStale starts a round unless one runs or the last is fresh. z.mu
// is held.
func (z *summarizer) startIfStale() {
	fresh := z.idx != nil && z.summary != nil && z.now().Sub(z.summary.AsOf) < summaryMaxAge
	if !z.running && !fresh {
		z.begin()
	}
}

// begin starts a round. z.mu is held.
func (z *summarizer) begin() {
	z.running = true
	z.round, z.discovered = make(chan struct{}), make(chan struct{})
	go z.run()
}

func (z *summarizer) copySummary() *gateway.BackgroundSummary {
	if z.summary == nil {
		return nil
	}
	c := *z.summary
	c.AgeMs = z.now().Sub(c.AsOf).Milliseconds()
	c.Error = z.lastErr
	return &c
}

// run is one background round: discover the keys and the breakers, then
// summarise the reservations.
func (z *summarizer) run() {
	ctx, cancel := context.WithTimeout(context.Background(), summaryTimeout)
	defer cancel()
	idx, err := z.store.DiscoverKeys(ctx)
	var breakers []string
	if err == nil {
		breakers, err = z.store.BreakerNames(ctx)
	}
	z.mu.Lock()
	if err == nil {
		z.idx, z.breakers = &idx, breakers
	} else {
		z.lastErr = err.Error() // for a status waiting on discovered
	}
	close(z.discovered)
	z.mu.Unlock()
	var bg *gateway.BackgroundSummary
	if err == nil {
		start := time.Now()
		var sum gateway.ReservationSummary
		sum, err = z.summaryOf(ctx, idx, maxSummaryCommunities)
		bg = &gateway.BackgroundSummary{AsOf: idx.At, Totals: sum.Totals,
			DurationMs: float64(time.Since(start).Microseconds()) / 1000}
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	z.lastErr = ""
	if err != nil {
		z.lastErr = err.Error()
	} else {
		z.summary = bg
	}
	z.running = false
	close(z.round)
}
