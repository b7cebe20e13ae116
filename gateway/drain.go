package gateway

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Drain limits.
const (
	DefaultDrainBatch = 500
	MaxDrainBatch     = 1000
	// reconcileFactor bounds the live members one reconcile call may read:
	// batchSize*reconcileFactor.
	reconcileFactor = 4
	maxOrphanSample = 20
)

// drainPlan is a validated DrainRequest.
type drainPlan struct {
	DrainRequest
	olderThan time.Duration
	cutoff    int64 // expiry score at or below which a member is drained
	// hashEdge is the hash window's start (see hashWindow): a member scored
	// at or below it is an orphan without reading its hash.
	hashEdge int64
	// ownMonth is the month whose expiry set is drained without the
	// ownership check of decisions.md 20 (see ownMonthAt); "" near a
	// month's edge.
	ownMonth string
}

// monthEdgeMargin is how near a month's start or end the current month's
// set keeps the ownership check: a gateway task whose clock is off from ours
// by less than this may already (or still) be reserving in the neighbouring
// month, and its hash can then share a name with a member of this one.
const monthEdgeMargin = time.Hour

// ownMonthAt is the month whose members name only their own hashes at now
// (decisions.md 185): the current one, unless now is within monthEdgeMargin
// of its start or end.
func ownMonthAt(now time.Time) string {
	m := Month(now)
	if Month(now.Add(-monthEdgeMargin)) != m || Month(now.Add(monthEdgeMargin)) != m {
		return ""
	}
	return m
}

func (s *Store) planDrain(req DrainRequest) (drainPlan, error) {
	if req.OlderThan == "" {
		req.OlderThan = "5m"
	}
	older, err := time.ParseDuration(req.OlderThan)
	if err != nil {
		return drainPlan{}, invalid("olderThan", "%q is not a Go duration such as 5m or 1h30m", req.OlderThan)
	}
	if older < s.opts.ReservationTTL {
		return drainPlan{}, invalid("olderThan", "%s is below the reservation TTL %s: in-flight reservations are never drained",
			older, s.opts.ReservationTTL)
	}
	if req.Mode == "" {
		req.Mode = DrainReap
	}
	if req.Mode != DrainReap && req.Mode != DrainReconcile {
		return drainPlan{}, invalid("mode", "unknown drain mode %q: accepted modes are %s, %s", req.Mode, DrainReap, DrainReconcile)
	}
	if req.BatchSize == 0 {
		req.BatchSize = DefaultDrainBatch
	}
	if req.BatchSize < 1 || req.BatchSize > MaxDrainBatch {
		return drainPlan{}, invalid("batchSize", "%d is out of range: use 1..%d (default %d)", req.BatchSize, MaxDrainBatch, DefaultDrainBatch)
	}
	if req.Community != "" {
		if err := checkID("community", req.Community); err != nil {
			return drainPlan{}, err
		}
	}
	if req.StaleAsOfMs < 0 {
		return drainPlan{}, invalid("staleAsOfMs", "%d is not a Unix time in milliseconds", req.StaleAsOfMs)
	}
	// A member's age is asOf - (score - TTL); it is drained once that age
	// reaches olderThan, i.e. score <= asOf - olderThan + TTL. asOf is now
	// unless the caller names an earlier instant (a verify), never later.
	now := s.nowMs()
	if req.StaleAsOfMs == 0 || req.StaleAsOfMs > now {
		req.StaleAsOfMs = now
	}
	cutoff := req.StaleAsOfMs - ms(older) + ms(s.opts.ReservationTTL)
	return drainPlan{DrainRequest: req, olderThan: older, cutoff: cutoff, hashEdge: now - ms(hashWindow),
		ownMonth: ownMonthAt(time.UnixMilli(now))}, nil
}

// Drain claims stale reservations in bounded batches (each batch one Lua call
// over at most BatchSize members), in every month's expiry set of the chosen
// communities, and in reconcile mode then recomputes reserved from the live
// reservations. A dry run reads the same batches and changes nothing.
// Draining every community finds them with one walk of the keyspace
// (DiscoverKeys); DrainWith takes an index instead; a named community's keys
// are looked up by name.
func (s *Store) Drain(ctx context.Context, req DrainRequest) (DrainResult, error) {
	return s.drain(ctx, req, nil)
}

// DrainWith is Drain over the communities of idx (the admin server's
// background index) instead of a keyspace walk, when req names no community.
func (s *Store) DrainWith(ctx context.Context, req DrainRequest, idx KeyIndex) (DrainResult, error) {
	return s.drain(ctx, req, &idx)
}

func (s *Store) drain(ctx context.Context, req DrainRequest, idx *KeyIndex) (DrainResult, error) {
	p, err := s.planDrain(req)
	if err != nil {
		return DrainResult{}, err
	}
	start := time.Now()
	targets, stale, err := s.drainTargets(ctx, p, idx)
	if err != nil {
		return DrainResult{}, err
	}
	res := DrainResult{DryRun: p.DryRun, Mode: p.Mode, OlderThan: p.OlderThan, StaleAsOfMs: p.StaleAsOfMs, Communities: []CommunityDrain{}}
	for _, t := range targets {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		count, counted := stale[t]
		if !counted {
			count = staleUnknown
		}
		cd := s.drainOne(ctx, p, t, count, &res)
		res.Communities = append(res.Communities, cd)
		res.Claimed += cd.Claimed
		res.ReclaimedCents += cd.ReclaimedCents
		res.Orphans += cd.Orphans
		res.ReconcileDeltaCents += cd.ReconcileDeltaCents
	}
	res.DurationMs = msSince(start)
	return res, nil
}

