package adminserver

import (
	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
)

// noRetryClient returns a client over rdb's options (same address,
// credentials, TLS, dialer) whose commands are never retried. go-redis
// retries a command after a timeout or a broken connection on a new one; for
// the rate limiter's GCRA script that counts one request twice, so a caller
// inside the limit is refused. With no retry an unknown outcome is an error,
// and keyLimit falls back to the in-process bucket. The second bool is false
// for a client kind without options to copy: rdb itself is used then.
func noRetryClient(rdb redis.UniversalClient) (redis.UniversalClient, bool) {
	switch c := rdb.(type) {
	case *redis.Client:
		opt := gateway.OwnClientOptions(c)
		opt.MaxRetries = -1 // -1: none; 0 would mean go-redis's default of 3
		return redis.NewClient(&opt), true
	case *redis.ClusterClient:
		opt := *c.Options()
		opt.MaxRetries = -1
		opt.MaintNotificationsConfig = gateway.NoMaintNotifications() // as OwnClientOptions says
		return redis.NewClusterClient(&opt), true
	}
	return rdb, false
}
