package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
)

// The environment admin-server reads. deploy/terraform's test reads these
// names from this file, so a rename here fails it until the module follows.
const (
	adminKeysEnv = "GATEWAYOPS_ADMIN_KEYS"
	redisURLEnv  = "GATEWAYOPS_REDIS_URL"
	healthPath   = gateway.HealthzPath
)

// adminServerFlags is the command line of `gatewayops admin-server`.
type adminServerFlags struct {
	listen, redisURL, environment string
	protected, probe              bool
	rateLimit                     int
	tlsCert, tlsKey               string
}

func parseAdminServerFlags(args []string, stdout io.Writer) (adminServerFlags, error) {
	var f adminServerFlags
	fs := newFlagSet("admin-server", "gatewayops admin-server --listen ADDR --redis URL [--environment NAME] [--protected] [--rate-limit N] [--tls-cert F --tls-key F]", stdout,
		"API keys come from "+adminKeysEnv+": comma-separated name:key or name:<bcrypt hash>.",
		"Without --redis the URL comes from "+redisURLEnv+" (how a container gets it from a secret store).")
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8089", "address to serve on")
	fs.StringVar(&f.redisURL, "redis", "", "the gateway's Redis: redis://, rediss:// or unix:// URL (required)")
	fs.StringVar(&f.environment, "environment", "staging", "environment name shown in status and audit")
	fs.BoolVar(&f.protected, "protected", false, "writes need X-Confirm-Environment equal to the environment name")
	fs.IntVar(&f.rateLimit, "rate-limit", adminserver.DefaultRateLimitPerMinute, "requests per minute per caller")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (with --tls-key: serve HTTPS)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "TLS private key file")
	fs.BoolVar(&f.probe, "probe", false, "do not serve: GET "+healthPath+" of the server these flags start, over loopback; exit 0 if it answers 200 (a container health check with no shell or curl)")
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if f.redisURL == "" {
		// Read after parsing, never as the flag's default: -h prints defaults.
		f.redisURL = os.Getenv(redisURLEnv)
	}
	if err := noArgs(fs); err != nil {
		return f, err
	}
	switch {
	case f.redisURL == "" && !f.probe:
		return f, usageErr(errors.New("--redis URL is required, or " + redisURLEnv + " (redis://host:6379/0, rediss://..., unix:///path/redis.sock)"))
	case f.rateLimit < 1:
		return f, usagef("--rate-limit %d: must be at least 1 request per minute", f.rateLimit)
	case (f.tlsCert == "") != (f.tlsKey == ""):
		return f, usagef("--tls-cert and --tls-key go together")
	}
	return f, nil
}

// adminServerCmd serves until ctx ends. Its JSON log goes to stderr; its
// errors are returned and printed once by run.
func adminServerCmd(ctx context.Context, args []string, std stdio) error {
	f, err := parseAdminServerFlags(args, std.Out)
	if err != nil {
		return helpOrErr(err)
	}
	if f.probe {
		return probeAdminServer(ctx, f)
	}
	keys, err := adminserver.ParseKeys(os.Getenv(adminKeysEnv))
	if err != nil {
		return usagef("refusing to start: %v", err)
	}
	opts, err := redis.ParseURL(f.redisURL)
	if err != nil {
		// The parse error could quote the URL, password included: name the problem only.
		return usagef("--redis (or %s) is not a valid redis://, rediss:// or unix:// URL", redisURLEnv)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	logger := slog.New(slog.NewJSONHandler(std.Err, nil))
	srv, err := adminserver.New(adminserver.Config{
		Store:              gateway.NewStore(rdb, gateway.StoreOptions{}),
		Redis:              rdb,
		Keys:               keys,
		Environment:        f.environment,
		Protected:          f.protected,
		RateLimitPerMinute: f.rateLimit,
		Logger:             logger,
		TLSCertFile:        f.tlsCert,
		TLSKeyFile:         f.tlsKey,
	})
	if err != nil {
		return usageErr(err)
	}
	// The Redis address is logged for orientation; the password never is.
	logger.Info("gateway Redis", "network", opts.Network, "addr", opts.Addr, "db", opts.DB, "tls", opts.TLSConfig != nil, "auth", opts.Password != "")
	return failedErr(srv.ListenAndServe(ctx, f.listen))
}

// probeAdminServer is the container health check: the image has no shell or
// curl, so the binary checks itself. It asks the loopback address of the
// --listen port, whatever interface the server binds.
func probeAdminServer(ctx context.Context, f adminServerFlags) error {
	_, port, err := net.SplitHostPort(f.listen)
	if err != nil {
		return usagef("--probe: --listen %q: %v", f.listen, err)
	}
	scheme, transport := "http", &http.Transport{}
	if f.tlsCert != "" {
		// Liveness over loopback only: the certificate names the service, not
		// 127.0.0.1, and nothing but "is it up" is read from the answer.
		scheme, transport.TLSClientConfig = "https", &tls.Config{InsecureSkipVerify: true} //nolint:gosec // loopback liveness probe
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+net.JoinHostPort("127.0.0.1", port)+healthPath, nil)
	if err != nil {
		return usagef("--probe: %v", err)
	}
	resp, err := (&http.Client{Transport: transport}).Do(req)
	if err != nil {
		return failedErr(fmt.Errorf("--probe: %w", err))
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return failedErr(fmt.Errorf("--probe: %s answered %s", healthPath, resp.Status))
	}
	return nil
}
