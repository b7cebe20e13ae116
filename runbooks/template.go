package runbooks

import (
	"errors"
	"fmt"
	"strings"
)

// The gateway team's runbook template (gateway-domain.md 10.2), as the
// ordered level-2 sections every runbook must have. "Resolution" stands for
// one or more "Resolution A: ...", "Resolution B: ..." sections.
var templateSections = []string{
	"Overview", "Prerequisites", "Quick reference", "Diagnosis", "Resolution",
	"Escalation", "Post-incident", "Related",
}

// TemplateSections lists the level-2 sections CheckTemplate requires, in order.
func TemplateSections() []string { return append([]string(nil), templateSections...) }

// CheckTemplate reports every way a parsed runbook departs from the template:
// the "# Runbook: {Title}" heading and metadata lines, the level-2 sections in
// order, Diagnosis steps 1-3 with the root-cause table, each Resolution's
// severity impact, estimated time and "Verify fix", and the L1/L2/L3 escalation path.
func CheckTemplate(rb Runbook) error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("runbook %s: "+format, append([]any{rb.Name}, args...)...))
	}
	checkHeader(rb, add)
	checkOrder(rb, add)
	checkDiagnosis(rb, add)
	checkResolutions(rb, add)
	if esc, ok := rb.SectionByTitle("Escalation"); ok {
		for _, lvl := range []string{"L1", "L2", "L3"} {
			if !strings.Contains(esc.Body, lvl) {
				add("Escalation does not name level %s", lvl)
			}
		}
	}
	return errors.Join(errs...)
}

func checkHeader(rb Runbook, add func(string, ...any)) {
	if len(rb.Sections) == 0 || rb.Sections[0].Level != 1 {
		add("must start with the heading \"# Runbook: %s\"", rb.Title)
		return
	}
	h := rb.Sections[0]
	if h.Title != "Runbook: "+rb.Title {
		add("first heading %q: want \"Runbook: %s\" (the front matter title)", h.Title, rb.Title)
	}
	for _, field := range []string{"Service", "Severity", "Last updated", "Author"} {
		if !strings.Contains(h.Body, "**"+field+"**") {
			add("metadata line **%s** is missing under the title", field)
		}
	}
	if !strings.Contains(strings.ToLower(h.Body), "**severity**: "+rb.Severity) {
		add("metadata **Severity** must repeat the front matter severity %q", rb.Severity)
	}
}

// checkOrder verifies the level-2 sections: all present, in template order.
func checkOrder(rb Runbook, add func(string, ...any)) {
	next := 0
	for _, s := range rb.Sections {
		if s.Level != 2 {
			continue
		}
		name := s.Title
		if strings.HasPrefix(name, "Resolution ") {
			name = "Resolution"
		}
		switch {
		case next < len(templateSections) && name == templateSections[next]:
			next++
		case next > 0 && name == templateSections[next-1] && name == "Resolution":
		default:
			add("section %q is out of place or unknown: expected %q next (order: %s)",
				s.Title, expected(next), strings.Join(templateSections, ", "))
			return
		}
	}
	if next < len(templateSections) {
		add("section %q is missing (order: %s)", templateSections[next], strings.Join(templateSections, ", "))
	}
}

func expected(i int) string {
	if i < len(templateSections) {
		return templateSections[i]
	}
	return "(nothing after Related)"
}

func checkDiagnosis(rb Runbook, add func(string, ...any)) {
	in := false
	found := map[string]bool{}
	for _, s := range rb.Sections {
		if s.Level == 2 {
			in = s.Title == "Diagnosis"
			continue
		}
		if !in || s.Level != 3 {
			continue
		}
		for _, step := range []string{"Step 1", "Step 2", "Step 3"} {
			if strings.HasPrefix(s.Title, step+":") {
				found[step] = true
			}
		}
		if strings.HasPrefix(s.Title, "Step 3:") && !strings.Contains(s.Body, "| Symptom | Likely cause | Go to section |") {
			add("Diagnosis Step 3 needs the table \"| Symptom | Likely cause | Go to section |\"")
		}
	}
	for _, step := range []string{"Step 1", "Step 2", "Step 3"} {
		if !found[step] {
			add("Diagnosis has no \"### %s: ...\" subsection", step)
		}
	}
}

// checkResolutions: each "## Resolution X: ..." states its impact and time
// and ends with a "### Verify fix" subsection before the next level-2 section.
func checkResolutions(rb Runbook, add func(string, ...any)) {
	current, verified := "", false
	flush := func() {
		if current != "" && !verified {
			add("%q has no \"### Verify fix\" subsection", current)
		}
		current, verified = "", false
	}
	for _, s := range rb.Sections {
		switch {
		case s.Level == 2 && strings.HasPrefix(s.Title, "Resolution "):
			flush()
			current = s.Title
			for _, field := range []string{"**Severity impact**", "**Estimated time**"} {
				if !strings.Contains(s.Body, field) {
					add("%q does not state %s", s.Title, field)
				}
			}
		case s.Level == 2:
			flush()
		case s.Level == 3 && current != "" && s.Title == "Verify fix":
			verified = true
		}
	}
	flush()
}
