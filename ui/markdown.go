package ui

import (
	"fmt"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"charm.land/glamour/v2"
	"charm.land/glamour/v2/styles"
)

// markdown renders runbooks with Glamour. Building a renderer is costly, so
// it is built once per width; rendering is costly too (2 ms in ASCII, 8 ms
// in colour for a long runbook), so the output is kept per runbook and
// width. It is a pointer type shared by copies of the panel.
//
// In the full-screen console a render runs off the event loop (Later), so
// the alarm list is never drawn behind one; tests and the linear mode render
// in place (Render).
type markdown struct {
	background bool        // renders run off the event loop (Later); Text shows a placeholder meanwhile
	frames     *frameClock // a background render waits for the next frame (nil: it does not)

	mu      sync.Mutex // guards the fields below: a background render fills out
	style   string
	gen     int // bumped by Restyle: a render of an older style is dropped
	out     map[mdKey]string
	pending map[mdKey]bool

	// renderMu serialises renders: a TermRenderer keeps its block stack
	// between calls, so two goroutines must not share one.
	renderMu  sync.Mutex
	renderers map[rendererKey]*glamour.TermRenderer
}

type mdKey struct {
	id    string
	width int
}

// keyOf is a runbook's cache key at a width (narrower than 20 renders at 20).
func keyOf(id string, width int) mdKey { return mdKey{id, max(width, 20)} }

type rendererKey struct {
	style string
	width int
}

func newMarkdown(isDark, noColor bool) *markdown {
	return &markdown{style: markdownStyle(isDark, noColor), out: map[mdKey]string{}, pending: map[mdKey]bool{},
		renderers: map[rendererKey]*glamour.TermRenderer{}}
}

func markdownStyle(isDark, noColor bool) string {
	switch {
	case noColor:
		return styles.AsciiStyle // formatted, no colour
	case !isDark:
		return styles.LightStyle
	}
	return styles.DarkStyle
}

// Restyle switches to the style for the terminal's background and forgets
// every rendering of the old one.
func (m *markdown) Restyle(isDark, noColor bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.style, m.gen = markdownStyle(isDark, noColor), m.gen+1
	m.out, m.pending = map[mdKey]string{}, map[mdKey]bool{}
}

// formattingText stands in the runbook pane while a background render runs
// (a few ms; the list is drawn meanwhile).
const formattingText = "Formatting the runbook…"

// Text is what the runbook pane shows: the rendering when there is one,
// else (background renders) the placeholder until Later's render lands, or
// a render now.
func (m *markdown) Text(id, src string, width int) string {
	if s, ok := m.Cached(id, width); ok {
		return s
	}
	if m.background {
		return formattingText
	}
	return m.Render(id, src, width)
}

// Render returns the rendered runbook for the width, from the cache when it
// has been rendered before. A render failure shows the raw Markdown with the
// error above it: the operator still gets the runbook.
func (m *markdown) Render(id, src string, width int) string {
	k := keyOf(id, width)
	if s, ok := m.Cached(id, width); ok {
		return s
	}
	m.mu.Lock()
	style, gen := m.style, m.gen
	m.mu.Unlock()
	s := m.renderNow(style, src, k.width)
	m.store(k, gen, s)
	return s
}

// Cached is the runbook's rendering for the width, if there is one yet.
func (m *markdown) Cached(id string, width int) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.out[keyOf(id, width)]
	return s, ok
}

// Later renders the runbook for the width on a goroutine of its own and
// reports runbookRenderedMsg when the rendering is in the cache; nil when
// it is there already, a render of it is under way, or renders run in place.
func (m *markdown) Later(id, src string, width int) tea.Cmd {
	if !m.background {
		return nil
	}
	k := keyOf(id, width)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.out[k]; ok || m.pending[k] {
		return nil
	}
	m.pending[k] = true
	style, gen := m.style, m.gen
	frame := m.frames.nextFrame() // the one with the placeholder, drawn after this Update
	return func() tea.Msg {
		waitForFrame(frame)
		m.store(k, gen, m.renderNow(style, src, k.width))
		return runbookRenderedMsg{id: id}
	}
}

// runbookRenderedMsg: a background render is in the cache; the panel shows
// it if the runbook is still the one on screen.
type runbookRenderedMsg struct{ id string }

func (m *markdown) store(k mdKey, gen int, s string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if gen != m.gen {
		return // rendered in a style the terminal no longer has
	}
	delete(m.pending, k)
	m.out[k] = s
}

func (m *markdown) renderNow(style, src string, width int) string {
	s, err := m.render(style, src, width)
	if err != nil {
		s = fmt.Sprintf("(runbook shown unformatted: %v)\n\n%s", err, src)
	}
	return s
}

func (m *markdown) render(style, src string, width int) (string, error) {
	m.renderMu.Lock()
	defer m.renderMu.Unlock()
	rk := rendererKey{style, width}
	r, ok := m.renderers[rk]
	if !ok {
		var err error
		r, err = glamour.NewTermRenderer(glamour.WithStandardStyle(style), glamour.WithWordWrap(width))
		if err != nil {
			return "", err
		}
		m.renderers[rk] = r
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
func (m *markdown) Renderers() int {
	m.renderMu.Lock()
	defer m.renderMu.Unlock()
	return len(m.renderers)
}
