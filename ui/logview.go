package ui

import (
	"fmt"
	"strings"
)

// openLog shows the console log in the pager: what go-redis, the AWS SDK
// and the standard logger said while the console owned the terminal (they
// never write to it). The lines come sanitised and redacted from the sink.
func (m Model) openLog() Model {
	if m.opts.Log == nil {
		m.setStatus("no console log in this mode", false)
		return m
	}
	lines := m.opts.Log()
	title := fmt.Sprintf("Console log: %d newest lines", len(lines))
	if m.opts.LogPath != "" {
		title += " (all in " + m.opts.LogPath + ")"
	}
	text := strings.Join(lines, "\n")
	if len(lines) == 0 {
		text = "nothing logged since the console started"
	}
	m.openPager(pagerOutput, title, text)
	return m
}
