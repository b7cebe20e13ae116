package gateway

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults of SummaryCacheOptions.
const (
	DefaultSummaryCacheMaxAge     = 10 * time.Minute
	DefaultSummaryCacheMaxMembers = 2_000_000
	// rereadBatch is how many members one summary_members.lua call reads
	// (about 0.8 ms of server time at 10^6 members: 256 took 1.6).
	rereadBatch = 128
	// fillWorkers is how many communities a round that fills reads at once:
	// fewer than summaryWorkers, as building the cache costs the client
	// CPU that a Redis on the same host would otherwise get.
	fillWorkers = 2
)

// SummaryCacheOptions tunes a SummaryCache; zero values take the defaults.
type SummaryCacheOptions struct {
	// MaxAge is how long a community's cache serves before a cold read
	// fills it again, whatever the invalidations said: it bounds what an
	// unforeseen writer (decision 160's model) could leave wrong.
	MaxAge time.Duration
	// MaxMembers is the most members one community's cache holds; a
	// community with more hashes in its window is read cold every round.
	MaxMembers int
}

// SummaryCacheStats counts how communities were summarised.
type SummaryCacheStats struct {
	Warm   int // from the cache, re-reading only what Redis said changed
	Filled int // by a cold read that filled the cache
	Cold   int // by a plain cold read (tracking unusable)
	Reread int // members re-read by the warm summaries
	// LastFallback is why the last community not summarised warm was not.
	LastFallback string
}

// SummaryCache is SummaryOf kept warm by Redis's server-assisted client-side
// caching (decision 160): per community, the members of the current month's
// expiry set inside the hash window whose hash exists, with the estimate and
// the hash's expiry time. A warm summary re-reads only the members Redis
// named since the last one, plus one pipeline of counters per community, so
// it costs O(changes + communities) and gives what a cold SummaryOf gives.
// Whenever that cannot be guaranteed (no tracking, a new or broken
// invalidation connection, a flush, another server, a new month, a clock
// that went back, an expiry set that lost a member behind the cache's back,
// a cache older than MaxAge) the community is read cold, and that read
// fills the cache again. One summary runs at a time. Close releases the
// invalidation connection.
type SummaryCache struct {
	store *Store
	opts  SummaryCacheOptions

	mu     sync.Mutex
	inv    *invalidations
	gen    uint64
	comms  map[string]*communityCache
	stats  SummaryCacheStats
	closed bool
	// idle closes the invalidation connection when no summary ran for
	// MaxAge (the next one would fill the cache again anyway), so nobody
	// pays for invalidations while nobody asks.
	idle      *time.Timer
	lastRound time.Time
	// fillErr is why the last fill failed (a Redis without PEXPIRETIME,
	// before 7.0, always does); until MaxAge later communities read cold.
	fillErr   string
	fillErrAt time.Time
	// retryAt: Redis refused the invalidation connection (refused says
	// how); no round tries again before.
	retryAt time.Time
	refused string
	fillMu  sync.Mutex
	// reread counts the members warm summaries re-read (on several workers).
	reread atomic.Int64
}

// communityCache is one community's cached window.
type communityCache struct {
	month    string
	filledAt time.Time
	// floor is the highest window start members were dropped below; a
	// lower one (the clock went back) could see them again.
	floor   int64
	members *memberTable
	// dirty are the members Redis named since they were last read.
	dirty map[string]struct{}
	// uncacheable: the last fill kept nothing (an estimate that is not a
	// plain integer, or more than MaxMembers): read cold until MaxAge.
	uncacheable bool
}

// cachedMember is what the summary reads of one member and its hash.
type cachedMember struct {
	score    float64
	estimate int64
	expireAt int64 // PEXPIRETIME in Redis's ms; -1 is none
	// suspect: created_at_ms + TTL is not the score, so drain_batch.lua
	// would remove the member as an orphan without touching its hash (no
	// invalidation): such members are re-read every round.
	suspect bool
}

// NewSummaryCache returns a cache over s; nothing connects until the first
// summary.
func (s *Store) NewSummaryCache(opts SummaryCacheOptions) *SummaryCache {
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultSummaryCacheMaxAge
	}
	if opts.MaxMembers <= 0 {
		opts.MaxMembers = DefaultSummaryCacheMaxMembers
	}
	return &SummaryCache{store: s, opts: opts}
}

