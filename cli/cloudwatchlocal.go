package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
)

// cloudWatchLocalFlags is the command line of `gatewayops cloudwatch-local`.
type cloudWatchLocalFlags struct {
	listen, catalog, env, emfFile string
	evaluateEvery                 time.Duration
	memoryBudget                  byteSize
	maxSeries                     int
}

// byteSize is a flag value in bytes: a number with an optional KiB, MiB or GiB suffix.
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Set(v string) error {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			v, mult = num, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mult {
		return fmt.Errorf("want a positive size such as 2GiB, 512MiB or 1048576")
	}
	*b = byteSize(n * mult)
	return nil
}

// cloudWatchLocalClients says, per client, how to point it at cwlocal. The
// CLI before 2.13 (v1 before 1.29) and botocore before 1.31 ignore
// AWS_ENDPOINT_URL*: following the variable alone sends them to real AWS,
// where loaded credentials would change real alarms.
const cloudWatchLocalClients = `Point clients at it (any dummy credentials; requests are not signature-checked):
  Go SDK v2, gatewayops, AWS CLI >= 2.13 or v1 >= 1.29, boto3 >= 1.28:
      AWS_ENDPOINT_URL_CLOUDWATCH=http://ADDR
  AWS CLI before 2.13 / v1 before 1.29 (Debian's awscli is 2.9): they IGNORE that variable;
      pass --endpoint-url http://ADDR on every call, or the call goes to real AWS
  boto3 / botocore before 1.28 / 1.31 (Debian's 1.26 / 1.29): boto3.client("cloudwatch", endpoint_url="http://ADDR")`

func parseCloudWatchLocalFlags(args []string, stdout io.Writer) (cloudWatchLocalFlags, error) {
	var f cloudWatchLocalFlags
	fs := newFlagSet("cloudwatch-local", "gatewayops cloudwatch-local [--listen ADDR] [--catalog default|terraform|none|FILE] [--env NAME] [--evaluate-every 10s] [--emf-file FILE|-] [--memory-budget 2GiB] [--max-series 10000]", stdout,
		"Serves CloudWatch (RPC v2 CBOR, AWS JSON 1.0 and AWS Query), POST /emf and GET /stats.",
		cloudWatchLocalClients)
	fs.StringVar(&f.listen, "listen", "127.0.0.1:4582", "address to serve on")
	fs.StringVar(&f.catalog, "catalog", "default", "alarms to provision: default (Sprint 4 report), terraform (as deployed), none, or a catalog YAML file")
	fs.StringVar(&f.env, "env", "staging", "environment name that replaces {env} in alarm names")
	fs.DurationVar(&f.evaluateEvery, "evaluate-every", 10*time.Second, "how often alarms are evaluated")
	fs.StringVar(&f.emfFile, "emf-file", "", "ingest newline-delimited EMF lines from FILE, or - for stdin")
	f.memoryBudget = cwlocal.DefaultMemoryBudget
	fs.Var(&f.memoryBudget, "memory-budget", "memory the series store may use (e.g. 2GiB); retention is derived from it")
	fs.IntVar(&f.maxSeries, "max-series", cwlocal.DefaultMaxSeries, "series no alarm reads that may exist at once (series alarms read are always kept)")
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if err := noArgs(fs); err != nil {
		return f, err
	}
	switch {
	case f.evaluateEvery <= 0:
		return f, usagef("--evaluate-every %s: must be positive, e.g. 10s", f.evaluateEvery)
	case f.env == "":
		return f, usagef("--env must not be empty (e.g. staging, production)")
	case f.maxSeries < 1:
		return f, usagef("--max-series %d: must be at least 1", f.maxSeries)
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

// cloudWatchLocalCmd serves until ctx ends. Its JSON log goes to stderr;
// its errors are returned and printed once by run.
func cloudWatchLocalCmd(ctx context.Context, args []string, std stdio) error {
	f, err := parseCloudWatchLocalFlags(args, std.Out)
	if err != nil {
		return helpOrErr(err)
	}
	catalog, err := loadAlarmCatalog(f.catalog, f.env)
	if err != nil {
		return usageErr(err)
	}
	logger := slog.New(slog.NewJSONHandler(std.Err, nil))
	svc := cwlocal.New(cwlocal.Config{Logger: logger, MemoryBudget: int64(f.memoryBudget), MaxSeries: f.maxSeries})
	if err := svc.ProvisionCatalog(catalog); err != nil {
		return usageErr(err)
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return failedErr(err)
	}
	stdout := std.Out
	fmt.Fprintf(stdout, "cloudwatch-local listening on http://%s (%d alarms from catalog %q, env %s, evaluated every %s)\n",
		ln.Addr(), len(catalog.Alarms), f.catalog, f.env, f.evaluateEvery)
	fmt.Fprintf(stdout, "retention in force (budget %d MiB over %d series): %s; figures at GET /stats\n",
		f.memoryBudget>>20, f.maxSeries, svc.Retention())
	fmt.Fprintln(stdout, strings.ReplaceAll(cloudWatchLocalClients, "ADDR", ln.Addr().String()))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go svc.Run(ctx, f.evaluateEvery)
	if f.emfFile != "" {
		go ingestEMFFile(svc, f.emfFile, logger)
	}
	return serveUntilDone(ctx, ln, svc.Handler())
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
func serveUntilDone(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return failedErr(err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return failedErr(fmt.Errorf("shutdown: %w", err))
	}
	return nil
}
