// Package adminserver is the reference server of the Gateway Admin API v1
// (gateway/openapi.yaml) over the gateway's real Redis schema.
//
// Every request passes, in this order: rate limiter (per presented key, else
// per client IP) -> X-API-Key auth -> on writes: protected-environment
// confirmation, X-Operator, Idempotency-Key -> strict JSON decoding -> the
// operation -> on writes: idempotency record and audit record. Every
// response carries X-Request-Id; every error is {error, message, requestId}.
package adminserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
)

// Defaults of Config.
const (
	DefaultRateLimitPerMinute = 30
	DefaultMaxBodyBytes       = 64 << 10
)

// Server timeouts: a slow or stalled client can hold a connection only this long.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 90 * time.Second
	idleTimeout       = 120 * time.Second
	// writeApplyTimeout bounds one write once started; it runs to completion
	// even if the client goes away, so its outcome is recorded for a retry.
	writeApplyTimeout = 60 * time.Second
	shutdownTimeout   = 10 * time.Second
	// maxHeaderBytes bounds the request line and headers (431
	// HEADERS_TOO_LARGE beyond it; net/http allows 4 KiB of slack).
	maxHeaderBytes = 64 << 10
)

// Config configures a Server.
type Config struct {
	Store *gateway.Store
	// Redis holds the audit trail and idempotency records (normally the
	// same Redis as the Store's).
	Redis              redis.UniversalClient
	Keys               []Key
	Environment        string
	Protected          bool
	RateLimitPerMinute int   // default 30
	MaxBodyBytes       int64 // default 64 KiB
	Now                func() time.Time
	Logger             *slog.Logger
	// KeyLimitInProcess keeps the per-key limit in this process instead of
	// Redis: for a single replica, or a test that counts the Redis commands
	// of one operation.
	KeyLimitInProcess bool
	// TLSCertFile and TLSKeyFile make ListenAndServe serve HTTPS.
	TLSCertFile, TLSKeyFile string
}

// Server serves the admin API.
type Server struct {
	cfg   Config
	auth  *authenticator
	limit *limiter
	audit auditLog
	// authAudit and authFails: failed authentications, aggregated per
	// source per minute, in their own list (audit.go).
	authAudit auditLog
	authFails *authFailures
	// rate is the per-key limit in Redis (keylimit.go), over rateRDB, a
	// client that never retries its script (ratelimitclient.go); rateOwned
	// says rateRDB is ours to close.
	rate      *redis_rate.Limiter
	rateRDB   redis.UniversalClient
	rateOwned bool
	idem      idempotency
	log       *slog.Logger
	handler   http.Handler
	// summary is the background key index and reservation summary (status).
	summary *summarizer
}

// New checks cfg and builds a Server.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("adminserver: Config.Store is required")
	case cfg.Redis == nil:
		return nil, errors.New("adminserver: Config.Redis is required (audit and idempotency records)")
	case len(cfg.Keys) == 0:
		return nil, errors.New("adminserver: no API keys configured (GATEWAYOPS_ADMIN_KEYS)")
	case cfg.Environment == "":
		return nil, errors.New("adminserver: Config.Environment is required (e.g. staging, production)")
	case cfg.RateLimitPerMinute < 0:
		return nil, fmt.Errorf("adminserver: RateLimitPerMinute %d: must be positive (0 means the default %d)", cfg.RateLimitPerMinute, DefaultRateLimitPerMinute)
	case cfg.MaxBodyBytes < 0:
		return nil, fmt.Errorf("adminserver: MaxBodyBytes %d: must be positive (0 means the default %d)", cfg.MaxBodyBytes, DefaultMaxBodyBytes)
	case (cfg.TLSCertFile == "") != (cfg.TLSKeyFile == ""):
		return nil, errors.New("adminserver: TLS needs both a certificate and a key file")
	}
	if cfg.RateLimitPerMinute == 0 {
		cfg.RateLimitPerMinute = DefaultRateLimitPerMinute
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{
		cfg:       cfg,
		auth:      newAuthenticator(cfg.Keys),
		limit:     newLimiter(cfg.RateLimitPerMinute, cfg.Now),
		audit:     newAuditLog(cfg.Redis),
		authAudit: newAuthAuditLog(cfg.Redis),
		authFails: newAuthFailures(cfg.Now),
		idem:      idempotency{rdb: cfg.Redis},
		log:       cfg.Logger,
	}
	s.rateRDB, s.rateOwned = noRetryClient(cfg.Redis)
	s.rate = redis_rate.NewLimiter(s.rateRDB)
	if s.rateOwned {
		// A Server used only as a Handler is never shut down: its pool goes with it.
		runtime.AddCleanup(s, func(c redis.UniversalClient) { _ = c.Close() }, s.rateRDB)
	}
	s.summary = newSummarizer(cfg.Store, cfg.Now)
	s.handler = s.routes()
	return s, nil
}

// Handler is the whole API as an http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// ListenAndServe serves on addr (HTTPS when Config has a certificate) until
// ctx is cancelled, then shuts down gracefully.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// httpServer bounds how long a slow or stalled client may hold a connection.
func (s *Server) httpServer() *http.Server {
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Serve is ListenAndServe on an existing listener (tests, port 0).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := s.httpServer()
	if s.cfg.TLSCertFile != "" {
		// Load the certificate before saying we listen, so a bad file is the
		// one error reported, not a "listening" line followed by a failure.
		cert, err := tls.LoadX509KeyPair(s.cfg.TLSCertFile, s.cfg.TLSKeyFile)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("TLS certificate: %w", err)
		}
		hs.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, hs.TLSConfig)
	}
	// Above TLS: net/http's canned replies are rewritten in the clear.
	ln = shapedListener{Listener: ln}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("admin API listening", "addr", ln.Addr().String(), "tls", s.cfg.TLSCertFile != "",
		"environment", s.cfg.Environment, "protected", s.cfg.Protected)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if s.rateOwned {
		defer s.rateRDB.Close()
	}
	defer s.summary.close()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
