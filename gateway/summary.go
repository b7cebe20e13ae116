package gateway

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Paging bounds of the read models.
const (
	DefaultMaxCommunities = 100
	MaxCommunities        = 1000
	// summaryPage is how many expiry members one ZRANGE (plus one pipelined
	// round of HMGETs) reads for a reservation listing.
	summaryPage = 500
	// summaryPageBudget is the server time one summary_page.lua call may
	// spend before it returns its cursor (it stops before a chunk of 128
	// lookups would cross it): the longest single command a summary sends.
	summaryPageBudget = 800 * time.Microsecond
	// summaryWorkers is how many communities are summarised at once, on as
	// many connections: Redis stays busy while each waits for its replies.
	summaryWorkers = 4
)

// hashWindow is how long after its expiry a member's hash may still exist:
// the gateway's hash outlives the reservation by hashGrace, plus a minute
// for clocks (the gateway's, ours and Redis's) that disagree. A member
// expired longer ago than that is an orphan without looking: its hash has
// expired, or a hash of that name belongs to a newer reservation (whose
// created_at_ms does not match the member), so summaries and drains read
// hashes only inside the window.
const hashWindow = hashGrace + time.Minute

func checkMax(field string, v, def, hi int) (int, error) {
	if v == 0 {
		return def, nil
	}
	if v < 1 || v > hi {
		return 0, invalid(field, "%d is out of range: use 1..%d (default %d)", v, hi, def)
	}
	return v, nil
}

// ReservationSummary reports, per community, live/expired/orphaned members of
// the current month, previous-month leftovers and the reserved counter against
// the live estimates. community "" means every community (at most
// maxCommunities), found by one keyspace walk; a named community's keys are
// looked up by name.
func (s *Store) ReservationSummary(ctx context.Context, community string, maxCommunities int) (ReservationSummary, error) {
	if _, err := checkMax("maxCommunities", maxCommunities, DefaultMaxCommunities, MaxCommunities); err != nil {
		return ReservationSummary{}, err
	}
	idx, err := s.keysFor(ctx, community)
	if err != nil {
		return ReservationSummary{}, err
	}
	if community != "" && len(idx.expiry)+len(idx.reserved) == 0 {
		idx.reserved = []monthKey{{community, Month(s.now())}} // report the community even when it has nothing
	}
	return s.SummaryOf(ctx, idx, maxCommunities)
}

// SummaryOf is ReservationSummary over the keys of idx (see KeyIndex).
func (s *Store) SummaryOf(ctx context.Context, idx KeyIndex, maxCommunities int) (ReservationSummary, error) {
	limit, err := checkMax("maxCommunities", maxCommunities, DefaultMaxCommunities, MaxCommunities)
	if err != nil {
		return ReservationSummary{}, err
	}
	month := Month(s.now())
	groups, truncated := communityMonths(idx, limit)
	sum := ReservationSummary{Month: month, Communities: make([]CommunityReservations, len(groups)),
		Truncated: truncated || idx.Truncated}
	errs := make([]error, len(groups))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(summaryWorkers, len(groups)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				sum.Communities[i], errs[i] = s.summarizeCommunity(ctx, groups[i].community, month, groups[i].months)
			}
		}()
	}
	for i := range groups {
		work <- i
	}
	close(work)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return ReservationSummary{}, err
	}
	for _, cr := range sum.Communities {
		addTotals(&sum.Totals, cr)
	}
	return sum, nil
}

// communityGroup is one community and the months of its expiry sets.
type communityGroup struct {
	community string
	months    []string
}

// communityMonths groups the index by community (expiry sets of any month,
// or a reserved counter), sorted, at most limit.
func communityMonths(idx KeyIndex, limit int) ([]communityGroup, bool) {
	byCommunity := map[string][]string{}
	for _, k := range idx.expiry {
		byCommunity[k.community] = append(byCommunity[k.community], k.month)
	}
	for _, k := range idx.reserved {
		if _, ok := byCommunity[k.community]; !ok {
			byCommunity[k.community] = nil
		}
	}
	groups := make([]communityGroup, 0, len(byCommunity))
	for _, c := range idx.Communities() {
		groups = append(groups, communityGroup{c, byCommunity[c]})
	}
	if len(groups) > limit {
		return groups[:limit], true
	}
	return groups, false
}

