package adminserver

import (
	"context"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

// keyLimitTimeout bounds the Redis round trip of the per-key limit.
const keyLimitTimeout = time.Second

// keyLimit applies the per-key limit. It lives in Redis (GCRA, redis_rate,
// key "rate:gatewayops:key:{name}"), so it holds across any number of
// replicas sharing the gateway's Redis. While Redis does not answer, each
// process falls back to its own in-process bucket for the key: the limit
// then holds per replica (N replicas allow N times the rate), and the
// operations themselves answer 503 REDIS_UNAVAILABLE anyway.
func (s *Server) keyLimit(ctx context.Context, name string) (bool, time.Duration) {
	if s.cfg.KeyLimitInProcess {
		return s.limit.allow("key:" + name)
	}
	ctx, cancel := context.WithTimeout(ctx, keyLimitTimeout)
	defer cancel()
	res, err := s.rate.Allow(ctx, "gatewayops:key:"+name, redis_rate.PerMinute(s.cfg.RateLimitPerMinute))
	if err != nil {
		return s.limit.allow("key:" + name)
	}
	if res.Allowed > 0 {
		return true, 0
	}
	return false, res.RetryAfter
}
