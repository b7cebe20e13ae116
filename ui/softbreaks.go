package ui

import "strings"

// isListItem says whether a line starts a Markdown list item: "- ", "* ",
// "+ ", "1. " or "1) ", after any indentation.
func isListItem(line string) bool {
	s := strings.TrimLeft(line, " \t")
	if len(s) >= 2 && strings.ContainsRune("-*+", rune(s[0])) && s[1] == ' ' {
		return true
	}
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	return digits > 0 && len(s) > digits+1 && (s[digits] == '.' || s[digits] == ')') && s[digits+1] == ' '
}

// joinListSoftBreaks joins the continuation lines of Markdown list items
// onto their item. Glamour renders a soft line break inside a list item as a
// hard newline (charmbracelet/glamour#580, open), so a runbook written at 100
// columns came out ragged after re-wrapping. Paragraphs, code fences, tables,
// headings and blank lines are left as they are.
func joinListSoftBreaks(src string) string {
	lines := strings.Split(src, "\n")
	out := make([]string, 0, len(lines))
	inFence, inItem := false, false
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			inFence = !inFence
			inItem = false
			out = append(out, line)
			continue
		}
		switch {
		case inFence || trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, "|") || strings.HasPrefix(trimmed, ">"):
			inItem = false
		case isListItem(line):
			inItem = true
		case inItem && line != trimmed: // an indented continuation of the item above
			out[len(out)-1] += " " + trimmed
			continue
		default:
			inItem = false
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
