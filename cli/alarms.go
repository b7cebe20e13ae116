package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"gatewayops/alarms"
)

// Exit codes of `gatewayops alarms`, for scripts.
const (
	alarmsExitOK         = 0
	alarmsExitUnreadable = 1
	alarmsExitFiring     = 2
	alarmsExitUsage      = 64
)

// alarmsFlags are the flags of `gatewayops alarms`.
type alarmsFlags struct {
	json     bool
	endpoint string
	region   string
	profile  string
	prefix   string
	catalog  string
	env      string
	lint     bool
}

func parseAlarmsFlags(args []string, stderr io.Writer) (alarmsFlags, error) {
	var f alarmsFlags
	fs := flag.NewFlagSet("alarms", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&f.json, "json", false, "print the snapshot as JSON (for scripts)")
	fs.StringVar(&f.endpoint, "endpoint", "", "CloudWatch endpoint URL (default: the SDK's, or AWS_ENDPOINT_URL_CLOUDWATCH)")
	fs.StringVar(&f.region, "region", "", "AWS region (default: AWS_REGION or the profile's)")
	fs.StringVar(&f.profile, "profile", "", "AWS shared config profile")
	fs.StringVar(&f.env, "env", envOr("GATEWAYOPS_ENV", "staging"), "environment: replaces {env} in alarm names (staging, production)")
	fs.StringVar(&f.prefix, "prefix", "arrakis-{env}-", "alarm name prefix to read")
	fs.StringVar(&f.catalog, "catalog", "default", "alarm catalog: default, terraform or a YAML file")
	fs.BoolVar(&f.lint, "lint", true, "check each catalog alarm's metric identity against ListMetrics")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gatewayops alarms [flags]")
		fmt.Fprintln(stderr, "exit: 0 nothing in ALARM, 2 something in ALARM, 1 CloudWatch unreadable, 64 bad flags")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected argument %q (alarms takes only flags)", fs.Arg(0))
	}
	if f.endpoint != "" {
		if u, err := url.Parse(f.endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return f, fmt.Errorf("--endpoint %q is not an http(s) URL", f.endpoint)
		}
	}
	if f.env == "" {
		return f, errors.New("--env is empty: name the environment (staging, production)")
	}
	return f, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// loadCatalogFlag resolves --catalog: a built-in name or a YAML file.
func loadCatalogFlag(name string) (alarms.Catalog, error) {
	switch name {
	case "default":
		return alarms.DefaultCatalog(), nil
	case "terraform":
		return alarms.TerraformCatalog(), nil
	case "":
		return alarms.Catalog{}, errors.New("--catalog is empty: use default, terraform or a YAML file path")
	default:
		return alarms.LoadCatalog(name)
	}
}

func runAlarms(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseAlarmsFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return alarmsExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "gatewayops alarms: %v\n", err)
		return alarmsExitUsage
	}
	cat, err := loadCatalogFlag(f.catalog)
	if err != nil {
		fmt.Fprintf(stderr, "gatewayops alarms: %v\n", err)
		return alarmsExitUsage
	}
	cat = cat.ForEnv(f.env)
	cw, err := alarms.NewClient(ctx, alarms.ClientOptions{
		Region: f.region, Profile: f.profile, Endpoint: f.endpoint,
		Anonymous: alarms.IsLocalEndpoint(f.endpoint), RetryMaxAttempts: 2,
	})
	if err != nil {
		fmt.Fprintf(stderr, "gatewayops alarms: cannot set up CloudWatch: %v\n", err)
		return alarmsExitUnreadable
	}
	src := alarms.NewSource(cw, strings.ReplaceAll(f.prefix, "{env}", f.env))
	poller := alarms.NewPoller(src, cat, alarms.PollerOptions{Lint: f.lint})
	snap := poller.Refresh(ctx)
	if h := snap.Health[alarms.BackendCloudWatch]; h.Stale {
		fmt.Fprintf(stderr, "gatewayops alarms: CloudWatch could not be read: %s\n", h.LastError)
		return alarmsExitUnreadable
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(snap); err != nil {
			fmt.Fprintf(stderr, "gatewayops alarms: writing JSON: %v\n", err)
			return alarmsExitUnreadable
		}
	} else {
		printAlarmTable(stdout, snap, src.Prefix())
	}
	if snap.InAlarm() > 0 {
		return alarmsExitFiring
	}
	return alarmsExitOK
}

func printAlarmTable(w io.Writer, snap alarms.Snapshot, prefix string) {
	if len(snap.Alarms) == 0 {
		fmt.Fprintf(w, "no alarms named %s* in this account and region\n", prefix)
	} else {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "STATE\tSEVERITY\tALARM\tSINCE\tVALUE vs THRESHOLD\tNOTES")
		for _, a := range snap.Alarms {
			fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\t%s\t%s\n", a.State.Symbol(), a.State.Word(), dash(a.Severity), a.Name,
				since(a.Since, snap.TakenAt), a.ValueVsThreshold(), notes(a))
		}
		tw.Flush()
	}
	if len(snap.Lint) > 0 {
		fmt.Fprintf(w, "\nmonitoring lint: %d alarm input(s) match no published metric (such an alarm cannot fire)\n", len(snap.Lint))
		for _, f := range snap.Lint {
			fmt.Fprintf(w, "  ! %s\n", f.Message)
		}
	}
	h := snap.Health[alarms.BackendCloudWatch]
	fmt.Fprintf(w, "\n%d in ALARM of %d; %d API calls, %d metrics requested, est. $%.5f (taken %s)\n",
		snap.InAlarm(), len(snap.Alarms), h.Calls, h.MetricsRequested, h.CostUSD, snap.TakenAt.UTC().Format(time.RFC3339))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func since(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return now.Sub(t).Truncate(time.Second).String() + " ago"
}

// notes shows what an on-call engineer must not miss: evaluation trouble and muting.
func notes(a alarms.Alarm) string {
	var n []string
	if a.EvaluationState != "" {
		n = append(n, "evaluation: "+a.EvaluationState)
	}
	if a.Muted || a.ActionsSuppressed {
		n = append(n, "actions muted")
	}
	if !a.ActionsEnabled && !a.Composite {
		n = append(n, "actions disabled")
	}
	return dash(strings.Join(n, "; "))
}
