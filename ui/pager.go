package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// pager shows a text that may be longer than the screen: the help, a
// step's full output, a journal entry, the alarm detail. It always says how
// much is above and below, so nothing is cut without a mark.
type pager struct {
	styles  *Styles
	keys    KeyMap
	title   string
	hint    string // extra keys of this pager, shown in its footer help
	content string
	vp      viewport.Model
	width   int
	height  int
}

func newPager(st *Styles, keys KeyMap, title, content string) pager {
	vp := viewport.New()
	vp.SoftWrap = true
	p := pager{styles: st, keys: keys, title: title, content: content, vp: vp}
	p.vp.SetContent(content)
	return p
}

// SetSize fits the pager into w x h cells (title and position line included).
func (p *pager) SetSize(w, h int) {
	p.width, p.height = w, h
	p.vp.SetWidth(max(w, 1))
	p.vp.SetHeight(max(h-2, 1))
}

// SetContent replaces the text and keeps the scroll position where it can.
func (p *pager) SetContent(s string) {
	off := p.vp.YOffset()
	p.content = s
	p.vp.SetContent(s)
	p.vp.SetYOffset(off)
}

// Update scrolls; it never closes itself (the root model owns Esc).
func (p pager) Update(km tea.KeyPressMsg) pager {
	switch {
	case key.Matches(km, p.keys.Down):
		p.vp.ScrollDown(1)
	case key.Matches(km, p.keys.Up):
		p.vp.ScrollUp(1)
	case key.Matches(km, p.keys.PageDown), km.String() == "space":
		p.vp.HalfPageDown()
	case key.Matches(km, p.keys.PageUp):
		p.vp.HalfPageUp()
	case key.Matches(km, p.keys.Top):
		p.vp.GotoTop()
	case key.Matches(km, p.keys.Bottom):
		p.vp.GotoBottom()
	}
	return p
}

// View is the title line, the visible text and a position line with the
// "more" marker: exactly height lines.
func (p pager) View() string {
	if p.width <= 0 || p.height <= 0 {
		return ""
	}
	total, first := p.vp.TotalLineCount(), p.vp.YOffset()
	last := min(first+p.vp.VisibleLineCount(), total)
	pos := fmt.Sprintf("lines %d-%d of %d", min(first+1, total), last, total)
	switch {
	case last < total:
		pos = fmt.Sprintf("▼ %d more lines (j/k, ctrl+d/ctrl+u scroll) · %s", total-last, pos)
	case first > 0:
		pos = "▲ top is above (k, g) · " + pos
	}
	head := p.styles.Title.Render(ansi.Truncate(p.title, p.width, "…"))
	body := clampLines(p.vp.View(), p.height-2)
	return head + "\n" + body + "\n" + p.styles.Muted.Render(fit(pos+"   esc closes", p.width))
}

// Lines is the whole text's line count (tests and sizing read it).
func (p pager) Lines() int { return strings.Count(p.content, "\n") + 1 }

// ShortHelp and FullHelp make the pager a help.KeyMap.
func (p pager) ShortHelp() []key.Binding {
	out := []key.Binding{p.keys.Down, p.keys.Up, p.keys.PageDown, p.keys.PageUp}
	if p.hint != "" {
		out = append(out, key.NewBinding(key.WithKeys("_hint"), key.WithHelp(p.hint, "")))
	}
	return append(out, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")))
}
func (p pager) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
