package gateway

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Flag value sources.
const (
	SourceRuntime = "runtime"
	SourceDefault = "default"
)

// setFlagSrc swaps one field of the flag hash and returns the old raw
// value, so before/after come from the same atomic step. It runs once per
// call (once.go): a re-send would answer the new value as the old one.
const setFlagSrc = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return old`

// setEnforcementSrc is SET ... GET, once per call for the same reason.
const setEnforcementSrc = `return redis.call('SET', KEYS[1], ARGV[1], 'GET')`

// parseBool accepts exactly "true"/"false", like the gateway's parseBoolEnv;
// anything else means "not set" and the default applies.
func parseBool(raw string) (value, ok bool) {
	switch raw {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// Flags reads the runtime flag store (HASH agent:runtime:flags).
func (s *Store) Flags(ctx context.Context) (Flags, error) {
	raw, err := s.rdb.HGetAll(ctx, RuntimeFlagsKey).Result()
	if err != nil {
		return Flags{}, fmt.Errorf("read flags: %w", err)
	}
	f := Flags{Values: map[string]bool{}, Source: map[string]string{}}
	for _, name := range FlagNames() {
		if v, ok := parseBool(raw[name]); ok {
			f.Values[name], f.Source[name] = v, SourceRuntime
			continue
		}
		f.Values[name], f.Source[name] = s.opts.FlagDefaults[name], SourceDefault
	}
	return f, nil
}

// SetFlag writes one flag to the runtime store.
func (s *Store) SetFlag(ctx context.Context, name string, enabled bool) (FlagChange, error) {
	if !slices.Contains(FlagNames(), name) {
		return FlagChange{}, invalid("name", "unknown flag %q: accepted flags are %s", name, strings.Join(FlagNames(), ", "))
	}
	old, err := RunOnce(ctx, s.rdb, s.scripts.setFlag, []string{RuntimeFlagsKey}, name, fmt.Sprint(enabled)).Text()
	if err != nil && !errors.Is(err, redis.Nil) {
		return FlagChange{}, fmt.Errorf("set flag %s: %w", name, err)
	}
	before, ok := parseBool(old)
	if !ok {
		before = s.opts.FlagDefaults[name]
	}
	return FlagChange{Name: name, Before: before, After: enabled, Changed: before != enabled}, nil
}

// Enforcement reads the pool-claim enforcement mode.
func (s *Store) Enforcement(ctx context.Context) (Enforcement, error) {
	raw, err := s.rdb.Get(ctx, RuntimeEnforcementKey).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return Enforcement{}, fmt.Errorf("read enforcement: %w", err)
	}
	if raw == EnforcementWarn || raw == EnforcementReject {
		return Enforcement{Mode: raw, Source: SourceRuntime}, nil
	}
	return Enforcement{Mode: s.opts.EnforcementDefault, Source: SourceDefault}, nil
}

// SetEnforcement writes the pool-claim enforcement mode (warn|reject).
func (s *Store) SetEnforcement(ctx context.Context, mode string) (EnforcementChange, error) {
	if mode != EnforcementWarn && mode != EnforcementReject {
		return EnforcementChange{}, invalid("mode", "unknown enforcement mode %q: accepted modes are %s, %s",
			mode, EnforcementWarn, EnforcementReject)
	}
	old, err := RunOnce(ctx, s.rdb, s.scripts.setEnforcement, []string{RuntimeEnforcementKey}, mode).Text()
	if err != nil && !errors.Is(err, redis.Nil) {
		return EnforcementChange{}, fmt.Errorf("set enforcement: %w", err)
	}
	if old != EnforcementWarn && old != EnforcementReject {
		old = s.opts.EnforcementDefault
	}
	return EnforcementChange{Before: old, After: mode, Changed: old != mode}, nil
}