// Stats returns the counts so far.
func (c *SummaryCache) Stats() SummaryCacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.stats
	st.Reread = int(c.reread.Load())
	return st
}

// Close drops the cache and its invalidation connection; later summaries
// read cold.
func (c *SummaryCache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.idle != nil {
		c.idle.Stop()
	}
	return c.dropConnection()
}

// dropConnection closes the invalidation connection and forgets the cache.
// c.mu is held.
func (c *SummaryCache) dropConnection() error {
	c.comms = nil
	if c.inv == nil {
		return nil
	}
	err := c.inv.close()
	c.inv = nil
	return err
}

// closeIdle is the idle timer's: no summary since it was set (unless one
// ran while the timer waited for the lock).
func (c *SummaryCache) closeIdle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.lastRound) >= c.opts.MaxAge {
		_ = c.dropConnection()
	}
}

// communityRound is what a round does with one community.
type communityRound int

const (
	roundCold communityRound = iota
	roundFill
	roundWarm
)

// SummaryOf is Store.SummaryOf over idx, from the cache where it is exact.
func (c *SummaryCache) SummaryOf(ctx context.Context, idx KeyIndex, maxCommunities int) (ReservationSummary, error) {
	limit, err := checkMax("maxCommunities", maxCommunities, DefaultMaxCommunities, MaxCommunities)
	if err != nil {
		return ReservationSummary{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastRound = time.Now()
	if c.idle != nil {
		c.idle.Stop()
	}
	defer func() {
		if !c.closed {
			c.idle = time.AfterFunc(c.opts.MaxAge, c.closeIdle)
		}
	}()
	month := Month(c.store.now())
	groups, truncated := communityMonths(idx, limit)
	tracked := c.begin(ctx)
	r := round{groups: groups, month: month, plans: make([]communityRound, len(groups)),
		caches: make([]*communityCache, len(groups)), reasons: make([]string, len(groups)),
		out: make([]CommunityReservations, len(groups)), errs: make([]error, len(groups))}
	for i, g := range groups {
		r.caches[i] = c.comms[g.community]
		r.plans[i], r.reasons[i] = c.plan(tracked, r.caches[i], month)
	}
	c.run(ctx, &r)
	c.keep(groups, r.caches, r.plans, r.reasons, tracked)
	if err := errors.Join(r.errs...); err != nil {
		return ReservationSummary{}, err
	}
	sum := ReservationSummary{Month: month, Communities: r.out, Truncated: truncated || idx.Truncated}
	for _, cr := range sum.Communities {
		addTotals(&sum.Totals, cr)
	}
	return sum, nil
}

// round is one SummaryOf's work, one slot per community.
type round struct {
	groups  []communityGroup
	month   string
	plans   []communityRound
	caches  []*communityCache
	reasons []string
	out     []CommunityReservations
	errs    []error
}

// run summarises r's communities on summaryWorkers connections
// (fillWorkers when one fills: building the cache costs the client CPU).
func (c *SummaryCache) run(ctx context.Context, r *round) {
	workers := summaryWorkers
	for _, p := range r.plans {
		if p == roundFill {
			workers = fillWorkers
		}
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(r.groups)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				g := r.groups[i]
				var reason string
				r.out[i], r.caches[i], r.plans[i], reason, r.errs[i] =
					c.summarize(ctx, r.plans[i], r.caches[i], g.community, r.month, g.months)
				if reason != "" {
					r.reasons[i] = reason
				}
			}
		}()
	}
	for i := range r.groups {
		work <- i
	}
	close(work)
	wg.Wait()
}

