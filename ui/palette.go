package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// palette is the ":" command line. Tab completes from the action schemas
// (the completer is the action registry's, pure and in memory); Enter submits
// the line to the same runner the runbook steps use.
type palette struct {
	styles   *Styles
	input    textinput.Model
	complete func(line string) []string
	check    func(line string) error // pure schema check, no I/O
	choices  []string                // completions shown under the line
	usage    string                  // why the line was not run; the line stays for editing
	history  []string                // oldest first
	histAt   int                     // index into history while browsing; len(history) = the draft
	draft    string
	width    int
}

// maxHistory is how many palette lines are kept.
const maxHistory = 200

// paletteSubmitMsg carries a command line the operator entered.
type paletteSubmitMsg struct{ Line string }

// paletteClosedMsg says the palette was dismissed without a command.
type paletteClosedMsg struct{}

func newPalette(st *Styles, complete func(string) []string, check func(string) error) palette {
	in := textinput.New()
	in.Prompt = ":"
	in.Placeholder = "action key=value ...   (tab completes)"
	in.CharLimit = 256
	return palette{styles: st, input: in, complete: complete, check: check}
}

// SetHistory replaces the history (loaded from the state dir).
func (p *palette) SetHistory(h []string) {
	if len(h) > maxHistory {
		h = h[len(h)-maxHistory:]
	}
	p.history, p.histAt = h, len(h)
}

// remember appends a submitted line, dropping an immediate repeat.
func (p *palette) remember(line string) {
	if n := len(p.history); n == 0 || p.history[n-1] != line {
		p.history = append(p.history, line)
	}
	if len(p.history) > maxHistory {
		p.history = p.history[len(p.history)-maxHistory:]
	}
	p.histAt = len(p.history)
}

// browse moves through the history (-1 older, +1 newer), keeping the
// line being typed as the newest entry.
func (p *palette) browse(dir int) {
	if len(p.history) == 0 {
		return
	}
	if p.histAt == len(p.history) {
		p.draft = p.input.Value()
	}
	p.histAt = min(max(p.histAt+dir, 0), len(p.history))
	if p.histAt == len(p.history) {
		p.input.SetValue(p.draft)
	} else {
		p.input.SetValue(p.history[p.histAt])
	}
	p.input.CursorEnd()
}

// Open resets and focuses the palette, optionally pre-filled.
func (p *palette) Open(prefill string) tea.Cmd {
	p.input.SetValue(prefill)
	p.input.CursorEnd()
	p.choices, p.usage, p.histAt = nil, "", len(p.history)
	return p.input.Focus()
}

// SetSize sets the palette width.
func (p *palette) SetSize(w, _ int) { p.width = w; p.input.SetWidth(max(w-4, 10)) }

// Update handles typing, tab completion, submit and cancel.
func (p palette) Update(msg tea.Msg) (palette, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch km.String() {
		case "esc", "ctrl+c":
			p.input.Blur()
			return p, func() tea.Msg { return paletteClosedMsg{} }
		case "enter":
			line := strings.TrimSpace(p.input.Value())
			if line == "" {
				p.input.Blur()
				return p, func() tea.Msg { return paletteClosedMsg{} }
			}
			if p.check != nil {
				if err := p.check(line); err != nil {
					// A typo is not a failure: say what is wrong, keep the line.
					p.usage = err.Error()
					return p, nil
				}
			}
			p.input.Blur()
			p.remember(line)
			return p, func() tea.Msg { return paletteSubmitMsg{Line: line} }
		case "tab":
			p.tabComplete()
			return p, nil
		case "up":
			p.browse(-1)
			return p, nil
		case "down":
			p.browse(+1)
			return p, nil
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.choices, p.usage = nil, ""
	return p, cmd
}

// tabComplete extends the line to the longest common prefix of the
// completions and lists them when there is more than one.
func (p *palette) tabComplete() {
	if p.complete == nil {
		return
	}
	line := p.input.Value()
	opts := p.complete(line)
	p.choices = append([]string{}, opts...) // non-nil: completion was tried
	if len(opts) == 0 {
		return
	}
	prefix := opts[0]
	for _, o := range opts[1:] {
		prefix = commonPrefix(prefix, o)
	}
	if len(opts) == 1 && !strings.HasSuffix(prefix, "=") {
		prefix += " "
	}
	if len(prefix) > len(line) {
		p.input.SetValue(prefix)
		p.input.CursorEnd()
	}
}

func commonPrefix(a, b string) string {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return a[:i]
		}
	}
	return a[:n]
}

// View renders the input line and, after a tab, the completions.
func (p palette) View() string {
	out := p.input.View()
	if p.usage != "" {
		return out + "\n" + p.styles.Warn.Render(fit("usage: "+p.usage+" (edit the line, esc closes)", max(p.width, 10)))
	}
	if len(p.choices) > 1 {
		shown := p.choices
		if len(shown) > 8 {
			shown = shown[:8]
		}
		out += "\n" + p.styles.Muted.Render(fit(strings.Join(shown, "  "), max(p.width, 10)))
	} else if len(p.choices) == 0 && p.complete != nil && strings.TrimSpace(p.input.Value()) != "" && p.triedComplete() {
		out += "\n" + p.styles.Warn.Render("no completion")
	}
	return out
}

// triedComplete is true when the choices were computed for the current value.
func (p palette) triedComplete() bool { return p.choices != nil }

// ShortHelp and FullHelp make the palette a help.KeyMap.
func (p palette) ShortHelp() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete")),
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run")),
		key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "history")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
	}
}
func (p palette) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
