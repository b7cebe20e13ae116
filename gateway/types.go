// Package gateway holds what gatewayops knows of the Arrakis agent gateway:
// the Gateway Admin API v1 contract (openapi.yaml and the Go types below),
// the typed HTTP client, the gateway's Redis data model (key schema and the
// semantics of its Lua scripts) and a read-only Redis inspector.
//
// Money is integer cents everywhere, as in the gateway's Lua scripts.
package gateway

import "time"

// APIPrefix is the path prefix of every Gateway Admin API v1 operation.
const APIPrefix = "/admin/gateway/v1"

// Header names of the admin API.
const (
	HeaderAPIKey         = "X-API-Key"
	HeaderOperator       = "X-Operator"
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderConfirmEnv     = "X-Confirm-Environment"
	HeaderRequestID      = "X-Request-Id"
	HeaderReplayed       = "Idempotent-Replayed"
)

// Breaker states as the gateway stores them in circuit:{component}.
const (
	BreakerClosed   = "closed"
	BreakerOpen     = "open"
	BreakerHalfOpen = "half-open"
)

// Drain modes.
const (
	DrainReap      = "reap"      // claim expired reservations, like the gateway's reaper
	DrainReconcile = "reconcile" // reap, then recompute reserved from live reservations
)

// Pool-claim enforcement modes.
const (
	EnforcementWarn   = "warn"
	EnforcementReject = "reject"
)

// FlagNames lists the flags the runtime flag store knows (a new slice each call).
func FlagNames() []string { return []string{"agent_enabled", "ensemble_enabled", "byok_enabled"} }

// ErrorBody is every non-2xx response body: {error, message, requestId}.
type ErrorBody struct {
	Error     string `json:"error"` // machine code, e.g. INVALID_REQUEST
	Message   string `json:"message"`
	RequestID string `json:"requestId"`
}

// Error codes of ErrorBody.Error.
const (
	CodeInvalidRequest     = "INVALID_REQUEST"
	CodeUnauthorized       = "UNAUTHORIZED"
	CodeForbidden          = "FORBIDDEN"
	CodeNotFound           = "NOT_FOUND"
	CodeRateLimited        = "RATE_LIMITED"
	CodeBodyTooLarge       = "BODY_TOO_LARGE"
	CodeConfirmRequired    = "ENVIRONMENT_CONFIRMATION_REQUIRED"
	CodeIdempotencyReuse   = "IDEMPOTENCY_KEY_REUSED"
	CodeIdempotencyPending = "IDEMPOTENCY_KEY_IN_PROGRESS"
	CodeConflict           = "CONFLICT"
	CodeRedisUnavailable   = "REDIS_UNAVAILABLE"
	CodeInternal           = "INTERNAL_ERROR"
	// CodeNotReady is GET /readyz while the gateway's Redis does not answer.
	CodeNotReady = "NOT_READY"
	// CodeMethodNotAllowed is a known path asked with a method it does not serve.
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	// CodeRedirect is a 3xx: the path is served at its clean form (Location).
	CodeRedirect = "REDIRECT"
	// CodeRequestTimeout is a request body that did not arrive in time (408).
	CodeRequestTimeout = "REQUEST_TIMEOUT"
	// CodeHeadersTooLarge is a request line and headers over the server's limit (431).
	CodeHeadersTooLarge = "HEADERS_TOO_LARGE"
)

// Status is GET /status.
type Status struct {
	Environment  string            `json:"environment"`
	Protected    bool              `json:"protected"`
	ServerTime   time.Time         `json:"serverTime"`
	Redis        RedisHealth       `json:"redis"`
	Breakers     []Breaker         `json:"breakers"`
	Flags        Flags             `json:"flags"`
	Enforcement  Enforcement       `json:"enforcement"`
	Reservations ReservationCounts `json:"reservations"`
}