// drainTargets lists the community/months to drain: every expiry set (all
// months), plus in reconcile mode the current month's reserved counters, so a
// counter whose expiry set is already gone can still be brought back to zero.
// A named community's sets are looked up by name, with how many of each set's
// members are at or below the cutoff (stale), in one round trip.
func (s *Store) drainTargets(ctx context.Context, p drainPlan, given *KeyIndex) ([]monthKey, map[monthKey]int64, error) {
	var idx KeyIndex
	var err error
	switch {
	case p.Community != "":
		idx, err = s.lookupCommunity(ctx, p.Community, &p.cutoff)
	case given != nil:
		idx = *given
	default:
		idx, err = s.DiscoverKeys(ctx) // one walk for both kinds of key
	}
	if err != nil {
		return nil, nil, err
	}
	targets := idx.expiry
	if p.Mode != DrainReconcile {
		return targets, idx.stale, nil
	}
	month := Month(s.now())
	var current []monthKey
	for _, k := range idx.reserved {
		if k.month == month {
			current = append(current, k)
		}
	}
	return mergeMonthKeys(targets, current), idx.stale, nil
}

// drainOne drains one community/month; a Redis failure is kept in Error so
// the other communities still drain. The reserved counter before and after
// comes with the batches' replies (see drain_batch.lua), not extra GETs.
// stale is how many of its members the lookup found at or below the cutoff,
// or staleUnknown.
func (s *Store) drainOne(ctx context.Context, p drainPlan, t monthKey, stale int64, res *DrainResult) CommunityDrain {
	cd := CommunityDrain{Community: t.community, Month: t.month}
	after, err := s.reapBatches(ctx, p, t, stale, &cd, res)
	if err != nil {
		cd.Error = err.Error()
		return cd
	}
	expected := max(0, cd.ReservedBeforeCents-cd.ReclaimedCents)
	if p.Mode == DrainReconcile {
		if err := s.reconcileOne(ctx, p, t, &cd, res, expected); err != nil {
			cd.Error = err.Error()
		}
		if cd.Reconciled {
			return cd
		}
	}
	if p.DryRun {
		cd.ReservedAfterCents = expected
		return cd
	}
	cd.ReservedAfterCents = after
	return cd
}

// counterValue reads a counter as a script returned it: nil (missing) is 0.
func counterValue(key string, v any) (int64, error) {
	if v == nil {
		return 0, nil
	}
	raw := asString(v)
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s holds %q, not an integer", key, raw)
	}
	return n, nil
}

// reconcileOne sets reserved to the sum of the live estimates in one call.
func (s *Store) reconcileOne(ctx context.Context, p drainPlan, t monthKey, cd *CommunityDrain, res *DrainResult, expected int64) error {
	keys := []string{ReservedKey(t.community, t.month), ExpiryKey(t.community, t.month)}
	dry := "0"
	if p.DryRun {
		dry = "1"
	}
	bound := p.BatchSize * reconcileFactor
	start := time.Now()
	vals, err := s.runDrainScript(ctx, p.DryRun, s.scripts.reconcile, s.scripts.reconcileOnce, keys,
		p.cutoff, bound, ReservationKeyPrefix(t.community), dry, ms(counterTTL), ms(s.opts.ReservationTTL)).Slice()
	recordBatch(res, time.Since(start))
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	if len(vals) != 4 {
		return fmt.Errorf("reconcile: unexpected reply %v", vals)
	}
	if asString(vals[0]) == "TOO_MANY" {
		return fmt.Errorf("reconcile refused: %d live reservations exceed the bound of %d (batchSize %d x %d); "+
			"reserved was left as is; this only happens under abnormal load: retry later or with a larger batchSize",
			asInt(vals[1]), bound, p.BatchSize, reconcileFactor)
	}
	before, sum := asInt(vals[2]), asInt(vals[3])
	if p.DryRun {
		before = expected
	}
	cd.Reconciled = true
	cd.ReconcileDeltaCents = sum - before
	cd.ReservedAfterCents = sum
	return nil
}

// runDrainScript runs a live batch once per call (a re-send after a timeout
// answers the first run's counts instead of draining again) and a dry run,
// which writes nothing, plainly.
func (s *Store) runDrainScript(ctx context.Context, dry bool, plain *plainScript, once *OnceScript,
	keys []string, args ...any) *redis.Cmd {
	if dry {
		return plain.Run(ctx, s.rdb, keys, args...)
	}
	return RunOnce(ctx, s.rdb, once, keys, args...)
}

func recordBatch(res *DrainResult, took time.Duration) {
	res.Batches++
	res.LongestBatchMs = max(res.LongestBatchMs, float64(took.Microseconds())/1000)
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }
