package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
)

// cloudWatchLocalFlags is the command line of `gatewayops cloudwatch-local`.
type cloudWatchLocalFlags struct {
	listen, catalog, env, emfFile string
	evaluateEvery                 time.Duration
}

func parseCloudWatchLocalFlags(args []string, stderr io.Writer) (cloudWatchLocalFlags, error) {
	var f cloudWatchLocalFlags
	fs := flag.NewFlagSet("cloudwatch-local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gatewayops cloudwatch-local [--listen ADDR] [--catalog default|terraform|none|FILE] [--env NAME] [--evaluate-every 10s] [--emf-file FILE|-]")
		fmt.Fprintln(stderr, "Serves CloudWatch (RPC v2 CBOR and AWS JSON 1.0) and POST /emf. Point clients at it with AWS_ENDPOINT_URL_CLOUDWATCH=http://ADDR.")
		fs.PrintDefaults()
	}
	fs.StringVar(&f.listen, "listen", "127.0.0.1:4582", "address to serve on")
	fs.StringVar(&f.catalog, "catalog", "default", "alarms to provision: default (Sprint 4 report), terraform (as deployed), none, or a catalog YAML file")
	fs.StringVar(&f.env, "env", "staging", "environment name that replaces {env} in alarm names")
	fs.DurationVar(&f.evaluateEvery, "evaluate-every", 10*time.Second, "how often alarms are evaluated")
	fs.StringVar(&f.emfFile, "emf-file", "", "ingest newline-delimited EMF lines from FILE, or - for stdin")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	switch {
	case fs.NArg() > 0:
		return f, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case f.evaluateEvery <= 0:
		return f, fmt.Errorf("--evaluate-every %s: must be positive, e.g. 10s", f.evaluateEvery)
	case f.env == "":
		return f, errors.New("--env must not be empty (e.g. staging, production)")
	}
	return f, nil
}

// loadAlarmCatalog resolves --catalog: an embedded name, none, or a file.
func loadAlarmCatalog(name, env string) (alarms.Catalog, error) {
	switch name {
	case "none":
		return alarms.Catalog{Name: "none"}, nil
	case "default":
		return alarms.DefaultCatalog().ForEnv(env), nil
	case "terraform":
		return alarms.TerraformCatalog().ForEnv(env), nil
	}
	c, err := alarms.LoadCatalog(name)
	if err != nil {
		return c, err
	}
	return c.ForEnv(env), nil
}

func runCloudWatchLocal(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseCloudWatchLocalFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "gatewayops cloudwatch-local: %v\n", err)
		return 2
	}
	catalog, err := loadAlarmCatalog(f.catalog, f.env)
	if err != nil {
		fmt.Fprintf(stderr, "gatewayops cloudwatch-local: %v\n", err)
		return 2
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	svc := cwlocal.New(cwlocal.Config{Logger: logger})
	if err := svc.ProvisionCatalog(catalog); err != nil {
		fmt.Fprintf(stderr, "gatewayops cloudwatch-local: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		fmt.Fprintf(stderr, "gatewayops cloudwatch-local: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "cloudwatch-local listening on http://%s (%d alarms from catalog %q, env %s, evaluated every %s)\n",
		ln.Addr(), len(catalog.Alarms), f.catalog, f.env, f.evaluateEvery)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go svc.Run(ctx, f.evaluateEvery)
	if f.emfFile != "" {
		go ingestEMFFile(svc, f.emfFile, logger)
	}
	return serveUntilDone(ctx, ln, svc.Handler(), stderr)
}

// ingestEMFFile feeds a file (or stdin) of EMF lines into the service.
func ingestEMFFile(svc *cwlocal.Service, path string, logger *slog.Logger) {
	var r io.Reader = os.Stdin
	if path != "-" {
		fh, err := os.Open(path)
		if err != nil {
			logger.Error("cannot open --emf-file", "error", err.Error())
			return
		}
		defer fh.Close()
		r = fh
	}
	acc, rej, err := svc.IngestReader(r)
	if err != nil {
		logger.Error("EMF ingest stopped", "file", path, "accepted", acc, "rejected", rej, "error", err.Error())
		return
	}
	logger.Info("EMF ingest done", "file", path, "accepted", acc, "rejected", rej)
}

// serveUntilDone serves until ctx ends, then shuts down gracefully.
func serveUntilDone(ctx context.Context, ln net.Listener, h http.Handler, stderr io.Writer) int {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		fmt.Fprintf(stderr, "gatewayops cloudwatch-local: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintf(stderr, "gatewayops cloudwatch-local: shutdown: %v\n", err)
		return 1
	}
	return 0
}
