package gateway

import (
	"context"
	"sort"
	"strings"
)

// BreakerNames walks circuit:* once (TYPE hash, adaptive COUNT) and returns
// the components that have a breaker hash, kms always included. Like
// DiscoverKeys it costs a walk of the whole keyspace, so the admin server
// does it in the background and status reads the breakers by name
// (BreakersNamed).
func (s *Store) BreakerNames(ctx context.Context) ([]string, error) {
	names := map[string]bool{KMSBreaker: true}
	for sc := newAdaptiveScan(circuitPrefix + "*"); !sc.done() && len(names) < maxBreakers; {
		keys, err := sc.next(ctx, s.rdb)
		if err != nil {
			return nil, err
		}
		for _, key := range keys {
			name := strings.TrimPrefix(key, circuitPrefix)
			if strings.HasSuffix(key, circuitFailuresSfx) || checkComponent(name) != nil {
				continue
			}
			names[name] = true
		}
	}
	out := make([]string, 0, len(names))
	for n := range names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// BreakersNamed reads the named breakers (kms always) by name, without a
// keyspace walk, and adds the in-process loa-finn breaker.
func (s *Store) BreakersNamed(ctx context.Context, names []string) ([]Breaker, error) {
	seen := map[string]bool{KMSBreaker: true}
	sorted := []string{KMSBreaker}
	for _, n := range names {
		if !seen[n] && checkComponent(n) == nil {
			seen[n] = true
			sorted = append(sorted, n)
		}
	}
	sort.Strings(sorted)
	out := make([]Breaker, 0, len(sorted)+1)
	for _, n := range sorted {
		b, err := s.readBreaker(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return append(out, loaFinn()), nil
}