// summarizeCommunity counts the members older than the hash window by score
// (ZCOUNT) and reads the hashes of the rest in time-boxed pages.
func (s *Store) summarizeCommunity(ctx context.Context, community, month string, months []string) (CommunityReservations, error) {
	return s.summarizeCollecting(ctx, community, month, months, s.nowMs(), nil)
}

// communityCounters are what a summary of one community reads beside its
// members, cold or warm: the oldest member, the earlier months' expiry
// sets and the reserved, committed and limit counters.
type communityCounters struct {
	oldest                     *redis.ZSliceCmd
	prev                       []*redis.IntCmd
	reserved, committed, limit *redis.StringCmd
}

// queueCounters adds the community's counter reads to pipe.
func queueCounters(ctx context.Context, pipe redis.Pipeliner, community, month string, months []string) communityCounters {
	c := communityCounters{oldest: pipe.ZRangeWithScores(ctx, ExpiryKey(community, month), 0, 0)}
	for _, m := range months {
		if m < month {
			c.prev = append(c.prev, pipe.ZCard(ctx, ExpiryKey(community, m)))
		}
	}
	c.reserved = pipe.Get(ctx, ReservedKey(community, month))
	c.committed = pipe.Get(ctx, CommittedKey(community, month))
	c.limit = pipe.Get(ctx, LimitKey(community))
	return c
}

// errs are the replies' errors; a missing counter (redis.Nil) is 0, no error.
func (c communityCounters) errs() []error {
	errs := []error{c.oldest.Err()}
	for _, p := range c.prev {
		errs = append(errs, p.Err())
	}
	for _, g := range []*redis.StringCmd{c.reserved, c.committed, c.limit} {
		if !errors.Is(g.Err(), redis.Nil) {
			errs = append(errs, g.Err())
		}
	}
	return errs
}

// apply puts the replies into cr at now (ms): the oldest expired member's
// age, the earlier months' members and the counters.
func (c communityCounters) apply(cr *CommunityReservations, now int64, ttl time.Duration) {
	if z := c.oldest.Val(); len(z) == 1 && int64(z[0].Score) <= now {
		cr.OldestExpiredAgeMs = now - (int64(z[0].Score) - ms(ttl))
	}
	for _, p := range c.prev {
		cr.PreviousMonth += int(p.Val())
	}
	cr.ReservedCents, cr.CommittedCents, cr.LimitCents = intOf(c.reserved), intOf(c.committed), intOf(c.limit)
}

// summarizeCollecting is summarizeCommunity at now (ms), handing collect the
// members found with a hash, page by page (nil: collect nothing).
func (s *Store) summarizeCollecting(ctx context.Context, community, month string, months []string, now int64,
	collect func([]any) error) (CommunityReservations, error) {
	cr := CommunityReservations{Community: community, Month: month}
	windowStart := now - ms(hashWindow)
	key := ExpiryKey(community, month)
	pipe := s.rdb.Pipeline()
	old := pipe.ZCount(ctx, key, "-inf", strconv.FormatInt(windowStart, 10))
	counters := queueCounters(ctx, pipe, community, month, months)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return cr, fmt.Errorf("summary %s: %w", community, err)
	}
	cr.Orphaned = int(old.Val())
	counters.apply(&cr, now, s.opts.ReservationTTL)
	_, err := s.summarizeWindow(ctx, key, ReservationKeyPrefix(community), now, windowStart, summaryPageBudget, &cr, collect)
	if err != nil && collect == nil && strings.Contains(err.Error(), "Unknown Redis command") {
		// miniredis (the demo's fallback without redis-server) has no SORT_RO.
		err = s.summarizeWindowPlain(ctx, community, month, now, windowStart, &cr)
	}
	if err != nil {
		return cr, fmt.Errorf("summary %s: %w", community, err)
	}
	cr.DriftCents = cr.ReservedCents - cr.LiveEstimateCents - cr.ExpiredEstimateCents
	return cr, nil
}

