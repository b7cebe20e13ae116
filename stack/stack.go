// Package stack starts the embedded stack of `gatewayops demo` in one process
// and on loopback only: Redis (a redis-server child on a unix socket, or an
// in-process miniredis when redis-server is not installed), the reference
// admin server, the local CloudWatch and the simulator with its scripted
// incident. The console then reaches them through the same clients it uses in
// production. Tests use it to get a whole, real stack in one call.
package stack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"gatewayops/alarms/cwlocal"
	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
	"gatewayops/gateway/ecslocal"
	"gatewayops/gateway/redisproc"
	"gatewayops/gateway/sim"
)

// Options shape the stack. Zero values take the defaults noted.
type Options struct {
	// Environment is the name everything carries (default "demo").
	Environment string
	// Scenario configures the simulator and its incident.
	Scenario sim.ScenarioConfig
	// NoScenario starts no traffic (tests drive the store themselves).
	NoScenario bool
	// EvaluateEvery paces cwlocal's alarm evaluation (default 5s). Negative
	// runs no evaluation loop: a drill's proof calls EvaluateAll on its clock.
	EvaluateEvery time.Duration
	// Now is the clock of the Store, cwlocal and (unless ECSNow is set) the
	// ECS stand-in (default time.Now; drill proofs inject a stepped one).
	Now func() time.Time
	// AdminRateLimit per minute (default 120: the console polls status too).
	AdminRateLimit int
	// Logger receives the servers' logs (default: discarded, the TUI owns the screen).
	Logger *slog.Logger
	// Miniredis uses the in-process miniredis even when redis-server is
	// installed (the fallback path, for tests).
	Miniredis bool
	// ECSStartDelay is how long a new task of the ECS stand-in takes to
	// become healthy (default 10s: a rollout is watchable, not tedious).
	// ECSNow is the stand-in's clock (default time.Now; drills inject one).
	ECSStartDelay time.Duration
	ECSNow        func() time.Time
}

// Stack is a running embedded stack. Close stops it and removes its files.
type Stack struct {
	Environment   string
	AdminURL      string
	CloudWatchURL string
	RedisURL      string
	// RedisKind is "redis-server" or "miniredis".
	RedisKind  string
	Store      *gateway.Store
	CloudWatch *cwlocal.Service
	Scenario   *sim.Scenario
	// ECS is the ECS stand-in running the gateway's service
	// (arrakis-{env}-api); ECSURL is its endpoint (AWS_ENDPOINT_URL_ECS).
	ECS    *ecslocal.Service
	ECSURL string

	adminKey string
	dir      string
	closers  []func()
	wg       sync.WaitGroup
	cancel   context.CancelFunc
}

// AdminKey is the demo's admin API key, generated per run and never printed.
func (s *Stack) AdminKey() string { return s.adminKey }

// Start brings the whole stack up; on error everything started is stopped.
func Start(ctx context.Context, opts Options) (st *Stack, err error) {
	opts = withDefaults(opts)
	runCtx, cancel := context.WithCancel(context.Background())
	st = &Stack{Environment: opts.Environment, cancel: cancel}
	defer func() {
		if err != nil {
			st.Close()
		}
	}()
	if st.dir, err = os.MkdirTemp("", "gatewayops-demo-"); err != nil {
		return nil, err
	}
	st.closers = append(st.closers, func() { _ = os.RemoveAll(st.dir) })
	rdb, err := st.startRedis(opts.Miniredis)
	if err != nil {
		return nil, err
	}
	st.Store = gateway.NewStore(rdb, gateway.StoreOptions{
		// An hour, not the gateway's 60 s: the demo's breaker stays open until
		// someone resets it, instead of healing itself on the next probe.
		BreakerResetAfter: time.Hour, Now: opts.Now,
	})
	if err := st.startAdmin(runCtx, rdb, opts); err != nil {
		return nil, err
	}
	if err := st.startCloudWatch(runCtx, opts); err != nil {
		return nil, err
	}
	if err := st.startECS(opts); err != nil {
		return nil, err
	}
	if opts.Scenario.Tasks == nil {
		opts.Scenario.Tasks = st.gatewayTasks(opts.Environment)
	}
	if !opts.NoScenario {
		st.Scenario = sim.NewScenario(st.Store, st.CloudWatch.IngestEMF, opts.Scenario)
		st.goRun(func() { _ = st.Scenario.Run(runCtx) })
	}
	return st, ctx.Err()
}

