package ops

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A drill's journal: MarkDrill stamps every entry, milestones are rows of
// source drill, its actions are "action (drill)", the document says it is
// a drill, and the report follows the table in order. No "outcome unknown"
// for the milestone entries (they have no result by design).
func TestTimelineRendersADrillWithItsReport(t *testing.T) {
	j, err := OpenJournal(filepath.Join(t.TempDir(), "journal.jsonl"), NewRedactor("s3cret-key"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	j.MarkDrill("kms-breaker-open")
	t0 := time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	for _, e := range []Entry{
		{Time: at(0), ID: "d1", Phase: PhaseDrill, Environment: "demo", Action: "drill.fault", Result: "drill kms-breaker-open started: KMS failed"},
		{Time: at(10), ID: "d2", Phase: PhaseDrill, Environment: "demo", Action: "drill.signal on", Result: "drill kms-breaker-open: signal on"},
		{Time: at(40), ID: "a", Phase: PhaseIntent, Operator: "drill", Environment: "demo", Action: "breaker.reset", Kind: "write", Params: map[string]string{"component": "kms"}},
		{Time: at(41), ID: "a", Phase: PhaseResult, Outcome: "ok"},
		{Time: at(60), ID: "d3", Phase: PhaseDrill, Environment: "demo", Action: "drill.cleared", Result: "drill kms-breaker-open: signal cleared"},
		{Time: at(60), ID: "d4", Phase: PhaseDrill, Environment: "demo", Action: "drill.report", Result: "## Drill report: kms-breaker-open\n\n| recovered | +0:50 |\nkey s3cret-key\n"},
	} {
		if err := j.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := ReadJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Drill != "kms-breaker-open" {
			t.Errorf("entry %s %s not marked as the drill: %q", e.ID, e.Phase, e.Drill)
		}
	}
	if u := unresolved(entries); len(u) != 0 {
		t.Errorf("drill milestones taken for unresolved intents: %+v", u)
	}
	md := Timeline(entries, nil, t0, at(120), nil)
	order := []string{
		"> DRILL: this window holds the drill kms-breaker-open, a rehearsal on the embedded stack (not a real incident)",
		"| 12-01 13:00:00 | drill | drill kms-breaker-open started: KMS failed |",
		"| 12-01 13:00:10 | drill | drill kms-breaker-open: signal on |",
		"| 12-01 13:00:40 | action (drill) | `breaker.reset component=kms` by drill on demo: ok |",
		"| 12-01 13:01:00 | drill | drill kms-breaker-open: signal cleared |",
		"| 12-01 13:01:00 | drill | Drill report: kms-breaker-open (below the table) |",
		"\n## Drill report: kms-breaker-open\n\n| recovered | +0:50 |\nkey [redacted]\n",
	}
	pos := 0
	for _, w := range order {
		i := strings.Index(md[pos:], w)
		if i < 0 {
			t.Fatalf("timeline lacks (in order) %q:\n%s", w, md)
		}
		pos += i + len(w)
	}
	if strings.Contains(md, "outcome unknown") || strings.Contains(md, "s3cret") {
		t.Errorf("timeline:\n%s", md)
	}
	// The drill's own actions, exported alone, still carry the marker.
	if plain := Timeline(entries[2:4], nil, t0, at(120), nil); !strings.Contains(plain, "DRILL") {
		t.Errorf("the drill's own actions still carry the marker: %s", plain)
	}
	if plain := Timeline([]Entry{{Time: at(1), ID: "x", Phase: PhaseResult, Action: "flags.show", Outcome: "ok"}}, nil, t0, at(2), nil); strings.Contains(plain, "DRILL") {
		t.Errorf("a real incident is marked as a drill:\n%s", plain)
	}
}
