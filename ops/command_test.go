package ops

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

func TestParseCommandAcceptsTheGrammar(t *testing.T) {
	cases := []struct {
		line   string
		action string
		args   map[string]string
	}{
		{"gateway.status", "gateway.status", map[string]string{}},
		{"  breaker.reset   component=kms  ", "breaker.reset", map[string]string{"component": "kms"}},
		{"reservations.drain older=5m mode=reap", "reservations.drain", map[string]string{"older": "5m", "mode": "reap"}},
		{`alarm.mute alarm=a reason="paged: \"kms\" down \\ again" for=30m`, "alarm.mute",
			map[string]string{"alarm": "a", "reason": `paged: "kms" down \ again`, "for": "30m"}},
		{"alarm.mute\treason=\"\"", "alarm.mute", map[string]string{"reason": ""}},
		{"flags.set ensemble_enabled=false", "flags.set", map[string]string{"ensemble_enabled": "false"}},
	}
	for _, c := range cases {
		cmd, err := ParseCommand(c.line)
		if err != nil {
			t.Errorf("%q: %v", c.line, err)
			continue
		}
		if cmd.Action != c.action || !maps.Equal(cmd.Args, c.args) || cmd.Raw != c.line {
			t.Errorf("%q: got %+v", c.line, cmd)
		}
	}
}

func TestParseCommandErrorsNameColumnAndProblem(t *testing.T) {
	cases := []struct {
		line, want string
		col        int
	}{
		{"", "empty command", 1},
		{"component=kms", "not key=value", 10},
		{"Breaker.reset", `unexpected 'B'`, 1},
		{"breaker.reset.", "ends with a dot", 14},
		{"a..b", `unexpected '.'`, 3},
		{`breaker.reset component="kms`, "unclosed quote", 25},
		{`x reason="a\qb"`, `unknown escape \q`, 12},
		{`x reason="a"b`, "space after the closing quote", 13},
		{`x reason=a"b`, `'"' inside an unquoted value`, 11},
		{"x component", `"component" has no value`, 12},
		{"x component=", "empty value", 13},
		{"x Component=kms", "want a parameter name", 3},
		{"x comp-onent=kms", `unexpected '-' in parameter name "comp"`, 7},
		{"x a=1 a=2", `parameter "a" given twice`, 7},
		{`x a="\`, "backslash at end of line", 6},
	}
	for _, c := range cases {
		_, err := ParseCommand(c.line)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: want a SyntaxError, got %v", c.line, err)
			continue
		}
		if se.Column != c.col || !strings.Contains(se.Msg, c.want) {
			t.Errorf("%q: got column %d %q, want column %d containing %q", c.line, se.Column, se.Msg, c.col, c.want)
		}
	}
}

func TestQuoteRoundTrips(t *testing.T) {
	for _, v := range []string{"plain", "", "two words", `a "quoted" \ thing`, "tab\there"} {
		cmd, err := ParseCommand("x k=" + Quote(v))
		if err != nil || cmd.Args["k"] != v {
			t.Errorf("Quote(%q) = %s: parsed %q, %v", v, Quote(v), cmd.Args["k"], err)
		}
	}
}

// FuzzParseCommand: never panics; what parses re-renders and parses the same.
func FuzzParseCommand(f *testing.F) {
	f.Add("breaker.reset component=kms")
	f.Fuzz(func(t *testing.T, line string) {
		cmd, err := ParseCommand(line)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Column < 1 || se.Column > len(line)+1 {
				t.Fatalf("%q: error without a valid column: %v", line, err)
			}
			return
		}
		parts := []string{cmd.Action}
		for _, k := range cmd.Keys {
			parts = append(parts, k+"="+Quote(cmd.Args[k]))
		}
		again, err := ParseCommand(strings.Join(parts, " "))
		if err != nil || again.Action != cmd.Action || !maps.Equal(again.Args, cmd.Args) {
			t.Fatalf("%q: re-rendered %q parses differently: %+v %v", line, strings.Join(parts, " "), again, err)
		}
	})
}
