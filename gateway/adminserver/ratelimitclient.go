package adminserver

import (
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
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
		opt := *c.Options()
		opt.MaxRetries = -1 // -1: none; 0 would mean go-redis's default of 3
		// The original's push processor already holds its handlers; sharing
		// it makes go-redis log a registration failure. The limiter needs none.
		opt.PushNotificationProcessor = nil
		opt.MaintNotificationsConfig = noMaintNotifications()
		return redis.NewClient(&opt), true
	case *redis.ClusterClient:
		opt := *c.Options()
		opt.MaxRetries = -1
		opt.MaintNotificationsConfig = noMaintNotifications()
		return redis.NewClusterClient(&opt), true
	}
	return rdb, false
}

// noMaintNotifications is a config of the limiter's own. The copied options
// point at the original client's config, which go-redis writes (under its
// own lock) when its handshake falls back, while NewClient would read it
// unlocked to clone it: a data race. The limiter needs no notifications.
func noMaintNotifications() *maintnotifications.Config {
	return &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
}
