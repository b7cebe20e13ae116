package gateway

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Store is the gateway's Redis data model: the gateway-equivalent budget and
// breaker operations (our own Lua with the gateway's semantics) and the admin
// operations the admin server exposes. It holds no mutable state of its own;
// everything lives in Redis.
type Store struct {
	rdb     redis.UniversalClient
	opts    StoreOptions
	scripts scripts
	reads   readScripts
}

// StoreOptions tunes a Store; zero values take the gateway's defaults.
type StoreOptions struct {
	Now               func() time.Time // default time.Now
	ReservationTTL    time.Duration    // default 5m (hash lives TTL+60s, as the gateway does)
	BreakerWindow     time.Duration    // default 30s
	BreakerThreshold  int              // default 3
	BreakerResetAfter time.Duration    // default 60s
	// FlagDefaults are the values when the runtime store has none; default all false.
	FlagDefaults map[string]bool
	// EnforcementDefault is the mode when the runtime store has none; default "reject".
	EnforcementDefault string
	// DrainBatchBudget is the server time one drain batch works before it
	// returns (default 800 µs: the longest command a drain sends stays
	// under 1.5 ms). Tests that count batches set it high.
	DrainBatchBudget time.Duration
}

// NewStore returns a Store over rdb, filling unset options with the gateway's defaults.
func NewStore(rdb redis.UniversalClient, opts StoreOptions) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ReservationTTL <= 0 {
		opts.ReservationTTL = DefaultReservationTTL
	}
	if opts.BreakerWindow <= 0 {
		opts.BreakerWindow = 30 * time.Second
	}
	if opts.BreakerThreshold <= 0 {
		opts.BreakerThreshold = 3
	}
	if opts.BreakerResetAfter <= 0 {
		opts.BreakerResetAfter = 60 * time.Second
	}
	flags := make(map[string]bool, len(FlagNames()))
	for _, name := range FlagNames() {
		flags[name] = opts.FlagDefaults[name]
	}
	opts.FlagDefaults = flags
	if opts.EnforcementDefault != EnforcementWarn {
		opts.EnforcementDefault = EnforcementReject
	}
	return &Store{rdb: rdb, opts: opts, scripts: loadScripts(), reads: loadReadScripts()}
}

// ValidationError is bad input to a Store or Inspector operation; nothing was
// changed. The admin server maps it to HTTP 400.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrUnknownBreaker means no breaker of that name exists (admin API: 404).
var ErrUnknownBreaker = errors.New("unknown breaker")

// ErrBreakerNotResettable means the breaker exists but lives in process
// memory, out of reach of any API (admin API: 409).
var ErrBreakerNotResettable = errors.New("breaker is not resettable")

// idPattern is what community and user ids may look like: no colon (it
// separates key parts), no glob characters (ids end up in SCAN patterns), no
// spaces.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,128}$`)

func checkID(field, value string) error {
	if value == "" {
		return invalid(field, "is required")
	}
	if !idPattern.MatchString(value) {
		return invalid(field, "%q is not a valid id: use 1-128 of A-Z a-z 0-9 _ . @ - (no colon, spaces or glob characters)", value)
	}
	return nil
}

func checkIdemKey(value string) error {
	if value == "" {
		return invalid("idempotencyKey", "is required")
	}
	if len(value) > 128 {
		return invalid("idempotencyKey", "is %d characters long; the gateway allows at most 128", len(value))
	}
	if strings.ContainsAny(value, " \t\r\n") {
		return invalid("idempotencyKey", "must not contain whitespace")
	}
	return nil
}

func checkMonth(month string) error {
	if _, err := time.Parse("2006-01", month); err != nil || len(month) != 7 {
		return invalid("month", "%q is not a UTC month: use YYYY-MM, e.g. 2026-03", month)
	}
	return nil
}

func (s *Store) now() time.Time { return s.opts.Now() }

func (s *Store) nowMs() int64 { return s.now().UnixMilli() }

func ms(d time.Duration) int64 { return d.Milliseconds() }

// Ping measures one PING round trip of the gateway's Redis.
func (s *Store) Ping(ctx context.Context) RedisHealth {
	start := time.Now()
	err := s.rdb.Ping(ctx).Err()
	lat := float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		return RedisHealth{OK: false, LatencyMs: lat, Error: err.Error()}
	}
	return RedisHealth{OK: true, LatencyMs: lat}
}

func (s *Store) drainBudget() time.Duration {
	if s.opts.DrainBatchBudget > 0 {
		return s.opts.DrainBatchBudget
	}
	return defaultDrainBatchBudget
}

// defaultDrainBatchBudget: see StoreOptions.DrainBatchBudget.
const defaultDrainBatchBudget = 800 * time.Microsecond

// Now is the Store's clock (StoreOptions.Now), for callers that write
// through the key schema on the same timeline, like the simulator.
func (s *Store) Now() time.Time { return s.now() }

// ReservationTTL is the reservation lifetime the Store applies.
func (s *Store) ReservationTTL() time.Duration { return s.opts.ReservationTTL }

// Redis is the client the Store talks to.
func (s *Store) Redis() redis.UniversalClient { return s.rdb }
