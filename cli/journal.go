package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"gatewayops/alarms"
	"gatewayops/internal/termsafe"
	"gatewayops/ops"
)

const journalSynopsis = "gatewayops journal export --since 2h [--env NAME] [--config FILE] [--out FILE]"

func runJournal(ctx context.Context, args []string, std stdio) error {
	if len(args) > 0 && isHelpArg(args[0]) {
		fmt.Fprintln(std.Out, "usage: "+journalSynopsis)
		return nil
	}
	if len(args) == 0 || args[0] != "export" {
		return usagef("want a subcommand: %s", journalSynopsis)
	}
	var ef envFlags
	var since time.Duration
	var out string
	fs := newFlagSet("journal export", journalSynopsis, std.Out,
		"The Markdown has every control character from the journal or CloudWatch escaped (shown, never emitted).")
	ef.register(fs)
	fs.DurationVar(&since, "since", 2*time.Hour, "how far back (e.g. 2h, 90m)")
	fs.StringVar(&out, "out", "", "write the Markdown to this file instead of stdout")
	if err := parseFlags(fs, args[1:]); err != nil {
		return helpOrErr(err)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if since <= 0 {
		return usagef("--since %s: must be a positive duration (e.g. 2h)", since)
	}
	md, err := exportTimeline(ctx, ef, since)
	if err != nil {
		return err
	}
	if out == "" {
		fmt.Fprint(std.Out, md)
		return nil
	}
	if err := os.WriteFile(out, []byte(md), 0o600); err != nil {
		return failedErr(err)
	}
	fmt.Fprintln(std.Out, "wrote", out)
	return nil
}

// exportTimeline reads the journal and, when CloudWatch is reachable, the
// history of every alarm the window touched. A CloudWatch failure keeps the
// journal part and says so in the document. The document passes the
// sanitiser whole: journal text and alarm reasons come from outside.
func exportTimeline(ctx context.Context, ef envFlags, since time.Duration) (string, error) {
	path, err := ops.DefaultJournalPath()
	if err != nil {
		return "", failedErr(err)
	}
	all, err := ops.ReadJournal(path)
	if err != nil {
		return "", failedErr(err)
	}
	now := time.Now()
	start := now.Add(-since)
	entries := ops.FilterEntries(all, start, ef.envName())
	history, notes := alarmHistory(ctx, ef, entries, start)
	return termsafe.Text(ops.Timeline(entries, history, start, now, notes)), nil
}

func alarmHistory(ctx context.Context, ef envFlags, entries []ops.Entry, start time.Time) (map[string][]alarms.HistoryItem, []string) {
	t, err := ef.resolve()
	if err == nil {
		err = t.configured()
	}
	if err != nil {
		return nil, []string{"alarm history unavailable: " + err.Error()}
	}
	env, closeEnv, err := ops.BuildEnv(ctx, t.Env, "")
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
	notes = append(notes, fmt.Sprintf("environment %s; %d alarms, %d journal lines", t.Env.Name, len(names), len(entries)))
	return history, notes
}