// summarizeWindow runs summary_page.lua from the window's start until done,
// each call stopping after budget of server time; it returns the calls made.
// A non-nil collect is handed each page's members found with a hash (see
// summary_page.lua: member, score, estimate, created_at_ms, PEXPIRETIME).
func (s *Store) summarizeWindow(ctx context.Context, key, prefix string, now, windowStart int64, budget time.Duration,
	cr *CommunityReservations, collect func([]any) error) (int, error) {
	score, member, collecting := strconv.FormatInt(windowStart, 10), "", "0"
	if collect != nil {
		collecting = "1"
	}
	for calls := 1; ; calls++ {
		vals, err := s.reads.summaryPage.Run(ctx, s.rdb, []string{key}, prefix, now,
			score, member, budget.Microseconds(), collecting).Slice()
		if err != nil {
			return calls, err
		}
		if len(vals) != 9 {
			return calls, fmt.Errorf("summary page: unexpected reply %v", vals)
		}
		if collect != nil {
			page, _ := vals[8].([]any)
			if err := collect(page); err != nil {
				return calls, err
			}
		}
		cr.Live += int(asInt(vals[0]))
		cr.LiveEstimateCents += asInt(vals[1])
		cr.Expired += int(asInt(vals[2]))
		cr.ExpiredEstimateCents += asInt(vals[3])
		cr.Orphaned += int(asInt(vals[4]))
		if asInt(vals[5]) == 1 {
			return calls, nil
		}
		score, member = asString(vals[6]), asString(vals[7])
	}
}

// summarizeWindowPlain is summarizeWindow without the script: pages of
// summaryPage members with one pipelined round of HMGETs each.
func (s *Store) summarizeWindowPlain(ctx context.Context, community, month string, now, windowStart int64,
	cr *CommunityReservations) error {
	first, err := s.rdb.ZCount(ctx, ExpiryKey(community, month), "-inf", strconv.FormatInt(windowStart, 10)).Result()
	if err != nil {
		return err
	}
	for offset := first; ; offset += summaryPage {
		page, err := s.expiryPage(ctx, community, month, offset, summaryPage)
		if err != nil {
			return err
		}
		for _, e := range page {
			switch e.state(now) {
			case ReservationLive:
				cr.Live++
				cr.LiveEstimateCents += e.estimate
			case ReservationExpired:
				cr.Expired++
				cr.ExpiredEstimateCents += e.estimate
			default:
				cr.Orphaned++
			}
		}
		if len(page) < summaryPage {
			return nil
		}
	}
}

func addTotals(t *ReservationTotals, cr CommunityReservations) {
	t.Communities++
	t.Live += cr.Live
	t.Expired += cr.Expired
	t.Orphaned += cr.Orphaned
	t.PreviousMonth += cr.PreviousMonth
	t.ReservedCents += cr.ReservedCents
	t.LiveEstimateCents += cr.LiveEstimateCents
	t.DriftCents += cr.DriftCents
	t.OldestExpiredAgeMs = max(t.OldestExpiredAgeMs, cr.OldestExpiredAgeMs)
}

// expiryEntry is one expiry member joined with its reservation hash.
type expiryEntry struct {
	member   string
	score    int64
	exists   bool
	estimate int64
	alias    string
}

func (e expiryEntry) state(nowMs int64) string {
	switch {
	case !e.exists:
		return ReservationOrphaned
	case e.score <= nowMs:
		return ReservationExpired
	}
	return ReservationLive
}

// expiryPage reads members [offset, offset+n) of one expiry set with their
// hashes (one ZRANGE and one pipelined round of HMGETs). A hash counts only
// when its created_at_ms + TTL is the member's score (see drain_batch.lua).
func (s *Store) expiryPage(ctx context.Context, community, month string, offset, n int64) ([]expiryEntry, error) {
	zs, err := s.rdb.ZRangeWithScores(ctx, ExpiryKey(community, month), offset, offset+n-1).Result()
	if err != nil {
		return nil, fmt.Errorf("read expiry %s %s: %w", community, month, err)
	}
	if len(zs) == 0 {
		return nil, nil
	}
	prefix := ReservationKeyPrefix(community)
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.SliceCmd, len(zs))
	for i, z := range zs {
		cmds[i] = pipe.HMGet(ctx, prefix+asString(z.Member), "estimated_cost", "model_alias", "created_at_ms")
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("read reservations %s: %w", community, err)
	}
	ttl := ms(s.opts.ReservationTTL)
	out := make([]expiryEntry, len(zs))
	for i, z := range zs {
		e := expiryEntry{member: asString(z.Member), score: int64(z.Score)}
		vals := cmds[i].Val()
		if len(vals) == 3 && vals[0] != nil {
			created, err := strconv.ParseInt(asString(vals[2]), 10, 64)
			e.exists = err == nil && created+ttl == e.score
		}
		if e.exists {
			e.estimate, _ = strconv.ParseInt(asString(vals[0]), 10, 64)
			if vals[1] != nil {
				e.alias = asString(vals[1])
			}
		}
		out[i] = e
	}
	return out, nil
}

