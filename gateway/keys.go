package gateway

import (
	"fmt"
	"strings"
	"time"
)

// Key schema of the gateway's budget reservations (gateway-domain.md 4.2),
// breakers (3.3) and the runtime flag store that gatewayops defines (7).
// Every function here builds exactly one key name; callers never format keys
// themselves, so the schema lives in one place.

const (
	budgetPrefix       = "agent:budget:"
	expiryPrefix       = budgetPrefix + "expiry:"
	reservedPrefix     = budgetPrefix + "reserved:"
	committedPrefix    = budgetPrefix + "committed:"
	limitPrefix        = budgetPrefix + "limit:"
	reservationPrefix  = budgetPrefix + "reservation:"
	finalizedPrefix    = budgetPrefix + "finalized:"
	circuitPrefix      = "circuit:"
	circuitFailuresSfx = ":failures"

	// RuntimeFlagsKey is the HASH of runtime flags: fields agent_enabled,
	// ensemble_enabled, byok_enabled with values "true" or "false". The real
	// gateway reads env vars only; this key is the contract it should read.
	RuntimeFlagsKey = "agent:runtime:flags"
	// RuntimeEnforcementKey is the STRING holding the pool-claim enforcement
	// mode, "warn" or "reject".
	RuntimeEnforcementKey = "agent:runtime:pool_claim_enforcement"
)

// Gateway constants (gateway-domain.md Appendix A).
const (
	DefaultReservationTTL = 5 * time.Minute
	// hashGrace is how long a reservation hash outlives its reservation TTL.
	hashGrace = 60 * time.Second
	// counterTTL is the 35-day PEXPIRE the gateway puts on monthly counters.
	counterTTL = 35 * 24 * time.Hour
	// finalizedMarkerTTL is how long the finalized marker blocks re-finalizing.
	finalizedMarkerTTL = 24 * time.Hour
	// warningRatio is BUDGET_WARNING_THRESHOLD.
	warningRatio = 0.80
)

// Month is the UTC YYYY-MM month the gateway keys its counters by.
func Month(t time.Time) string { return t.UTC().Format("2006-01") }

// CommittedKey is agent:budget:committed:{community}:{month}.
func CommittedKey(community, month string) string {
	return committedPrefix + community + ":" + month
}

// ReservedKey is agent:budget:reserved:{community}:{month}.
func ReservedKey(community, month string) string {
	return reservedPrefix + community + ":" + month
}

// LimitKey is agent:budget:limit:{community}.
func LimitKey(community string) string { return limitPrefix + community }

// ReservationKey is the reservation HASH agent:budget:reservation:{community}:{user}:{idempotencyKey}.
func ReservationKey(community, user, idemKey string) string {
	return ReservationKeyPrefix(community) + ExpiryMember(user, idemKey)
}

// ReservationKeyPrefix is the prefix that an expiry member completes into a
// reservation hash key (the gateway's reaper builds keys the same way).
func ReservationKeyPrefix(community string) string {
	return reservationPrefix + community + ":"
}

// ExpiryKey is the ZSET agent:budget:expiry:{community}:{month}.
func ExpiryKey(community, month string) string {
	return expiryPrefix + community + ":" + month
}

// ExpiryMember is the expiry ZSET member "{user}:{idempotencyKey}".
func ExpiryMember(user, idemKey string) string { return user + ":" + idemKey }

// FinalizedKey is the marker agent:budget:finalized:{community}:{user}:{idempotencyKey}.
func FinalizedKey(community, user, idemKey string) string {
	return finalizedPrefix + community + ":" + user + ":" + idemKey
}

// BreakerKey is the breaker HASH circuit:{component}.
func BreakerKey(component string) string { return circuitPrefix + component }

// BreakerFailuresKey is the failure ZSET circuit:{component}:failures.
func BreakerFailuresKey(component string) string {
	return circuitPrefix + component + circuitFailuresSfx
}

// parseMonthKey splits "{prefix}{community}:{month}" into its parts. The
// community is everything between the prefix and the last colon, and the
// month must look like YYYY-MM, so unrelated keys under the prefix are
// rejected rather than misread.
func parseMonthKey(key, prefix string) (community, month string, err error) {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return "", "", fmt.Errorf("key %q does not start with %q", key, prefix)
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 {
		return "", "", fmt.Errorf("key %q has no {community}:{month} suffix", key)
	}
	community, month = rest[:i], rest[i+1:]
	if _, perr := time.Parse("2006-01", month); perr != nil || len(month) != 7 {
		return "", "", fmt.Errorf("key %q: %q is not a YYYY-MM month", key, month)
	}
	return community, month, nil
}

// splitMember splits an expiry member "{user}:{idempotencyKey}" at its first
// colon (user ids carry no colon; idempotency keys may).
func splitMember(member string) (user, idemKey string) {
	user, idemKey, _ = strings.Cut(member, ":")
	return user, idemKey
}