func withDefaults(o Options) Options {
	if o.Environment == "" {
		o.Environment = "demo"
	}
	if o.Scenario.Env == "" {
		o.Scenario.Env = o.Environment
	}
	if o.ECSNow == nil {
		o.ECSNow = o.Now
	}
	if o.ECSStartDelay == 0 {
		o.ECSStartDelay = 10 * time.Second
	}
	if o.EvaluateEvery == 0 {
		o.EvaluateEvery = 5 * time.Second
	}
	if o.AdminRateLimit == 0 {
		o.AdminRateLimit = 120
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// startRedis starts redis-server on a unix socket, or miniredis on loopback
// when redis-server is not installed.
func (st *Stack) startRedis(forceMini bool) (redis.UniversalClient, error) {
	var srv *redisproc.Server
	err := redisproc.ErrNoRedisServer
	if !forceMini {
		srv, err = redisproc.Start(st.dir)
	}
	switch {
	case err == nil:
		st.closers = append(st.closers, srv.Stop)
		st.RedisURL, st.RedisKind = srv.URL(), "redis-server"
		rdb := srv.Client()
		st.closers = append(st.closers, func() { _ = rdb.Close() })
		return rdb, nil
	case !errors.Is(err, redisproc.ErrNoRedisServer):
		return nil, err
	}
	mr := miniredis.NewMiniRedis()
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("miniredis: %w", err)
	}
	st.closers = append(st.closers, mr.Close)
	st.RedisURL, st.RedisKind = "redis://"+mr.Addr(), "miniredis"
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	st.closers = append(st.closers, func() { _ = rdb.Close() })
	return rdb, nil
}

func (st *Stack) startAdmin(ctx context.Context, rdb redis.UniversalClient, opts Options) error {
	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	st.adminKey = hex.EncodeToString(secret)
	key, err := adminserver.NewKey("demo-operator", st.adminKey)
	if err != nil {
		return err
	}
	srv, err := adminserver.New(adminserver.Config{
		Store: st.Store, Redis: rdb, Keys: []adminserver.Key{key},
		Environment: opts.Environment, RateLimitPerMinute: opts.AdminRateLimit, Logger: opts.Logger,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	st.AdminURL = "http://" + ln.Addr().String()
	st.goRun(func() { _ = srv.Serve(ctx, ln) })
	return nil
}

func (st *Stack) startCloudWatch(ctx context.Context, opts Options) error {
	st.CloudWatch = cwlocal.New(cwlocal.Config{Logger: opts.Logger, Now: opts.Now})
	if err := st.CloudWatch.ProvisionCatalog(DemoCatalog(opts.Environment)); err != nil {
		return fmt.Errorf("provision demo alarms: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	st.CloudWatchURL = "http://" + ln.Addr().String()
	hs := &http.Server{Handler: st.CloudWatch.Handler(), ReadHeaderTimeout: 5 * time.Second}
	st.goRun(func() { _ = hs.Serve(ln) })
	if opts.EvaluateEvery > 0 {
		st.goRun(func() { st.CloudWatch.Run(ctx, opts.EvaluateEvery) })
	}
	st.closers = append(st.closers, func() { _ = hs.Close() })
	return nil
}

func (st *Stack) goRun(f func()) {
	st.wg.Add(1)
	go func() {
		defer st.wg.Done()
		f()
	}()
}

// Close stops every part (newest first) and removes the stack's files.
func (st *Stack) Close() {
	if st.cancel != nil {
		st.cancel()
	}
	for i := len(st.closers) - 1; i >= 0; i-- {
		if i == 0 { // the temp dir goes last, after the goroutines stopped
			st.wg.Wait()
		}
		st.closers[i]()
	}
	st.closers = nil
}

// Dir is the stack's private directory (removed by Close).
func (st *Stack) Dir() string { return st.dir }
