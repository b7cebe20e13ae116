package runbooks

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The action catalogue shared by runbooks, the palette and `gatewayops run`:
// each action with its parameter keys. Package ops checks the full grammar
// and value types; this table only catches a step that names an action or
// a parameter nobody implements.
var catalogue = map[string][]string{
	"gateway.status":       nil,
	"breaker.list":         nil,
	"breaker.reset":        {"component"},
	"reservations.inspect": {"community", "limit"},
	"reservations.drain":   {"older", "mode", "community", "batch"},
	"budget.show":          {"community", "month"},
	"flags.show":           nil,
	"flags.set":            {"agent_enabled", "ensemble_enabled", "byok_enabled", "force", "timeout"},
	"poolclaims.show":      nil,
	"poolclaims.enforce":   {"mode", "force", "timeout"},
	"service.status":       nil,
	"service.restart":      {"force", "timeout"},
	"service.rollback":     {"revision", "expect", "force", "timeout"},
	"preflight.poolclaims": {"hours"},
	"redis.diagnose":       nil,
	"alarm.history":        {"alarm", "since"},
	"alarm.mute":           {"alarm", "for", "reason"},
	"alarm.unmute":         {"alarm"},
}

// The runbooks the brief asks for, by file name.
var wantRunbooks = []string{
	"agent-budget-drift-high",
	"agent-circuit-breaker-open",
	"agent-error-rate-high",
	"agent-estimate-drift",
	"agent-finalize-failures",
	"agent-latency-p99-high",
	"agent-redis-degraded",
	"agent-stale-reservations",
	"feature-flags-staging",
	"pool-claim-graduation",
}

func defaultLibrary(t *testing.T) *Library {
	t.Helper()
	lib, err := Default()
	if err != nil {
		t.Fatalf("embedded runbooks do not parse:\n%v", err)
	}
	return lib
}

func TestEmbeddedRunbooksParse(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, rb := range all {
		names = append(names, rb.Name)
		if len(rb.Steps) == 0 {
			t.Errorf("%s: no ops steps; every runbook should let the console do something", rb.Name)
		}
		if strings.HasPrefix(string(rb.Source), "---") {
			t.Errorf("%s: Source still starts with front matter", rb.Name)
		}
		if !strings.HasPrefix(strings.TrimSpace(string(rb.Source)), "# Runbook: "+rb.Title) {
			t.Errorf("%s: Source does not start with the title heading", rb.Name)
		}
	}
	if got, want := strings.Join(names, ","), strings.Join(wantRunbooks, ","); got != want {
		t.Errorf("runbooks:\n got %s\nwant %s", got, want)
	}
}

func TestEmbeddedRunbooksFollowTemplate(t *testing.T) {
	for _, rb := range defaultLibrary(t).All() {
		if err := CheckTemplate(rb); err != nil {
			t.Errorf("%v", err)
		}
	}
}

func TestEmbeddedStepsAreSingleLineCatalogueCommands(t *testing.T) {
	for _, rb := range defaultLibrary(t).All() {
		for i, st := range rb.Steps {
			where := rb.Name + ".md:" + strconv.Itoa(st.Line)
			if st.Index != i {
				t.Errorf("%s: step index %d, want %d", where, st.Index, i)
			}
			if strings.TrimSpace(st.Command) == "" || strings.ContainsAny(st.Command, "\r\n") {
				t.Errorf("%s: step %q is empty or spans lines", where, st.Command)
			}
			if strings.ContainsAny(st.Command, "<>") {
				t.Errorf("%s: step %q holds a placeholder; the console runs steps as written", where, st.Command)
			}
			if st.Section == "" {
				t.Errorf("%s: step %q sits under no heading", where, st.Command)
			}
			fields := strings.Fields(st.Command)
			keys, known := catalogue[fields[0]]
			if !known {
				t.Errorf("%s: step %q names unknown action %q", where, st.Command, fields[0])
				continue
			}
			if !strings.Contains(st.Command, `"`) { // quoted values may hold spaces; ops checks those
				for _, arg := range fields[1:] {
					key, _, ok := strings.Cut(arg, "=")
					if !ok || !slices.Contains(keys, key) {
						t.Errorf("%s: step %q: %q is not key=value with a key of %s (%s)", where, st.Command, arg, fields[0], strings.Join(keys, ", "))
					}
				}
			}
			line := strings.Split(sourceWithFrontMatter(t, rb.Name), "\n")[st.Line-1]
			if strings.TrimSpace(line) != st.Command {
				t.Errorf("%s: Line points at %q, not at the command %q", where, line, st.Command)
			}
		}
	}
}

// The production runbooks must never tell anyone to reset a breaker other
// than kms: loa-finn lives in process memory and no other breaker exists.
func TestOnlyKMSBreakerIsReset(t *testing.T) {
	for _, rb := range defaultLibrary(t).All() {
		for _, st := range rb.Steps {
			if strings.HasPrefix(st.Command, "breaker.reset") && st.Command != "breaker.reset component=kms" {
				t.Errorf("%s.md:%d: %q resets a breaker that cannot be reset remotely", rb.Name, st.Line, st.Command)
			}
		}
	}
}

// Every write step the console can run is shown with a plain-CLI
// equivalent nearby, for engineers without the console.
func TestWriteStepsHaveCLIEquivalent(t *testing.T) {
	writes := []string{"breaker.reset", "reservations.drain", "flags.set", "poolclaims.enforce"}
	for _, rb := range defaultLibrary(t).All() {
		lines := strings.Split(sourceWithFrontMatter(t, rb.Name), "\n")
		for _, st := range rb.Steps {
			if !slices.Contains(writes, strings.Fields(st.Command)[0]) {
				continue
			}
			window := strings.Join(lines[st.Line:min(len(lines), st.Line+25)], "\n")
			if !strings.Contains(window, "```bash") {
				t.Errorf("%s.md:%d: write step %q has no bash block within 25 lines after it", rb.Name, st.Line, st.Command)
			}
		}
	}
}

func sourceWithFrontMatter(t *testing.T, name string) string {
	t.Helper()
	b, err := embedded.ReadFile(name + ".md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