// intOf reads a pipelined GET of an integer key; missing or malformed is 0.
func intOf(c *redis.StringCmd) int64 {
	n, _ := strconv.ParseInt(c.Val(), 10, 64)
	return n
}

// readScripts are the read-only scripts of the summaries. Unlike the write
// scripts (scripts.go), re-sending one after a timeout is harmless.
type readScripts struct{ summaryPage, summaryMembers *redis.Script }

func loadReadScripts() readScripts {
	return readScripts{summaryPage: readScript("summary_page"), summaryMembers: readScript("summary_members")}
}

func readScript(name string) *redis.Script {
	src, err := luaFS.ReadFile("lua/" + name + ".lua")
	if err != nil {
		panic("gateway: embedded script missing: " + name) // a build defect
	}
	return redis.NewScript(string(src))
}

// maxCountedCommunities bounds one ReservationCounts pipeline.
const maxCountedCommunities = MaxCommunities

// ReservationCounts counts the reservations of the communities of idx by
// expiry score, for GET /status: one pipeline of 5 commands per community
// (plus one per earlier month's expiry set), whatever the number of
// reservations. The current month's keys are addressed by name, so a month
// that began after idx was built is still counted.
func (s *Store) ReservationCounts(ctx context.Context, idx KeyIndex) (ReservationCounts, error) {
	now := s.now()
	month, nowMs := Month(now), now.UnixMilli()
	groups, truncated := communityMonths(idx, maxCountedCommunities)
	out := ReservationCounts{Communities: len(groups), KeysAsOf: idx.At, Truncated: truncated || idx.Truncated}
	nowS, graceS := strconv.FormatInt(nowMs, 10), strconv.FormatInt(nowMs-ms(hashGrace), 10)
	type counts struct {
		live, expired, orphaned *redis.IntCmd
		oldest                  *redis.ZSliceCmd
		reserved                *redis.StringCmd
		prev                    []*redis.IntCmd
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]counts, len(groups))
	for i, g := range groups {
		key := ExpiryKey(g.community, month)
		c := counts{live: pipe.ZCount(ctx, key, "("+nowS, "+inf"), expired: pipe.ZCount(ctx, key, "("+graceS, nowS),
			orphaned: pipe.ZCount(ctx, key, "-inf", graceS), oldest: pipe.ZRangeWithScores(ctx, key, 0, 0),
			reserved: pipe.Get(ctx, ReservedKey(g.community, month))}
		for _, m := range g.months {
			if m < month {
				c.prev = append(c.prev, pipe.ZCard(ctx, ExpiryKey(g.community, m)))
			}
		}
		cmds[i] = c
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return ReservationCounts{}, fmt.Errorf("reservation counts: %w", err)
	}
	ttl := ms(s.opts.ReservationTTL)
	for _, c := range cmds {
		out.Live += int(c.live.Val())
		out.Expired += int(c.expired.Val())
		out.Orphaned += int(c.orphaned.Val())
		out.ReservedCents += intOf(c.reserved)
		if z := c.oldest.Val(); len(z) == 1 && int64(z[0].Score) <= nowMs {
			out.OldestExpiredAgeMs = max(out.OldestExpiredAgeMs, nowMs-(int64(z[0].Score)-ttl))
		}
		for _, p := range c.prev {
			out.PreviousMonth += int(p.Val())
		}
	}
	return out, nil
}