// begin opens or checks the invalidation connection and takes what it
// received; false (with stats.LastFallback) means no community can be warm
// or filled this round.
func (c *SummaryCache) begin(ctx context.Context) bool {
	if c.closed {
		c.stats.LastFallback = "the cache is closed"
		return false
	}
	if c.store.now().Before(c.retryAt) {
		c.stats.LastFallback = c.refused
		return false
	}
	if c.inv == nil {
		inv, err := newInvalidations(c.store.rdb)
		if err != nil {
			c.stats.LastFallback = err.Error()
			return false
		}
		c.inv = inv
	}
	gen, keys, err := c.inv.sync(ctx)
	if err == nil {
		err = c.verify(ctx)
	}
	if err != nil {
		// A connection that answers no PING may never fail a read (a
		// silently dropped TCP connection): the next round opens another.
		_ = c.dropConnection()
		c.stats.LastFallback = err.Error()
		var refused redis.Error
		if errors.As(err, &refused) {
			// Redis answered no (no CLIENT TRACKING, as in miniredis; a
			// refused login or command): do not dial again every round.
			c.retryAt = c.store.now().Add(c.opts.MaxAge)
			c.refused = "Redis refused the invalidation connection until " +
				c.retryAt.UTC().Format(time.RFC3339) + ": " + err.Error()
			c.stats.LastFallback = c.refused
		}
		return false
	}
	if gen != c.gen || c.comms == nil {
		// A new connection, a flush or a read error: nothing cached before
		// can be trusted. (The re-read script is loaded once per
		// connection: a restarted Redis has lost it.)
		if err := c.store.reads.summaryMembers.Load(ctx, c.store.rdb).Err(); err != nil {
			c.comms = nil
			c.stats.LastFallback = "load the re-read script: " + err.Error()
			return false
		}
		c.comms, c.gen = map[string]*communityCache{}, gen
		return true
	}
	c.route(keys)
	return true
}

// verify checks that the invalidation connection is tracking on the server
// the reads go to (CLIENT LIST ID from the store's client).
func (c *SummaryCache) verify(ctx context.Context) error {
	id, name := c.inv.connection()
	line, err := c.store.rdb.Do(ctx, "CLIENT", "LIST", "ID", id).Text()
	if err != nil {
		return fmt.Errorf("client list: %w", err)
	}
	return verifyTracking(line, name)
}

// route marks each invalidated reservation hash dirty in its community
// (an index holds only ids checkID admits: no ':', no glob characters).
func (c *SummaryCache) route(keys map[string]struct{}) {
	for k := range keys {
		rest, ok := strings.CutPrefix(k, reservationPrefix)
		if !ok {
			continue
		}
		if community, member, ok := strings.Cut(rest, ":"); ok {
			if cc := c.comms[community]; cc != nil {
				cc.dirty[member] = struct{}{}
			}
		}
	}
}

// plan decides how one community is read this round, and why not warm.
func (c *SummaryCache) plan(tracked bool, cc *communityCache, month string) (communityRound, string) {
	switch {
	case !tracked:
		return roundCold, c.stats.LastFallback
	case c.fillBroken():
		return roundCold, "a recent fill failed: " + c.fillErr
	case cc == nil:
		return roundFill, "not cached (first round, new invalidation connection, flush or new community)"
	case cc.uncacheable && c.store.now().Sub(cc.filledAt) <= c.opts.MaxAge:
		return roundCold, "not cacheable (an estimate that is not a plain integer, or too many members)"
	case cc.month != month:
		return roundFill, "a new month"
	case c.store.now().Sub(cc.filledAt) > c.opts.MaxAge:
		return roundFill, "the cache is older than its bound"
	case c.store.nowMs()-ms(hashWindow) < cc.floor:
		return roundFill, "the clock went back"
	}
	return roundWarm, ""
}

// summarize reads one community as planned; a warm read that finds the
// cache cannot be exact falls back to a fill. It returns the cache to keep
// (nil: none) and what was done.
func (c *SummaryCache) summarize(ctx context.Context, p communityRound, cc *communityCache, community, month string,
	months []string) (CommunityReservations, *communityCache, communityRound, string, error) {
	reason := ""
	if p == roundWarm {
		cr, err := c.warm(ctx, cc, community, month, months)
		if err == nil {
			return cr, cc, roundWarm, "", nil
		}
		var nw notWarm
		if !errors.As(err, &nw) {
			return cr, nil, roundWarm, "", err
		}
		p, reason = roundFill, nw.reason
	}
	if p == roundFill {
		cr, filled, err := c.fill(ctx, community, month, months)
		return cr, filled, roundFill, reason, err
	}
	cr, err := c.store.summarizeCommunity(ctx, community, month, months)
	if cc == nil || !cc.uncacheable || err != nil {
		cc = nil
	}
	return cr, cc, roundCold, reason, err
}

