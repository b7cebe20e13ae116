package termsafe

import (
	"bytes"
	"fmt"
	"testing"
)

// hostile holds each kind of escape an outside string could carry.
var hostile = map[string]struct{ in, str, text string }{
	"CSI erase line":   {"p99\x1b[K\rOK", `p99\x1b[K\rOK`, `p99\x1b[K\rOK`},
	"OSC title":        {"a\x1b]0;pwned\x07b", `a\x1b]0;pwned\ab`, `a\x1b]0;pwned\ab`},
	"OSC 52 clipboard": {"\x1b]52;c;cm0gLXJmIH4=\x1b\\", `\x1b]52;c;cm0gLXJmIH4=\x1b\`, `\x1b]52;c;cm0gLXJmIH4=\x1b\`},
	"BEL":              {"ring\a", `ring\a`, `ring\a`},
	"8-bit CSI":        {"x\u009b2Jy", `x\u009b2Jy`, `x\u009b2Jy`},
	"newline and tab":  {"a\nb\tc", `a\nb\tc`, "a\nb\tc"},
	"DEL and NUL":      {"a\x7f\x00", `a\x7f\x00`, `a\x7f\x00`},
	"invalid UTF-8":    {"a\xffb", `a\xffb`, `a\xffb`},
	"bidi override":    {"abc\u202edcba", `abc\u202edcba`, `abc\u202edcba`},
	"clean unicode":    {"breaker kms: open ✗ 5 > 0 — ok", "breaker kms: open ✗ 5 > 0 — ok", "breaker kms: open ✗ 5 > 0 — ok"},
}

func TestEscapes(t *testing.T) {
	for name, c := range hostile {
		if got := String(c.in); got != c.str {
			t.Errorf("%s: String = %q, want %q", name, got, c.str)
		}
		if got := Text(c.in); got != c.text {
			t.Errorf("%s: Text = %q, want %q", name, got, c.text)
		}
		if Clean(String(c.in)) != true {
			t.Errorf("%s: String output is not clean: %q", name, String(c.in))
		}
	}
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	fmt.Fprintf(Writer{W: &b}, "%s\n", "x\x1b[2Jy")
	if b.String() != "x\\x1b[2Jy\n" {
		t.Fatalf("%q", b.String())
	}
}

func FuzzNoControlOut(f *testing.F) {
	for _, c := range hostile {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range String(s) {
			if unsafe(r) {
				t.Fatalf("String(%q) emits %U", s, r)
			}
		}
		for _, r := range Text(s) {
			if unsafe(r) && r != '\n' && r != '\t' {
				t.Fatalf("Text(%q) emits %U", s, r)
			}
		}
	})
}

func BenchmarkCleanString(b *testing.B) {
	s := "arrakis-staging-agent-circuit-breaker-open"
	for b.Loop() {
		_ = String(s)
	}
}
