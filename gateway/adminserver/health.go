package adminserver

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"gatewayops/gateway"
)

// readyTimeout bounds the readiness PING: a load balancer's check must not
// hang on a stalled Redis.
const readyTimeout = 2 * time.Second

// health serves /healthz and /readyz: no key, no data (readiness says ok or
// not ok, never why: the reason is in the server log), limited per address
// like any key-less traffic, and never audited.
func (s *Server) health(ready bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := newRequestID()
		w.Header().Set(gateway.HeaderRequestID, id)
		w.Header().Set("Cache-Control", "no-store")
		if ok, wait := s.limit.allow(unauthBucket(r)); !ok {
			secs := int(wait / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeBody(w, http.StatusTooManyRequests, errorBody(errorf(http.StatusTooManyRequests, gateway.CodeRateLimited,
				fmt.Sprintf("rate limit exceeded for this address; retry after %d seconds", secs)), id))
			return
		}
		if ready {
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			defer cancel()
			if err := s.cfg.Redis.Ping(ctx).Err(); err != nil {
				s.log.Warn("not ready: the gateway's Redis does not answer", "requestId", id, "error", err)
				writeBody(w, http.StatusServiceUnavailable, errorBody(errorf(http.StatusServiceUnavailable,
					gateway.CodeNotReady, "not ready"), id))
				return
			}
		}
		writeBody(w, http.StatusOK, encodeJSON(gateway.Health{Status: "ok"}))
	}
}
