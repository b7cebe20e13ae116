package runbooks

import (
	"strings"
	"testing"
)

const validRunbook = `---
title: Example
severity: medium
alarms:
  - "*example-alarm"
metrics:
  - Arrakis/AgentGateway/RequestCount
---
# Runbook: Example

Intro text.

## Overview

Covers things.

` + "```bash\n# a heading inside code is not a heading\nredis-cli PING\n```" + `

## Resolution A: Do it

**1. Reset the breaker**

` + "```ops\nbreaker.reset component=kms\n```" + `

Plain text between.

` + "```ops\n  redis.diagnose  \n\n```" + `

### Verify fix

**Confirm**
` + "~~~ops\nbreaker.list\n~~~" + `
`

func TestParseValid(t *testing.T) {
	rb, err := Parse("example", []byte(validRunbook))
	if err != nil {
		t.Fatal(err)
	}
	if rb.Name != "example" || rb.Title != "Example" || rb.Severity != SeverityMedium {
		t.Errorf("meta: %+v", rb)
	}
	if strings.Join(rb.AlarmPatterns, ",") != "*example-alarm" || strings.Join(rb.Metrics, ",") != "Arrakis/AgentGateway/RequestCount" {
		t.Errorf("alarms %v metrics %v", rb.AlarmPatterns, rb.Metrics)
	}
	var titles []string
	for _, s := range rb.Sections {
		titles = append(titles, s.Title)
	}
	if got := strings.Join(titles, "|"); got != "Runbook: Example|Overview|Resolution A: Do it|Verify fix" {
		t.Errorf("sections: %s", got)
	}
	if rb.Sections[0].Level != 1 || rb.Sections[3].Level != 3 || rb.Sections[0].Body != "Intro text." {
		t.Errorf("levels or body: %+v", rb.Sections)
	}
	if !strings.Contains(rb.Sections[1].Body, "redis-cli PING") {
		t.Errorf("code block missing from section body: %q", rb.Sections[1].Body)
	}
	want := []Step{
		{Index: 0, Section: "Resolution A: Do it", Title: "Reset the breaker", Command: "breaker.reset component=kms", Line: 27},
		{Index: 1, Section: "Resolution A: Do it", Title: "", Command: "redis.diagnose", Line: 33},
		{Index: 2, Section: "Verify fix", Title: "Confirm", Command: "breaker.list", Line: 41},
	}
	if len(rb.Steps) != len(want) {
		t.Fatalf("steps: %+v", rb.Steps)
	}
	for i := range want {
		if rb.Steps[i] != want[i] {
			t.Errorf("step %d = %+v, want %+v", i, rb.Steps[i], want[i])
		}
	}
	lines := strings.Split(validRunbook, "\n")
	for _, st := range rb.Steps {
		if strings.TrimSpace(lines[st.Line-1]) != st.Command {
			t.Errorf("Line %d is %q, not the command %q", st.Line, lines[st.Line-1], st.Command)
		}
	}
	if !strings.HasPrefix(string(rb.Source), "# Runbook: Example") {
		t.Errorf("Source must start after the front matter: %q", rb.Source[:20])
	}
}

func TestParseCRLF(t *testing.T) {
	src := strings.ReplaceAll(validRunbook, "\n", "\r\n")
	rb, err := Parse("example", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(rb.Steps) != 3 || rb.Steps[0].Command != "breaker.reset component=kms" || rb.Steps[0].Title != "Reset the breaker" {
		t.Errorf("CRLF steps: %+v", rb.Steps)
	}
}

func TestParseErrors(t *testing.T) {
	fm := func(body string) string { return "---\n" + body + "---\n# Runbook: X\n" }
	ok := "title: X\nseverity: high\nalarms: [\"*x\"]\n"
	cases := []struct {
		name, src, want string
	}{
		{"no front matter", "# Runbook: X\n", "missing front matter"},
		{"empty file", "", "missing front matter"},
		{"unclosed front matter", "---\ntitle: X\n", "front matter is not closed"},
		{"empty front matter", "---\n---\n", "empty: want title, severity"},
		{"bad yaml", fm("title: [\n"), "front matter:"},
		{"unknown key", fm(ok + "alarm: typo\n"), "field alarm not found"},
		{"missing title", fm("severity: high\nalarms: [\"*x\"]\n"), "title is missing"},
		{"bad severity", fm("title: X\nseverity: urgent\nalarms: [\"*x\"]\n"), `severity "urgent" is not one of critical, high, medium, low`},
		{"missing severity", fm("title: X\nalarms: [\"*x\"]\n"), `severity "" is not one of`},
		{"no alarms or metrics", fm("title: X\nseverity: low\n"), "no alarms and no metrics"},
		{"bad glob", fm("title: X\nseverity: low\nalarms: [\"[x\"]\n"), `pattern "[x" is not a valid glob`},
		{"empty pattern", fm("title: X\nseverity: low\nalarms: [\" \"]\n"), "empty pattern"},
		{"metric without namespace", fm("title: X\nseverity: low\nmetrics: [RequestCount]\n"), `"RequestCount" is not Namespace/MetricName`},
		{"metric trailing slash", fm("title: X\nseverity: low\nmetrics: [Arrakis/]\n"), "is not Namespace/MetricName"},
		{"empty ops block", fm(ok) + "\n```ops\n\n```\n", "line 8: ops block is empty"},
		{"two commands", fm(ok) + "```ops\nbreaker.list\nredis.diagnose\n```\n", "line 7: ops block has 2 commands"},
		{"ops with extra info", fm(ok) + "```ops run\nbreaker.list\n```\n", `info string "ops run"`},
		{"unclosed fence", fm(ok) + "```bash\necho\n", "line 7: code block opened with ``` is never closed"},
		{"shorter closing fence", fm(ok) + "````ops\nbreaker.list\n```\n", "never closed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x", []byte(c.src))
			if err == nil {
				t.Fatalf("want error containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "runbook x") {
				t.Errorf("error %q: want prefix \"runbook x\" and %q", err, c.want)
			}
		})
	}
}

func TestParseRejectsBadNames(t *testing.T) {
	for _, name := range []string{"", "Agent", "agent.md", "a b", "../x", "-x", "x-"} {
		if _, err := Parse(name, []byte(validRunbook)); err == nil || !strings.Contains(err.Error(), "without .md") {
			t.Errorf("Parse(%q): got %v, want a name error", name, err)
		}
	}
}

// A bold line only titles the ops block right after it; a bash block or a
// heading in between breaks the link.
func TestStepTitleOnlyFromAdjacentBoldLine(t *testing.T) {
	src := "---\ntitle: X\nseverity: low\nmetrics: [A/B]\n---\n# Runbook: X\n" +
		"**Title for bash**\n\n```bash\nx\n```\n\n```ops\nbreaker.list\n```\n" +
		"**Orphan title**\n## Next\n```ops\nredis.diagnose\n```\n" +
		"**Not bold** trailing\n```ops\nflags.show\n```\n"
	rb, err := Parse("x", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range rb.Steps {
		if st.Title != "" {
			t.Errorf("step %d (%s) got title %q, want none", i, st.Command, st.Title)
		}
	}
	if rb.Steps[1].Section != "Next" {
		t.Errorf("section %q", rb.Steps[1].Section)
	}
}