// keep stores the round's caches and counts what was done; communities
// not in this round are dropped.
func (c *SummaryCache) keep(groups []communityGroup, caches []*communityCache, plans []communityRound,
	reasons []string, tracked bool) {
	next := map[string]*communityCache{}
	for i, g := range groups {
		switch plans[i] {
		case roundWarm:
			c.stats.Warm++
		case roundFill:
			c.stats.Filled++
		default:
			c.stats.Cold++
		}
		if reasons[i] != "" {
			c.stats.LastFallback = reasons[i]
		}
		if caches[i] != nil {
			next[g.community] = caches[i]
		}
	}
	if tracked && c.comms != nil {
		c.comms = next
	}
}

// notWarm says a warm read could not be exact; the community is read cold.
type notWarm struct{ reason string }

func (e notWarm) Error() string { return e.reason }

// fill is the cold read, keeping the members it found with a hash.
func (c *SummaryCache) fill(ctx context.Context, community, month string, months []string) (CommunityReservations,
	*communityCache, error) {
	now := c.store.nowMs()
	cc := &communityCache{month: month, filledAt: c.store.now(), floor: now - ms(hashWindow),
		members: newMemberTable(), dirty: map[string]struct{}{}}
	keep := true
	collect := func(page []any) error {
		if !keep {
			return nil
		}
		if err := c.addEntries(cc, page); err != nil || cc.members.len() > c.opts.MaxMembers {
			keep = false // the summary itself is still exact: only the cache is dropped
		}
		return nil
	}
	cr, err := c.store.summarizeCollecting(ctx, community, month, months, now, collect)
	if err != nil && ctx.Err() == nil {
		// The collecting read failed where a plain one may not (Redis
		// before 7.0 has no PEXPIRETIME): read cold, and do not try again
		// for a while.
		c.fillMu.Lock()
		c.fillErr, c.fillErrAt = err.Error(), c.store.now()
		c.fillMu.Unlock()
		cr, err = c.store.summarizeCommunity(ctx, community, month, months)
		return cr, nil, err
	}
	if err != nil {
		return cr, nil, err
	}
	if !keep {
		return cr, &communityCache{month: month, filledAt: cc.filledAt, uncacheable: true}, nil
	}
	return cr, cc, nil
}

// fillBroken says a fill failed less than MaxAge ago. c.mu is held.
func (c *SummaryCache) fillBroken() bool {
	c.fillMu.Lock()
	defer c.fillMu.Unlock()
	return c.fillErr != "" && c.store.now().Sub(c.fillErrAt) < c.opts.MaxAge
}

// addEntries stores summary_page.lua's or summary_members.lua's entries
// (member, score, estimate, created_at_ms, PEXPIRETIME).
func (c *SummaryCache) addEntries(cc *communityCache, flat []any) error {
	if len(flat)%5 != 0 {
		return fmt.Errorf("summary cache: unexpected entries %d", len(flat))
	}
	ttl := float64(ms(c.store.opts.ReservationTTL))
	for i := 0; i < len(flat); i += 5 {
		m := asString(flat[i])
		score, err := strconv.ParseFloat(asString(flat[i+1]), 64)
		if err != nil {
			return fmt.Errorf("summary cache: score of %q: %w", m, err)
		}
		est, err := exactEstimate(asString(flat[i+2]))
		if err != nil {
			return err
		}
		created, cerr := strconv.ParseInt(asString(flat[i+3]), 10, 64)
		expireAt, ok := flat[i+4].(int64)
		if !ok {
			return fmt.Errorf("summary cache: PEXPIRETIME of %q: %v", m, flat[i+4])
		}
		cc.members.put(m, cachedMember{score: score, estimate: est, expireAt: expireAt,
			suspect: cerr != nil || float64(created)+ttl != score})
	}
	return nil
}

// exactEstimate is an estimated_cost as summary_page.lua sums it (Lua's
// tonumber, in doubles) when that is an exact integer: a decimal integer of
// at most 2^53. Anything else (decimals, hex, spaces) the script might read
// otherwise, so the community is not cached.
func exactEstimate(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n > 1<<53 || n < -(1<<53) {
		return 0, fmt.Errorf("summary cache: estimated_cost %q is not a plain integer", v)
	}
	return n, nil
}

