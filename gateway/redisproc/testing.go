package redisproc

import (
	"testing"

	"github.com/redis/go-redis/v9"
)

// ForTest starts a private redis-server for one test and stops it when the
// test ends. A missing redis-server fails the test: it is never skipped.
func ForTest(t testing.TB, extraArgs ...string) (*Server, *redis.Client) {
	t.Helper()
	srv, err := Start(t.TempDir(), extraArgs...)
	if err != nil {
		t.Fatalf("redis: %v", err)
	}
	rdb := srv.Client()
	t.Cleanup(func() {
		_ = rdb.Close()
		srv.Stop()
	})
	return srv, rdb
}
