package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"gatewayops/alarms"
	"gatewayops/internal/termsafe"
	"gatewayops/ops"
)

// alarmsFlags are the flags of `gatewayops alarms`. Region, profile,
// endpoint, prefix and catalog default to the environment's config; a flag
// given overrides it.
type alarmsFlags struct {
	envFlags
	json     bool
	endpoint string
	region   string
	profile  string
	prefix   string
	catalog  string
	lint     bool
}

const alarmsSynopsis = "gatewayops alarms [--env NAME] [--config FILE] [--json] [--region R] [--profile P] [--endpoint URL] [--prefix P] [--catalog C]"

func parseAlarmsFlags(args []string, std stdio) (alarmsFlags, error) {
	var f alarmsFlags
	fs := newFlagSet("alarms", alarmsSynopsis, std.Out,
		"exit: 0 OK, 1 WARNING (insufficient data), 2 CRITICAL (something in ALARM), 3 UNKNOWN (unreadable, nothing matched, usage)",
		"With a config file, the environment's region, profile, cloudwatch_endpoint, alarm_prefix and catalog are used;",
		"without one, --env only replaces {env} in --prefix (default staging).")
	f.register(fs)
	fs.BoolVar(&f.json, "json", false, "print the snapshot as JSON (for scripts)")
	fs.StringVar(&f.endpoint, "endpoint", "", "CloudWatch endpoint URL (default: the config's, the SDK's, or AWS_ENDPOINT_URL_CLOUDWATCH)")
	fs.StringVar(&f.region, "region", "", "AWS region (default: the config's, AWS_REGION or the profile's)")
	fs.StringVar(&f.profile, "profile", "", "AWS shared config profile (default: the config's)")
	fs.StringVar(&f.prefix, "prefix", "", "alarm name prefix to read (default: the config's alarm_prefix, else arrakis-{env}-)")
	fs.StringVar(&f.catalog, "catalog", "", "alarm catalog: default, terraform or a YAML file (default: the config's, else default)")
	fs.BoolVar(&f.lint, "lint", true, "check each catalog alarm's metric identity against ListMetrics")
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if err := noArgs(fs); err != nil {
		return f, err
	}
	if f.endpoint != "" {
		if u, err := url.Parse(f.endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return f, usagef("--endpoint %q is not an http(s) URL", f.endpoint)
		}
	}
	return f, nil
}

// alarmsSettings is what `alarms` reads, after config and flags.
type alarmsSettings struct {
	env, region, profile, endpoint, prefix, catalog string
}

// settings resolves the config (the one resolver) and lays the flags over
// the environment's values. Without a config file the flags stand alone.
func (f alarmsFlags) settings() (alarmsSettings, error) {
	t, err := f.load()
	if err != nil {
		return alarmsSettings{}, err
	}
	s := alarmsSettings{env: f.envName(), catalog: "default"}
	if t.Found || f.config != "" {
		if err := t.selectEnv(s.env); err != nil {
			return s, err
		}
		if err := t.configured(); err != nil {
			return s, err
		}
		e := t.Env
		s = alarmsSettings{env: e.Name, region: e.Region, profile: e.Profile, endpoint: e.CloudWatchEndpoint, prefix: e.AlarmPrefix, catalog: e.Catalog}
	}
	if s.env == "" {
		s.env = "staging"
	}
	for _, o := range []struct {
		dst  *string
		flag string
	}{{&s.region, f.region}, {&s.profile, f.profile},
		{&s.endpoint, f.endpoint}, {&s.prefix, f.prefix}, {&s.catalog, f.catalog}} {
		if o.flag != "" {
			*o.dst = o.flag
		}
	}
	if s.prefix == "" {
		s.prefix = "arrakis-{env}-"
	}
	if s.catalog == "" {
		s.catalog = "default"
	}
	s.prefix = strings.ReplaceAll(s.prefix, "{env}", s.env)
	return s, nil
}

