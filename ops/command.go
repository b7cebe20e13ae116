package ops

import (
	"fmt"
	"strings"
)

// Command is one parsed command line: `action.name key=value key="quoted value"`.
// Args hold the raw (unquoted, unescaped) values; typing happens in Registry.Validate.
type Command struct {
	Action string
	Args   map[string]string
	Raw    string
	// Keys lists the argument keys in the order they were written.
	Keys []string
}

// SyntaxError is a malformed command; Column is 1-based, counted in bytes.
type SyntaxError struct {
	Column int
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("column %d: %s", e.Column, e.Msg) }

func syntaxErr(col int, format string, args ...any) error {
	return &SyntaxError{Column: col + 1, Msg: fmt.Sprintf(format, args...)}
}

// ParseCommand parses one command line. It never panics; every error names the
// column and the problem.
func ParseCommand(line string) (Command, error) {
	cmd := Command{Raw: line, Args: map[string]string{}}
	p := &lineParser{s: line}
	p.skipSpace()
	if p.done() {
		return cmd, syntaxErr(p.i, "empty command: want an action name, e.g. breaker.reset component=kms")
	}
	name, err := p.actionName()
	if err != nil {
		return cmd, err
	}
	cmd.Action = name
	for {
		hadSpace := p.skipSpace()
		if p.done() {
			return cmd, nil
		}
		if !hadSpace {
			return cmd, syntaxErr(p.i, "want a space before the next argument, found %q", p.s[p.i])
		}
		start := p.i
		key, val, err := p.argument()
		if err != nil {
			return cmd, err
		}
		if _, dup := cmd.Args[key]; dup {
			return cmd, syntaxErr(start, "parameter %q given twice", key)
		}
		cmd.Args[key] = val
		cmd.Keys = append(cmd.Keys, key)
	}
}

type lineParser struct {
	s string
	i int
}

func (p *lineParser) done() bool { return p.i >= len(p.s) }

func (p *lineParser) skipSpace() bool {
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
	return p.i > start
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// actionName reads dot-separated lowercase words: gateway.status, alarm.mute.
func (p *lineParser) actionName() (string, error) {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != ' ' && p.s[p.i] != '\t' {
		c := p.s[p.i]
		switch {
		case isLower(c) || c == '_' || (isDigit(c) && p.i > start):
		case c == '.' && p.i > start && p.s[p.i-1] != '.':
		case c == '=':
			return "", syntaxErr(p.i, "a command starts with an action name (e.g. breaker.reset), not key=value")
		default:
			return "", syntaxErr(p.i, "unexpected %q in action name: action names are lowercase words joined by dots, e.g. breaker.reset", c)
		}
		p.i++
	}
	name := p.s[start:p.i]
	if strings.HasSuffix(name, ".") {
		return "", syntaxErr(p.i-1, "action name %q ends with a dot", name)
	}
	return name, nil
}

// argument reads key=value with the key in [a-z_]+.
func (p *lineParser) argument() (string, string, error) {
	start := p.i
	for p.i < len(p.s) && (isLower(p.s[p.i]) || p.s[p.i] == '_') {
		p.i++
	}
	key := p.s[start:p.i]
	if key == "" {
		return "", "", syntaxErr(p.i, "want a parameter name (lowercase letters and _), found %q", p.s[p.i])
	}
	if p.done() || p.s[p.i] != '=' {
		if p.done() || p.s[p.i] == ' ' || p.s[p.i] == '\t' {
			return "", "", syntaxErr(p.i, "parameter %q has no value: write %s=VALUE", key, key)
		}
		return "", "", syntaxErr(p.i, "unexpected %q in parameter name %q: names are lowercase letters and _", p.s[p.i], key)
	}
	p.i++ // '='
	if !p.done() && p.s[p.i] == '"' {
		v, err := p.quoted()
		return key, v, err
	}
	vstart := p.i
	for p.i < len(p.s) && p.s[p.i] != ' ' && p.s[p.i] != '\t' {
		if p.s[p.i] == '"' || p.s[p.i] == '\\' {
			return "", "", syntaxErr(p.i, "%q inside an unquoted value of %q: quote the whole value, e.g. %s=\"a b\"", p.s[p.i], key, key)
		}
		p.i++
	}
	if p.i == vstart {
		return "", "", syntaxErr(vstart, "parameter %q has an empty value: write %s=VALUE or %s=\"\"", key, key, key)
	}
	return key, p.s[vstart:p.i], nil
}

// quoted reads "..." with \" and \\ escapes; the closing quote must end the argument.
func (p *lineParser) quoted() (string, error) {
	open := p.i
	p.i++
	var b strings.Builder
	for !p.done() {
		c := p.s[p.i]
		switch c {
		case '\\':
			if p.i+1 >= len(p.s) {
				return "", syntaxErr(p.i, "backslash at end of line: the quoted value opened at column %d is not closed", open+1)
			}
			next := p.s[p.i+1]
			if next != '"' && next != '\\' {
				return "", syntaxErr(p.i, "unknown escape \\%c: only \\\" and \\\\ are allowed", next)
			}
			b.WriteByte(next)
			p.i += 2
		case '"':
			p.i++
			if !p.done() && p.s[p.i] != ' ' && p.s[p.i] != '\t' {
				return "", syntaxErr(p.i, "want a space after the closing quote, found %q", p.s[p.i])
			}
			return b.String(), nil
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", syntaxErr(open, "unclosed quote: the value opened here has no closing \"")
}

// Quote renders a value so ParseCommand reads it back unchanged.
func Quote(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\"\\") {
		return v
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(v) + `"`
}
