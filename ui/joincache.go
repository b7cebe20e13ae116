package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// The wide layout joins the list, a rule and the runbook column side by
// side. lipgloss.JoinHorizontal measures every line of every block twice
// per frame; here the list's lines are known to be exactly the list's
// width (every one is fit to it) or empty, and the rule and the right
// column are measured once per change of their text and kept. The result
// is byte for byte what JoinHorizontal(lipgloss.Top, ...) gives.

// block is a text cut into lines with each line's width and the widest.
type block struct {
	text   string
	lines  []string
	widths []int
	widest int
}

func measureBlock(s string) block {
	b := block{text: s}
	s = strings.ReplaceAll(s, "\t", "    ")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	b.lines = strings.Split(s, "\n")
	b.widths = make([]int, len(b.lines))
	for i, l := range b.lines {
		b.widths[i] = ansi.StringWidth(l)
		b.widest = max(b.widest, b.widths[i])
	}
	return b
}

// joinCache keeps the measured blocks of the last frame.
type joinCache struct {
	sep, right block
}

// measured is the block of s, measured again only when s changed.
func measured(kept *block, s string) block {
	if kept.lines == nil || kept.text != s {
		*kept = measureBlock(s)
	}
	return *kept
}

// joinColumns is left (lines of exactly leftW cells, or empty), sep and
// right side by side, top-aligned, every block padded to its widest line.
func (c *joinCache) joinColumns(left string, leftW int, sep, right string) string {
	var sb, rb block
	if c == nil {
		sb, rb = measureBlock(sep), measureBlock(right)
	} else {
		sb, rb = measured(&c.sep, sep), measured(&c.right, right)
	}
	ll := strings.Split(strings.ReplaceAll(strings.ReplaceAll(left, "\t", "    "), "\r\n", "\n"), "\n")
	lw := 0
	for _, l := range ll {
		if l != "" {
			lw = leftW
			break
		}
	}
	h := max(len(ll), len(sb.lines), len(rb.lines))
	var out strings.Builder
	out.Grow(len(left) + h*(len(sep)/max(len(sb.lines), 1)) + len(right) + h*8)
	for i := range h {
		if i < len(ll) && ll[i] != "" {
			out.WriteString(ll[i])
		} else {
			out.WriteString(strings.Repeat(" ", lw))
		}
		writeCell(&out, sb, i)
		writeCell(&out, rb, i)
		if i < h-1 {
			out.WriteByte('\n')
		}
	}
	return out.String()
}

// writeCell writes line i of b padded to b's widest line (blank below its end).
func writeCell(out *strings.Builder, b block, i int) {
	w := 0
	if i < len(b.lines) {
		out.WriteString(b.lines[i])
		w = b.widths[i]
	}
	out.WriteString(strings.Repeat(" ", b.widest-w))
}
