package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
)

// adminServerFlags is the command line of `gatewayops admin-server`.
type adminServerFlags struct {
	listen, redisURL, environment string
	protected                     bool
	rateLimit                     int
	tlsCert, tlsKey               string
}

func parseAdminServerFlags(args []string, stderr io.Writer) (adminServerFlags, error) {
	var f adminServerFlags
	fs := flag.NewFlagSet("admin-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gatewayops admin-server --listen ADDR --redis URL [--environment NAME] [--protected] [--rate-limit N] [--tls-cert F --tls-key F]")
		fmt.Fprintln(stderr, "API keys come from GATEWAYOPS_ADMIN_KEYS: comma-separated name:key or name:<bcrypt hash>.")
		fs.PrintDefaults()
	}
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8089", "address to serve on")
	fs.StringVar(&f.redisURL, "redis", "", "the gateway's Redis: redis://, rediss:// or unix:// URL (required)")
	fs.StringVar(&f.environment, "environment", "staging", "environment name shown in status and audit")
	fs.BoolVar(&f.protected, "protected", false, "writes need X-Confirm-Environment equal to the environment name")
	fs.IntVar(&f.rateLimit, "rate-limit", adminserver.DefaultRateLimitPerMinute, "requests per minute per caller")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (with --tls-key: serve HTTPS)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "TLS private key file")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	switch {
	case fs.NArg() > 0:
		return f, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case f.redisURL == "":
		return f, errors.New("--redis URL is required (redis://host:6379/0, rediss://..., unix:///path/redis.sock)")
	case f.rateLimit < 1:
		return f, fmt.Errorf("--rate-limit %d: must be at least 1 request per minute", f.rateLimit)
	case (f.tlsCert == "") != (f.tlsKey == ""):
		return f, errors.New("--tls-cert and --tls-key go together")
	}
	return f, nil
}

func runAdminServer(ctx context.Context, args []string, _, stderr io.Writer) int {
	f, err := parseAdminServerFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "gatewayops admin-server: %v\n", err)
		return 2
	}
	keys, err := adminserver.ParseKeys(os.Getenv("GATEWAYOPS_ADMIN_KEYS"))
	if err != nil {
		fmt.Fprintf(stderr, "gatewayops admin-server: refusing to start: %v\n", err)
		return 2
	}
	opts, err := redis.ParseURL(f.redisURL)
	if err != nil {
		// The parse error could quote the URL, password included: name the problem only.
		fmt.Fprintln(stderr, "gatewayops admin-server: --redis is not a valid redis://, rediss:// or unix:// URL")
		return 2
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
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
		fmt.Fprintf(stderr, "gatewayops admin-server: %v\n", err)
		return 2
	}
	// The Redis address is logged for orientation; the password never is.
	logger.Info("gateway Redis", "network", opts.Network, "addr", opts.Addr, "db", opts.DB, "tls", opts.TLSConfig != nil, "auth", opts.Password != "")
	if err := srv.ListenAndServe(ctx, f.listen); err != nil {
		fmt.Fprintf(stderr, "gatewayops admin-server: %v\n", err)
		return 1
	}
	return 0
}
