package runbooks

import (
	"strings"
	"testing"

	"charm.land/glamour/v2"
)

// mutate parses an embedded runbook after replacing old with repl in its file.
func mutate(t *testing.T, name, old, repl string) Runbook {
	t.Helper()
	src := sourceWithFrontMatter(t, name)
	if !strings.Contains(src, old) {
		t.Fatalf("%s does not contain %q", name, old)
	}
	rb, err := Parse(name, []byte(strings.Replace(src, old, repl, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return rb
}

func TestCheckTemplateFindsEachDeparture(t *testing.T) {
	const name = "agent-circuit-breaker-open"
	cases := []struct{ old, repl, want string }{
		{"# Runbook: Agent circuit breaker open", "# Runbook: Something else", `want "Runbook: Agent circuit breaker open"`},
		{"- **Author**: gatewayops maintainers", "", "metadata line **Author** is missing"},
		{"- **Severity**: high", "- **Severity**: low", "must repeat the front matter severity \"high\""},
		{"## Prerequisites", "## Requirements", `section "Requirements" is out of place or unknown: expected "Prerequisites"`},
		{"## Post-incident", "## Afterwards", `section "Afterwards" is out of place`},
		{"\n## Related\n", "\n### Related\n", `section "Related" is missing`},
		{"### Step 2: Gather information", "### Gather information", `Diagnosis has no "### Step 2: ..." subsection`},
		{"| Symptom | Likely cause | Go to section |", "| Symptom | Cause |", "needs the table"},
		{"**Estimated time**: 5 minutes.", "", `"Resolution A: Reset the Redis-backed kms breaker" does not state **Estimated time**`},
		{"### Verify fix\n\n**Confirm kms", "### Check\n\n**Confirm kms", `"Resolution A: Reset the Redis-backed kms breaker" has no "### Verify fix"`},
		{"- **L3 engineering leadership**", "- **Leadership**", "Escalation does not name level L3"},
	}
	for _, c := range cases {
		err := CheckTemplate(mutate(t, name, c.old, c.repl))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("replacing %q: got %v, want an error containing %q", c.old, err, c.want)
		}
	}
	// Moving Escalation before the resolutions breaks the order.
	rb, _ := Get(name)
	src := string(rb.Source)
	esc := src[strings.Index(src, "## Escalation"):strings.Index(src, "## Post-incident")]
	moved := strings.Replace(strings.Replace(src, esc, "", 1), "## Resolution A", esc+"## Resolution A", 1)
	rb2, err := Parse(name, []byte("---\ntitle: Agent circuit breaker open\nseverity: high\nalarms: [\"*x\"]\n---\n"+moved))
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckTemplate(rb2); err == nil || !strings.Contains(err.Error(), `section "Escalation" is out of place`) {
		t.Errorf("moved Escalation: got %v", err)
	}
}

func TestCheckTemplateOnEmptyBody(t *testing.T) {
	rb, err := Parse("x", []byte("---\ntitle: X\nseverity: low\nmetrics: [A/B]\n---\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = CheckTemplate(rb)
	if err == nil || !strings.Contains(err.Error(), `must start with the heading "# Runbook: X"`) ||
		!strings.Contains(err.Error(), `section "Overview" is missing`) {
		t.Errorf("got %v", err)
	}
}

// Source is what the console hands to Glamour: every runbook must render,
// keep its title, and show its ops commands.
func TestSourceRendersWithGlamour(t *testing.T) {
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle("notty"), glamour.WithWordWrap(100))
	if err != nil {
		t.Fatal(err)
	}
	for _, rb := range defaultLibrary(t).All() {
		out, err := r.RenderBytes(rb.Source)
		if err != nil {
			t.Errorf("%s: %v", rb.Name, err)
			continue
		}
		text := string(out)
		if !strings.Contains(text, "Runbook: "+rb.Title) {
			t.Errorf("%s: rendered output lacks the title", rb.Name)
		}
		if strings.Contains(text, "severity: ") && strings.Contains(text, "alarms:") {
			t.Errorf("%s: front matter leaked into the rendered output", rb.Name)
		}
		for _, st := range rb.Steps {
			if !strings.Contains(text, st.Command) {
				t.Errorf("%s: rendered output lacks step %q", rb.Name, st.Command)
			}
		}
	}
}
