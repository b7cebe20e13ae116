// Package runbooks holds the embedded on-call runbooks of the agent gateway,
// parses them (front matter, sections, runnable steps) and finds the runbook
// that answers an alarm.
//
// A runbook is Markdown following the gateway team's template. Its front
// matter names the alarms (by name pattern) and metrics it answers. A step the
// console can run is a fenced code block with the info string `ops`; this
// package extracts the raw command text and leaves parsing the command grammar
// to package ops (ops imports runbooks, never the reverse).
//
// Authoring a runbook (every *.md in this directory is one; keep other
// Markdown out of it, since //go:embed *.md picks up everything):
//
//   - Front matter between two "---" lines: title, severity
//     (critical|high|medium|low), alarms (globs over alarm names, matched
//     case-insensitively; each pattern may belong to one runbook only) and
//     metrics ("Namespace/MetricName"); at least one alarm or metric.
//   - The template sections checked by CheckTemplate, in order.
//   - One command per ```ops block, optionally preceded by a one-line bold
//     title ("**Reset the kms breaker**"), followed by a ```bash block with
//     the plain-CLI equivalent. No placeholders in ops blocks: the console
//     runs them as written.
package runbooks

// Severities a runbook may declare, most severe first.
const (
	SeverityCritical = "critical"
	SeverityHigh     = "high"
	SeverityMedium   = "medium"
	SeverityLow      = "low"
)

// Severities lists the accepted severities, most severe first.
func Severities() []string {
	return []string{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow}
}

// severityRank orders severities for deterministic lookups (lower is more severe).
func severityRank(s string) int {
	for i, v := range Severities() {
		if v == s {
			return i
		}
	}
	return len(Severities())
}

// Runbook is one parsed runbook.
type Runbook struct {
	// Name is the file name without .md, e.g. agent-circuit-breaker-open.
	Name string
	// Title, Severity, AlarmPatterns and Metrics come from the front matter.
	Title    string
	Severity string
	// AlarmPatterns are glob patterns (path.Match syntax) over alarm names,
	// matched case-insensitively, e.g. *agent-error-rate-high.
	AlarmPatterns []string
	// Metrics are "Namespace/MetricName" identities, e.g. Arrakis/AgentGateway/RequestLatency.
	Metrics []string
	// Sections are the headings in document order with the text under each.
	Sections []Section
	// Steps are the ops blocks in document order.
	Steps []Step
	// Source is the Markdown with the front matter stripped, ready for Glamour.
	Source []byte
}

// Section is one heading and the Markdown between it and the next heading.
type Section struct {
	Level int // 1 for #, 2 for ##, ...
	Title string
	Body  string
}

// Step is one runnable command: a fenced block with the info string `ops`.
type Step struct {
	// Index is the step's position among the runbook's steps, from 0.
	Index int
	// Section is the title of the heading the step sits under.
	Section string
	// Title is the one-line bold paragraph right before the block, if any,
	// without the ** markers and without a leading "N." numbering.
	Title string
	// Command is the raw text of the block (one line, whitespace-trimmed).
	Command string
	// Line is the 1-based line of the command in the original file
	// (front matter included), so errors point into the .md file.
	Line int
}

// SectionByTitle returns the first section whose title is title.
func (r Runbook) SectionByTitle(title string) (Section, bool) {
	for _, s := range r.Sections {
		if s.Title == title {
			return s, true
		}
	}
	return Section{}, false
}
