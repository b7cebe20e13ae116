package ui

import (
	"fmt"
	"strings"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/styles"
)

// markdown renders runbooks with Glamour. Building a renderer is costly, so
// it is built once per width; rendering is costly too, so the output is kept
// per runbook and width. It is a pointer type shared by copies of the panel.
type markdown struct {
	style     string
	renderers map[int]*glamour.TermRenderer
	out       map[mdKey]string
}

type mdKey struct {
	id    string
	width int
}

func newMarkdown(isDark, noColor bool) *markdown {
	style := styles.DarkStyle
	switch {
	case noColor:
		style = styles.AsciiStyle // formatted, no colour
	case !isDark:
		style = styles.LightStyle
	}
	return &markdown{style: style, renderers: map[int]*glamour.TermRenderer{}, out: map[mdKey]string{}}
}

// Render returns the rendered runbook for the width, from the cache when it
// has been rendered before. A render failure shows the raw Markdown with the
// error above it: the operator still gets the runbook.
func (m *markdown) Render(id, src string, width int) string {
	width = max(width, 20)
	k := mdKey{id, width}
	if s, ok := m.out[k]; ok {
		return s
	}
	s, err := m.render(src, width)
	if err != nil {
		s = fmt.Sprintf("(runbook shown unformatted: %v)\n\n%s", err, src)
	}
	m.out[k] = s
	return s
}

func (m *markdown) render(src string, width int) (string, error) {
	r, ok := m.renderers[width]
	if !ok {
		var err error
		r, err = glamour.NewTermRenderer(glamour.WithStandardStyle(m.style), glamour.WithWordWrap(width))
		if err != nil {
			return "", err
		}
		m.renderers[width] = r
	}
	s, err := r.Render(plainOpsFences(joinListSoftBreaks(src)))
	return strings.Trim(s, "\n"), err
}

// plainOpsFences names the runbooks' ```ops code fences (our own command
// language, unknown to the highlighter) as text, the highlighter's plain
// lexer, which they fall back to anyway. Looking an unknown language up,
// chroma matched it against every lexer's filename patterns twice and then
// ran every lexer's content analyser, per block: 20 of the 26 ms a runbook
// took to render in the dark style (decisions.md 165).
func plainOpsFences(src string) string {
	if !strings.Contains(src, "```ops") {
		return src
	}
	lines := strings.Split(src, "\n")
	for i, line := range lines {
		if strings.TrimSpace(line) == "```ops" {
			lines[i] = strings.Replace(line, "```ops", "```text", 1)
		}
	}
	return strings.Join(lines, "\n")
}

// Renderers is how many renderers have been built (tests check the cache).
func (m *markdown) Renderers() int { return len(m.renderers) }
