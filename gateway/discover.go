package gateway

import (
	"context"
	"fmt"
	"sort"
)

// maxMonthKeys bounds how many {community}:{month} keys one discovery reads;
// it keeps memory bounded on a Redis with runaway key counts.
const maxMonthKeys = 100000

// monthKey names one community and month.
type monthKey struct{ community, month string }

// scanMonthKeys finds keys "{prefix}{community}:{month}" by SCAN MATCH ...
// COUNT scanCount (never KEYS). community "" means every community. The result is
// sorted by community, then month; truncated says max was reached.
func (s *Store) scanMonthKeys(ctx context.Context, prefix, community string, max int) ([]monthKey, bool, error) {
	pattern := prefix + "*"
	if community != "" {
		pattern = prefix + community + ":*"
	}
	seen := map[monthKey]bool{}
	truncated := false
	iter := s.rdb.Scan(ctx, 0, pattern, scanCount).Iterator()
	for iter.Next(ctx) {
		c, m, err := parseMonthKey(iter.Val(), prefix)
		if err != nil || (community != "" && c != community) {
			continue // not a key of this schema, or another community sharing the prefix
		}
		if len(seen) >= max {
			truncated = true
			break
		}
		seen[monthKey{c, m}] = true
	}
	if err := iter.Err(); err != nil {
		return nil, false, fmt.Errorf("scan %s: %w", pattern, err)
	}
	out := make([]monthKey, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sortMonthKeys(out)
	return out, truncated, nil
}

func sortMonthKeys(keys []monthKey) {
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].community != keys[j].community {
			return keys[i].community < keys[j].community
		}
		return keys[i].month < keys[j].month
	})
}

// mergeMonthKeys unions two sorted key lists.
func mergeMonthKeys(a, b []monthKey) []monthKey {
	seen := map[monthKey]bool{}
	var out []monthKey
	for _, k := range append(append([]monthKey{}, a...), b...) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sortMonthKeys(out)
	return out
}
