package gateway

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Budget reads the budget counters of one community (or every community with
// a limit or a counter in that month when community is "") for month
// (YYYY-MM; "" is the current UTC month), at most max communities (0 means 100).
func (s *Store) Budget(ctx context.Context, community, month string, max int) (BudgetList, error) {
	limit, err := checkMax("max", max, DefaultMaxCommunities, MaxCommunities)
	if err != nil {
		return BudgetList{}, err
	}
	if month == "" {
		month = Month(s.now())
	} else if err := checkMonth(month); err != nil {
		return BudgetList{}, err
	}
	communities := []string{community}
	truncated := false
	if community == "" {
		if communities, truncated, err = s.budgetCommunities(ctx, month, limit); err != nil {
			return BudgetList{}, err
		}
	} else if err := checkID("community", community); err != nil {
		return BudgetList{}, err
	}
	out := BudgetList{Month: month, Communities: []BudgetCounters{}, Truncated: truncated}
	pipe := s.rdb.Pipeline()
	type reads struct{ committed, reserved, limit *redis.StringCmd }
	cmds := make([]reads, len(communities))
	for i, c := range communities {
		cmds[i] = reads{pipe.Get(ctx, CommittedKey(c, month)), pipe.Get(ctx, ReservedKey(c, month)), pipe.Get(ctx, LimitKey(c))}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return BudgetList{}, fmt.Errorf("read budget: %w", err)
	}
	for i, c := range communities {
		out.Communities = append(out.Communities,
			budgetCounters(c, month, intOf(cmds[i].committed), intOf(cmds[i].reserved), intOf(cmds[i].limit)))
	}
	return out, nil
}

// budgetCounters applies the gateway's getBudgetStatus arithmetic.
func budgetCounters(community, month string, committed, reserved, limit int64) BudgetCounters {
	b := BudgetCounters{Community: community, Month: month, CommittedCents: committed, ReservedCents: reserved,
		LimitCents: limit, RemainingCents: max(0, limit-committed-reserved)}
	if limit > 0 {
		used := float64(committed+reserved) / float64(limit)
		b.PercentUsed = int(math.Round(used * 100))
		b.Warning = used >= warningRatio
	}
	return b
}

// budgetCommunities finds communities with a limit key or a counter of month.
func (s *Store) budgetCommunities(ctx context.Context, month string, limit int) ([]string, bool, error) {
	seen := map[string]bool{}
	for sc := newAdaptiveScan(limitPrefix + "*"); !sc.done() && len(seen) < maxMonthKeys; {
		keys, err := sc.next(ctx, s.rdb)
		if err != nil {
			return nil, false, fmt.Errorf("scan limits: %w", err)
		}
		for _, k := range keys {
			if c := strings.TrimPrefix(k, limitPrefix); checkID("community", c) == nil {
				seen[c] = true
			}
		}
	}
	for _, prefix := range []string{reservedPrefix, committedPrefix} {
		keys, _, err := s.scanMonthKeys(ctx, prefix, "", maxMonthKeys)
		if err != nil {
			return nil, false, err
		}
		for _, k := range keys {
			if k.month == month {
				seen[k.community] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}