// ReservationCounts is the reservation part of GET /status: counts read on
// every call at a cost of O(communities) Redis commands, never
// O(reservations). Members are classed by their expiry score alone (the
// hash is not read): live = expires in the future; expired = expired less
// than the hash's 60 s grace ago (its hash should still be there to
// reclaim); orphaned = expired longer ago (its hash has expired).
type ReservationCounts struct {
	Communities        int   `json:"communities"`
	Live               int   `json:"live"`
	Expired            int   `json:"expired"`
	Orphaned           int   `json:"orphaned"`
	PreviousMonth      int   `json:"previousMonth"`
	ReservedCents      int64 `json:"reservedCents"`
	OldestExpiredAgeMs int64 `json:"oldestExpiredAgeMs"`
	// KeysAsOf is when the communities were last discovered (a keyspace
	// walk, done in the background); a community newer than that is not
	// counted yet.
	KeysAsOf  time.Time `json:"keysAsOf"`
	Truncated bool      `json:"truncated"`
	// Summary holds the figures that read every reservation hash (live
	// estimates, drift), computed in the background and served with their
	// age; absent until the first background summary completes.
	Summary *BackgroundSummary `json:"summary,omitempty"`
}

// BackgroundSummary is the last reservation summary the admin server
// computed in the background.
type BackgroundSummary struct {
	AsOf       time.Time         `json:"asOf"`
	AgeMs      int64             `json:"ageMs"`
	DurationMs float64           `json:"durationMs"`
	Totals     ReservationTotals `json:"totals"`
	// Error is why the latest attempt failed (the totals are the last good ones).
	Error string `json:"error,omitempty"`
}

// RedisHealth is one PING of the gateway's Redis.
type RedisHealth struct {
	OK        bool    `json:"ok"`
	LatencyMs float64 `json:"latencyMs"`
	Error     string  `json:"error,omitempty"`
}

// Breaker is one circuit breaker.
type Breaker struct {
	Component string `json:"component"`
	// State is closed, open or half-open; a missing hash reads as closed.
	State string `json:"state"`
	// OpenedAt is set while open or half-open.
	OpenedAt *time.Time `json:"openedAt,omitempty"`
	// RecentFailures counts failures inside the breaker's window.
	RecentFailures int `json:"recentFailures"`
	// Store is "redis" for fleet-wide breakers kept in circuit:{component},
	// "process" for in-process breakers (loa-finn) that no API can reach.
	Store string `json:"store"`
	// Resettable says whether POST /breakers/{component}/reset can act on it.
	Resettable bool `json:"resettable"`
	// Note explains what to do instead when Resettable is false.
	Note string `json:"note,omitempty"`
}

// BreakerList is GET /breakers.
type BreakerList struct {
	Breakers []Breaker `json:"breakers"`
}

// BreakerReset is the result of POST /breakers/{component}/reset.
type BreakerReset struct {
	Component string  `json:"component"`
	Before    Breaker `json:"before"`
	After     Breaker `json:"after"`
	Changed   bool    `json:"changed"`
}

// ReservationTotals sums ReservationSummary over every community.
type ReservationTotals struct {
	Communities        int   `json:"communities"`
	Live               int   `json:"live"`
	Expired            int   `json:"expired"`
	Orphaned           int   `json:"orphaned"`
	PreviousMonth      int   `json:"previousMonth"`
	ReservedCents      int64 `json:"reservedCents"`
	LiveEstimateCents  int64 `json:"liveEstimateCents"`
	DriftCents         int64 `json:"driftCents"`
	OldestExpiredAgeMs int64 `json:"oldestExpiredAgeMs"`
}

// CommunityReservations is the reservation state of one community and month.
type CommunityReservations struct {
	Community string `json:"community"`
	Month     string `json:"month"` // UTC YYYY-MM
	// Live: expiry members not yet expired whose hash exists.
	Live int `json:"live"`
	// Expired: expired members whose hash still exists (claimable: reclaim).
	Expired int `json:"expired"`
	// Orphaned: expiry members whose hash has already expired (nothing to reclaim).
	Orphaned int `json:"orphaned"`
	// PreviousMonth: members left in earlier months' expiry sets.
	PreviousMonth int `json:"previousMonth"`
	// ReservedCents is agent:budget:reserved:{community}:{month}.
	ReservedCents int64 `json:"reservedCents"`
	// LiveEstimateCents sums estimated_cost over live reservations.
	LiveEstimateCents int64 `json:"liveEstimateCents"`
	// ExpiredEstimateCents sums estimated_cost over expired-but-claimable ones.
	ExpiredEstimateCents int64 `json:"expiredEstimateCents"`
	// DriftCents = ReservedCents - LiveEstimateCents - ExpiredEstimateCents:
	// cents held by reservations that no longer exist (leaked).
	DriftCents     int64 `json:"driftCents"`
	CommittedCents int64 `json:"committedCents"`
	LimitCents     int64 `json:"limitCents"`
	// OldestExpiredAgeMs is the age of the oldest expired member (0 if none).
	OldestExpiredAgeMs int64 `json:"oldestExpiredAgeMs"`
}

