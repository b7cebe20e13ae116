package runbooks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// frontMatter is the YAML between the leading --- lines.
type frontMatter struct {
	Title    string   `yaml:"title"`
	Severity string   `yaml:"severity"`
	Alarms   []string `yaml:"alarms"`
	Metrics  []string `yaml:"metrics"`
}

// Parse parses one runbook. name is the file name without .md; src is the
// whole file. Every problem is reported with the runbook's name and, where
// there is one, the line.
func Parse(name string, src []byte) (Runbook, error) {
	if err := checkName(name); err != nil {
		return Runbook{}, err
	}
	fm, body, bodyLine, err := splitFrontMatter(src)
	if err != nil {
		return Runbook{}, fmt.Errorf("runbook %s: %w", name, err)
	}
	meta, err := decodeFrontMatter(fm)
	if err != nil {
		return Runbook{}, fmt.Errorf("runbook %s: front matter: %w", name, err)
	}
	sections, steps, err := scanBody(body, bodyLine)
	if err != nil {
		return Runbook{}, fmt.Errorf("runbook %s: %w", name, err)
	}
	return Runbook{
		Name:          name,
		Title:         meta.Title,
		Severity:      meta.Severity,
		AlarmPatterns: meta.Alarms,
		Metrics:       meta.Metrics,
		Sections:      sections,
		Steps:         steps,
		Source:        body,
	}, nil
}

var namePattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// checkName keeps names usable as file names and CLI arguments.
func checkName(name string) error {
	if !namePattern.MatchString(name) {
		return fmt.Errorf("runbook name %q: want lowercase words joined by '-' (e.g. agent-circuit-breaker-open), without .md", name)
	}
	return nil
}

// splitFrontMatter returns the YAML text, the body after the closing ---, and
// the 1-based line number where the body starts.
func splitFrontMatter(src []byte) (fm, body []byte, bodyLine int, err error) {
	first, rest, _ := bytes.Cut(src, []byte("\n"))
	if string(bytes.TrimRight(first, "\r")) != "---" {
		return nil, nil, 0, errors.New("missing front matter: the file must start with a line '---', then YAML (title, severity, alarms, metrics), then a line '---'")
	}
	line := 2
	for off := 0; off <= len(rest); {
		end := bytes.IndexByte(rest[off:], '\n')
		next := len(rest) + 1
		if end >= 0 {
			next = off + end + 1
		} else {
			end = len(rest) - off
		}
		if string(bytes.TrimRight(rest[off:off+end], "\r")) == "---" {
			if next > len(rest) {
				next = len(rest)
			}
			return rest[:off], rest[next:], line + 1, nil
		}
		off = next
		line++
	}
	return nil, nil, 0, errors.New("front matter is not closed: no line '---' after the opening one")
}

// decodeFrontMatter decodes strictly (unknown keys are errors, so a typo like
// `alarm:` is caught) and validates every field.
func decodeFrontMatter(fm []byte) (frontMatter, error) {
	var meta frontMatter
	dec := yaml.NewDecoder(bytes.NewReader(fm))
	dec.KnownFields(true)
	if err := dec.Decode(&meta); err != nil {
		if errors.Is(err, io.EOF) {
			return meta, errors.New("empty: want title, severity, alarms and/or metrics")
		}
		return meta, err
	}
	meta.Title = strings.TrimSpace(meta.Title)
	if meta.Title == "" {
		return meta, errors.New("title is missing or empty")
	}
	if severityRank(meta.Severity) == len(Severities()) {
		return meta, fmt.Errorf("severity %q is not one of %s", meta.Severity, strings.Join(Severities(), ", "))
	}
	if len(meta.Alarms) == 0 && len(meta.Metrics) == 0 {
		return meta, errors.New("no alarms and no metrics: a runbook must answer at least one alarm name pattern or one Namespace/MetricName")
	}
	for _, p := range meta.Alarms {
		if err := checkPattern(p); err != nil {
			return meta, err
		}
	}
	for _, m := range meta.Metrics {
		if _, _, err := splitMetric(m); err != nil {
			return meta, err
		}
	}
	return meta, nil
}

func checkPattern(p string) error {
	if strings.TrimSpace(p) == "" {
		return errors.New("alarms: empty pattern")
	}
	if _, err := path.Match(p, ""); err != nil {
		return fmt.Errorf("alarms: pattern %q is not a valid glob (use * ? and [...]): %w", p, err)
	}
	return nil
}

// splitMetric splits "Namespace/MetricName" at the last slash (namespaces
// contain slashes, e.g. Arrakis/AgentGateway).
func splitMetric(m string) (namespace, name string, err error) {
	i := strings.LastIndexByte(m, '/')
	if i <= 0 || i == len(m)-1 || strings.ContainsAny(m, " \t") {
		return "", "", fmt.Errorf("metrics: %q is not Namespace/MetricName (e.g. Arrakis/AgentGateway/RequestLatency)", m)
	}
	return m[:i], m[i+1:], nil
}
