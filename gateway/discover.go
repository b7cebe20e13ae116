package gateway

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// maxMonthKeys bounds how many {community}:{month} keys one discovery reads;
// it keeps memory bounded on a Redis with runaway key counts.
const maxMonthKeys = 100000

// budgetKeysPattern matches both agent:budget:expiry:* and
// agent:budget:reserved:* (and not agent:budget:reservation:*, whose 7th
// letter after the prefix is "a"), so ONE keyspace walk finds the expiry
// sets and the reserved counters. A glob has no alternation; the brackets
// take the two names letter by letter, and parseMonthKey rejects anything
// else the pattern lets through.
const budgetKeysPattern = budgetPrefix + "[er][xe][ps][ie]r[yv][:e]*"

// knownMonths is how many months back a named community's expiry sets are
// looked up by name (EXISTS), without a keyspace walk: the gateway keeps an
// expiry set 35 days after its last reserve, so two would do; twelve also
// find sets someone made persistent.
const knownMonths = 12

// monthKey names one community and month.
type monthKey struct{ community, month string }

// KeyIndex is what one discovery found: every expiry set (any month) and
// every reserved counter, by community and month. Finding them takes a walk
// of the whole keyspace (SCAN), the one cost that grows with the number of
// reservations, so the admin server discovers in the background and status
// reads counts through the last index (O(communities)); At says how old it is.
type KeyIndex struct {
	At        time.Time
	Truncated bool // more keys matched than maxMonthKeys
	expiry    []monthKey
	reserved  []monthKey
	// stale counts each expiry set's members at or below a drain's cutoff,
	// when the lookup was asked to (lookupCommunity); nil otherwise.
	stale map[monthKey]int64
}

// Communities lists the communities of the index, sorted.
func (k KeyIndex) Communities() []string {
	seen := map[string]bool{}
	var out []string
	for _, ks := range [][]monthKey{k.expiry, k.reserved} {
		for _, mk := range ks {
			if !seen[mk.community] {
				seen[mk.community] = true
				out = append(out, mk.community)
			}
		}
	}
	sort.Strings(out)
	return out
}

// DiscoverKeys walks the keyspace once and indexes the expiry sets and
// reserved counters of every community.
func (s *Store) DiscoverKeys(ctx context.Context) (KeyIndex, error) {
	idx := KeyIndex{At: s.now()}
	seen := map[string]bool{}
	sc := newAdaptiveScan(budgetKeysPattern)
	for !sc.done() {
		keys, err := sc.next(ctx, s.rdb)
		if err != nil {
			return KeyIndex{}, err
		}
		for _, key := range keys {
			if seen[key] {
				continue // SCAN may return a key twice
			}
			if len(seen) >= maxMonthKeys {
				idx.Truncated = true
				break
			}
			seen[key] = true
			if c, m, err := parseMonthKey(key, expiryPrefix); err == nil && checkID("community", c) == nil {
				idx.expiry = append(idx.expiry, monthKey{c, m})
			} else if c, m, err := parseMonthKey(key, reservedPrefix); err == nil && checkID("community", c) == nil {
				idx.reserved = append(idx.reserved, monthKey{c, m})
			}
		}
		if idx.Truncated {
			break
		}
	}
	sortMonthKeys(idx.expiry)
	sortMonthKeys(idx.reserved)
	return idx, nil
}

// CommunityKeys indexes one community's keys by name, without a keyspace
// walk: the expiry sets of the current and the knownMonths-1 previous months
// that exist, and the current month's reserved counter if it exists.
func (s *Store) CommunityKeys(ctx context.Context, community string) (KeyIndex, error) {
	return s.lookupCommunity(ctx, community, nil)
}

// lookupCommunity is CommunityKeys; with a cutoff it also counts each expiry
// set's members scored at or below it (ZCOUNT) in the same round trip, so a
// drain knows before its first batch whether a second one is wanted.
func (s *Store) lookupCommunity(ctx context.Context, community string, cutoff *int64) (KeyIndex, error) {
	if err := checkID("community", community); err != nil {
		return KeyIndex{}, err
	}
	now := s.now()
	months := make([]string, knownMonths)
	first := time.Date(now.UTC().Year(), now.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	for i := range months {
		months[i] = Month(first.AddDate(0, -i, 0))
	}
	pipe := s.rdb.Pipeline()
	exists := make([]*redis.IntCmd, len(months))
	counts := make([]*redis.IntCmd, len(months))
	for i, m := range months {
		exists[i] = pipe.Exists(ctx, ExpiryKey(community, m))
		if cutoff != nil {
			counts[i] = pipe.ZCount(ctx, ExpiryKey(community, m), "-inf", strconv.FormatInt(*cutoff, 10))
		}
	}
	reserved := pipe.Exists(ctx, ReservedKey(community, months[0]))
	if _, err := pipe.Exec(ctx); err != nil {
		return KeyIndex{}, fmt.Errorf("look up the keys of %s: %w", community, err)
	}
	idx := KeyIndex{At: now}
	if cutoff != nil {
		idx.stale = map[monthKey]int64{}
	}
	for i, m := range months {
		if exists[i].Val() != 1 {
			continue
		}
		k := monthKey{community, m}
		idx.expiry = append(idx.expiry, k)
		if cutoff != nil {
			idx.stale[k] = counts[i].Val()
		}
	}
	if reserved.Val() == 1 {
		idx.reserved = []monthKey{{community, months[0]}}
	}
	sortMonthKeys(idx.expiry)
	return idx, nil
}

// keysFor is the index a read of community ("" = every community) needs:
// by name for one community, else one discovery walk.
func (s *Store) keysFor(ctx context.Context, community string) (KeyIndex, error) {
	if community != "" {
		return s.CommunityKeys(ctx, community)
	}
	return s.DiscoverKeys(ctx)
}

// scanMonthKeys finds keys "{prefix}{community}:{month}". Expiry sets and
// reserved counters come from keysFor (by name for one community, else one
// walk for both); any other prefix is walked with its own pattern. The
// result is sorted by community, then month; truncated says max was reached.
func (s *Store) scanMonthKeys(ctx context.Context, prefix, community string, max int) ([]monthKey, bool, error) {
	if prefix == expiryPrefix || prefix == reservedPrefix {
		idx, err := s.keysFor(ctx, community)
		if err != nil {
			return nil, false, err
		}
		if prefix == reservedPrefix {
			return idx.reserved, idx.Truncated, nil
		}
		return idx.expiry, idx.Truncated, nil
	}
	pattern := prefix + "*"
	if community != "" {
		pattern = prefix + community + ":*"
	}
	seen := map[monthKey]bool{}
	truncated := false
	for sc := newAdaptiveScan(pattern); !sc.done() && !truncated; {
		keys, err := sc.next(ctx, s.rdb)
		if err != nil {
			return nil, false, err
		}
		for _, key := range keys {
			c, m, err := parseMonthKey(key, prefix)
			if err != nil || (community != "" && c != community) {
				continue // not a key of this schema, or another community sharing the prefix
			}
			if len(seen) >= max {
				truncated = true
				break
			}
			seen[monthKey{c, m}] = true
		}
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