// warm summarises one community from its cache: one pipeline with the
// counters, the set's counts and the re-reads of its dirty and suspect
// members.
func (c *SummaryCache) warm(ctx context.Context, cc *communityCache, community, month string,
	months []string) (CommunityReservations, error) {
	cr := CommunityReservations{Community: community, Month: month}
	now := c.store.nowMs()
	ws := now - ms(hashWindow)
	key, prefix := ExpiryKey(community, month), ReservationKeyPrefix(community)
	reread := make([]string, 0, len(cc.dirty))
	for m := range cc.dirty {
		reread = append(reread, m)
	}
	cc.members.each(func(i int32, e *cachedMember) {
		if e.suspect {
			if m := cc.members.name(i); !isDirty(cc, m) {
				reread = append(reread, m)
			}
		}
	})
	r, err := c.warmReads(ctx, key, prefix, community, month, months, now, ws, reread)
	if err != nil {
		return cr, err
	}
	for _, m := range reread {
		cc.members.del(m) // what the re-read did not find is gone
	}
	for _, b := range r.batches {
		entries, _ := b.Slice()
		if err := c.addEntries(cc, entries); err != nil {
			return cr, notWarm{err.Error()}
		}
	}
	clear(cc.dirty)
	c.countWarm(cc, &cr, now, ws, r.time.Val().UnixMilli())
	cc.members.compact()
	cc.floor = max(cc.floor, ws)
	switch {
	case int64(cr.Live) > r.live.Val(), int64(cr.Live+cr.Expired) > r.window.Val():
		return cr, notWarm{fmt.Sprintf("%s: the expiry set lost members whose hash was not written", community)}
	}
	cr.Orphaned = int(r.card.Val()) - cr.Live - cr.Expired
	r.counters.apply(&cr, now, c.store.opts.ReservationTTL)
	cr.DriftCents = cr.ReservedCents - cr.LiveEstimateCents - cr.ExpiredEstimateCents
	c.reread.Add(int64(len(reread)))
	return cr, nil
}

// countWarm classifies the cached members as summary_page.lua does at now,
// dropping those out of the window for good and those whose hash Redis
// holds expired at redisNow (it deletes them lazily; the invalidation that
// follows re-reads them for nothing).
func (c *SummaryCache) countWarm(cc *communityCache, cr *CommunityReservations, now, ws, redisNow int64) {
	wsF, nowF := float64(ws), float64(now)
	cc.members.each(func(i int32, e *cachedMember) {
		if e.score <= wsF || (e.expireAt >= 0 && redisNow > e.expireAt) {
			cc.members.delAt(i)
			return
		}
		if e.score <= nowF {
			cr.Expired++
			cr.ExpiredEstimateCents += e.estimate
		} else {
			cr.Live++
			cr.LiveEstimateCents += e.estimate
		}
	})
}

func isDirty(cc *communityCache, m string) bool {
	_, dirty := cc.dirty[m]
	return dirty
}

// warmReplies are the replies of one warm pipeline.
type warmReplies struct {
	time               *redis.TimeCmd
	card, window, live *redis.IntCmd
	counters           communityCounters
	batches            []*redis.Cmd
}