// ReservationSummary is GET /reservations/summary.
type ReservationSummary struct {
	Month       string                  `json:"month"`
	Communities []CommunityReservations `json:"communities"`
	Totals      ReservationTotals       `json:"totals"`
	// Truncated is true when more communities exist than were summarised.
	Truncated bool `json:"truncated"`
}

// Reservation is one reservation (expiry member plus its hash, if any).
type Reservation struct {
	Community      string    `json:"community"`
	Month          string    `json:"month"`
	User           string    `json:"user"`
	IdempotencyKey string    `json:"idempotencyKey"`
	Member         string    `json:"member"` // "{user}:{idempotencyKey}"
	ExpiresAt      time.Time `json:"expiresAt"`
	AgeMs          int64     `json:"ageMs"`
	// State is live, expired or orphaned.
	State         string `json:"state"`
	EstimateCents int64  `json:"estimateCents"`
	ModelAlias    string `json:"modelAlias,omitempty"`
}

// Reservation states.
const (
	ReservationLive     = "live"
	ReservationExpired  = "expired"
	ReservationOrphaned = "orphaned"
)

// ReservationPage is GET /reservations (cursor paged).
type ReservationPage struct {
	Items      []Reservation `json:"items"`
	NextCursor string        `json:"nextCursor,omitempty"`
}

// DrainRequest is the body of POST /reservations/drain.
type DrainRequest struct {
	DryRun bool `json:"dryRun"`
	// OlderThan is a Go duration ("5m"); it may not be below the reservation
	// TTL (5m), so in-flight reservations are never touched. Default "5m".
	OlderThan string `json:"olderThan,omitempty"`
	// Mode is reap (default) or reconcile.
	Mode string `json:"mode,omitempty"`
	// Community limits the drain to one community; empty means all.
	Community string `json:"community,omitempty"`
	// BatchSize bounds the members one Redis call may touch (1..1000, default 500).
	BatchSize int `json:"batchSize,omitempty"`
	// StaleAsOfMs judges staleness as of this Unix millisecond instead of
	// now (0: now; a later instant than now is taken as now, so nothing
	// in flight is ever selected). A verify dry run passes the drain's own
	// StaleAsOfMs, so it checks the members that drain was asked to take,
	// not the ones that have gone past olderThan since.
	StaleAsOfMs int64 `json:"staleAsOfMs,omitempty"`
}

// CommunityDrain is what a drain did (or would do) to one community and month.
type CommunityDrain struct {
	Community string `json:"community"`
	Month     string `json:"month"`
	// Claimed: expired reservations whose hash existed and were claimed.
	Claimed        int   `json:"claimed"`
	ReclaimedCents int64 `json:"reclaimedCents"`
	// Orphans: expiry members whose hash had already expired; removed, nothing reclaimed.
	Orphans int `json:"orphans"`
	// OrphanSample names up to 20 orphaned members.
	OrphanSample        []string `json:"orphanSample,omitempty"`
	ReservedBeforeCents int64    `json:"reservedBeforeCents"`
	ReservedAfterCents  int64    `json:"reservedAfterCents"`
	// Reconciled is true when reconcile mode recomputed reserved.
	Reconciled bool `json:"reconciled"`
	// ReconcileDeltaCents is how much reconcile changed reserved (negative: released).
	ReconcileDeltaCents int64 `json:"reconcileDeltaCents"`
	// Error is set when this community could not be drained; others continue.
	Error string `json:"error,omitempty"`
}

// DrainResult is the response of POST /reservations/drain.
type DrainResult struct {
	DryRun    bool   `json:"dryRun"`
	Mode      string `json:"mode"`
	OlderThan string `json:"olderThan"`
	// StaleAsOfMs is the instant (Unix ms, the server's clock) staleness was
	// judged at: a member older than OlderThan then was selected.
	StaleAsOfMs int64            `json:"staleAsOfMs"`
	Communities []CommunityDrain `json:"communities"`
	// Totals over Communities.
	Claimed             int   `json:"claimed"`
	ReclaimedCents      int64 `json:"reclaimedCents"`
	Orphans             int   `json:"orphans"`
	ReconcileDeltaCents int64 `json:"reconcileDeltaCents"`
	// Batches is the number of bounded Redis calls made; LongestBatchMs the
	// longest one ran: a drain batch on Redis's clock (what another client
	// may have waited for it), reconcile's call as the client timed it.
	Batches        int     `json:"batches"`
	LongestBatchMs float64 `json:"longestBatchMs"`
	DurationMs     float64 `json:"durationMs"`
}

