package gateway

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// Paging bounds of the read models.
const (
	DefaultMaxCommunities = 100
	MaxCommunities        = 1000
	// summaryPage is how many expiry members one ZRANGE (plus one pipelined
	// round of HGETs) reads, so a summary never asks Redis for an unbounded reply.
	summaryPage = 500
)

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
// the live estimates. community "" means every community (at most maxCommunities).
func (s *Store) ReservationSummary(ctx context.Context, community string, maxCommunities int) (ReservationSummary, error) {
	limit, err := checkMax("maxCommunities", maxCommunities, DefaultMaxCommunities, MaxCommunities)
	if err != nil {
		return ReservationSummary{}, err
	}
	if community != "" {
		if err := checkID("community", community); err != nil {
			return ReservationSummary{}, err
		}
	}
	month := Month(s.now())
	groups, truncated, err := s.communityMonths(ctx, community, month, limit)
	if err != nil {
		return ReservationSummary{}, err
	}
	sum := ReservationSummary{Month: month, Communities: []CommunityReservations{}, Truncated: truncated}
	for _, g := range groups {
		cr, err := s.summarizeCommunity(ctx, g.community, month, g.months)
		if err != nil {
			return ReservationSummary{}, err
		}
		sum.Communities = append(sum.Communities, cr)
		addTotals(&sum.Totals, cr)
	}
	return sum, nil
}

// communityGroup is one community and the months of its expiry sets.
type communityGroup struct {
	community string
	months    []string
}

// communityMonths discovers communities by their expiry sets (any month) and
// current-month reserved counters, grouped and sorted, at most limit.
func (s *Store) communityMonths(ctx context.Context, community, month string, limit int) ([]communityGroup, bool, error) {
	expiry, _, err := s.scanMonthKeys(ctx, expiryPrefix, community, maxMonthKeys)
	if err != nil {
		return nil, false, err
	}
	counters, _, err := s.scanMonthKeys(ctx, reservedPrefix, community, maxMonthKeys)
	if err != nil {
		return nil, false, err
	}
	byCommunity := map[string][]string{}
	for _, k := range expiry {
		byCommunity[k.community] = append(byCommunity[k.community], k.month)
	}
	for _, k := range counters {
		if _, ok := byCommunity[k.community]; !ok && k.month == month {
			byCommunity[k.community] = nil
		}
	}
	if community != "" {
		if _, ok := byCommunity[community]; !ok {
			byCommunity[community] = nil // report the community even when it has nothing
		}
	}
	groups := make([]communityGroup, 0, len(byCommunity))
	for c, ms := range byCommunity {
		groups = append(groups, communityGroup{c, ms})
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].community < groups[j].community })
	if len(groups) > limit {
		return groups[:limit], true, nil
	}
	return groups, false, nil
}

func (s *Store) summarizeCommunity(ctx context.Context, community, month string, months []string) (CommunityReservations, error) {
	cr := CommunityReservations{Community: community, Month: month}
	now := s.nowMs()
	ttl := ms(s.opts.ReservationTTL)
	err := s.walkExpiry(ctx, community, month, func(m expiryEntry) {
		switch m.state(now) {
		case ReservationLive:
			cr.Live++
			cr.LiveEstimateCents += m.estimate
		case ReservationExpired:
			cr.Expired++
			cr.ExpiredEstimateCents += m.estimate
		default:
			cr.Orphaned++
		}
		if m.score <= now && cr.OldestExpiredAgeMs == 0 {
			cr.OldestExpiredAgeMs = now - (m.score - ttl) // members come oldest first
		}
	})
	if err != nil {
		return cr, err
	}
	pipe := s.rdb.Pipeline()
	var prev []*redis.IntCmd
	for _, m := range months {
		if m < month {
			prev = append(prev, pipe.ZCard(ctx, ExpiryKey(community, m)))
		}
	}
	reserved := pipe.Get(ctx, ReservedKey(community, month))
	committed := pipe.Get(ctx, CommittedKey(community, month))
	limit := pipe.Get(ctx, LimitKey(community))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return cr, fmt.Errorf("summary %s: %w", community, err)
	}
	for _, c := range prev {
		cr.PreviousMonth += int(c.Val())
	}
	cr.ReservedCents, cr.CommittedCents, cr.LimitCents = intOf(reserved), intOf(committed), intOf(limit)
	cr.DriftCents = cr.ReservedCents - cr.LiveEstimateCents - cr.ExpiredEstimateCents
	return cr, nil
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

// walkExpiry visits every member of one expiry set, oldest first, in pages of
// summaryPage (one ZRANGE and one pipelined HMGET round per page).
func (s *Store) walkExpiry(ctx context.Context, community, month string, visit func(expiryEntry)) error {
	for offset := int64(0); ; offset += summaryPage {
		page, err := s.expiryPage(ctx, community, month, offset, summaryPage)
		if err != nil {
			return err
		}
		for _, e := range page {
			visit(e)
		}
		if len(page) < summaryPage {
			return nil
		}
	}
}

// expiryPage reads members [offset, offset+n) of one expiry set with their hashes.
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
		cmds[i] = pipe.HMGet(ctx, prefix+asString(z.Member), "estimated_cost", "model_alias")
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("read reservations %s: %w", community, err)
	}
	out := make([]expiryEntry, len(zs))
	for i, z := range zs {
		e := expiryEntry{member: asString(z.Member), score: int64(z.Score)}
		vals := cmds[i].Val()
		if len(vals) == 2 && vals[0] != nil {
			e.exists = true
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