// err is the first error of the replies that must not fail (a missing
// counter's redis.Nil is 0, as in the cold path).
func (r warmReplies) err() error {
	errs := append([]error{r.time.Err(), r.card.Err(), r.window.Err(), r.live.Err()}, r.counters.errs()...)
	for _, b := range r.batches {
		errs = append(errs, b.Err())
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// warmReads sends one warm pipeline (and, if Redis lost the re-read script,
// loads it and sends it again once).
func (c *SummaryCache) warmReads(ctx context.Context, key, prefix, community, month string, months []string,
	now, ws int64, reread []string) (warmReplies, error) {
	for attempt := 0; ; attempt++ {
		var r warmReplies
		pipe := c.store.rdb.Pipeline()
		r.time = pipe.Time(ctx)
		r.card = pipe.ZCard(ctx, key)
		r.window = pipe.ZCount(ctx, key, "("+strconv.FormatInt(ws, 10), "+inf")
		r.live = pipe.ZCount(ctx, key, "("+strconv.FormatInt(now, 10), "+inf")
		r.counters = queueCounters(ctx, pipe, community, month, months)
		script := c.store.reads.summaryMembers
		for i := 0; i < len(reread); i += rereadBatch {
			args := []any{prefix}
			for _, m := range reread[i:min(i+rereadBatch, len(reread))] {
				args = append(args, m)
			}
			r.batches = append(r.batches, script.EvalSha(ctx, pipe, []string{key}, args...))
		}
		_, _ = pipe.Exec(ctx) // each reply's error is looked at below
		err := r.err()
		if err == nil {
			return r, nil
		}
		if attempt == 0 && redis.HasErrorPrefix(err, "NOSCRIPT") {
			if err := script.Load(ctx, c.store.rdb).Err(); err != nil {
				return r, fmt.Errorf("summary %s: %w", community, err)
			}
			continue
		}
		return r, fmt.Errorf("summary %s: %w", community, err)
	}
}

// memberTable is one community's cached members without a pointer per
// member (decision 174): the names back to back in one byte slice, fixed-size
// entries in another, and an index from each name's 64-bit hash to its
// entry. A filled cache of 10^6 members is then a few objects the garbage
// collector does not walk, where a map[string] of them was 10^6 strings
// walked on every cycle of the fill that built it. Two live names with the
// same hash (about 3 in 10^8 at 10^6 members) go to clash, keyed by name.
// Deleted entries stay as holes until compact.
type memberTable struct {
	hash    func(string) uint64
	index   map[uint64]int32
	clash   map[string]int32
	entries []memberEntry
	names   []byte
	live    int
}

// memberEntry is one member: its name is names[off : off+n].
type memberEntry struct {
	cachedMember
	off, n uint32
	dead   bool
}

func newMemberTable() *memberTable {
	seed := maphash.MakeSeed()
	return &memberTable{hash: func(s string) uint64 { return maphash.String(seed, s) }, index: map[uint64]int32{}}
}

func (t *memberTable) len() int { return t.live }

// name is entry i's member name (a copy).
func (t *memberTable) name(i int32) string {
	e := &t.entries[i]
	return string(t.names[e.off : e.off+e.n])
}

// find is the entry of m, or -1.
func (t *memberTable) find(m string) int32 {
	if i, ok := t.index[t.hash(m)]; ok && string(t.names[t.entries[i].off:t.entries[i].off+t.entries[i].n]) == m {
		return i
	}
	if i, ok := t.clash[m]; ok {
		return i
	}
	return -1
}

// put sets m's figures, adding m if it is not there.
func (t *memberTable) put(m string, v cachedMember) {
	if i := t.find(m); i >= 0 {
		t.entries[i].cachedMember = v
		return
	}
	i := int32(len(t.entries))
	t.entries = append(t.entries, memberEntry{cachedMember: v, off: uint32(len(t.names)), n: uint32(len(m))})
	t.names = append(t.names, m...)
	t.live++
	h := t.hash(m)
	if _, taken := t.index[h]; !taken {
		t.index[h] = i
		return
	}
	if t.clash == nil {
		t.clash = map[string]int32{}
	}
	t.clash[m] = i
}

// del removes m if it is there.
func (t *memberTable) del(m string) {
	if i := t.find(m); i >= 0 {
		t.delAt(i)
	}
}

// delAt removes entry i (which must be live); each may go on over it.
func (t *memberTable) delAt(i int32) {
	m := t.name(i)
	if h := t.hash(m); indexed(t.index, h, i) {
		delete(t.index, h)
	} else {
		delete(t.clash, m)
	}
	t.entries[i].dead = true
	t.live--
}

// indexed says entry i is the one index holds for h.
func indexed(index map[uint64]int32, h uint64, i int32) bool {
	j, ok := index[h]
	return ok && j == i
}

// each calls fn with every live entry, in no particular order; fn may
// change the entry or delete it with delAt.
func (t *memberTable) each(fn func(i int32, e *cachedMember)) {
	for i := range t.entries {
		if !t.entries[i].dead {
			fn(int32(i), &t.entries[i].cachedMember)
		}
	}
}

// compact drops the holes once they are at least half the entries.
func (t *memberTable) compact() {
	if holes := len(t.entries) - t.live; holes < 1024 || holes < t.live {
		return
	}
	old := *t
	t.index, t.clash, t.entries, t.names, t.live = make(map[uint64]int32, old.live), nil, make([]memberEntry, 0, old.live), nil, 0
	for i := range old.entries {
		if e := &old.entries[i]; !e.dead {
			t.put(string(old.names[e.off:e.off+e.n]), e.cachedMember)
		}
	}
}
