package runbooks

import (
	"fmt"
	"regexp"
	"strings"
)

// The body scanner understands just enough CommonMark to find ATX headings
// and fenced code blocks: headings inside code blocks are not headings, and
// an ops block is a fence whose info string is exactly "ops".

var (
	headingRE = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)
	fenceRE   = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})(.*)$")
	boldRE    = regexp.MustCompile(`^\*\*(.+?)\*\*[:.]?$`)
	numberRE  = regexp.MustCompile(`^\d+[.)]\s+`)
)

// fence is an open fenced code block.
type fence struct {
	marker string // the opening run of ` or ~
	info   string
	start  int      // 1-based line of the opening fence
	lines  []string // body lines
	title  string   // bold title before an ops block
}

// scanner accumulates sections and steps while walking the body line by line.
type scanner struct {
	sections []Section
	steps    []Step
	body     []string // lines of the current section
	prevText string   // last non-blank line outside code, "" after a fence or heading
	open     *fence
}

// scanBody splits the body (which starts at file line firstLine) into
// sections and steps.
func scanBody(body []byte, firstLine int) ([]Section, []Step, error) {
	var s scanner
	for i, raw := range strings.Split(string(body), "\n") {
		line := strings.TrimRight(raw, "\r")
		if err := s.feed(line, firstLine+i); err != nil {
			return nil, nil, err
		}
	}
	if s.open != nil {
		return nil, nil, fmt.Errorf("line %d: code block opened with %s is never closed", s.open.start, s.open.marker)
	}
	s.closeSection()
	return s.sections, s.steps, nil
}

func (s *scanner) feed(line string, lineNo int) error {
	if s.open != nil {
		s.body = append(s.body, line)
		if isClosingFence(line, s.open.marker) {
			f := s.open
			s.open, s.prevText = nil, ""
			return s.finishFence(f)
		}
		s.open.lines = append(s.open.lines, line)
		return nil
	}
	lead := leadingMark(line)
	if m := matchIf(lead == '`' || lead == '~', fenceRE, line); m != nil && !(m[1][0] == '`' && strings.Contains(m[2], "`")) {
		s.body = append(s.body, line)
		s.open = &fence{marker: m[1], info: strings.TrimSpace(m[2]), start: lineNo}
		if firstWord(s.open.info) == "ops" {
			s.open.title = boldTitle(s.prevText)
		}
		return nil
	}
	if m := matchIf(lead == '#', headingRE, line); m != nil {
		s.closeSection()
		s.sections = append(s.sections, Section{Level: len(m[1]), Title: strings.TrimSpace(m[2])})
		s.body, s.prevText = nil, ""
		return nil
	}
	s.body = append(s.body, line)
	if strings.TrimSpace(line) != "" {
		s.prevText = strings.TrimSpace(line)
	}
	return nil
}

// leadingMark is the line's first character after at most three spaces (0
// when there is none): a fence starts with ` or ~ and a heading with #
// there, so most lines skip both expressions (they were half of parsing
// the embedded runbooks, on the way to the console's first frame).
func leadingMark(line string) byte {
	t := strings.TrimLeft(line, " ")
	if t == "" || len(line)-len(t) > 3 {
		return 0
	}
	return t[0]
}

// matchIf is re's submatches of line, or nil without running re when the
// line cannot match.
func matchIf(possible bool, re *regexp.Regexp, line string) []string {
	if !possible {
		return nil
	}
	return re.FindStringSubmatch(line)
}

// isClosingFence: same character, at least as long, nothing but spaces after.
func isClosingFence(line, marker string) bool {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return false
	}
	run := len(t) - len(strings.TrimLeft(t, marker[:1]))
	return run >= len(marker) && strings.TrimSpace(t[run:]) == ""
}

// finishFence turns a closed ops block into a step; other blocks are prose.
func (s *scanner) finishFence(f *fence) error {
	words := strings.Fields(f.info)
	if firstWord(f.info) != "ops" {
		return nil
	}
	if len(words) > 1 {
		return fmt.Errorf("line %d: ops block info string %q: want exactly \"ops\"", f.start, f.info)
	}
	var cmds []string
	cmdLine := 0
	for i, l := range f.lines {
		if strings.TrimSpace(l) != "" {
			cmds = append(cmds, strings.TrimSpace(l))
			if cmdLine == 0 {
				cmdLine = f.start + 1 + i
			}
		}
	}
	switch len(cmds) {
	case 0:
		return fmt.Errorf("line %d: ops block is empty: want one command, e.g. breaker.list", f.start)
	case 1:
	default:
		return fmt.Errorf("line %d: ops block has %d commands: want exactly one command per block", f.start, len(cmds))
	}
	s.steps = append(s.steps, Step{
		Index:   len(s.steps),
		Section: s.currentSection(),
		Title:   f.title,
		Command: cmds[0],
		Line:    cmdLine,
	})
	return nil
}

func (s *scanner) currentSection() string {
	if len(s.sections) == 0 {
		return ""
	}
	return s.sections[len(s.sections)-1].Title
}

// closeSection stores the accumulated body in the current section.
func (s *scanner) closeSection() {
	if len(s.sections) > 0 {
		s.sections[len(s.sections)-1].Body = strings.TrimSpace(strings.Join(s.body, "\n"))
	}
	s.body = nil
}

// boldTitle returns the text of a one-line bold paragraph such as
// "**2. Reset the breaker**", without markers and numbering; "" otherwise.
func boldTitle(line string) string {
	m := boldRE.FindStringSubmatch(line)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(numberRE.ReplaceAllString(strings.TrimSpace(m[1]), ""))
}

func firstWord(s string) string {
	if w := strings.Fields(s); len(w) > 0 {
		return w[0]
	}
	return ""
}
