package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"gatewayops/alarms"
	"gatewayops/alarms/replay"
	"gatewayops/internal/termsafe"
)

const recordUsage = "gatewayops record [--env NAME] [--config FILE] [--since 2h] [--until TIME] --out FILE"

type recordFlags struct {
	envFlags
	since time.Duration
	until string
	out   string
}

func parseRecordFlags(args []string, std stdio) (recordFlags, error) {
	var f recordFlags
	fs := newFlagSet("record", recordUsage, std.Out,
		"Saves, read-only, what the environment's CloudWatch shows for the gateway's alarms (their definitions,",
		"StateUpdate history and the data of every series ListMetrics finds for their metrics) for `drill --replay`.")
	f.register(fs)
	fs.DurationVar(&f.since, "since", 2*time.Hour, "how far back the recording reaches")
	fs.StringVar(&f.until, "until", "", "end of the window, RFC 3339 (default: now)")
	fs.StringVar(&f.out, "out", "", "the file to write (JSON Lines; must not exist)")
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if err := noArgs(fs); err != nil {
		return f, err
	}
	switch {
	case f.out == "":
		return f, usagef("--out FILE is required\nusage: %s", recordUsage)
	case f.since < time.Minute || f.since > 14*24*time.Hour:
		return f, usagef("--since %s: must be between 1m and 14 days (CloudWatch keeps 1-minute data for 15 days)", f.since)
	}
	return f, nil
}

func (f recordFlags) untilTime() (time.Time, error) {
	if f.until == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, f.until)
	if err != nil {
		return time.Time{}, usagef("--until %q: not an RFC 3339 time such as 2026-11-30T15:00:00Z", f.until)
	}
	return t, nil
}

// runRecord records an environment's alarms and their data into a file.
// It only reads CloudWatch (replay.ReadOnlyOperations).
func runRecord(ctx context.Context, args []string, std stdio) error {
	f, err := parseRecordFlags(args, std)
	if err != nil {
		return helpOrErr(err)
	}
	until, err := f.untilTime()
	if err != nil {
		return err
	}
	t, err := f.resolve()
	if err != nil {
		return err
	}
	if err := t.configured(); err != nil {
		return err
	}
	if _, err := os.Lstat(f.out); !errors.Is(err, os.ErrNotExist) {
		return usagef("--out %s already exists (or cannot be checked); choose another file, nothing was recorded", f.out)
	}
	e := t.Env
	cw, err := alarms.NewClient(ctx, alarms.ClientOptions{Region: e.Region, Profile: e.Profile, Endpoint: e.CloudWatchEndpoint,
		Anonymous: alarms.IsLocalEndpoint(e.CloudWatchEndpoint)})
	if err != nil {
		return failedErr(fmt.Errorf("environment %s: cannot set up CloudWatch: %w", e.Name, err))
	}
	prefix := e.AlarmPrefix
	if prefix == "" {
		prefix = "arrakis-" + e.Name + "-"
	}
	r := &replay.Recorder{CW: cw, Env: e.Name, Region: e.Region, Prefix: prefix, Tool: "gatewayops " + version}
	rec, err := r.Record(ctx, f.since, until)
	if err != nil {
		return failedErr(fmt.Errorf("environment %s: %s", e.Name, termsafe.String(err.Error())))
	}
	if len(rec.Alarms) == 0 {
		return failedErr(fmt.Errorf("environment %s: no alarm starts with %q; nothing to record (calls: %s)", e.Name, prefix, callList(r.Calls)))
	}
	if err := replay.WriteFile(f.out, rec); err != nil {
		return failedErr(err)
	}
	printRecorded(std.Out, f.out, rec, r.Calls)
	return nil
}

func printRecorded(w io.Writer, path string, rec *replay.Recording, calls map[string]int) {
	listed, empty := 0, 0
	for _, s := range rec.Series {
		if s.Listed {
			listed++
		} else {
			empty++
		}
	}
	h := rec.Header
	fmt.Fprintf(w, "recorded %s (%s, prefix %s) %s to %s UTC into %s\n", termsafe.String(h.Env), termsafe.String(h.Region),
		termsafe.String(h.Prefix), h.From.Format("2006-01-02 15:04"), h.To.Format("15:04"), path)
	fmt.Fprintf(w, "  %d alarms, %d state transitions, %d series with data (%d datapoints), %d alarm identities with no data\n",
		len(rec.Alarms), len(rec.Transitions), listed, rec.Points(), empty)
	fmt.Fprintf(w, "  CloudWatch calls (read-only): %s\n", callList(calls))
}

func callList(calls map[string]int) string {
	var parts []string
	for op, n := range calls {
		parts = append(parts, fmt.Sprintf("%s %d", op, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
