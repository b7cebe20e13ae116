package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"gatewayops/alarms"
	"gatewayops/ops"
)

const journalUsage = "usage: gatewayops journal export --since 2h [--env NAME] [--config FILE] [--out FILE]"

func runJournal(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "export" {
		fmt.Fprintln(stderr, journalUsage)
		return exitUsage
	}
	var ef envFlags
	var since time.Duration
	var out string
	fs := flag.NewFlagSet("journal export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ef.register(fs)
	fs.DurationVar(&since, "since", 2*time.Hour, "how far back (e.g. 2h, 90m)")
	fs.StringVar(&out, "out", "", "write the Markdown to this file instead of stdout")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 || since <= 0 {
		fmt.Fprintf(stderr, "gatewayops journal: --since must be a positive duration and no arguments follow the flags\n%s\n", journalUsage)
		return exitUsage
	}
	md, code := exportTimeline(ctx, ef, since, stderr)
	if code != exitOK {
		return code
	}
	if out == "" {
		fmt.Fprint(stdout, md)
		return exitOK
	}
	if err := os.WriteFile(out, []byte(md), 0o600); err != nil {
		fmt.Fprintln(stderr, "gatewayops journal:", err)
		return exitFailed
	}
	fmt.Fprintln(stdout, "wrote", out)
	return exitOK
}

// exportTimeline reads the journal and, when CloudWatch is reachable, the
// history of every alarm the window touched. A CloudWatch failure keeps the
// journal part and says so in the document.
func exportTimeline(ctx context.Context, ef envFlags, since time.Duration, stderr io.Writer) (string, int) {
	path, err := ops.DefaultJournalPath()
	if err != nil {
		fmt.Fprintln(stderr, "gatewayops journal:", err)
		return "", exitFailed
	}
	all, err := ops.ReadJournal(path)
	if err != nil {
		fmt.Fprintln(stderr, "gatewayops journal:", err)
		return "", exitFailed
	}
	now := time.Now()
	start := now.Add(-since)
	entries := ops.FilterEntries(all, start, ef.env)
	history, notes := alarmHistory(ctx, ef, entries, start)
	return ops.Timeline(entries, history, start, now, notes), exitOK
}

func alarmHistory(ctx context.Context, ef envFlags, entries []ops.Entry, start time.Time) (map[string][]alarms.HistoryItem, []string) {
	_, e, err := ef.load()
	if err != nil {
		return nil, []string{"alarm history unavailable: " + err.Error()}
	}
	env, closeEnv, err := ops.BuildEnv(ctx, e, "")
	if err != nil {
		return nil, []string{"alarm history unavailable: " + err.Error()}
	}
	defer closeEnv()
	names, err := ops.TouchedAlarms(ctx, env.Alarms, entries, start)
	var notes []string
	if err != nil {
		notes = append(notes, "alarm list unavailable (only alarms named by steps are shown): "+err.Error())
	}
	history := map[string][]alarms.HistoryItem{}
	for _, n := range names {
		items, err := env.Alarms.History(ctx, n, start)
		if err != nil {
			notes = append(notes, "history of "+n+" unavailable: "+err.Error())
			continue
		}
		history[n] = items
	}
	notes = append(notes, fmt.Sprintf("environment %s; %d alarms, %d journal lines", e.Name, len(names), len(entries)))
	return history, notes
}
