package ui

import (
	"fmt"
	"regexp"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// The runbooks' ```bash blocks are for the operator's own shell. c copies
// them, with this environment's values filled in, to the clipboard (OSC 52,
// which works over SSH and tmux) and to a file (for terminals without OSC 52).

// envLine is the runbooks' "ENV=production   # or staging" line.
var envLine = regexp.MustCompile(`(?m)^ENV=\S+.*$`)

// shellBlocks returns the runbook's bash blocks, each headed by its section,
// with ENV set to env and AWS_REGION to region (when known).
func shellBlocks(source, env, region string) string {
	var out []string
	section, in := "", false
	var block []string
	for _, line := range strings.Split(source, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case !in && strings.HasPrefix(trimmed, "#"):
			section = strings.TrimSpace(strings.TrimLeft(trimmed, "#"))
		case !in && (trimmed == "```bash" || trimmed == "```sh" || trimmed == "```shell"):
			in, block = true, nil
		case in && trimmed == "```":
			in = false
			out = append(out, "# --- "+section+"\n"+strings.Join(block, "\n"))
		case in:
			block = append(block, line)
		}
	}
	if len(out) == 0 {
		return ""
	}
	text := strings.Join(out, "\n\n")
	text = envLine.ReplaceAllString(text, "ENV="+env+"   # filled in by gatewayops")
	head := "# from gatewayops, environment " + env
	if region != "" {
		head += "\nexport AWS_REGION=" + region
	}
	return head + "\n\n" + text + "\n"
}

// snippetMsg is the answer to saving the copied blocks to a file.
type snippetMsg struct {
	path string
	err  error
}

func (m Model) copyShell() (tea.Model, tea.Cmd) {
	if !m.runbook.hasRB {
		m.setStatus("no runbook for this alarm: nothing to copy", true)
		return m, nil
	}
	text := shellBlocks(m.runbook.rb.Source, m.safety.Env, m.snap.Region)
	if text == "" {
		m.setStatus("runbook "+m.runbook.rb.Title+" has no ```bash blocks", true)
		return m, nil
	}
	b, name := m.backend, m.runbook.rb.ID
	save := func() tea.Msg {
		p, err := b.SaveSnippet(name, text)
		return snippetMsg{path: p, err: err}
	}
	n := strings.Count(text, "# --- ")
	m.setStatus(fmt.Sprintf("copied %d shell blocks (ENV=%s) to the clipboard (OSC 52)…", n, m.safety.Env), false)
	return m, tea.Batch(tea.SetClipboard(text), save)
}

func (m Model) handleSnippet(msg snippetMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		m.setStatus("copied to the clipboard (OSC 52); the file could not be written: "+msg.err.Error(), true)
		return m, nil
	}
	m.setStatus("shell blocks copied to the clipboard (OSC 52) and saved to "+msg.path, false)
	return m, nil
}
