// Package termsafe makes strings from outside (CloudWatch names and
// reasons, admin API answers and errors, Redis values, the journal, config)
// safe to put on a terminal: every control character is shown escaped,
// never emitted, so an alarm name cannot move the cursor, erase a line,
// set the window title (OSC), ring the bell or overwrite another row.
//
// Escapes are visible text: ESC is written `\x1b`, CR `\r`, BEL `\a`, a C1
// control `\u009b`, an invalid byte `\xff`. Bidirectional overrides
// (U+202A..U+202E, U+2066..U+2069) are escaped too: they reorder what the
// reader sees. JSON output does not pass here; it stays byte-exact.
package termsafe

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// String escapes every control character, newline and tab included: for
// one-line fields (names, reasons, table cells, status lines).
func String(s string) string { return escape(s, false) }

// Text escapes every control character except newline and tab: for
// multi-line text (an action's output, a Markdown document).
func Text(s string) string { return escape(s, true) }

// Clean reports whether s needs no escaping (String(s) == s).
func Clean(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || unsafe(r) {
			return false
		}
		i += n
	}
	return true
}

func escape(s string, keepLines bool) string {
	if Clean(s) {
		return s // the common case allocates nothing
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case unsafe(r):
			b.WriteString(named(r))
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unsafe: C0 controls, DEL, C1 controls and the bidi overrides.
func unsafe(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

func named(r rune) string {
	switch r {
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	case '\a':
		return `\a`
	case '\b':
		return `\b`
	}
	if r < 0x80 {
		return fmt.Sprintf(`\x%02x`, r)
	}
	return fmt.Sprintf(`\u%04x`, r)
}

// Writer escapes what passes through it as Text does. Each Write must hold
// whole runes (fmt and text/tabwriter write whole strings).
type Writer struct {
	W io.Writer
}

func (w Writer) Write(p []byte) (int, error) {
	if _, err := w.W.Write([]byte(Text(string(p)))); err != nil {
		return 0, err
	}
	return len(p), nil
}
