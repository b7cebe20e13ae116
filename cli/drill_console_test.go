package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gatewayops/ops"
)

// A drill refuses every way of naming a real environment, before it starts anything.
func TestDrillRefusesEnvAndConfig(t *testing.T) {
	for _, args := range [][]string{
		{"drill", "kms-breaker-open", "--env", "production"},
		{"drill", "kms-breaker-open", "--config", "/etc/gatewayops.toml"},
		{"drill", "kms-breaker-open", "--speed", "2", "--env=staging"},
	} {
		var out, errb bytes.Buffer
		code := dispatch(context.Background(), args, &out, &errb)
		if code != exitUsage || !strings.Contains(errb.String(), "drill refuses --env and --config: it runs only on its own embedded stack") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

func journalEntries(t *testing.T, path string) []ops.Entry {
	t.Helper()
	entries, err := ops.ReadJournal(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return entries
}

func hasDrillEntry(entries []ops.Entry, action string) bool {
	for _, e := range entries {
		if e.Phase == ops.PhaseDrill && e.Action == action {
			return true
		}
	}
	return false
}

// `gatewayops drill kms-breaker-open` end to end at 80x24 through a pipe
// (the terminal reports its size in-band): the DRILL badge is drawn, the
// signal comes on, the list's step typed into the palette and confirmed
// with y clears it, the report goes to the journal marked as this drill,
// and journal export renders it in the incident timeline. The drill clock
// runs 10x so the incident unfolds in seconds; the test waits on the
// journal, never on time.
func TestDrillConsoleEndToEnd(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	jpath := filepath.Join(state, "gatewayops", "journal.jsonl")
	in, keys := io.Pipe()
	screen, stderr := &lockedBuffer{}, &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"drill", "kms-breaker-open", "--speed", "10"}, stdio{In: in, Out: screen, Err: stderr})
	}()
	go func() { _, _ = keys.Write([]byte("\x1b[48;24;80;0;0t")) }()
	alive := func() {
		select {
		case c := <-done:
			t.Fatalf("the drill ended (exit %d): stderr %q", c, stderr.String())
		default:
		}
	}
	term := newTermScreen(screen, 80, 24)
	shows := func(text string) bool { return strings.Contains(term.text(), text) }
	tail := func() string {
		scr := screen.String()
		return fmt.Sprintf("screen:\n%s\nlast 2000 bytes of %d written: %q\nstderr: %q", term.text(), len(scr), scr[max(0, len(scr)-2000):], stderr.String())
	}
	waitUntilOr(t, "the DRILL badge at 80x24", func() bool { alive(); return shows("DRILL 10x") }, tail)
	waitUntil(t, "the signal came on (journaled)", func() bool { alive(); return hasDrillEntry(journalEntries(t, jpath), "drill.signal on") })
	go func() { _, _ = keys.Write([]byte(":breaker.reset component=kms\r")) }()
	waitUntilOr(t, "the confirmation", func() bool { alive(); return shows("CONFIRM") }, tail)
	go func() { _, _ = keys.Write([]byte("y")) }()
	waitUntil(t, "the report (journaled)", func() bool { alive(); return hasDrillEntry(journalEntries(t, jpath), "drill.report") })
	waitUntilOr(t, "the report on screen", func() bool { alive(); return shows("Drill report") }, tail)
	cancel() // as Ctrl-C does
	var code int
	waitUntil(t, "the drill to end", func() bool {
		select {
		case code = <-done:
			return true
		default:
			return false
		}
	})
	if code != 0 {
		t.Fatalf("drill exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(screen.String(), "DRILL kms-breaker-open: recovered +") {
		t.Errorf("no summary after the console closed")
	}

	var report string
	for _, e := range journalEntries(t, jpath) {
		if e.Drill != "kms-breaker-open" {
			t.Errorf("journal entry %s %s %s not marked as the drill", e.ID, e.Phase, e.Action)
		}
		if e.Action == "drill.report" {
			report = e.Result
		}
	}
	for _, want := range []string{"## Drill report: kms-breaker-open", "drill clock: 10x wall time", "| runbook opened | never |",
		"1. `breaker.reset component=kms`: done +", "- +", "`breaker.reset component=kms`: ok, on the list", "### Did nothing or made it worse\n\nNone."} {
		if !strings.Contains(report, want) {
			t.Errorf("the journaled report lacks %q:\n%s", want, report)
		}
	}
	var out, errb bytes.Buffer
	if code := dispatch(context.Background(), []string{"journal", "export", "--since", "2h"}, &out, &errb); code != 0 {
		t.Fatalf("journal export: exit %d: %s", code, errb.String())
	}
	md := out.String()
	for _, want := range []string{"> DRILL: this window holds the drill kms-breaker-open", "| drill | drill kms-breaker-open: signal on:",
		"| action (drill) | `breaker.reset component=kms` by ", "| drill | drill kms-breaker-open: signal cleared |",
		"\n## Drill report: kms-breaker-open\n"} {
		if !strings.Contains(md, want) {
			t.Errorf("journal export lacks %q:\n%s", want, md)
		}
	}
}