// BudgetCounters is one community's budget counters for one month.
type BudgetCounters struct {
	Community      string `json:"community"`
	Month          string `json:"month"`
	CommittedCents int64  `json:"committedCents"`
	ReservedCents  int64  `json:"reservedCents"`
	LimitCents     int64  `json:"limitCents"`
	// RemainingCents = max(0, limit - committed - reserved).
	RemainingCents int64 `json:"remainingCents"`
	// PercentUsed = round((committed+reserved)/limit*100); 0 when limit is 0.
	PercentUsed int  `json:"percentUsed"`
	Warning     bool `json:"warning"` // >= 80% used
}

// BudgetList is GET /budget.
type BudgetList struct {
	Month       string           `json:"month"`
	Communities []BudgetCounters `json:"communities"`
	Truncated   bool             `json:"truncated"`
}

// Flags is the runtime flag store; Source says where each value came from.
type Flags struct {
	Values map[string]bool   `json:"values"`
	Source map[string]string `json:"source"` // "runtime" (set in Redis) or "default"
}

// FlagChange is the result of PUT /flags/{name}.
type FlagChange struct {
	Name    string `json:"name"`
	Before  bool   `json:"before"`
	After   bool   `json:"after"`
	Changed bool   `json:"changed"`
}

// FlagSetRequest is the body of PUT /flags/{name}.
type FlagSetRequest struct {
	Enabled *bool `json:"enabled"`
}

// Enforcement is the pool-claim enforcement mode.
type Enforcement struct {
	Mode   string `json:"mode"`   // warn or reject
	Source string `json:"source"` // "runtime" or "default"
}

// EnforcementSetRequest is the body of PUT /enforcement/pool-claims.
type EnforcementSetRequest struct {
	Mode string `json:"mode"`
}

// EnforcementChange is the result of PUT /enforcement/pool-claims.
type EnforcementChange struct {
	Before  string `json:"before"`
	After   string `json:"after"`
	Changed bool   `json:"changed"`
}

// AuditRecord is one audit entry; every write and every auth failure makes one.
type AuditRecord struct {
	ID             string    `json:"id"`
	At             time.Time `json:"at"`
	Action         string    `json:"action"` // e.g. breaker.reset, auth.failed
	Operator       string    `json:"operator,omitempty"`
	KeyName        string    `json:"keyName,omitempty"` // the API key's name, never the key
	Environment    string    `json:"environment"`
	RequestID      string    `json:"requestId"`
	IdempotencyKey string    `json:"idempotencyKey,omitempty"`
	Status         int       `json:"status"`
	Before         any       `json:"before,omitempty"`
	After          any       `json:"after,omitempty"`
	Detail         string    `json:"detail,omitempty"`
	// Source and Count are set on auth.failed records (GET /audit?kind=auth):
	// the client address and how many failed authentications it made in the
	// minute starting At.
	Source string `json:"source,omitempty"`
	Count  int    `json:"count,omitempty"`
	// DryRun and Replayed mark a write that changed nothing: a dry run, or
	// a repeat of an Idempotency-Key answered from the stored response.
	DryRun   bool `json:"dryRun,omitempty"`
	Replayed bool `json:"replayed,omitempty"`
}

// AuditList is GET /audit.
type AuditList struct {
	Records    []AuditRecord `json:"records"`
	NextCursor string        `json:"nextCursor,omitempty"`
}

// Health paths of the admin server, outside the API prefix: for load
// balancers and ECS, with no key and no data.
const (
	HealthzPath = "/healthz" // liveness: the process serves HTTP
	ReadyzPath  = "/readyz"  // readiness: the gateway's Redis answers PING
)

// Health is the body of a 200 from /healthz and /readyz: {"status":"ok"}.
type Health struct {
	Status string `json:"status"`
}
