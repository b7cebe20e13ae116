package drills

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/sim"
)

// LoaFinnTimeout is the gateway's loa-finn call timeout
// (LOA_FINN_TIMEOUT_MS, gateway-domain.md 3.2): a slower provider answer
// is never waited for.
const LoaFinnTimeout = 30 * time.Second

// providerTime is how long loa-finn's provider takes for one request of
// pool: OpenAI pools under a second, reasoning (Anthropic) a few seconds,
// and the drill's slow pool longer than the gateway waits.
func (r *Rig) providerTime(pool string) time.Duration {
	var slow string
	r.faults.with(func(f *faultState) { slow = f.slowPool })
	switch {
	case pool == slow:
		return 45 * time.Second
	case pool == "reasoning":
		return 4 * time.Second
	default:
		return 900 * time.Millisecond
	}
}

// providerRequest is one platform-key request: its latency is the
// provider's time, cut at LoaFinnTimeout. A timed-out request answers 500
// (the gateway turns the aborted call into INTERNAL_ERROR) and leaves its
// reservation behind, reserved through the real script and never
// finalized, as gateway-domain.md 3.2 describes.
func (r *Rig) providerRequest(ctx context.Context, now time.Time, feature, pool string) ([][]byte, error) {
	d, status := r.providerTime(pool), 200
	if d > LoaFinnTimeout {
		d, status = LoaFinnTimeout, 500
		r.probes++
		in := gateway.ReserveInput{Community: rigCommunity, User: "user-timeout", IdempotencyKey: "timeout-" + strconv.Itoa(r.probes), ModelAlias: pool, EstimateCents: 12}
		if _, err := r.Stack.Store.Reserve(ctx, in); err != nil {
			return nil, fmt.Errorf("reserve of a timed-out request: %w", err)
		}
	}
	return [][]byte{sim.RequestCompleteLine(now, feature, float64(d.Milliseconds()), status, rigCommunity, pool)}, nil
}

// slowProvider is the p99 fault: Anthropic slows down until escalated, so
// every reasoning request (one baseline request in six) times out.
func slowProvider(_ context.Context, r *Rig) error {
	r.faults.with(func(f *faultState) { f.slowPool = "reasoning" })
	return nil
}

// providerRecovers is Resolution A's escalation: the loa-finn owners get
// the provider back (the wait the runbook prescribes is the step).
func providerRecovers(_ context.Context, r *Rig) error {
	r.faults.with(func(f *faultState) { f.slowPool = "" })
	return nil
}
