// Package admintest starts the real admin API over a real redis-server for
// tests, as net/http/httptest does for a handler: no mocks, one call.
package admintest

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
	"gatewayops/gateway/redisproc"
)

// Options shape the server. Zero values take the defaults noted.
type Options struct {
	// Environment is the server's environment name (default "staging").
	Environment string
	Protected   bool
	// KeyName and Key are the one API key (defaults "oncall" and Key).
	KeyName, Key string
	// RateLimitPerMinute defaults to 10,000: tests not about the limiter never hit it.
	RateLimitPerMinute int
	// Now is the clock of both the store and the server (default time.Now).
	Now func() time.Time
	// Store adjusts the store's options (Now is set from Options.Now).
	Store gateway.StoreOptions
	// Logger receives the server's log (default: discarded).
	Logger *slog.Logger
	// Config adjusts the server's Config last, before it is built.
	Config func(*adminserver.Config)
	// Wrap, when set, wraps the server's handler (to count or observe requests).
	Wrap func(http.Handler) http.Handler
}

// Key is the default API key.
const Key = "gwk-admintest-0123456789abcdef"

// Server is a running admin API with its Redis.
type Server struct {
	Redis *redisproc.Server
	RDB   *redis.Client
	Store *gateway.Store
	Admin *adminserver.Server
	HTTP  *httptest.Server
	// URL is the base URL clients take.
	URL string
}

// Start starts redis-server, the store, the admin server and an HTTP server
// around it; everything stops when the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	o = withDefaults(o)
	rs, rdb := redisproc.ForTest(t)
	o.Store.Now = o.Now
	store := gateway.NewStore(rdb, o.Store)
	key, err := adminserver.NewKey(o.KeyName, o.Key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := adminserver.Config{Store: store, Redis: rdb, Keys: []adminserver.Key{key}, Environment: o.Environment,
		Protected: o.Protected, RateLimitPerMinute: o.RateLimitPerMinute, Now: o.Now, Logger: o.Logger}
	if o.Config != nil {
		o.Config(&cfg)
	}
	srv, err := adminserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The contract check sits innermost: it sees what the server itself
	// received and answered, whatever a test's Wrap does around it.
	h := newContract(t, srv.Handler())
	if o.Wrap != nil {
		h = o.Wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &Server{Redis: rs, RDB: rdb, Store: store, Admin: srv, HTTP: ts, URL: ts.URL}
}

func withDefaults(o Options) Options {
	if o.Environment == "" {
		o.Environment = "staging"
	}
	if o.KeyName == "" {
		o.KeyName = "oncall"
	}
	if o.Key == "" {
		o.Key = Key
	}
	if o.RateLimitPerMinute == 0 {
		o.RateLimitPerMinute = 10_000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}