// loadCatalogFlag resolves a catalog setting: a built-in name or a YAML file.
func loadCatalogFlag(name string) (alarms.Catalog, error) {
	switch name {
	case "default":
		return alarms.DefaultCatalog(), nil
	case "terraform":
		return alarms.TerraformCatalog(), nil
	case "":
		return alarms.Catalog{}, errors.New("--catalog is empty: use default, terraform or a YAML file path")
	default:
		return alarms.LoadCatalogCached(name, catalogCacheDir())
	}
}

// catalogCacheDir is where parsed catalog files are kept (beside the
// journal, in the state dir; "" when there is none): decoding the YAML of
// 1,000 alarms was the largest part of the console's start-up.
func catalogCacheDir() string {
	j, err := ops.DefaultJournalPath()
	if err != nil {
		return ""
	}
	return filepath.Join(filepath.Dir(j), "cache")
}

func runAlarms(ctx context.Context, args []string, std stdio) error {
	f, err := parseAlarmsFlags(args, std)
	if err != nil {
		return helpOrErr(err)
	}
	s, err := f.settings()
	if err != nil {
		return err
	}
	cat, err := loadCatalogFlag(s.catalog)
	if err != nil {
		return usageErr(err)
	}
	cw, err := alarms.NewClient(ctx, alarms.ClientOptions{
		Region: s.region, Profile: s.profile, Endpoint: s.endpoint,
		Anonymous: alarms.IsLocalEndpoint(s.endpoint), RetryMaxAttempts: 2,
	})
	if err != nil {
		return unknownErr(fmt.Errorf("cannot set up CloudWatch: %w", err))
	}
	src := alarms.NewSource(cw, s.prefix)
	snap := alarms.NewPoller(src, cat.ForEnv(s.env), alarms.PollerOptions{Lint: f.lint}).Refresh(ctx)
	if h := snap.Health[alarms.BackendCloudWatch]; h.Stale {
		return unknownErr(fmt.Errorf("CloudWatch could not be read: %s", termsafe.String(h.LastError)))
	}
	if f.json {
		enc := json.NewEncoder(std.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(snap); err != nil {
			return unknownErr(fmt.Errorf("writing JSON: %w", err))
		}
	} else {
		printAlarmTable(std.Out, snap, src.Prefix())
	}
	return alarmsVerdict(snap, s)
}

// alarmsVerdict is the check's result: CRITICAL beats WARNING beats OK;
// nothing matched is UNKNOWN, so a typo in a scripted check cannot pass.
func alarmsVerdict(snap alarms.Snapshot, s alarmsSettings) error {
	if len(snap.Alarms) == 0 {
		return unknownErr(fmt.Errorf("no alarm is named %s* in region %s (environment %s): check --env, the prefix and the region",
			termsafe.String(s.prefix), dash(s.region), s.env))
	}
	if snap.InAlarm() > 0 {
		return silent(kindCritical)
	}
	for _, a := range snap.Alarms {
		if a.State == alarms.StateInsufficientData {
			return silent(kindWarning)
		}
	}
	return nil
}

// printAlarmTable writes the snapshot for a human: every outside string
// (names, severities, reasons, lint text) passes the sanitiser.
func printAlarmTable(w io.Writer, snap alarms.Snapshot, prefix string) {
	safe := termsafe.String
	if len(snap.Alarms) == 0 {
		fmt.Fprintf(w, "no alarms named %s* in this account and region\n", safe(prefix))
	} else {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "STATE\tSEVERITY\tALARM\tSINCE\tVALUE vs THRESHOLD\tNOTES")
		for _, a := range snap.Alarms {
			fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\t%s\t%s\n", a.State.Symbol(), safe(a.State.Word()), safe(dash(a.Severity)), safe(a.Name),
				since(a.Since, snap.TakenAt), safe(a.ValueVsThreshold()), safe(notes(a)))
		}
		tw.Flush()
	}
	if len(snap.Lint) > 0 {
		fmt.Fprintf(w, "\nmonitoring lint: %d alarm input(s) match no published metric (such an alarm cannot fire)\n", len(snap.Lint))
		for _, f := range snap.Lint {
			fmt.Fprintf(w, "  ! %s\n", safe(f.Message))
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
