package gateway

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// BreakerStateUnknown is the state of a breaker that lives in another
// process's memory and cannot be read from here.
const BreakerStateUnknown = "unknown"

// Breaker stores.
const (
	BreakerStoreRedis   = "redis"
	BreakerStoreProcess = "process"
)

// KMSBreaker is the gateway's only fleet-wide Redis breaker (BYOK KMS);
// LoaFinnBreaker is the in-process opossum breaker around loa-finn invoke().
const (
	KMSBreaker     = "kms"
	LoaFinnBreaker = "loa-finn"
)

const loaFinnNote = "in-process breaker inside each gateway task: there is no remote handle. " +
	"Wait 30 s for it to go half-open on its own, or restart the tasks " +
	"(aws ecs update-service --force-new-deployment)."

// maxBreakers bounds how many circuit:* hashes one listing reads.
const maxBreakers = 1000

var componentPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

func checkComponent(component string) error {
	if !componentPattern.MatchString(component) {
		return invalid("component", "%q is not a breaker name: use 1-64 of A-Z a-z 0-9 _ . - (e.g. %q)", component, KMSBreaker)
	}
	return nil
}

// BreakerCheck is the gateway's pre-call check: closed allows, open denies
// until resetAfter has passed (then turns half-open and allows a probe).
func (s *Store) BreakerCheck(ctx context.Context, component string) (allowed bool, state string, err error) {
	allowed, state, err = s.breakerOp(ctx, "check", component)
	return allowed, state, err
}

// BreakerSuccess records a successful call: half-open closes.
func (s *Store) BreakerSuccess(ctx context.Context, component string) error {
	_, _, err := s.breakerOp(ctx, "success", component)
	return err
}

// BreakerFailure records a failed call and returns the resulting state.
func (s *Store) BreakerFailure(ctx context.Context, component string) (state string, err error) {
	_, state, err = s.breakerOp(ctx, "failure", component)
	return state, err
}

func (s *Store) breakerOp(ctx context.Context, op, component string) (bool, string, error) {
	if err := checkComponent(component); err != nil {
		return false, "", err
	}
	keys := []string{BreakerKey(component), BreakerFailuresKey(component)}
	vals, err := s.scripts.breaker.Run(ctx, s.rdb, keys, op, s.nowMs(),
		ms(s.opts.BreakerWindow), s.opts.BreakerThreshold, ms(s.opts.BreakerResetAfter)).Slice()
	if err != nil {
		return false, "", fmt.Errorf("breaker %s %s: %w", op, component, err)
	}
	if len(vals) != 2 {
		return false, "", fmt.Errorf("breaker %s %s: unexpected reply %v", op, component, vals)
	}
	return asInt(vals[0]) == 1, asString(vals[1]), nil
}

// Breakers lists every circuit:* breaker hash in Redis (found by SCAN), the
// kms breaker even when it has never tripped (a missing hash reads as
// closed), and the in-process loa-finn breaker that no API can reach.
func (s *Store) Breakers(ctx context.Context) ([]Breaker, error) {
	names := map[string]bool{KMSBreaker: true}
	iter := s.rdb.ScanType(ctx, 0, circuitPrefix+"*", 100, "hash").Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		if strings.HasSuffix(key, circuitFailuresSfx) {
			continue
		}
		names[strings.TrimPrefix(key, circuitPrefix)] = true
		if len(names) >= maxBreakers {
			break
		}
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("scan breakers: %w", err)
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
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

func loaFinn() Breaker {
	return Breaker{Component: LoaFinnBreaker, State: BreakerStateUnknown, Store: BreakerStoreProcess,
		Resettable: false, Note: loaFinnNote}
}

// Breaker reads one breaker. An unknown name (no circuit hash, not kms, not
// loa-finn) wraps ErrUnknownBreaker.
func (s *Store) Breaker(ctx context.Context, component string) (Breaker, error) {
	if err := checkComponent(component); err != nil {
		return Breaker{}, err
	}
	if component == LoaFinnBreaker {
		return loaFinn(), nil
	}
	if component != KMSBreaker {
		n, err := s.rdb.Exists(ctx, BreakerKey(component), BreakerFailuresKey(component)).Result()
		if err != nil {
			return Breaker{}, fmt.Errorf("read breaker %s: %w", component, err)
		}
		if n == 0 {
			return Breaker{}, fmt.Errorf("%w %q: known breakers are %q, %q and any circuit:{component} hash in Redis",
				ErrUnknownBreaker, component, KMSBreaker, LoaFinnBreaker)
		}
	}
	return s.readBreaker(ctx, component)
}

func (s *Store) readBreaker(ctx context.Context, component string) (Breaker, error) {
	now := s.nowMs()
	pipe := s.rdb.Pipeline()
	fields := pipe.HGetAll(ctx, BreakerKey(component))
	recent := pipe.ZCount(ctx, BreakerFailuresKey(component),
		"("+strconv.FormatInt(now-ms(s.opts.BreakerWindow), 10), "+inf")
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return Breaker{}, fmt.Errorf("read breaker %s: %w", component, err)
	}
	h := fields.Val()
	b := Breaker{Component: component, State: BreakerClosed, Store: BreakerStoreRedis, Resettable: true,
		RecentFailures: int(recent.Val())}
	if st := h["state"]; st != "" {
		b.State = st
	}
	if opened, err := strconv.ParseInt(h["openedAt"], 10, 64); err == nil && b.State != BreakerClosed {
		t := time.UnixMilli(opened).UTC()
		b.OpenedAt = &t
	}
	return b, nil
}

// ResetBreaker closes a Redis breaker, leaving exactly what the gateway's
// success path leaves from half-open: state closed, openedAt and the legacy
// failures field deleted, the failures zset deleted. loa-finn wraps
// ErrBreakerNotResettable; unknown names wrap ErrUnknownBreaker.
func (s *Store) ResetBreaker(ctx context.Context, component string) (BreakerReset, error) {
	before, err := s.Breaker(ctx, component)
	if err != nil {
		return BreakerReset{}, err
	}
	if !before.Resettable {
		return BreakerReset{}, fmt.Errorf("%w: %s: %s", ErrBreakerNotResettable, component, before.Note)
	}
	if _, _, err := s.breakerOp(ctx, "reset", component); err != nil {
		return BreakerReset{}, err
	}
	after, err := s.readBreaker(ctx, component)
	if err != nil {
		return BreakerReset{}, err
	}
	changed := before.State != after.State || before.RecentFailures != after.RecentFailures ||
		(before.OpenedAt != nil) != (after.OpenedAt != nil)
	return BreakerReset{Component: component, Before: before, After: after, Changed: changed}, nil
}
